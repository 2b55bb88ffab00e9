//! What stays global while the march plans one directory at a time: `--max-delete` counts the
//! deletions of every directory together, include patterns make only the directories that lead
//! to an included file, and the state forgets a directory gone from the server but keeps the
//! records below one that could not be listed. The in-process peer ([`FakeFtp`]) serves the
//! trees, as a real server would; the faults are its.

use crate::support::fake_ftp::{mlsd_dir, mlsd_file, FakeFtp, Fault, Site};
use crate::support::sentinel::{assert_tree, bounded_mirror, guarded_target};
use crate::support::state_paths;
use std::fs;

/// Three directories of one file each.
fn three_dirs() -> Site {
    let mut site = Site::mlsd().dir("/", mlsd_dir("a") + &mlsd_dir("b") + &mlsd_dir("c"));
    for dir in ["a", "b", "c"] {
        site = site
            .dir(&format!("/{dir}"), mlsd_file("f", 1))
            .file(&format!("/{dir}/f"), dir);
    }
    site
}

#[test]
fn max_delete_counts_the_deletions_of_every_directory_together() {
    let ftp = FakeFtp::start(three_dirs());
    let (_parent, target) = guarded_target();
    bounded_mirror(&ftp.url(), &target, &[]).assert_code(0);
    for dir in ["a", "b", "c"] {
        fs::write(target.join(dir).join("stale"), b"x").unwrap();
    }
    let all = ["a/", "a/f", "b/", "b/f", "c/", "c/f"];
    let stale = ["a/stale", "b/stale", "c/stale"];
    // One stale file per directory: three in all, over a limit of two, so none goes; a dry run
    // says so too.
    let dry = bounded_mirror(
        &ftp.url(),
        &target,
        &["-n", "--delete", "--max-delete", "2"],
    );
    dry.assert_code(1);
    dry.assert_warned(&["3 deletions planned, over --max-delete 2: a run would do none"]);
    let ran = bounded_mirror(
        &ftp.url(),
        &target,
        &["--delete", "--max-delete", "2", "-j", "3"],
    );
    ran.assert_code(1);
    ran.assert_warned(&["3 deletions planned, over --max-delete 2: none done"]);
    assert_tree(&target, &[&all[..], &stale[..]].concat());
    let ran = bounded_mirror(
        &ftp.url(),
        &target,
        &["--delete", "--max-delete", "3", "-j", "3"],
    );
    ran.assert_code(0);
    assert_tree(&target, &all);
}

#[test]
fn include_patterns_make_only_the_directories_that_lead_to_an_included_file() {
    let site = Site::mlsd()
        .dir(
            "/",
            mlsd_dir("a") + &mlsd_dir("c") + &mlsd_file("top.txt", 3),
        )
        .dir("/a", mlsd_dir("b") + &mlsd_file("notes.txt", 5))
        .dir("/a/b", mlsd_file("x.iso", 3))
        .dir("/c", mlsd_file("y.txt", 3))
        .file("/a/b/x.iso", "iso")
        .file("/a/notes.txt", "notes")
        .file("/c/y.txt", "yyy")
        .file("/top.txt", "top");
    let ftp = FakeFtp::start(site);
    let (_parent, target) = guarded_target();
    let ran = bounded_mirror(&ftp.url(), &target, &["--include", "*.iso", "-j", "2"]);
    ran.assert_code(0);
    assert_tree(&target, &["a/", "a/b/", "a/b/x.iso"]);
    // A dry run of a new target says the same directories.
    let (_parent, fresh) = guarded_target();
    let dry = bounded_mirror(&ftp.url(), &fresh, &["--include", "*.iso", "-n"]);
    dry.assert_code(0);
    for line in ["+ a/  (new directory)", "+ a/b/  (new directory)"] {
        assert!(dry.stdout.contains(line), "{line}: {}", dry.stdout);
    }
    assert!(!dry.stdout.contains("+ c/"), "{}", dry.stdout);
}

#[test]
fn the_state_forgets_a_directory_gone_from_the_server_and_keeps_one_not_listed() {
    let ftp = FakeFtp::start(three_dirs());
    let (_parent, target) = guarded_target();
    bounded_mirror(&ftp.url(), &target, &[]).assert_code(0);
    let state = target.join(".ftpmirror");
    assert_eq!(state_paths(&state), ["a/f", "b/f", "c/f"]);
    // `a` is gone from the server; `b` cannot be listed this time.
    ftp.replace(
        three_dirs()
            .dir("/", mlsd_dir("b") + &mlsd_dir("c"))
            .fault("/b", Fault::DropAfter(0)),
    );
    let ran = bounded_mirror(&ftp.url(), &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["cannot list /b"]);
    assert_eq!(state_paths(&state), ["b/f", "c/f"]);
}
