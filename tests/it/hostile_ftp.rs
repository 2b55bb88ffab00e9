//! A hostile or broken FTP server (issue 7) must never make ftpmirror write outside its target,
//! hang, eat unbounded memory or disk, or leave a wrong file that later runs accept as good.
//!
//! Each test serves a virtual site from [`FakeFtp`] with one kind of hostility and checks what a
//! user would expect: the bad entry skipped with a warning naming it, the rest mirrored byte for
//! byte, nothing created outside the target ([`assert_untouched`]), the run over within a bound,
//! and the documented exit code (0 done, 1 something failed, 3 nothing done).

use crate::support::fake_ftp::{
    content, ls_dir, ls_file, ls_link, mlsd_dir, mlsd_file, Answer, During, FakeFtp, Fault, Site,
};
use crate::support::sentinel::{
    assert_file, assert_nowhere, assert_tree, assert_untouched, bounded_mirror, guarded_target,
    outside_dir, outside_file, tree, Ran,
};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Every run here must end well within this; the faults are set to end in seconds.
/// Peak memory allowed while a server floods us.
const MAX_RSS_KIB: u64 = 200 * 1024;

fn mirror(ftp: &FakeFtp, target: &Path, extra: &[&str]) -> Ran {
    bounded_mirror(&ftp.url(), target, extra)
}

fn mtime(path: &Path) -> i64 {
    let t = fs::metadata(path).unwrap().modified().unwrap();
    t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

// ---------------------------------------------------------------------------------------------
// Names and links

/// Names that would leave the target, or that no local file can carry faithfully.
const UNSAFE_LIST_NAMES: [&str; 6] = ["../x", "a/../../b", "/abs-hostile", "a\\b", "a\0b", "a\rb"];

#[test]
fn unsafe_names_in_list_are_skipped_and_named() {
    let good = content(1, 100);
    let inner = content(2, 50);
    let mut root = ls_file("good.txt", 100) + &ls_dir("sub") + &ls_dir("sub2") + &ls_dir("sub3");
    for name in UNSAFE_LIST_NAMES {
        root += &ls_file(name, 3);
    }
    root += &ls_file(".", 3);
    root += &ls_file("..", 3);
    root += &ls_dir("../d");
    root += &ls_dir("..");
    let site = Site::list()
        .dir("/", root)
        .dir(
            "/sub",
            ls_file("inner.txt", 50) + &ls_file("../../up.txt", 3),
        )
        .dir(
            "/sub2",
            ls_file("inner.txt", 50) + &ls_link("out", "../../.."),
        )
        .dir("/sub3", ls_dir("..") + &ls_dir("."))
        .file("/good.txt", &good)
        .file("/sub/inner.txt", &inner)
        .file("/sub2/inner.txt", &inner)
        .file("/up.txt", b"bad")
        .file("/x", b"bad")
        .file("/b", b"bad")
        .file("/abs-hostile", b"bad")
        .dir("/d", ls_file("evil.txt", 3))
        .file("/d/evil.txt", b"bad");
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    // Several sessions at once, as by default.
    let ran = mirror(&ftp, &target, &["-j", "4"]);

    // Skipped names are no data the user could have: the run succeeds (exit codes: 0 when
    // everything that can be mirrored was).
    ran.assert_code(0);
    // Named as escaped: a name holding `/` in the listing line it came in, unread.
    for name in UNSAFE_LIST_NAMES.iter().chain(&["../d", "../../up.txt"]) {
        ran.assert_stderr(format!("{name:?}").trim_matches('"'));
    }
    ran.assert_warned(&["sub2/out", "leaves the mirror"]);
    assert_tree(
        &target,
        &[
            "good.txt",
            "sub/",
            "sub/inner.txt",
            "sub2/",
            "sub2/inner.txt",
            "sub3/",
        ],
    );
    assert_file(&target, "good.txt", &good);
    assert_file(&target, "sub/inner.txt", &inner);
    assert_file(&target, "sub2/inner.txt", &inner);
    let mut retrs = ftp.with_verb("RETR");
    retrs.sort();
    assert_eq!(
        retrs,
        [
            "RETR /good.txt",
            "RETR /sub/inner.txt",
            "RETR /sub2/inner.txt"
        ]
    );
    assert!(
        !ftp.commands()
            .iter()
            .any(|c| c.contains("..") || c.contains("hostile")),
        "{:?}",
        ftp.commands()
    );
    assert_untouched(parent.path());
    for name in ["x", "b", "abs-hostile", "d", "evil.txt", "up.txt", "out"] {
        assert_nowhere(&target, name);
    }
}

#[test]
fn unsafe_names_in_mlsd_are_skipped_and_named() {
    let good = content(3, 100);
    let names = [
        "../x",
        "a/../../b",
        "/abs-hostile",
        "a/b",
        "a\\b",
        "a\0b",
        "a\rb",
    ];
    let mut root = mlsd_file("good.txt", 100);
    for name in names {
        root += &mlsd_file(name, 3);
    }
    root += &mlsd_dir("../d");
    root += &mlsd_dir("sub/..");
    root += "type=file;size=3; ..\r\n";
    let site = Site::mlsd()
        .dir("/", root)
        .file("/good.txt", &good)
        .file("/x", b"bad")
        .file("/b", b"bad")
        .file("/a/b", b"bad")
        .dir("/d", mlsd_file("evil.txt", 3))
        .file("/d/evil.txt", b"bad");
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);

    ran.assert_code(0);
    for name in names.iter().chain(&["../d", "sub/.."]) {
        ran.assert_stderr(format!("{name:?}").trim_matches('"'));
    }
    assert_tree(&target, &["good.txt"]);
    assert_file(&target, "good.txt", &good);
    assert_eq!(ftp.with_verb("RETR"), ["RETR /good.txt"]);
    assert_eq!(ftp.with_verb("MLSD"), ["MLSD /"]);
    assert_untouched(parent.path());
    for name in ["x", "b", "abs-hostile", "d", "evil.txt"] {
        assert_nowhere(&target, name);
    }
}

#[test]
fn links_leaving_the_mirror_are_skipped_and_loops_are_made_as_links() {
    let good = content(4, 64);
    let root = ls_file("good.txt", 64)
        + &ls_link("x", "/etc")
        + &ls_link("y", "../../..")
        + &ls_link("p", "q")
        + &ls_link("q", "p")
        + &ls_dir("sub");
    let site = Site::list()
        .dir("/", root)
        .dir(
            "/sub",
            ls_link("up", "../..") + &ls_link("side", "../good.txt"),
        )
        .file("/good.txt", &good);
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);

    ran.assert_code(0);
    for name in ["x", "y", "sub/up"] {
        ran.assert_warned(&[&format!(" {name}:"), "leaves the mirror"]);
    }
    assert_tree(
        &target,
        &[
            "good.txt",
            "p -> q",
            "q -> p",
            "sub/",
            "sub/side -> ../good.txt",
        ],
    );
    assert_file(&target, "good.txt", &good);
    assert_untouched(parent.path());

    // A second run keeps the links as they are and never follows the loop.
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(0);
    assert_tree(
        &target,
        &[
            "good.txt",
            "p -> q",
            "q -> p",
            "sub/",
            "sub/side -> ../good.txt",
        ],
    );
    assert_untouched(parent.path());
}

#[test]
fn mlsd_links_leaving_the_mirror_are_skipped() {
    let good = content(5, 64);
    let root = mlsd_file("good.txt", 64)
        + "type=OS.unix=slink:/etc;modify=20240101000000; x\r\n"
        + "type=OS.unix=slink:../../..;modify=20240101000000; y\r\n"
        + "type=OS.unix=slink:q;modify=20240101000000; p\r\n"
        + "type=OS.unix=slink:p;modify=20240101000000; q\r\n";
    let site = Site::mlsd().dir("/", root).file("/good.txt", &good);
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);

    ran.assert_code(0);
    for name in ["x", "y"] {
        ran.assert_warned(&[&format!(" {name}:"), "leaves the mirror"]);
    }
    assert_tree(&target, &["good.txt", "p -> q", "q -> p"]);
    assert_untouched(parent.path());
}

#[test]
fn link_that_becomes_a_directory_is_replaced_on_the_next_run() {
    let f = content(6, 10);
    let g = content(7, 20);
    let site = Site::list()
        .dir("/", ls_link("x", "y") + &ls_dir("y"))
        .dir("/y", ls_file("f", 10))
        .file("/y/f", &f);
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(0);
    assert_tree(&target, &["x -> y", "y/", "y/f"]);

    ftp.edit(|s| {
        s.listings
            .insert("/".into(), (ls_dir("x") + &ls_dir("y")).into_bytes());
        s.listings
            .insert("/x".into(), ls_file("g", 20).into_bytes());
        s.files.insert("/x/g".into(), g.clone());
    });
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(0);
    assert_tree(&target, &["x/", "x/g", "y/", "y/f"]);
    assert_file(&target, "x/g", &g);
    assert_file(&target, "y/f", &f);
    assert_untouched(parent.path());
}

#[test]
fn planted_local_links_are_never_written_through() {
    let keep = content(8, 40);
    let inner = content(9, 30);
    let f = content(10, 70);
    let site = Site::list()
        .dir("/", ls_dir("a") + &ls_file("f", 70))
        .dir("/a", ls_file("keep.txt", 40) + &ls_file("inner.txt", 30))
        .file("/a/keep.txt", &keep)
        .file("/a/inner.txt", &inner)
        .file("/f", &f);
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    symlink("../outside_dir", target.join("a")).unwrap();
    symlink("../outside_file", target.join("f")).unwrap();
    assert!(outside_dir(parent.path()).join("keep.txt").exists());
    assert!(outside_file(parent.path()).exists());
    let ran = mirror(&ftp, &target, &[]);

    ran.assert_code(0);
    assert_tree(&target, &["a/", "a/inner.txt", "a/keep.txt", "f"]);
    assert_file(&target, "a/keep.txt", &keep);
    assert_file(&target, "a/inner.txt", &inner);
    assert_file(&target, "f", &f);
    assert_untouched(parent.path());
}

#[test]
fn name_not_utf8_is_skipped_and_named() {
    let good = content(11, 100);
    let mut root = ls_file("good.txt", 100).into_bytes();
    root.extend_from_slice(
        b"-rw-r--r--   1 ftp      ftp             3 Jan 02  2020 caf\xe9-latin1.txt\r\n",
    );
    let site = Site::list()
        .dir("/", root)
        .file("/good.txt", &good)
        .file("/caf\u{e9}-latin1.txt", b"bad");
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);

    ran.assert_code(0);
    // Named so the user can tell which name it was: the byte escaped, not replaced by U+FFFD.
    let escapes = ["\\xe9", "\\xE9", "%E9", "%e9", "\\351"];
    assert!(
        ran.stderr
            .lines()
            .any(|l| l.contains("-latin1.txt") && escapes.iter().any(|e| l.contains(e))),
        "no warning naming caf\\xe9-latin1.txt with the byte escaped: {}",
        ran.show()
    );
    assert_tree(&target, &["good.txt"]);
    assert_file(&target, "good.txt", &good);
    assert_untouched(parent.path());
}

#[test]
fn names_differing_only_in_normalization_are_both_mirrored() {
    let (nfc, nfd) = ("caf\u{e9}.txt", "cafe\u{301}.txt");
    let (a, b) = (content(12, 11), content(13, 22));
    let site = Site::list()
        .dir("/", ls_file(nfc, 11) + &ls_file(nfd, 22))
        .file(&format!("/{nfc}"), &a)
        .file(&format!("/{nfd}"), &b);
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);

    ran.assert_code(0);
    assert_tree(&target, &[nfc, nfd]);
    assert_file(&target, nfc, &a);
    assert_file(&target, nfd, &b);
    assert_untouched(parent.path());
}

// ---------------------------------------------------------------------------------------------
// Transfers cut, short, long

#[test]
fn dropped_data_is_resumed_with_rest_in_the_same_run() {
    let data = content(14, 1000);
    let site = Site::mlsd()
        .dir("/", mlsd_file("f", 1000))
        .file("/f", &data)
        .fault_once("/f", Fault::DropAfter(400));
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &["--tries", "2"]);

    ran.assert_code(0);
    assert_file(&target, "f", &data);
    assert_eq!(ftp.with_verb("REST"), ["REST 400"]);
    assert_eq!(ftp.with_verb("RETR"), ["RETR /f", "RETR /f"]);
    assert_untouched(parent.path());
}

#[test]
fn dropped_data_is_resumed_with_rest_on_the_next_run() {
    let data = content(15, 1000);
    let site = Site::list()
        .dir("/", ls_file("f", 1000) + &ls_file("good.txt", 5))
        .file("/f", &data)
        .file("/good.txt", b"good!")
        .mdtm("/f", "20200102030405")
        .fault_once("/f", Fault::DropAfter(300))
        // Else the drop, with commands queued behind the transfer, would be tried again at
        // once (see ftp_ahead.rs): this test is about the next run.
        .during(During::Answered);
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["f"]);
    assert_tree(&target, &["good.txt"]);
    assert_file(&target, "good.txt", b"good!");

    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(0);
    assert_file(&target, "f", &data);
    assert_eq!(ftp.with_verb("REST"), ["REST 300"]);
    assert_eq!(mtime(&target.join("f")), 1_577_934_245, "the MDTM time");
    assert_untouched(parent.path());
}

#[test]
fn file_shorter_than_listed_is_never_complete() {
    let data = content(16, 1000);
    let good = content(17, 10);
    let site = Site::mlsd()
        .dir("/", mlsd_file("f", 1000) + &mlsd_file("good.txt", 10))
        .file("/f", &data[..400])
        .file("/good.txt", &good);
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);

    ran.assert_code(1);
    ran.assert_warned(&["f:", "400", "1000"]);
    assert_tree(&target, &["good.txt"]);
    assert_file(&target, "good.txt", &good);

    // Every later run against the same lying server fails the same way.
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(1);
    assert_tree(&target, &["good.txt"]);

    // An honest server completes it.
    ftp.edit(|s| {
        s.files.insert("/f".into(), data.clone());
    });
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(0);
    assert_file(&target, "f", &data);
    assert_untouched(parent.path());
}

#[test]
fn file_longer_than_listed_is_never_complete() {
    let data = content(18, 1000);
    let good = content(19, 10);
    let site = Site::mlsd()
        .dir("/", mlsd_file("f", 400) + &mlsd_file("good.txt", 10))
        .file("/f", &data)
        .file("/good.txt", &good);
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);

    ran.assert_code(1);
    ran.assert_warned(&["f:", "400"]);
    assert_tree(&target, &["good.txt"]);
    assert_file(&target, "good.txt", &good);

    ftp.edit(|s| {
        s.listings.insert(
            "/".into(),
            (mlsd_file("f", 1000) + &mlsd_file("good.txt", 10)).into_bytes(),
        );
    });
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(0);
    assert_file(&target, "f", &data);
    assert_untouched(parent.path());
}

#[test]
fn size_reply_larger_than_delivered_is_never_complete() {
    // A LIST-only server whose listing and SIZE both claim 1000 bytes, and that sends 400.
    let data = content(20, 1000);
    let site = Site::list()
        .dir("/", ls_file("f", 1000))
        .file("/f", &data[..400])
        .size("/f", 1000);
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(1);
    assert_tree(&target, &[]);
    assert_untouched(parent.path());
}

// ---------------------------------------------------------------------------------------------
// Silence, stalls, drips, floods

#[test]
fn no_greeting_at_all_ends_in_time() {
    let ftp = FakeFtp::start(Site::mlsd().greeting(Answer::Silent));
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(3);
    ran.assert_warned(&["127.0.0.1"]);
    assert!(ran.elapsed < Duration::from_secs(10), "{}", ran.show());
    assert_tree(&target, &[]);
    assert_untouched(parent.path());
}

/// A site with a good file at the top and `bad` somewhere the fault is put.
fn site_with_good(good: &[u8]) -> Site {
    Site::mlsd()
        .dir(
            "/",
            mlsd_file("good.txt", good.len()) + &mlsd_dir("sub") + &mlsd_file("bad.bin", 1000),
        )
        .dir("/sub", mlsd_file("inner.txt", 4))
        .file("/good.txt", good)
        .file("/sub/inner.txt", b"in\r\n")
        .file("/bad.bin", content(21, 1000))
}

#[test]
fn stalled_listing_ends_in_time() {
    let good = content(22, 100);
    let ftp = FakeFtp::start(site_with_good(&good).fault("/sub", Fault::Stall));
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["/sub"]);
    assert_file(&target, "good.txt", &good);
    assert!(!target.join("sub/inner.txt").exists());
    assert_untouched(parent.path());
}

#[test]
fn stalled_file_ends_in_time() {
    let good = content(23, 100);
    let ftp = FakeFtp::start(site_with_good(&good).fault("/bad.bin", Fault::Stall));
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["bad.bin"]);
    assert_tree(&target, &["good.txt", "sub/", "sub/inner.txt"]);
    assert_file(&target, "good.txt", &good);
    assert_untouched(parent.path());
}

#[test]
fn missing_final_reply_after_a_file_ends_in_time() {
    let good = content(24, 100);
    let ftp = FakeFtp::start(site_with_good(&good).fault("/bad.bin", Fault::NoFinal));
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["bad.bin"]);
    assert_tree(&target, &["good.txt", "sub/", "sub/inner.txt"]);
    assert_file(&target, "good.txt", &good);
    assert_untouched(parent.path());
}

#[test]
fn a_file_reached_step_by_step_whose_final_reply_never_comes_is_not_kept() {
    // A path over 500 bytes goes one `CWD` at a time, so `RETR` carries only the last name;
    // the unconfirmed transfer must still be matched to its file (it was not, by name).
    let levels: Vec<String> = (1..=5).map(|i| format!("d{i}{}", "x".repeat(99))).collect();
    let deep = format!("/{}", levels.join("/"));
    let first = content(27, 100);
    let mut site = Site::mlsd()
        .during(During::Answered)
        .dir("/", mlsd_file("a.txt", first.len()) + &mlsd_dir(&levels[0]))
        .file("/a.txt", &first);
    for i in 0..levels.len() {
        let dir = format!("/{}", levels[..=i].join("/"));
        let listing = match levels.get(i + 1) {
            Some(next) => mlsd_dir(next),
            None => mlsd_file("bad.bin", 1000),
        };
        site = site.dir(&dir, listing);
    }
    let bad = format!("{deep}/bad.bin");
    assert!(bad.len() > 500);
    let ftp = FakeFtp::start(
        site.file(&bad, content(28, 1000))
            .fault(&bad, Fault::NoFinal),
    );
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["bad.bin", "did not confirm"]);
    assert_file(&target, "a.txt", &first);
    assert!(!target.join(&deep[1..]).join("bad.bin").exists());
    assert_untouched(parent.path());
}

#[test]
fn missing_final_reply_after_a_listing_ends_in_time() {
    let good = content(25, 100);
    let ftp = FakeFtp::start(site_with_good(&good).fault("/sub", Fault::NoFinal));
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["/sub"]);
    assert_file(&target, "good.txt", &good);
    assert!(!target.join("sub/inner.txt").exists());
    assert_untouched(parent.path());
}

#[test]
fn dripping_listing_ends_in_time() {
    let good = content(26, 100);
    // A listing that would take ten minutes at one byte every 300 ms.
    let long: String = (0..100)
        .map(|i| mlsd_file(&format!("f{i:03}"), 1))
        .collect();
    let site = site_with_good(&good)
        .dir("/sub", long)
        .fault("/sub", Fault::Drip);
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["/sub"]);
    assert_file(&target, "good.txt", &good);
    assert!(!target.join("sub/f000").exists());
    assert_untouched(parent.path());
}

#[test]
fn dripping_file_ends_in_time() {
    let good = content(27, 100);
    let ftp = FakeFtp::start(site_with_good(&good).fault("/bad.bin", Fault::Drip));
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["bad.bin"]);
    assert_tree(&target, &["good.txt", "sub/", "sub/inner.txt"]);
    assert_untouched(parent.path());
}

#[test]
fn dripping_greeting_ends_in_time() {
    let mut greeting = b"220 ".to_vec();
    greeting.extend(vec![b'x'; 2000]);
    greeting.extend_from_slice(b"\r\n");
    let ftp = FakeFtp::start(Site::mlsd().greeting(Answer::Drip(greeting)));
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(3);
    assert_tree(&target, &[]);
    assert_untouched(parent.path());
}

#[test]
fn dripping_reply_after_login_ends_in_time() {
    let mut reply = b"257 \"/".to_vec();
    reply.extend(vec![b'x'; 2000]);
    reply.extend_from_slice(b"\"\r\n");
    let ftp = FakeFtp::start(site_with_good(b"good").answer("PWD", Answer::Drip(reply)));
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_ended();
    assert_ne!(ran.code, Some(0), "{}", ran.show());
    assert_untouched(parent.path());
}

#[test]
fn endless_listing_ends_in_time_in_bounded_memory() {
    let good = content(28, 100);
    let site = site_with_good(&good)
        .dir("/sub", mlsd_file("same-name-over-and-over", 1))
        .fault("/sub", Fault::Endless);
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["/sub"]);
    assert!(ran.peak_rss_kib < MAX_RSS_KIB, "{}", ran.show());
    assert_file(&target, "good.txt", &good);
    assert_untouched(parent.path());
}

/// The largest file under `dir`, temp files included.
fn largest_file(dir: &Path) -> u64 {
    let mut largest = 0;
    for item in fs::read_dir(dir).unwrap() {
        let item = item.unwrap();
        let meta = fs::symlink_metadata(item.path()).unwrap();
        largest = largest.max(match meta.is_dir() {
            true => largest_file(&item.path()),
            false => meta.len(),
        });
    }
    largest
}

#[test]
fn endless_file_of_listed_size_ends_in_time_in_bounded_disk() {
    let good = content(29, 100);
    let ftp = FakeFtp::start(site_with_good(&good).fault("/bad.bin", Fault::Endless));
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["bad.bin"]);
    assert!(ran.peak_rss_kib < MAX_RSS_KIB, "{}", ran.show());
    assert!(
        largest_file(&target) <= 1 << 20,
        "a temp file grew to {} bytes",
        largest_file(&target)
    );
    assert_tree(&target, &["good.txt", "sub/", "sub/inner.txt"]);
    assert_untouched(parent.path());
}

#[test]
fn absurdly_long_greeting_line_ends_in_time_in_bounded_memory() {
    let ftp = FakeFtp::start(Site::mlsd().greeting(Answer::Long(10 << 20)));
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(3);
    assert!(ran.peak_rss_kib < MAX_RSS_KIB, "{}", ran.show());
    assert!(
        ran.stderr.len() < 64 * 1024,
        "the line is echoed: {}",
        ran.show()
    );
    assert_untouched(parent.path());
}

#[test]
fn absurdly_long_reply_line_after_user_ends_in_time_in_bounded_memory() {
    let ftp = FakeFtp::start(Site::mlsd().answer("USER", Answer::Long(10 << 20)));
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(3);
    assert!(ran.peak_rss_kib < MAX_RSS_KIB, "{}", ran.show());
    assert!(
        ran.stderr.len() < 64 * 1024,
        "the line is echoed: {}",
        ran.show()
    );
    assert_untouched(parent.path());
}

#[test]
fn reply_421_at_greeting_exits_3_with_its_text() {
    let ftp = FakeFtp::start(
        Site::mlsd().greeting(Answer::Closing("421 Too many users from your host".into())),
    );
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(3);
    ran.assert_stderr("421 Too many users from your host");
    assert_untouched(parent.path());
}

#[test]
fn reply_421_after_user_exits_3_with_its_text() {
    let ftp = FakeFtp::start(
        Site::mlsd().answer("USER", Answer::Closing("421 Login refused for now".into())),
    );
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(3);
    ran.assert_stderr("421 Login refused for now");
    assert_untouched(parent.path());
}

#[test]
fn endless_tree_stops_at_the_depth_limit() {
    let good = content(30, 100);
    // Every directory holds one more: /d, /d/d, /d/d/d, ... without end.
    let site = Site::mlsd()
        .dir("/", mlsd_file("good.txt", 100) + &mlsd_dir("d"))
        .file("/good.txt", &good)
        .generate(|dir| {
            dir.split('/')
                .skip(1)
                .all(|p| p == "d")
                .then(|| mlsd_dir("d").into_bytes())
        });
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_ended();
    ran.assert_warned(&["64"]);
    // The tree goes on below what was mirrored: data is missing.
    assert_eq!(ran.code, Some(1), "{}", ran.show());
    assert_file(&target, "good.txt", &good);
    let depth = tree(&target)
        .iter()
        .map(|p| p.matches('/').count())
        .max()
        .unwrap();
    assert!(depth <= 65, "mirrored {depth} levels deep");
    assert!(
        ftp.with_verb("MLSD").len() <= 66,
        "{} listings",
        ftp.with_verb("MLSD").len()
    );
    assert_untouched(parent.path());
}

// ---------------------------------------------------------------------------------------------
// Listings that are odd rather than hostile

#[test]
fn mixed_dialect_listing_reports_the_lines_it_cannot_read() {
    let (u1, u2) = (content(31, 100), content(32, 200));
    let junk = "this is junk, not a listing line";
    let dos = "01-02-20  03:04AM                  300 dos.txt";
    let root =
        ls_file("unix1.txt", 100) + junk + "\r\n" + &ls_file("unix2.txt", 200) + dos + "\r\n";
    let site = Site::list()
        .dir("/", root)
        .file("/unix1.txt", &u1)
        .file("/unix2.txt", &u2)
        .file("/dos.txt", content(33, 300));
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);

    ran.assert_code(0);
    ran.assert_warned(&[junk]);
    ran.assert_warned(&["dos.txt"]);
    assert_tree(&target, &["unix1.txt", "unix2.txt"]);
    assert_file(&target, "unix1.txt", &u1);
    assert_file(&target, "unix2.txt", &u2);
    assert_untouched(parent.path());
}

#[test]
fn mlsd_with_missing_or_odd_facts() {
    let files: [(&str, usize); 4] = [
        ("badsize.txt", 5),
        ("badtime.txt", 7),
        ("unknown.txt", 8),
        ("oddcase.txt", 9),
    ];
    let root = String::new()
        + "size=5;modify=20240101000000; notype.txt\r\n"
        + "type=file;size=abc;modify=20240101000000; badsize.txt\r\n"
        + "type=file;size=7;modify=20241399999999; badtime.txt\r\n"
        + "type=file;size=8;x.weird=1;perm=r;modify=20240101000000;unique=7f01; unknown.txt\r\n"
        + "Type=File;Size=9;MODIFY=20240101000000; oddcase.txt\r\n"
        + "TYPE=DIR;Modify=20240101000000; OddDir\r\n";
    let mut site = Site::mlsd()
        .dir("/", root)
        .dir("/OddDir", "tYpE=fIlE;sIzE=4; in.txt\r\n")
        .file("/OddDir/in.txt", b"in!\n")
        .file("/notype.txt", b"nope!")
        .mdtm("/badtime.txt", "20230505050505")
        .mdtm("/badsize.txt", "20240101000000");
    for (i, (name, n)) in files.iter().enumerate() {
        site = site.file(&format!("/{name}"), content(40 + i as u8, *n));
    }
    let ftp = FakeFtp::start(site);
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);

    ran.assert_code(0);
    ran.assert_warned(&["notype.txt"]);
    // A size or time that is not one makes the line junk: reported, not guessed at.
    ran.assert_warned(&["not understood", "badsize.txt"]);
    ran.assert_warned(&["not understood", "badtime.txt"]);
    assert_tree(
        &target,
        &["OddDir/", "OddDir/in.txt", "oddcase.txt", "unknown.txt"],
    );
    for (i, (name, n)) in files.iter().enumerate().skip(2) {
        assert_file(&target, name, &content(40 + i as u8, *n));
    }
    assert_file(&target, "OddDir/in.txt", b"in!\n");
    assert_eq!(
        mtime(&target.join("oddcase.txt")),
        1_704_067_200,
        "MODIFY read"
    );
    assert_eq!(mtime(&target.join("unknown.txt")), 1_704_067_200);
    assert_untouched(parent.path());
}

#[test]
fn list_times_in_the_server_zone_give_way_to_mdtm() {
    // The server's clock is UTC+2; MDTM answers in UTC (RFC 3659 section 3).
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let times = [
        now - 3 * 86400 + 17 - now % 60,
        now - 20 * 86400 + 42 - now % 60,
    ];
    let names = ["one.txt", "two.txt"];
    let mut root = String::new();
    let mut site = Site::list();
    for (i, (&t, name)) in times.iter().zip(names).enumerate() {
        let local = chrono::DateTime::from_timestamp(t + 7200, 0).unwrap();
        let utc = chrono::DateTime::from_timestamp(t, 0).unwrap();
        root += &format!(
            "-rw-r--r--   1 ftp      ftp      {:>8} {} {name}\r\n",
            10 + i,
            local.format("%b %d %H:%M")
        );
        site = site
            .file(&format!("/{name}"), content(50 + i as u8, 10 + i))
            .mdtm(&format!("/{name}"), &utc.format("%Y%m%d%H%M%S").to_string());
    }
    let ftp = FakeFtp::start(site.dir("/", root));
    let (parent, target) = guarded_target();
    let ran = mirror(&ftp, &target, &[]);

    ran.assert_code(0);
    for (i, (&t, name)) in times.iter().zip(names).enumerate() {
        assert_file(&target, name, &content(50 + i as u8, 10 + i));
        assert_eq!(mtime(&target.join(name)), t, "{name}: the MDTM time");
    }
    // A second run sees nothing changed.
    let retrs = ftp.with_verb("RETR").len();
    let ran = mirror(&ftp, &target, &[]);
    ran.assert_code(0);
    assert_eq!(ftp.with_verb("RETR").len(), retrs, "{}", ran.show());
    assert_untouched(parent.path());
}

// ---------------------------------------------------------------------------------------------
// The guard itself

#[test]
fn sentinels_notice_any_write_beside_or_above_the_target() {
    let caught = |change: &dyn Fn(&Path)| {
        let (parent, _target) = guarded_target();
        change(parent.path());
        std::panic::catch_unwind(|| assert_untouched(parent.path())).is_err()
    };
    assert!(caught(
        &|p| fs::write(p.join("jail/cell/new"), b"x").unwrap()
    ));
    assert!(caught(&|p| fs::write(p.join("etc/passwd"), b"x").unwrap()));
    // Made and removed again: the directory's mtime still tells.
    assert!(caught(&|p| {
        fs::write(p.join("jail/tmp"), b"x").unwrap();
        fs::remove_file(p.join("jail/tmp")).unwrap();
    }));
    assert!(!caught(&|p| fs::write(
        p.join("jail/cell/target/inside"),
        b"x"
    )
    .unwrap()));
}
