//! One directory whose listing never finishes must not hold the rest of the tree back: files
//! are fetched as soon as their own directory is listed, over the same sessions as the
//! listings, while the slow listing is still dripping in.
//!
//! The order is proved from the server's own record ([`FakeFtp::transfers`]: every data
//! connection opened and closed, in one order across all connections), not from the clock.

use crate::support::fake_ftp::{content, mlsd_dir, mlsd_file, FakeFtp, Fault, Site, Transfer};
use crate::support::sentinel::{assert_file, bounded_mirror};
use crate::support::temp_dir;
use std::fs;

/// Directories `/d0` .. `/d5`, each with five files.
const DIRS: usize = 6;
const FILES: usize = 5;
/// The directory whose listing drips.
const DRIPPING: &str = "/d2";

fn file_content(dir: usize, file: usize) -> Vec<u8> {
    let n = dir * FILES + file;
    content(n as u8, 1000 + 37 * n)
}

#[test]
fn healthy_files_arrive_before_a_dripping_directory_times_out() {
    let root: String = (0..DIRS).map(|d| mlsd_dir(&format!("d{d}"))).collect();
    let mut site = Site::mlsd().dir("/", root);
    let mut healthy = Vec::new();
    for d in 0..DIRS {
        let dir = format!("/d{d}");
        let mut listing = String::new();
        for f in 0..FILES {
            let bytes = file_content(d, f);
            listing += &mlsd_file(&format!("f{f}.dat"), bytes.len());
            let path = format!("{dir}/f{f}.dat");
            site = site.file(&path, &bytes);
            if dir != DRIPPING {
                healthy.push((path, bytes));
            }
        }
        if dir == DRIPPING {
            // One byte every 300 ms: never silent for a whole --timeout, and at a hundred lines
            // of ~45 bytes it would take over twenty minutes. ftpmirror gives it up as a stall
            // (less than 1 KiB per --timeout).
            listing = (0..100)
                .map(|i| mlsd_file(&format!("drip{i:03}.dat"), 1))
                .collect();
        }
        site = site.dir(&dir, listing);
    }
    let ftp = FakeFtp::start(site.fault(DRIPPING, Fault::Drip));

    let target = temp_dir();
    let target = target.path();
    // A local file the dripping directory's listing never got to: with --delete it stays, as
    // nothing below a directory that was not fully listed is deleted.
    fs::create_dir(target.join("d2")).unwrap();
    fs::write(target.join("d2/local.txt"), b"kept").unwrap();

    // --tries 2: the dripping listing is tried twice (5 s each, a backoff between), so the run
    // ends in about 12 s whatever the order, within bounded_mirror's 20 s.
    let args = ["-j", "4", "--timeout", "5", "--tries", "2", "--delete"];
    let ran = bounded_mirror(&ftp.url(), target, &args);
    let transfers = ftp.transfers();
    let timeline = || {
        let lines: Vec<String> = transfers.iter().map(|t| format!("{t:?}")).collect();
        lines.join("\n")
    };

    // Partial: one directory could not be listed.
    ran.assert_code(1);
    ran.assert_warned(&[DRIPPING]);
    for (path, bytes) in &healthy {
        assert_file(target, &path[1..], bytes);
    }
    assert_eq!(fs::read(target.join("d2/local.txt")).unwrap(), b"kept");
    assert!(
        !target.join("d2/drip000.dat").exists(),
        "a file of a listing that never ended was fetched"
    );

    // The dripping listing was started and given up (at least once) ...
    let closed = Transfer::Closed(DRIPPING.to_string());
    let first_drip_end = transfers.iter().position(|t| *t == closed);
    let first_drip_end = first_drip_end.unwrap_or_else(|| {
        panic!(
            "the server never saw the listing of {DRIPPING} end:\n{}",
            timeline()
        )
    });
    // ... and every healthy file had been sent whole, its data connection closed, before the
    // server saw the client give up on that listing the first time.
    let late: Vec<&str> = healthy
        .iter()
        .map(|(path, _)| path.as_str())
        .filter(|path| {
            let closed = Transfer::Closed(path.to_string());
            let last = transfers.iter().rposition(|t| *t == closed);
            last.is_none_or(|at| at > first_drip_end)
        })
        .collect();
    assert!(
        late.is_empty(),
        "{} of the {} healthy files were fetched only after the listing of {DRIPPING} \
         failed ({late:?}); the server's transfers in order:\n{}\n{}",
        late.len(),
        healthy.len(),
        timeline(),
        ran.show()
    );
}
