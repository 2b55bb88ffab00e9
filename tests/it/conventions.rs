//! Flags by the names lftp, rclone and wget users already type: `-P`/`--parallel` (lftp) and
//! `--transfers` (rclone) for `-j`, `--bwlimit` (rclone) for `--limit-rate`, and a rate of 0 for
//! no cap (wget, rclone).

use crate::support::fake_ftp::{content, ls_file, FakeFtp, Site};
use crate::support::sentinel::{assert_file, bounded_mirror, guarded_target};

fn site() -> FakeFtp {
    let mut listing = String::new();
    let mut site = Site::list();
    for i in 0..6 {
        let name = format!("f{i}.bin");
        listing += &ls_file(&name, 1000);
        site = site.file(&format!("/{name}"), content(i, 1000));
    }
    FakeFtp::start(site.dir("/", listing))
}

#[test]
fn parallel_and_transfers_are_connections() {
    for flag in ["-j", "-P", "--parallel", "--transfers", "--connections"] {
        let ftp = site();
        let (_parent, target) = guarded_target();
        bounded_mirror(&ftp.url(), &target, &[flag, "1"]).assert_code(0);
        assert_eq!(ftp.with_verb("USER").len(), 1, "{flag} 1: one session");
        assert_file(&target, "f5.bin", &content(5, 1000));
    }
}

#[test]
fn a_rate_of_zero_is_no_cap_and_bwlimit_is_limit_rate() {
    for flag in ["--limit-rate", "--bwlimit"] {
        let ftp = site();
        let (_parent, target) = guarded_target();
        bounded_mirror(&ftp.url(), &target, &[flag, "0"]).assert_code(0);
        assert_file(&target, "f0.bin", &content(0, 1000));
        let ran = bounded_mirror(&ftp.url(), &target, &[flag, "fast"]);
        ran.assert_code(2);
        ran.assert_stderr("bad rate \"fast\"");
    }
}
