//! `--state-dir` (`state_dir` in a job file): the state and the lock live outside the target,
//! which then holds nothing but the mirror.

use crate::support::pyftpd::Pyftpd;
use crate::support::runs::{assert_ok, mirror};
use crate::support::tree::bulk_tree;
use crate::support::{ftpmirror, served_dir, temp_dir, FtpServer};
use std::fs::{self, File};

#[test]
fn state_and_lock_go_to_the_state_dir_and_the_target_holds_only_the_mirror() {
    let served = served_dir();
    bulk_tree(served.path(), 2, 3);
    let server = Pyftpd::start(served.path());
    let (target, books) = (temp_dir(), temp_dir());
    let state_dir = books.path().join("debian");
    let state_arg = state_dir.to_str().unwrap();
    assert_ok(&mirror(
        &server.url(),
        target.path(),
        &["--state-dir", state_arg],
    ));
    crate::support::runs::assert_same(served.path(), target.path());
    assert!(!target.path().join(".ftpmirror").exists());
    let recorded = crate::support::state_paths(&state_dir);
    assert!(
        recorded.contains(&"bulk/d001/f0002.dat".into()),
        "{recorded:?}"
    );
    assert!(state_dir.join("lock").exists());

    // A no-change run reads that state and fetches nothing.
    let fetched = server.count("RETR");
    let out = mirror(&server.url(), target.path(), &["--state-dir", state_arg]);
    assert_eq!(assert_ok(&out), "");
    assert_eq!(server.count("RETR"), fetched);

    // The lock there is the target's lock.
    let lock = File::open(state_dir.join("lock")).unwrap();
    lock.try_lock().unwrap();
    let out = mirror(&server.url(), target.path(), &["--state-dir", state_arg]);
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn two_jobs_may_not_share_a_state_dir() {
    let dir = temp_dir();
    let file = dir.path().join("mirror.toml");
    fs::write(
        &file,
        "[defaults]\nstate_dir = \"books\"\n\
         [jobs.a]\nsource = \"ftp://127.0.0.1:1/\"\ntarget = \"a\"\n\
         [jobs.b]\nsource = \"ftp://127.0.0.1:1/\"\ntarget = \"b\"\n",
    )
    .unwrap();
    let out = ftpmirror().args(["run", "-c"]).arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "jobs a and b share the state directory {}",
            dir.path().join("books").display()
        )),
        "{stderr}"
    );
}

#[test]
fn a_legacy_state_json_is_migrated_by_a_run_and_left_alone_by_a_dry_run() {
    let served = served_dir();
    bulk_tree(served.path(), 1, 2);
    let server = Pyftpd::start(served.path());
    let target = temp_dir();
    let own = target.path().join(".ftpmirror");
    fs::create_dir(&own).unwrap();
    fs::write(own.join("state.json"), r#"{"version":1,"files":{}}"#).unwrap();
    assert_ok(&mirror(&server.url(), target.path(), &["-n"]));
    assert!(own.join("state.json").exists() && !own.join("state.db").exists());
    assert_ok(&mirror(&server.url(), target.path(), &[]));
    assert!(!own.join("state.json").exists());
    assert_eq!(crate::support::state_paths(&own).len(), 2);
}
