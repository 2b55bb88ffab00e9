//! A mirror of a mirror: the first target, with its `.ftpmirror/` (lock, state) and a temp file
//! of an interrupted download, served by a real FTP server (vsftpd, which shows dot-files to
//! `LIST -a`) and a real web server (python's http.server, which lists them too), mirrored
//! into a second target. The upstream's bookkeeping never becomes ours or content, a second run
//! fetches nothing, and two runs at once on the second target still exclude each other.

use crate::support::runs::{assert_ok, mirror, wait_for_partial};
use crate::support::tree::{bulk_tree, sized_file};
use crate::support::web::{PyHttp, WebServer};
use crate::support::{ftpmirror, served_dir, temp_dir, FtpServer, Pyftpd, PyftpdOptions, Vsftpd};
use std::fs;
use std::path::Path;
use std::process::Stdio;

/// The first target: a real mirror of a small tree, plus what an interrupted run leaves.
fn first_target() -> tempfile::TempDir {
    let origin = served_dir();
    bulk_tree(origin.path(), 2, 5);
    fs::write(origin.path().join(".hidden"), b"dot").unwrap();
    let server = Pyftpd::start(origin.path());
    let first = served_dir();
    assert_ok(&mirror(&server.url(), first.path(), &[]));
    let f = first.path();
    assert!(f.join(".ftpmirror/state.db").exists() && f.join(".ftpmirror/lock").exists());
    fs::write(
        f.join(".ftpmirror-partial.0123456789abcdef"),
        b"half a file",
    )
    .unwrap();
    fs::write(
        f.join("bulk/d000/.ftpmirror-partial.fedcba9876543210"),
        b"half",
    )
    .unwrap();
    first
}

/// The second target holds the first's content, and bookkeeping of its own only.
fn assert_second(first: &Path, second: &Path) {
    let content = |root: &Path| {
        let mut names: Vec<String> = paths(root)
            .into_iter()
            .filter(|p| {
                !p.split('/')
                    .any(|c| c == ".ftpmirror" || c.starts_with(".ftpmirror-"))
            })
            .collect();
        names.sort();
        names
    };
    assert_eq!(content(first), content(second));
    let mut own: Vec<String> = fs::read_dir(second.join(".ftpmirror"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    own.sort();
    assert_eq!(own, ["lock", "state.db"]);
    // Ours records every file this target fetched, never the upstream's bookkeeping.
    let ours = crate::support::state_paths(&second.join(".ftpmirror"));
    let files: Vec<String> = content(second)
        .into_iter()
        .filter(|p| second.join(p).is_file())
        .collect();
    assert_eq!(ours, files);
    let partials = paths(second)
        .into_iter()
        .filter(|p| p.contains(".ftpmirror-partial."))
        .collect::<Vec<_>>();
    assert!(partials.is_empty(), "{partials:?}");
}

/// Every path below `root`, relative, `/`-separated.
fn paths(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                stack.push(path);
            }
            out.push(rel);
        }
    }
    out
}

#[test]
fn a_mirror_of_a_mirror_over_ftp_keeps_its_own_bookkeeping() {
    let first = first_target();
    let server = Vsftpd::start(first.path());
    let second = temp_dir();
    let out = mirror(&server.url(), second.path(), &["--delete"]);
    assert_ok(&out);
    assert_second(first.path(), second.path());
    let retrs = server.count("RETR");
    assert_eq!(
        assert_ok(&mirror(&server.url(), second.path(), &["--delete"])),
        ""
    );
    assert_eq!(server.count("RETR"), retrs, "a no-change run fetched again");
}

#[test]
fn a_mirror_of_a_mirror_over_http_keeps_its_own_bookkeeping() {
    let first = first_target();
    let server = PyHttp::start(first.path());
    let second = temp_dir();
    let out = mirror(&server.url(), second.path(), &["--delete"]);
    assert_ok(&out);
    assert_second(first.path(), second.path());
    let gets = server.file_gets().len();
    assert_eq!(
        assert_ok(&mirror(&server.url(), second.path(), &["--delete"])),
        ""
    );
    // Its index has names only: conditional GETs, each answered 304.
    assert_eq!(
        server.file_gets().len(),
        gets,
        "a no-change run fetched again"
    );
}

#[test]
fn two_runs_on_a_mirror_of_a_mirror_exclude_each_other() {
    let first = first_target();
    sized_file(&first.path().join("big.bin"), 2 * 1024 * 1024);
    let options = PyftpdOptions {
        throttle: 512 * 1024,
        ..Default::default()
    };
    let server = Pyftpd::start_with(first.path(), options);
    let second = temp_dir();
    let mut running = ftpmirror()
        .args(["mirror", &server.url()])
        .arg(second.path())
        .args(["-j", "2"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // The big file is under way: every small one, upstream's lock among them were it
    // mirrored, came meanwhile on the other connection.
    wait_for_partial(second.path(), 512 * 1024);
    let other = mirror(&server.url(), second.path(), &[]);
    assert_eq!(
        other.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );
    assert!(running.wait().unwrap().success());
    assert_second(first.path(), second.path());
}

#[test]
fn a_server_publishing_our_bookkeeping_names_cannot_break_the_target() {
    use crate::support::fake_ftp::{mlsd_dir, mlsd_file, FakeFtp, Site};
    use crate::support::sentinel::bounded_mirror;
    let site = Site::mlsd()
        .dir(
            "/",
            mlsd_dir(".ftpmirror") + &mlsd_file("x", 1) + &mlsd_dir("sub"),
        )
        .dir("/.ftpmirror", mlsd_dir("lock") + &mlsd_dir("state.json"))
        .dir("/.ftpmirror/lock", "")
        .dir("/.ftpmirror/state.json", "")
        .dir(
            "/sub",
            mlsd_dir(".ftpmirror") + &mlsd_file(".ftpmirror-partial.0000000000000000", 1),
        )
        .file("/x", b"x");
    let ftp = FakeFtp::start(site);
    let target = temp_dir();
    for _ in 0..2 {
        let ran = bounded_mirror(&ftp.url(), target.path(), &["--delete"]);
        ran.assert_code(0);
    }
    let own = target.path().join(".ftpmirror");
    assert!(own.join("lock").is_file() && own.join("state.db").is_file());
    assert_eq!(paths(&target.path().join("sub")), Vec::<String>::new());
    assert!(ftp
        .with_verb("MLSD")
        .iter()
        .all(|c| !c.contains(".ftpmirror")));
}

#[test]
fn a_state_or_lock_that_cannot_be_used_is_named_with_its_cause() {
    use crate::support::fake_ftp::{mlsd_file, FakeFtp, Site};
    use crate::support::sentinel::bounded_mirror;
    let ftp = FakeFtp::start(Site::mlsd().dir("/", mlsd_file("x", 1)).file("/x", b"x"));
    for name in ["state.db", "lock"] {
        let target = temp_dir();
        let own = target.path().join(".ftpmirror");
        fs::create_dir_all(own.join(name).join("inside")).unwrap();
        let ran = bounded_mirror(&ftp.url(), target.path(), &[]);
        assert_eq!(ran.code, Some(5), "{}", ran.show());
        let path = own.join(name).display().to_string();
        ran.assert_warned(&[&path, "Is a directory"]);
    }
}
