//! Listing parser throughput: `LIST` (Unix `ls -l`) and `MLSD` lines per second.
//!
//! The input is a large synthetic listing built from the real server captures in
//! `tests/fixtures/listings/` (vsftpd, pyftpdlib, ProFTPD, Pure-FTPd), each line repeated with a
//! numbered name, so the column layouts, name shapes and odd lines (`cdir`, non-UTF-8 names) are
//! those real servers send. Run with `cargo bench --bench parsers`; results go in
//! `bench/RESULTS.md`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use ftpmirror::ftp::list::{parse_list, parse_mlsd};

const LIST_CAPTURES: [&[u8]; 4] = [
    include_bytes!("../tests/fixtures/listings/vsftpd-list.txt"),
    include_bytes!("../tests/fixtures/listings/pyftpdlib-list.txt"),
    include_bytes!("../tests/fixtures/listings/proftpd-list.txt"),
    include_bytes!("../tests/fixtures/listings/pureftpd-list.txt"),
];

const MLSD_CAPTURES: [&[u8]; 3] = [
    include_bytes!("../tests/fixtures/listings/pyftpdlib-mlsd-unix.txt"),
    include_bytes!("../tests/fixtures/listings/proftpd-mlsd.txt"),
    include_bytes!("../tests/fixtures/listings/pureftpd-mlsd.txt"),
];

/// Lines in each synthetic listing: a large archive directory.
const LINES: usize = 200_000;
const ROUNDS: usize = 7;

/// Repeats the captured lines until `LINES` lines, appending `-N` to each so names differ.
fn synthetic(captures: &[&[u8]]) -> Vec<u8> {
    let lines: Vec<&[u8]> = captures
        .iter()
        .flat_map(|data| data.split(|&b| b == b'\n'))
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .collect();
    let mut out = Vec::with_capacity(LINES * 100);
    for (n, line) in lines.iter().cycle().take(LINES).enumerate() {
        out.extend_from_slice(line);
        out.extend_from_slice(format!("-{n}\r\n").as_bytes());
    }
    out
}

/// The fastest of `ROUNDS` runs, so a busy moment on the machine does not count.
fn best_time(mut run: impl FnMut()) -> Duration {
    (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn report(what: &str, bytes: usize, time: Duration) {
    let seconds = time.as_secs_f64();
    let lines_per_second = LINES as f64 / seconds;
    let megabytes_per_second = bytes as f64 / seconds / 1e6;
    println!(
        "{what:<5} {LINES} lines ({:.1} MB): best of {ROUNDS} {:.1} ms, \
         {:.2} M lines/s, {megabytes_per_second:.0} MB/s",
        bytes as f64 / 1e6,
        seconds * 1e3,
        lines_per_second / 1e6,
    );
}

fn main() {
    let now = NaiveDate::from_ymd_opt(2026, 11, 21)
        .and_then(|day| day.and_hms_opt(20, 9, 0))
        .expect("a valid date");

    let list = synthetic(&LIST_CAPTURES);
    let time = best_time(|| {
        let listing = parse_list(black_box(&list), now);
        assert!(
            listing.entries.len() > LINES * 9 / 10,
            "LIST was not read as Unix"
        );
        black_box(listing);
    });
    report("LIST", list.len(), time);

    let mlsd = synthetic(&MLSD_CAPTURES);
    let time = best_time(|| {
        let listing = parse_mlsd(black_box(&mlsd));
        assert!(
            listing.entries.len() > LINES * 8 / 10,
            "MLSD lines were not read"
        );
        black_box(listing);
    });
    report("MLSD", mlsd.len(), time);
}
