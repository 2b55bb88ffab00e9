//! `ftpmirror mirror` from HTTP directory indexes, against real nginx (autoindex) and python's
//! http.server: the FTP scenarios again (fresh, no change, converge, killed and resumed), plus
//! HTTPS with a self-signed certificate.

use crate::support::runs::{
    assert_ok, assert_same, change_remote, kill_mid_file, mirror, CHANGE_LINES,
};
use crate::support::tree::{bulk_tree, sized_content};
use crate::support::web::{Nginx, NginxOptions, PyHttp, WebServer};
use crate::support::{awkward_tree, served_dir, temp_dir};
use std::fs;
use std::path::Path;

/// The awkward tree without its symlink (web servers serve the file it points to) and a bulk
/// tree of `files` files.
fn web_tree(root: &Path, dirs: usize, per_dir: usize) {
    awkward_tree(root);
    fs::remove_file(root.join("link to plain")).unwrap();
    bulk_tree(root, dirs, per_dir);
}

fn full_cycle(server: &dyn WebServer, served: &Path) {
    let target = temp_dir();
    assert_ok(&mirror(&server.url(), target.path(), &["-j", "4"]));
    assert_same(served, target.path());
    let gets = server.file_gets().len();

    let out = mirror(&server.url(), target.path(), &["-j", "4"]);
    assert_eq!(assert_ok(&out), "", "a no-change run prints nothing");
    assert_eq!(
        server.file_gets().len(),
        gets,
        "no body downloaded on a no-change run"
    );

    change_remote(served);
    let stdout = assert_ok(&mirror(&server.url(), target.path(), &["--delete"]));
    assert_same(served, target.path());
    assert_eq!(server.file_gets().len(), gets + 3, "{stdout}");
    for line in CHANGE_LINES {
        assert!(
            stdout.lines().any(|l| l.starts_with(line)),
            "no {line:?} in:\n{stdout}"
        );
    }
}

#[test]
fn nginx_fresh_no_change_and_converge() {
    let served = served_dir();
    web_tree(served.path(), 20, 100);
    let server = Nginx::start(served.path());
    full_cycle(&server, served.path());
    let heads = server
        .requests()
        .iter()
        .filter(|r| r.method == "HEAD")
        .count();
    assert!(
        heads <= 3,
        "{heads} HEADs: exact sizes and minutes decide without them"
    );
    let pipelined = server.file_gets().iter().filter(|r| r.pipelined).count();
    assert!(
        pipelined > 1000,
        "{pipelined} of the small files' GETs came pipelined"
    );
}

#[test]
fn nginx_approximate_sizes() {
    let served = served_dir();
    web_tree(served.path(), 2, 50);
    // From 10,000 bytes on, nginx rounds (`20K`).
    let rounded = served.path().join("rounded");
    fs::create_dir(&rounded).unwrap();
    for i in 0..20 {
        fs::write(
            rounded.join(format!("r{i:02}.bin")),
            sized_content(20_000 + i),
        )
        .unwrap();
    }
    let server = Nginx::start_with(
        served.path(),
        NginxOptions {
            approximate_sizes: true,
            ..Default::default()
        },
    );
    full_cycle(&server, served.path());
    let gets = server.file_gets();
    assert!(
        gets.iter()
            .any(|r| r.pipelined && r.path.starts_with("/rounded/")),
        "files listed as 20K are small enough to pipeline: {gets:#?}"
    );
}

#[test]
fn python_http_server_names_only() {
    let served = served_dir();
    web_tree(served.path(), 4, 50);
    let server = PyHttp::start(served.path());
    full_cycle(&server, served.path());
    // The index tells nothing of the files: later runs ask with conditional GETs (a 304 for
    // each file that did not change), never HEAD then GET.
    let requests = server.requests();
    assert!(requests.iter().filter(|r| r.status == 304).count() >= 200);
    assert_eq!(requests.iter().filter(|r| r.method == "HEAD").count(), 0);
}

#[test]
fn killed_download_resumes_with_range_to_the_exact_byte() {
    const LEN: usize = 6 * 1024 * 1024;
    let served = served_dir();
    crate::support::sized_file(&served.path().join("big.bin"), LEN);
    let target = temp_dir();
    let slow = Nginx::start_with(
        served.path(),
        NginxOptions {
            limit_rate: 1024 * 1024,
            ..Default::default()
        },
    );
    let partial = kill_mid_file(&slow.url(), target.path(), 1024 * 1024);
    drop(slow);
    assert!(
        !target.path().join("big.bin").exists(),
        "partial file under the final name"
    );
    let kept = fs::metadata(&partial).unwrap().len();

    let server = Nginx::start(served.path());
    assert_ok(&mirror(&server.url(), target.path(), &[]));
    assert_eq!(
        fs::read(target.path().join("big.bin")).unwrap(),
        sized_content(LEN)
    );
    let gets = server.file_gets();
    assert_eq!(gets.len(), 1, "{gets:?}");
    assert_eq!(
        (gets[0].status, gets[0].range.as_str()),
        (206, format!("bytes={kept}-").as_str())
    );
    assert!(!partial.exists());
}

#[test]
fn https_with_ca_file_and_refused_without() {
    let served = served_dir();
    web_tree(served.path(), 1, 5);
    let server = Nginx::start_with(
        served.path(),
        NginxOptions {
            tls: true,
            ..Default::default()
        },
    );
    let target = temp_dir();
    let out = mirror(&server.url(), target.path(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("certificate"), "{stderr}");
    assert!(server.requests().is_empty());

    let ca = server.cert_path();
    assert_ok(&mirror(
        &server.url(),
        target.path(),
        &["--ca-file", ca.to_str().unwrap()],
    ));
    assert_same(served.path(), target.path());
    assert!(
        server.file_gets().iter().any(|r| r.pipelined),
        "GETs pipelined over TLS too: {:#?}",
        server.requests()
    );
}

#[test]
fn a_file_that_grew_past_its_rounded_size_is_fetched_again() {
    // nginx with `autoindex_exact_size off` shows 20480 bytes as `20K`: the file may be
    // anything from 19K to 21K. Grown to 40K with its time kept, only the size can tell.
    let served = served_dir();
    let file = served.path().join("grows.bin");
    fs::write(&file, sized_content(20 * 1024)).unwrap();
    let kept = fs::metadata(&file).unwrap().modified().unwrap();
    let options = NginxOptions {
        approximate_sizes: true,
        ..Default::default()
    };
    let server = Nginx::start_with(served.path(), options);
    let target = temp_dir();
    assert_ok(&mirror(&server.url(), target.path(), &[]));
    fs::write(&file, sized_content(20 * 1024 + 100)).unwrap();
    fs::File::open(&file).unwrap().set_modified(kept).unwrap();
    assert_eq!(assert_ok(&mirror(&server.url(), target.path(), &[])), "");
    fs::write(&file, sized_content(40 * 1024)).unwrap();
    fs::File::open(&file).unwrap().set_modified(kept).unwrap();
    let out = assert_ok(&mirror(&server.url(), target.path(), &[]));
    assert!(out.contains("* grows.bin"), "{out}");
    assert_eq!(
        fs::metadata(target.path().join("grows.bin")).unwrap().len(),
        40 * 1024
    );
}
