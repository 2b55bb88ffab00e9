//! Data channels asked for ahead: behind each transfer command, a server that leaves commands
//! until the transfer is over (vsftpd) gets the next file's MDTM and EPSV, answered with the
//! `226`; a server that answers them at once (pyftpdlib) would end the transfer for an `EPSV`,
//! so it gets none. The first transfer carries a `NOOP` to tell which.

use crate::support::fake_ftp::{content, ls_dir, ls_file, During, FakeFtp, Site};
use crate::support::sentinel::{assert_file, bounded_mirror, guarded_target, Ran};
use std::path::Path;
use std::time::UNIX_EPOCH;

const FILES: usize = 12;

/// A LIST-only site (day-precision times, so each file needs an MDTM) of [`FILES`] files, each
/// with its own time, that waits for the client's close of a data connection (as vsftpd).
fn site(during: During) -> Site {
    let mut site = Site::list();
    let mut root = String::new();
    for i in 0..FILES {
        let name = format!("f{i:02}");
        let data = content(i as u8, 1000 + i);
        root += &ls_file(&name, data.len());
        let time = format!("202001020304{i:02}");
        site = (site.file(&format!("/{name}"), &data)).mdtm(&format!("/{name}"), &time);
    }
    site.during(during).waits_for_close().dir("/", root)
}

fn mirror_all(during: During) -> (FakeFtp, Ran) {
    let ftp = FakeFtp::start(site(during));
    let (_parent, target) = guarded_target();
    let ran = bounded_mirror(&ftp.url(), &target, &["-j", "1", "-v"]);
    ran.assert_code(0);
    assert_all(&target);
    (ftp, ran)
}

/// Every file whole, with its own MDTM time: an answer taken for the wrong file shows.
fn assert_all(target: &Path) {
    for i in 0..FILES {
        let name = format!("f{i:02}");
        assert_file(target, &name, &content(i as u8, 1000 + i));
        let mtime = std::fs::metadata(target.join(&name))
            .unwrap()
            .modified()
            .unwrap();
        let secs = mtime.duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(secs, 1_577_934_240 + i as u64, "{name}'s time");
    }
}

fn count(lines: &[String], verb: &str) -> usize {
    lines.iter().filter(|l| l.starts_with(verb)).count()
}

#[test]
fn the_next_data_channel_and_mdtm_are_asked_for_behind_each_transfer() {
    let (ftp, _) = mirror_all(During::Queued);
    let during = ftp.sent_during_transfers();
    // Every file's EPSV but the first, and the MDTM of every file but the first of a batch.
    assert!(count(&during, "EPSV") >= FILES - 1, "{during:?}");
    assert!(count(&during, "MDTM") >= FILES / 2, "{during:?}");
    assert_eq!(ftp.with_verb("NOOP").len(), 1, "one probe per run");
    assert_eq!(ftp.with_verb("RETR").len(), FILES);
    // Our end of each file's data connection closed at once, so the 226 came with the data.
    assert!(ftp.early_closes() >= FILES - 1, "{}", ftp.early_closes());
}

#[test]
fn a_server_that_answers_during_transfers_gets_only_the_probe() {
    let (ftp, _) = mirror_all(During::Answered);
    assert_eq!(ftp.sent_during_transfers(), ["NOOP"]);
    assert_eq!(ftp.with_verb("RETR").len(), FILES);
}

#[test]
fn a_server_that_ends_a_transfer_for_an_early_epsv_gets_none_after_that() {
    let (ftp, ran) = mirror_all(During::Ending);
    let during = ftp.sent_during_transfers();
    assert_eq!(count(&during, "EPSV"), 1, "{during:?}");
    // Tried again at once, whatever `--tries` says (the run has `--tries 1`).
    ran.assert_warned(&["426", "again on a new session"]);
    assert_eq!(
        ftp.with_verb("RETR").len(),
        FILES + 1,
        "the ended one again"
    );
}

#[test]
fn a_listing_goes_with_its_cwd_and_a_refused_cwd_drops_the_listing_it_sent() {
    // Listed in this order: the root (with the probe), d1 (arms a channel), then each of the
    // rest with its CWD in the same write as its LIST; `gone` refuses the CWD, so its LIST lists
    // d4, which must not become gone's listing.
    let mut site = Site::list();
    let mut root = String::new();
    for dir in ["d1", "d2", "d3", "d4"] {
        root += &ls_dir(dir);
        site = (site.dir(&format!("/{dir}"), ls_file(&format!("in-{dir}"), dir.len())))
            .file(&format!("/{dir}/in-{dir}"), dir.as_bytes())
            .mdtm(&format!("/{dir}/in-{dir}"), "20200102030405");
    }
    root += &ls_dir("gone");
    let ftp = FakeFtp::start(site.dir("/", root));
    let (_parent, target) = guarded_target();
    let ran = bounded_mirror(&ftp.url(), &target, &["-j", "1"]);
    ran.assert_code(1);
    ran.assert_warned(&["gone"]);
    for dir in ["d1", "d2", "d3", "d4"] {
        assert_file(&target, &format!("{dir}/in-{dir}"), dir.as_bytes());
    }
    let gone: Vec<_> = std::fs::read_dir(target.join("gone"))
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(gone.is_empty(), "gone holds {gone:?}");
    let pipelined = ftp.pipelined();
    let with_cwd = |dir: &str| pipelined.contains(&(format!("CWD /{dir}"), "LIST -a".into()));
    assert!(
        ["d2", "d3", "d4", "gone"].iter().all(|d| with_cwd(d)),
        "{pipelined:?}"
    );
}
