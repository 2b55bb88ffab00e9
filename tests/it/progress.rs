//! The progress display on a real terminal: ftpmirror run under script(1), which gives it a
//! pseudo-terminal, against nginx throttled so that the bars are drawn many times.

use crate::support::runs::kill_mid_file;
use crate::support::tree::sized_file;
use crate::support::web::{Nginx, NginxOptions, WebServer};
use crate::support::{served_dir, temp_dir};
use std::process::Command;

const MIB: u64 = 1 << 20;

#[test]
fn a_resumed_download_counts_its_bytes_on_disk_and_shows_its_own_bytes() {
    let served = served_dir();
    sized_file(&served.path().join("big.iso"), 24 * MIB as usize);
    let server = Nginx::start_with(
        served.path(),
        NginxOptions {
            limit_rate: 8 * MIB as u32,
            ..Default::default()
        },
    );
    let target = temp_dir();
    let partial = kill_mid_file(&server.url(), target.path(), 12 * MIB);
    let kept = std::fs::metadata(&partial).unwrap().len();

    let command = format!(
        "{} mirror {} {}",
        env!("CARGO_BIN_EXE_ftpmirror"),
        server.url(),
        target.path().display()
    );
    let out = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .expect("run script(1)");
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    assert_eq!(
        std::fs::metadata(target.path().join("big.iso"))
            .unwrap()
            .len(),
        24 * MIB
    );
    let shown = drawn_bytes(&screen, "/24.00 MiB");
    assert!(shown.len() > 2, "too few draws to judge: {screen}");
    // Before the first byte is read everything stands at 0; from then on nothing below what
    // the temp file kept may show (the bytes on disk are done), on either bar.
    let between: Vec<_> = shown.iter().filter(|&&b| b > 0 && b < kept).collect();
    assert!(between.is_empty(), "kept {kept}, drawn {between:?}");
    assert!(
        screen.contains("big.iso") && shown.iter().any(|&b| b > kept),
        "the file's own line: {screen}"
    );
}

/// Every byte count drawn just before `total` (as `12.50 MiB/24.00 MiB`), in bytes.
fn drawn_bytes(screen: &str, total: &str) -> Vec<u64> {
    screen
        .match_indices(total)
        .filter_map(|(at, _)| {
            let before = &screen[..at];
            let unit_at = before.rfind(' ')?;
            let unit = &before[unit_at + 1..];
            let number = before[..unit_at].rsplit(' ').next()?;
            let value: f64 = number.parse().ok()?;
            let scale = match unit {
                "B" => 1,
                "KiB" => 1 << 10,
                "MiB" => 1 << 20,
                "GiB" => 1 << 30,
                _ => return None,
            };
            Some((value * scale as f64) as u64)
        })
        .collect()
}
