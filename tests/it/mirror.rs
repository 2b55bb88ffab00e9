//! `ftpmirror mirror` end to end against real servers: a fresh mirror is exact (bytes and
//! mtimes), a second run fetches nothing, remote changes converge in one run, a dry run changes
//! nothing, and a killed run resumes with REST to the exact byte.

use crate::support::runs::{
    assert_ok, assert_same, change_remote, kill_mid_file, mirror, CHANGE_LINES,
};
use crate::support::tree::{bulk_tree, differences, set_mtime};
use crate::support::{
    awkward_tree, served_dir, snapshot, temp_dir, FtpServer, Pyftpd, PyftpdOptions, Vsftpd,
};
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

fn full_cycle(server: &dyn FtpServer, served: &Path) {
    let target = temp_dir();
    // Dot-files are content: vsftpd shows them only to `LIST -a`.
    fs::write(served.join(".hidden"), b"dot").unwrap();
    fs::write(served.join("a/.htaccess"), b"deny").unwrap();
    crate::support::tree::make_world_readable(served);
    let out = mirror(&server.url(), target.path(), &["-j", "4"]);
    assert_ok(&out);
    assert_same(served, target.path());
    let retrs = server.count("RETR");
    let mdtms = server.count("MDTM");

    let out = mirror(&server.url(), target.path(), &["-j", "4"]);
    assert_eq!(assert_ok(&out), "", "a no-change run prints nothing");
    assert_eq!(server.count("RETR"), retrs, "no RETR on a no-change run");
    assert!(
        server.count("MDTM") <= mdtms + 1,
        "no per-file MDTM on a no-change run"
    );

    change_remote(served);
    let out = mirror(&server.url(), target.path(), &["--delete"]);
    let stdout = assert_ok(&out);
    assert_same(served, target.path());
    assert_eq!(server.count("RETR"), retrs + 3, "{stdout}");
    for line in CHANGE_LINES {
        assert!(
            stdout.lines().any(|l| l.starts_with(line)),
            "no {line:?} in:\n{stdout}"
        );
    }
}

#[test]
fn vsftpd_fresh_no_change_and_converge() {
    let served = served_dir();
    awkward_tree(served.path());
    bulk_tree(served.path(), 20, 100);
    let server = Vsftpd::start(served.path());
    full_cycle(&server, served.path());
}

#[test]
fn pyftpdlib_fresh_no_change_and_converge() {
    let served = served_dir();
    awkward_tree(served.path());
    // pyftpdlib's MLSD lists a symlink as the file it points to; the mirror holds a file.
    fs::remove_file(served.path().join("link to plain")).unwrap();
    bulk_tree(served.path(), 20, 100);
    let server = Pyftpd::start(served.path());
    full_cycle(&server, served.path());
}

#[test]
fn dry_run_changes_nothing_and_reports_the_plan() {
    let served = served_dir();
    awkward_tree(served.path());
    let server = Vsftpd::start(served.path());
    let target = temp_dir();
    fs::write(target.path().join("stale.txt"), b"old").unwrap();
    fs::write(target.path().join("plain.txt"), b"short").unwrap();
    let before = snapshot(target.path());

    let text = assert_ok(&mirror(
        &server.url(),
        target.path(),
        &["--dry-run", "--delete"],
    ));
    assert!(
        text.contains("+ a/b/c/deep.bin  (new, 300.0 KiB)\n"),
        "{text}"
    );
    assert!(
        text.contains("* plain.txt  (size 5 -> 300, 300 bytes)\n"),
        "{text}"
    );
    assert!(text.contains("- stale.txt  (file)\n"), "{text}");
    assert!(
        text.contains("+ link to plain -> plain.txt  (symlink)\n"),
        "{text}"
    );
    assert!(text.contains("+ café/  (new directory)\n"), "{text}");
    assert!(text.ends_with("deletions, 0 skipped\n"), "{text}");
    assert!(
        text.contains("files: 18 new, 1 changed, 0 unchanged;"),
        "{text}"
    );

    let json = assert_ok(&mirror(
        &server.url(),
        target.path(),
        &["-n", "--delete", "--format", "json"],
    ));
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(plan["totals"]["new"], 18);
    assert_eq!(plan["totals"]["deletes"], 1);
    assert_eq!(plan["deletes"][0]["path"], "stale.txt");
    let plain = plan["fetches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "plain.txt")
        .unwrap();
    assert_eq!(plain["reason"]["type"], "size");
    assert_eq!(plain["reason"]["remote"], 300);

    assert_eq!(
        snapshot(target.path()),
        before,
        "dry run changed the target"
    );
    assert!(!target.path().join(".ftpmirror").exists());
    assert_eq!(server.count("RETR"), 0);
}

#[test]
fn killed_run_resumes_with_rest_to_the_exact_byte() {
    const LEN: usize = 6 * 1024 * 1024;
    let served = served_dir();
    crate::support::sized_file(&served.path().join("big.bin"), LEN);
    let target = temp_dir();
    let slow = Pyftpd::start_with(
        served.path(),
        PyftpdOptions {
            throttle: 1024 * 1024,
            ..Default::default()
        },
    );
    let partial = kill_mid_file(&slow.url(), target.path(), 1024 * 1024);
    drop(slow);
    assert!(
        !target.path().join("big.bin").exists(),
        "partial file under the final name"
    );
    let kept = fs::metadata(&partial).unwrap().len();
    assert!(kept > 0 && kept < LEN as u64);

    let server = Pyftpd::start(served.path());
    assert_ok(&mirror(&server.url(), target.path(), &[]));
    assert_eq!(
        fs::read(target.path().join("big.bin")).unwrap(),
        crate::support::tree::sized_content(LEN)
    );
    let rests: Vec<String> = server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("REST"))
        .collect();
    assert_eq!(rests, [format!("REST {kept}")]);
    assert!(!partial.exists());
}

#[test]
fn partial_of_an_older_version_is_not_resumed() {
    const LEN: usize = 4 * 1024 * 1024;
    let served = served_dir();
    crate::support::sized_file(&served.path().join("big.bin"), LEN);
    let target = temp_dir();
    let slow = Pyftpd::start_with(
        served.path(),
        PyftpdOptions {
            throttle: 1024 * 1024,
            ..Default::default()
        },
    );
    let partial = kill_mid_file(&slow.url(), target.path(), 512 * 1024);
    drop(slow);

    // The remote file is replaced: same size, other bytes, another time.
    let new = vec![7u8; LEN];
    fs::write(served.path().join("big.bin"), &new).unwrap();
    set_mtime(
        &served.path().join("big.bin"),
        SystemTime::now() + Duration::from_secs(3600),
    );
    let server = Pyftpd::start(served.path());
    assert_ok(&mirror(&server.url(), target.path(), &[]));
    assert_eq!(
        server.count("REST"),
        0,
        "resumed a partial of another version"
    );
    assert!(fs::read(target.path().join("big.bin")).unwrap() == new);
    assert!(!partial.exists(), "the stale partial is cleaned up");
}

#[test]
fn one_failing_file_does_not_stop_the_run() {
    let served = served_dir();
    awkward_tree(served.path());
    let secret = served.path().join("unreadable.bin");
    fs::write(&secret, b"no").unwrap();
    // After the start: the server makes its tree readable.
    let server = Vsftpd::start(served.path());
    fs::set_permissions(&secret, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let target = temp_dir();
    let out = mirror(&server.url(), target.path(), &["--delete"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("unreadable.bin: fetch failed: server refused: 550"),
        "{stderr}"
    );
    fs::remove_file(&secret).unwrap();
    assert_eq!(
        differences(served.path(), target.path()),
        Vec::<String>::new()
    );
}

#[test]
fn excluded_paths_are_neither_fetched_nor_deleted() {
    let served = served_dir();
    awkward_tree(served.path());
    let server = Vsftpd::start(served.path());
    let target = temp_dir();
    fs::create_dir_all(target.path().join("a")).unwrap();
    fs::write(target.path().join("a/local only.txt"), b"mine").unwrap();
    let out = mirror(
        &server.url(),
        target.path(),
        &["--delete", "--exclude", "a/", "--exclude", "*.bin"],
    );
    assert_ok(&out);
    assert!(target.path().join("a/local only.txt").exists());
    assert!(!target.path().join("a/top.bin").exists());
    assert!(!target.path().join("big.bin").exists());
    assert!(target.path().join("plain.txt").exists());
}
