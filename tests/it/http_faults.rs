//! HTTP faults from the scripted peer: a body cut short is never a complete file and is
//! resumed with Range; a server that answers a range with 200 starts the file over; redirects
//! are followed only within the source's host and scheme, and not forever.

use crate::support::http_peer::{index, ok, redirect, HttpPeer, Reply};
use crate::support::{ftpmirror, temp_dir};
use std::fs;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn content() -> Vec<u8> {
    (0..1000u32).map(|i| (i * 13 % 251) as u8).collect()
}

const VALIDATOR: &str = "\"v1\"";

#[test]
fn cut_body_is_resumed_and_a_range_answered_with_200_starts_over() {
    let gets = Arc::new(AtomicUsize::new(0));
    let count = gets.clone();
    let peer = HttpPeer::start(move |r| match r.path.as_str() {
        "/" => index(&["f"]),
        "/f" if r.method == "GET" && count.fetch_add(1, Ordering::SeqCst) == 0 => {
            // Announces 1000 bytes, sends 400, hangs up.
            let head =
                format!("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nETag: {VALIDATOR}\r\n\r\n");
            Reply {
                bytes: [head.as_bytes(), &content()[..400]].concat(),
                close: true,
            }
        }
        _ => ok(&content(), &[&format!("ETag: {VALIDATOR}")]),
    });
    let target = temp_dir();
    let out = ftpmirror()
        .args(["mirror", &peer.url(), "-j", "1"])
        .arg(target.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fs::read(target.path().join("f")).unwrap(), content());
    let second = peer
        .requests()
        .into_iter()
        .filter(|r| r.path == "/f" && r.method == "GET")
        .nth(1)
        .unwrap();
    assert_eq!(second.header("range"), Some("bytes=400-"));
    assert_eq!(second.header("if-range"), Some(VALIDATOR));
}

#[test]
fn cut_chunked_body_never_becomes_a_file() {
    let peer = HttpPeer::start(|r| match r.path.as_str() {
        "/" => index(&["f"]),
        _ => Reply {
            bytes: b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789"
                .to_vec(),
            close: true,
        },
    });
    let target = temp_dir();
    let out = ftpmirror()
        .args(["mirror", &peer.url(), "--tries", "1"])
        .arg(target.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("f: fetch failed"), "{stderr}");
    assert!(!target.path().join("f").exists());
}

#[test]
fn redirects_stay_on_the_source_and_end() {
    let peer = HttpPeer::start(|r| match r.path.as_str() {
        "/" => index(&["same", "elsewhere", "loop", "scheme"]),
        "/same" => redirect("/moved/same-target"),
        "/moved/same-target" => ok(b"followed", &[]),
        "/elsewhere" => redirect("http://127.0.0.2:9/x"),
        "/loop" => redirect("/loop"),
        "/scheme" => redirect("file:///etc/passwd"),
        _ => ok(b"?", &[]),
    });
    let target = temp_dir();
    let out = ftpmirror()
        .args(["mirror", &peer.url(), "--tries", "1"])
        .arg(target.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        fs::read(target.path().join("same")).unwrap(),
        b"followed",
        "stored under its listed name"
    );
    assert!(!target.path().join("moved").exists());
    assert!(
        stderr.contains("elsewhere: fetch failed: refusing redirect")
            && stderr.contains("another host"),
        "{stderr}"
    );
    assert!(
        stderr.contains("loop: fetch failed: more than 10 redirects"),
        "{stderr}"
    );
    assert!(
        stderr.contains("scheme: fetch failed: refusing redirect")
            && stderr.contains("another scheme"),
        "{stderr}"
    );
    for name in ["elsewhere", "loop", "scheme"] {
        assert!(!target.path().join(name).exists(), "{name}");
    }
}
