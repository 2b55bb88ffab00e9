//! Listings that cannot be fully trusted are never a reason to delete: a directory read with a
//! weaker command than the last run used, and a refused path that must not change how the
//! other directories are listed. Faults real servers will not produce on demand, so an
//! in-process peer ([`FakeFtp`]).

use crate::support::fake_ftp::{ls_dir, ls_file, mlsd_dir, mlsd_file, Answer, FakeFtp, Site};
use crate::support::sentinel::{assert_tree, bounded_mirror, guarded_target};
use std::fs;

/// A site whose MLSD and LIST both work: `keep` on the server, `gone` deleted since.
fn site() -> Site {
    Site::mlsd()
        .dir("/", mlsd_file("keep", 4) + &mlsd_dir("sub"))
        .dir_by_list("/", ls_file("keep", 4) + &ls_dir("sub"))
        .dir("/sub", mlsd_file("inner", 5))
        .dir_by_list("/sub", ls_file("inner", 5))
        .file("/keep", b"keep")
        .file("/sub/inner", b"inner")
        .mdtm("/keep", "20200102000000")
        .mdtm("/sub/inner", "20200102000000")
}

#[test]
fn a_weaker_listing_command_than_the_last_run_deletes_nothing_once() {
    let ftp = FakeFtp::start(site());
    let (_parent, target) = guarded_target();
    bounded_mirror(&ftp.url(), &target, &["--delete"]).assert_code(0);
    fs::write(target.join("gone"), b"stale").unwrap();
    fs::write(target.join("sub/gone"), b"stale").unwrap();

    // MLSD now refused: LIST shows less (minute times, no facts), so this run deletes nothing.
    ftp.replace(site().answer("MLSD", Answer::Line("500 MLSD not understood".into())));
    let ran = bounded_mirror(&ftp.url(), &target, &["--delete"]);
    ran.assert_code(1);
    ran.assert_warned(&["listed with LIST -a", "MLSD", "nothing below it is deleted"]);
    assert_tree(&target, &["gone", "keep", "sub/", "sub/gone", "sub/inner"]);

    // Said once: the next run compares with this one's LIST, and deletes.
    let ran = bounded_mirror(&ftp.url(), &target, &["--delete"]);
    ran.assert_code(0);
    assert_tree(&target, &["keep", "sub/", "sub/inner"]);
}

#[test]
fn a_path_refused_as_too_long_is_reached_one_component_at_a_time() {
    // inetutils and netkit ftpd answer an over-long CWD with `500`: the path was refused, not
    // LIST. The directory is reached relative to its parent, and so is every path after it.
    let site = Site::list()
        .dir("/", ls_file("keep", 4) + &ls_dir("long") + &ls_dir("sub"))
        .dir("/long", ls_file("x", 1))
        .dir("/sub", ls_file("inner", 5))
        .file("/keep", b"keep")
        .file("/long/x", b"x")
        .file("/sub/inner", b"inner")
        .answer("CWD /long", Answer::Line("500 Command too long".into()));
    let ftp = FakeFtp::start(site);
    let (_parent, target) = guarded_target();
    let ran = bounded_mirror(&ftp.url(), &target, &["-j", "1"]);
    ran.assert_code(0);
    assert_tree(&target, &["keep", "long/", "long/x", "sub/", "sub/inner"]);
    // Never a fall back to NLST; after the refusal, one component per CWD and names alone.
    assert!(ftp.with_verb("NLST").is_empty(), "{:?}", ftp.commands());
    let cwds = ftp.with_verb("CWD");
    let after = cwds.iter().skip_while(|c| *c != "CWD /long").skip(1);
    assert!(
        after.clone().all(|c| !c[4..].contains('/') || c == "CWD /"),
        "{cwds:?}"
    );
    assert!(ftp.with_verb("RETR").iter().all(|c| !c.contains("/long/")));
}

#[test]
fn a_file_whose_listing_line_turns_unreadable_is_not_deleted() {
    let good = Site::mlsd()
        .dir("/", mlsd_file("report.txt", 6) + &mlsd_file("other", 5))
        .file("/report.txt", b"report")
        .file("/other", b"other");
    let ftp = FakeFtp::start(good.clone());
    let (_parent, target) = guarded_target();
    bounded_mirror(&ftp.url(), &target, &["--delete"]).assert_code(0);
    // The server now sends a line no parser reads for it: not a reason to delete the copy.
    let odd = "type=file;size=six;modify=20240101000000; report.txt\r\n";
    ftp.replace(good.dir("/", odd.to_string() + &mlsd_file("other", 5)));
    let ran = bounded_mirror(&ftp.url(), &target, &["--delete"]);
    ran.assert_code(0);
    ran.assert_warned(&["report.txt", "could not be read"]);
    assert_tree(&target, &["other", "report.txt"]);
}
