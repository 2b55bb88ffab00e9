//! Exact mirrors from FTP servers that take commands sent ahead of their turn each in their own
//! way: Twisted (reads one command at a time, blocks on an EPSV until its data port is
//! connected, takes a half-closed data connection for a closed one), ProFTPD and pure-ftpd.
//! Sending ahead is an optimisation: a server that does not take it is spoken to in lockstep,
//! and no file is lost.

use crate::support::proftpd::{Proftpd, ProftpdOptions};
use crate::support::pureftpd::{PureFtpd, PASSWORD, USER};
use crate::support::runs::{assert_ok, assert_same};
use crate::support::tree::bulk_tree;
use crate::support::twisted::TwistedFtp;
use crate::support::{ftpmirror, served_dir, temp_dir, FtpServer};
use std::fs;
use std::path::Path;

/// 366 files in 20 directories, some of them nested, as in the report of the bug, and an empty
/// directory (Twisted lists neither `.` nor `..`: `LIST -a` shows nothing there).
fn tree(root: &Path) {
    bulk_tree(root, 18, 20);
    fs::create_dir_all(root.join("empty")).unwrap();
    fs::create_dir_all(root.join("a/b/c")).unwrap();
    for (i, dir) in ["a", "a/b", "a/b/c"].iter().enumerate() {
        for f in 0..2 {
            fs::write(root.join(dir).join(format!("n{f}.txt")), format!("{i} {f}")).unwrap();
        }
    }
}

/// A first mirror is exact; a second run fetches nothing.
fn exact_twice(server: &dyn FtpServer, served: &Path, login: &[&str]) {
    let target = temp_dir();
    let run = || {
        ftpmirror()
            .args(["mirror", &server.url()])
            .arg(target.path())
            .args(["-j", "4"])
            .args(login)
            .env("FTPMIRROR_PASSWORD", PASSWORD)
            .output()
            .unwrap()
    };
    assert_ok(&run());
    assert_same(served, target.path());
    let retrs = server.count("RETR");
    assert_eq!(assert_ok(&run()), "", "a no-change run prints nothing");
    if retrs > 0 {
        assert_eq!(server.count("RETR"), retrs, "a no-change run fetched again");
    }
}

#[test]
fn twisted_ftp_server_mirror_is_exact() {
    let served = served_dir();
    tree(served.path());
    let server = TwistedFtp::start(served.path());
    // --tries 1: the switch to lockstep costs no try.
    exact_twice(&server, served.path(), &["--tries", "1"]);
}

#[test]
fn proftpd_mirror_is_exact() {
    let served = served_dir();
    tree(served.path());
    let server = Proftpd::start(served.path(), ProftpdOptions::default());
    exact_twice(&server, served.path(), &["--user", USER, "--tls", "off"]);
    let list = Proftpd::start(
        served.path(),
        ProftpdOptions {
            no_mlst: true,
            ..Default::default()
        },
    );
    exact_twice(&list, served.path(), &["--user", USER, "--tls", "off"]);
}

#[test]
fn pure_ftpd_mirror_is_exact() {
    let served = served_dir();
    tree(served.path());
    let server = PureFtpd::start(served.path(), 10_000);
    exact_twice(&server, served.path(), &["--user", USER, "--tls", "off"]);
}
