//! The examples in `examples/` run against real servers, so that what the README and the
//! crate docs point a library user to keeps working: `ftp_session` against pyftpdlib,
//! `http_get` against nginx.

#[allow(dead_code)] // its `main` is the example binary's; the test calls `run`
#[path = "../../examples/ftp_session.rs"]
mod ftp_session;
#[allow(dead_code)] // its `main` is the example binary's; the test calls `run`
#[path = "../../examples/http_get.rs"]
mod http_get;

use crate::support::web::{Nginx, NginxOptions, WebServer};
use crate::support::{served_dir, FtpServer, Pyftpd};
use std::fs;
use std::time::{Duration, Instant};

/// 101 bytes: the first read stops at 50, the resumed one brings the other 51.
const README: &str = concat!(
    "This is the README of the served tree, long enough to be read in two halves\n",
    "over two TCP connections\n"
);

fn output(run: impl FnOnce(&mut Vec<u8>) -> Result<(), Box<dyn std::error::Error>>) -> String {
    let mut out = Vec::new();
    if let Err(e) = run(&mut out) {
        panic!("{e}\n{}", String::from_utf8_lossy(&out));
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn ftp_session_runs_against_pyftpdlib() {
    let root = served_dir();
    fs::create_dir(root.path().join("pub")).unwrap();
    fs::write(root.path().join("pub/README"), README).unwrap();
    fs::write(root.path().join("pub/other.txt"), "x").unwrap();
    let server = Pyftpd::start(root.path());
    let url = format!("ftp://127.0.0.1:{}/pub/README", server.port());
    let out = output(|out| ftp_session::run(&url, out));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].contains("pyftpdlib"), "welcome: {out}");
    assert!(lines.contains(&"system: UNIX Type: L8"), "{out}");
    assert!(lines.iter().any(|l| l.ends_with(" other.txt")), "{out}");
    assert!(lines.iter().any(|l| l.ends_with(" README")), "{out}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("README: 101 bytes, changed 20")),
        "{out}"
    );
    assert!(
        lines.contains(&"fetched 50 + 51 bytes (226 Transfer complete.)"),
        "{out}"
    );
    assert!(out.contains("214"), "SITE HELP: {out}");
    assert_eq!(lines.last(), Some(&"now in /"), "{out}");
    // The first RETR was cut short, the second resumed where it stopped.
    assert_eq!(server.count("RETR"), 2, "{}", server.log());
    assert!(server.log().contains("REST 50"), "{}", server.log());
}

#[test]
fn http_get_runs_against_nginx() {
    let root = served_dir();
    fs::write(root.path().join("README"), README).unwrap();
    fs::create_dir(root.path().join("docs")).unwrap();
    let server = Nginx::start(root.path());

    let url = format!("{}README", server.url());
    let out = output(|out| http_get::run(&url, out));
    assert!(out.starts_with(&format!("HTTP 200 OK ({url})\n")), "{out}");
    assert!(out.contains("\nContent-Length: 101\n"), "{out}");
    assert!(out.contains(&format!("\n\n{README}\n101 bytes\n")), "{out}");
    assert!(out.ends_with("\nHEAD: 200 OK\n"), "{out}");

    // A directory without its slash: redirected, and the index page is the body.
    let url = format!("{}docs", server.url());
    let out = output(|out| http_get::run(&url, out));
    assert!(out.starts_with(&format!("HTTP 200 OK ({url}/)\n")), "{out}");
    assert!(out.contains("<title>Index of /docs/</title>"), "{out}");

    let want = [
        "GET /README 200",
        "HEAD /README 200",
        "GET /docs 301",
        "GET /docs/ 200",
        "HEAD /docs 301",
        "HEAD /docs/ 200",
    ];
    // nginx logs a request after its response is sent: the last line may lag the client.
    let deadline = Instant::now() + Duration::from_secs(5);
    let methods = loop {
        let methods: Vec<String> = (server.requests().into_iter())
            .map(|r| format!("{} {} {}", r.method, r.path, r.status))
            .collect();
        if methods.len() >= want.len() || Instant::now() > deadline {
            break methods;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(methods, want);
}

#[test]
fn default_options_check_https_against_the_system_roots() {
    let root = served_dir();
    fs::write(root.path().join("README"), README).unwrap();
    let options = NginxOptions {
        tls: true,
        ..NginxOptions::default()
    };
    let server = Nginx::start_with(root.path(), options);
    let error = http_get::run(&format!("{}README", server.url()), &mut Vec::new()).unwrap_err();
    let error = error.to_string();
    assert!(error.contains("certificate is not trusted"), "{error}");
}
