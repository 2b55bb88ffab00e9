//! Deadlines that hold, against in-process peers whose waits never end by themselves:
//! `--job-timeout` ends a job within a few seconds of its time even with a transfer stalled or a
//! retry waiting, keeping what was done and saying what was not; `--timeout` is one wait, not
//! two, where a pipelined HTTP request goes unanswered.

use crate::support::fake_ftp::{content, mlsd_file, Answer, During, FakeFtp, Fault, Site};
use crate::support::http_peer::{sized_index, write_reply, HttpPeer};
use crate::support::sentinel::{assert_file, bounded_mirror, guarded_target};
use std::net::TcpStream;
use std::time::Duration;

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

#[test]
fn a_stalled_transfer_ends_with_the_job() {
    let good = content(1, 3000);
    let site = Site::mlsd()
        .dir("/", mlsd_file("good", 3000) + &mlsd_file("stall", 5000))
        .file("/good", &good)
        .file("/stall", content(2, 5000))
        .mdtm("/good", "20240101000000")
        .mdtm("/stall", "20240101000000")
        .fault("/stall", Fault::Stall);
    let ftp = FakeFtp::start(site);
    let (_parent, target) = guarded_target();
    let extra = ["--job-timeout", "3", "--timeout", "60", "-j", "2"];
    let ran = bounded_mirror(&ftp.url(), &target, &extra);
    ran.assert_code(1);
    assert!(ran.elapsed < secs(6.0), "{}", ran.show());
    ran.assert_warned(&["the job ran out of time", "1 files not fetched", "stall"]);
    assert_file(&target, "good", &good);
    assert!(target.join(".ftpmirror/state.db").exists());
}

#[test]
fn files_done_before_the_end_stay_confirmed() {
    // In lockstep (a server that answers commands during transfers), a file whose bytes all
    // came has its `226` read behind the next command. The worker that fetched the small files
    // must read the last one before it waits out the job beside a stalled transfer.
    let mut site = Site::mlsd().during(During::Answered);
    let mut root = mlsd_file("stall", 9000);
    for i in 0..6 {
        let name = format!("f{i}");
        root += &mlsd_file(&name, 100);
        site = site.file(&format!("/{name}"), content(i, 100));
    }
    let site = site
        .dir("/", root)
        .file("/stall", content(9, 9000))
        .fault("/stall", Fault::Stall);
    let ftp = FakeFtp::start(site);
    let (_parent, target) = guarded_target();
    let extra = ["--job-timeout", "3", "--timeout", "60", "-j", "2"];
    let ran = bounded_mirror(&ftp.url(), &target, &extra);
    ran.assert_code(1);
    assert!(!ran.stderr.contains("did not confirm"), "{}", ran.show());
    for i in 0..6 {
        assert_file(&target, &format!("f{i}"), &content(i, 100));
    }
}

#[test]
fn a_retry_waiting_ends_with_the_job() {
    // 421 on every RETR: transient, retried with backoff (1, 2, 4, 8 s ...).
    let site = Site::mlsd()
        .dir("/", mlsd_file("busy", 10))
        .file("/busy", content(3, 10))
        .answer("RETR", Answer::Line("421 too busy, try later".into()));
    let ftp = FakeFtp::start(site);
    let (_parent, target) = guarded_target();
    let ran = bounded_mirror(
        &ftp.url(),
        &target,
        &["--job-timeout", "3", "--tries", "20"],
    );
    ran.assert_code(1);
    // No backoff sleeps past the job's end: the last try is the one that fits.
    assert!(ran.elapsed < secs(5.0), "{}", ran.show());
    ran.assert_warned(&["busy", "421 too busy"]);
}

#[test]
fn an_unanswered_pipelined_request_costs_one_timeout() {
    // `f05` is never answered; the others are. Ten small files on one connection: pipelined.
    let names: Vec<String> = (0..10).map(|i| format!("f{i:02}")).collect();
    let files: Vec<(String, usize)> = names.iter().map(|n| (n.clone(), 100)).collect();
    let body = content(4, 100);
    let served = body.clone();
    let peer = HttpPeer::start_raw(move |r, stream: &mut TcpStream| {
        let listed: Vec<(&str, usize)> = files.iter().map(|(n, s)| (n.as_str(), *s)).collect();
        match r.path.as_str() {
            "/" => write_reply(r, stream, sized_index(&listed)),
            "/f05" => {
                // Never answered: what else comes is read and dropped until the client leaves
                // (or the peer's read timeout ends the wait).
                let _ = std::io::copy(stream, &mut std::io::sink());
                false
            }
            _ => write_reply(r, stream, crate::support::http_peer::ok(&served, &[])),
        }
    });
    let (_parent, target) = guarded_target();
    let ran = bounded_mirror(&peer.url(), &target, &["--timeout", "3"]);
    ran.assert_code(1);
    // One wait of 3 s for f05, not a second one when it is asked again alone.
    assert!(ran.elapsed < secs(5.5), "{}", ran.show());
    ran.assert_warned(&["f05", "timed out"]);
    for name in names.iter().filter(|n| *n != "f05") {
        assert_file(&target, name, &body);
    }
}
