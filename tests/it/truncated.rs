//! Listings a real server cut short: pure-ftpd started with `-L 50:8` ends every listing of more
//! than 50 lines with `226 Output truncated to 50 matches`. What a cut listing shows is
//! fetched; nothing below it is deleted; the run says which directory and exits 1; the summary
//! JSON names it; `ls` says "truncated at 50". ProFTPD's `ListOptions maxfiles` cuts LIST
//! without a word; at a cap servers use (1000) the listing is suspect and is completed in parts.

use crate::support::proftpd::{Proftpd, ProftpdOptions};
use crate::support::pureftpd::{PureFtpd, PASSWORD, USER};
use crate::support::{ftpmirror, served_dir, temp_dir, FtpServer};
use std::fs;
use std::path::Path;
use std::process::Output;

fn files(dir: &Path, count: usize) {
    fs::create_dir_all(dir).unwrap();
    for i in 0..count {
        fs::write(dir.join(format!("f{i:03}")), format!("file {i}\n")).unwrap();
    }
}

fn run(args: &[&str]) -> Output {
    ftpmirror()
        .args(args)
        .args(["--user", USER])
        .env("FTPMIRROR_PASSWORD", PASSWORD)
        .output()
        .expect("run ftpmirror")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_truncated_directory_is_fetched_in_part_and_nothing_below_it_is_deleted() {
    let served = served_dir();
    files(&served.path().join("big"), 120);
    files(&served.path().join("small"), 2);
    let server = PureFtpd::start(served.path(), 50);
    let target = temp_dir();
    let t = target.path();
    // Local copies the cut listing cannot show, and stale files where listings are whole.
    files(&t.join("big"), 120);
    fs::create_dir_all(t.join("big/deep")).unwrap();
    fs::write(t.join("big/deep/x"), b"kept").unwrap();
    fs::create_dir_all(t.join("small")).unwrap();
    fs::write(t.join("small/old"), b"stale").unwrap();
    let summary = t.join("../summary.json");
    let out = run(&[
        "mirror",
        &server.url(),
        t.to_str().unwrap(),
        "--delete",
        "--summary-json",
        summary.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("/big: the server cut the listing short at 50 lines")
            && err.contains("Output truncated to 50 matches"),
        "{err}"
    );
    for i in 0..120 {
        assert!(
            t.join(format!("big/f{i:03}")).exists(),
            "big/f{i:03} deleted"
        );
    }
    assert!(
        t.join("big/deep/x").exists(),
        "below a cut listing: deleted"
    );
    assert!(
        !t.join("small/old").exists(),
        "a whole listing's stale file stays"
    );
    assert_eq!(fs::read(t.join("small/f001")).unwrap(), b"file 1\n");

    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    let incomplete = &json["jobs"][0]["incomplete"];
    assert_eq!(incomplete.as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(incomplete[0]["path"], "/big");
    assert_eq!(incomplete[0]["gap"], "truncated");
    assert_eq!(json["jobs"][0]["exit_code"], 1);
    let _ = fs::remove_file(&summary);
}

#[test]
fn a_first_mirror_of_a_truncated_directory_gets_what_it_shows_and_exits_1() {
    let served = served_dir();
    files(served.path(), 120);
    let server = PureFtpd::start(served.path(), 50);
    let target = temp_dir();
    let out = run(&["mirror", &server.url(), target.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let got = fs::read_dir(target.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name() != ".ftpmirror")
        .count();
    // 50 lines, `.` (and `..`, when readdir gave it early enough) among them.
    assert!((48..=49).contains(&got), "{got} files");
}

#[test]
fn ls_says_where_a_listing_was_truncated() {
    let served = served_dir();
    files(served.path(), 60);
    let server = PureFtpd::start(served.path(), 50);
    let out = run(&["ls", &server.url()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.contains("truncated at 50 lines")),
        "{text}"
    );
    let out = run(&["ls", "--format", "json", &server.url()]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["truncated"]["lines"], 50, "{json}");
}

#[test]
fn a_silently_capped_proftpd_listing_is_completed_in_parts() {
    let served = served_dir();
    let big = served.path().join("big");
    files(&big, 1500);
    for name in [".dot", "_under", "Zed", "f"] {
        fs::write(big.join(name), name).unwrap();
    }
    let options = ProftpdOptions {
        max_files: Some(1000),
        no_mlst: true,
    };
    let server = Proftpd::start(served.path(), options);
    let target = temp_dir();
    let t = target.path();
    fs::create_dir_all(t.join("big")).unwrap();
    fs::write(t.join("big/stale"), b"gone upstream").unwrap();
    let out = run(&[
        "mirror",
        &server.url(),
        t.to_str().unwrap(),
        "--delete",
        "-v",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("/big: the listing was cut short; 1504 entries listed in parts"),
        "{err}"
    );
    assert!(
        !t.join("big/stale").exists(),
        "a completed listing is whole"
    );
    let got = fs::read_dir(t.join("big")).unwrap().count();
    assert_eq!(got, 1504);
    assert_eq!(fs::read(t.join("big/f1499")).unwrap(), b"file 1499\n");
    assert_eq!(fs::read(t.join("big/.dot")).unwrap(), b".dot");
    let parts = server
        .commands()
        .iter()
        .filter(|c| c.starts_with("LIST -ad "))
        .count();
    assert_eq!(
        parts,
        64 + 64,
        "one part per first character, then per second for f*"
    );
}
