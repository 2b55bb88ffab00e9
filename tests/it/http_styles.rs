//! Index pages whose sizes and dates are read, against the real servers that make them: a
//! no-change mirror from caddy and from `rclone serve http` asks for nothing but the index
//! pages, Apache's rounded sizes tell a file that grew past its rounding, and lighttpd's times
//! in its own time zone are set right by one HEAD.

use crate::support::apache::Apache;
use crate::support::caddy::{Caddy, RcloneHttp};
use crate::support::lighttpd::Lighttpd;
use crate::support::runs::{assert_ok, assert_quiet, assert_same, mirror};
use crate::support::tree::{bulk_tree, sized_content};
use crate::support::web::{Nginx, WebServer};
use crate::support::{served_dir, temp_dir};
use std::fs;
use std::path::Path;

/// Files of every size class (bytes, K, M) in directories, some of them nested.
fn tree(root: &Path) {
    bulk_tree(root, 3, 12);
    fs::create_dir_all(root.join("a/b")).unwrap();
    fs::write(
        root.join("a/b/big.bin"),
        sized_content(3 * 1024 * 1024 + 17),
    )
    .unwrap();
    fs::write(root.join("a/with space.txt"), b"spaced").unwrap();
    fs::write(root.join("a/b/empty.txt"), b"").unwrap();
}

#[test]
fn a_no_change_mirror_from_caddy_asks_only_for_index_pages() {
    let served = served_dir();
    tree(served.path());
    let server = Caddy::start(served.path());
    let target = temp_dir();
    assert_ok(&mirror(&server.url(), target.path(), &["-j", "2"]));
    assert_same(served.path(), target.path());
    let before = server.requests().len();
    assert_quiet(&mirror(&server.url(), target.path(), &["-j", "2"]));
    let again: Vec<_> = server.requests().into_iter().skip(before).collect();
    assert!(!again.is_empty());
    assert!(
        again
            .iter()
            .all(|r| r.method == "GET" && r.path.ends_with('/')),
        "{again:#?}"
    );
}

#[test]
fn a_no_change_mirror_from_rclone_serve_http_opens_no_file() {
    let served = served_dir();
    tree(served.path());
    let server = RcloneHttp::start(served.path());
    let target = temp_dir();
    assert_ok(&mirror(&server.url(), target.path(), &["-j", "2"]));
    assert_same(served.path(), target.path());
    let (opened, listed) = (server.opened(), server.listed());
    assert_quiet(&mirror(&server.url(), target.path(), &["-j", "2"]));
    assert_eq!(server.opened(), opened, "a no-change run fetched a file");
    assert!(server.listed() > listed);
}

#[test]
fn apache_rounded_sizes_tell_a_file_that_grew_past_its_rounding() {
    let served = served_dir();
    let file = served.path().join("grows.bin");
    fs::write(&file, sized_content(1500)).unwrap();
    let kept = fs::metadata(&file).unwrap().modified().unwrap();
    let server = Apache::start(served.path());
    let target = temp_dir();
    assert_ok(&mirror(&server.url(), target.path(), &[]));
    // 1.5K to 1.5K: nothing to tell; 1.5K to 2.5K, its time kept: grown past the rounding.
    fs::write(&file, sized_content(1530)).unwrap();
    fs::File::open(&file).unwrap().set_modified(kept).unwrap();
    assert_eq!(assert_ok(&mirror(&server.url(), target.path(), &[])), "");
    fs::write(&file, sized_content(2560)).unwrap();
    fs::File::open(&file).unwrap().set_modified(kept).unwrap();
    let out = assert_ok(&mirror(&server.url(), target.path(), &[]));
    assert!(out.contains("* grows.bin"), "{out}");
    assert_eq!(
        fs::read(target.path().join("grows.bin")).unwrap(),
        sized_content(2560)
    );
}

#[test]
fn lighttpd_local_times_are_calibrated_with_one_head() {
    let served = served_dir();
    tree(served.path());
    // UTC+2: lighttpd prints each time two hours ahead of its UTC Last-Modified.
    let server = Lighttpd::start(served.path(), "Etc/GMT-2");
    let target = temp_dir();
    assert_ok(&mirror(&server.url(), target.path(), &["-j", "2"]));
    assert_same(served.path(), target.path());
    // Without the state the listed times alone must tell that nothing changed: one HEAD
    // learns the server's offset, instead of one per file whose time is two hours off.
    fs::remove_dir_all(target.path().join(".ftpmirror")).unwrap();
    let before = server.requests().len();
    assert_quiet(&mirror(&server.url(), target.path(), &["-j", "2"]));
    let again: Vec<_> = server.requests().into_iter().skip(before).collect();
    let heads = again.iter().filter(|r| r.method == "HEAD").count();
    let files = again
        .iter()
        .filter(|r| r.method == "GET" && !r.path.ends_with('/'))
        .count();
    assert_eq!((heads, files), (1, 0), "{again:#?}");
    assert_same(served.path(), target.path());
}

/// A flat root (files, no subdirectory, and a root has no parent link) still tells files from
/// directories by the server's style: no HEAD per file to ask (one HEAD at most, to learn a
/// server's clock).
#[test]
fn a_flat_root_costs_no_head_per_file() {
    let served = served_dir();
    for i in 0..6 {
        fs::write(
            served.path().join(format!("f{i}.txt")),
            sized_content(100 + i),
        )
        .unwrap();
    }
    let servers: Vec<(&str, Box<dyn WebServer>)> = vec![
        ("apache", Box::new(Apache::start(served.path()))),
        ("caddy", Box::new(Caddy::start(served.path()))),
        ("rclone", Box::new(RcloneHttp::start(served.path()))),
        ("lighttpd", Box::new(Lighttpd::start(served.path(), "UTC"))),
        ("nginx", Box::new(Nginx::start(served.path()))),
    ];
    for (name, server) in servers {
        let target = temp_dir();
        assert_ok(&mirror(&server.url(), target.path(), &["-j", "1"]));
        assert_same(served.path(), target.path());
        let requests = server.requests();
        let heads = requests.iter().filter(|r| r.method == "HEAD").count();
        assert!(heads <= 1, "{name}: {requests:#?}");
    }
}
