//! Paths too long for one command: GNU inetutils ftpd reads a command into 512 bytes and answers
//! a longer one with a `500` per 511-byte piece (replies out of step). A tree six levels of
//! 150-character names deep is mirrored exactly, each long path reached one component at a
//! time, with no timeout.

use crate::support::inetutils::InetutilsFtpd;
use crate::support::runs::assert_same;
use crate::support::{ftpmirror, served_dir, temp_dir, FtpServer};
use std::fs;
use std::time::{Duration, Instant};

#[test]
fn a_deep_tree_of_long_names_from_inetutils_ftpd_is_exact() {
    let served = served_dir();
    let mut dir = served.path().to_path_buf();
    fs::write(dir.join("top.txt"), b"top").unwrap();
    for level in 1..=6 {
        dir = dir.join(format!("d{level}{}", "x".repeat(148)));
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join(format!("f{level}.txt")), format!("level {level}")).unwrap();
    }
    assert!(dir.to_string_lossy().len() > 900);
    let server = InetutilsFtpd::start(served.path());
    let (user, password) = server.credentials();
    let url = format!(
        "ftp://127.0.0.1:{}{}/",
        server.port(),
        served.path().display()
    );
    let target = temp_dir();
    let run = || {
        let started = Instant::now();
        let out = ftpmirror()
            .args(["mirror", &url])
            .arg(target.path())
            .args(["--user", user, "--tls", "off", "--timeout", "10", "-j", "2"])
            .env("FTPMIRROR_PASSWORD", password)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "a timeout: {stderr}"
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run();
    assert_same(served.path(), target.path());
    assert_eq!(run(), "", "a no-change run prints nothing");
}
