//! Pipelined GETs of small files, against the scripted peer: the answers land in the right
//! files in order, and a server that hangs up mid-pipeline, drops pipelined requests, or fails
//! one of them costs time, never a file; and Apache, which ends each connection after 100
//! requests, gets every file asked once.

use crate::support::apache::Apache;
use crate::support::http_peer::{sized_index, HttpPeer, Reply, Request};
use crate::support::runs::{assert_ok, assert_same, mirror};
use crate::support::web::WebServer;
use crate::support::{ftpmirror, served_dir, temp_dir};
use std::fs;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const FILES: usize = 40;

fn name(i: usize) -> String {
    format!("f{i:02}")
}

/// Each file's bytes differ from every other's, and so do their sizes, so a body put in the
/// wrong file shows.
fn body(i: usize) -> Vec<u8> {
    (0..100 + i * 7).map(|b| (b * 31 + i) as u8).collect()
}

fn files() -> Vec<(String, usize)> {
    (0..FILES).map(|i| (name(i), body(i).len())).collect()
}

/// The index, or the file's whole body (a `HEAD` gets the head alone).
fn answer(r: &Request) -> Reply {
    if r.path == "/" {
        let files = files();
        let listed: Vec<(&str, usize)> = files.iter().map(|(n, s)| (n.as_str(), *s)).collect();
        return sized_index(&listed);
    }
    let i: usize = r.path[2..].parse().unwrap();
    let content = body(i);
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
        content.len()
    );
    let body: &[u8] = if r.method == "HEAD" { b"" } else { &content };
    Reply {
        bytes: [head.as_bytes(), body].concat(),
        close: false,
    }
}

fn run(peer: &HttpPeer, target: &std::path::Path, extra: &[&str]) -> Output {
    ftpmirror()
        .args(["mirror", &peer.url(), "-v"])
        .args(if extra.contains(&"-j") {
            &[][..]
        } else {
            &["-j", "2"]
        })
        .args(extra)
        .arg(target)
        .output()
        .unwrap()
}

fn assert_all(target: &std::path::Path, except: &[usize]) {
    for i in (0..FILES).filter(|i| !except.contains(i)) {
        assert_eq!(
            fs::read(target.join(name(i))).unwrap(),
            body(i),
            "{}",
            name(i)
        );
    }
    for i in except {
        assert!(!target.join(name(*i)).exists(), "{} exists", name(*i));
    }
}

fn pipelined(peer: &HttpPeer) -> usize {
    peer.requests().iter().filter(|r| r.pipelined).count()
}

#[test]
fn pipelined_answers_land_in_their_files() {
    let peer = HttpPeer::start(answer);
    let target = temp_dir();
    let out = run(&peer, target.path(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_all(target.path(), &[]);
    assert!(pipelined(&peer) > FILES / 2, "{:#?}", peer.requests());
}

#[test]
fn a_new_connection_pipelines_once_it_is_kept() {
    // The index and the HEAD close their connections, so the first batch starts on a new one:
    // its first GET goes alone, the others together once its answer shows the connection kept.
    let peer = HttpPeer::start(|r| {
        let mut reply = answer(r);
        reply.close = r.path == "/" || r.method == "HEAD";
        reply
    });
    let target = temp_dir();
    let out = run(&peer, target.path(), &["-j", "1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_all(target.path(), &[]);
    let requests = peer.requests();
    let gets: Vec<&Request> = requests.iter().filter(|r| r.method == "GET").collect();
    assert_eq!(gets[1].path, "/f00", "{requests:#?}");
    assert!(!gets[1].pipelined && !gets[2].pipelined, "{requests:#?}");
    // f02 to f15 went out with f01, before its answer.
    assert!(gets[3..17].iter().all(|r| r.pipelined), "{requests:#?}");
}

#[test]
fn a_hang_up_mid_pipeline_sends_the_rest_again() {
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    let peer = HttpPeer::start(move |r| {
        let mut reply = answer(r);
        // Every fifth file's answer is the connection's last, without saying so.
        reply.close = r.path != "/" && count.fetch_add(1, Ordering::SeqCst) % 5 == 4;
        reply
    });
    let target = temp_dir();
    let out = run(&peer, target.path(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_all(target.path(), &[]);
    assert!(pipelined(&peer) > 0);
}

#[test]
fn a_server_dropping_pipelined_requests_is_asked_one_at_a_time() {
    let peer = HttpPeer::start_unpipelined(answer);
    let target = temp_dir();
    let out = run(&peer, target.path(), &["--timeout", "1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_all(target.path(), &[]);
    // Once per run (twice where both connections had a batch out), not once per batch: after
    // that, one request at a time on every connection.
    let given_up = stderr.matches("not pipelining any more").count();
    assert!((1..=2).contains(&given_up), "{stderr}");
}

#[test]
fn a_failed_file_in_a_pipeline_fails_alone() {
    let peer = HttpPeer::start(|r| match r.path.as_str() {
        "/f07" => Reply {
            bytes: b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found".to_vec(),
            close: false,
        },
        _ => answer(r),
    });
    let target = temp_dir();
    let out = run(&peer, target.path(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("f07"), "{stderr}");
    assert_all(target.path(), &[7]);
    // It failed in the middle of a pipeline: its request came before the one ahead of it was
    // answered (how many others were pipelined depends on how the last batches are shared).
    let requests = peer.requests();
    let failed = requests.iter().find(|r| r.path == "/f07").unwrap();
    assert!(failed.pipelined, "{requests:#?}");
}

#[test]
fn apache_ending_kept_connections_costs_no_file_and_no_second_request() {
    let served = served_dir();
    for i in 0..250 {
        fs::write(served.path().join(format!("f{i:03}")), body(i % FILES)).unwrap();
    }
    let server = Apache::start(served.path());
    let target = temp_dir();
    // One connection (Apache runs as one process here): every 100 requests it ends the kept
    // connection with pipelined requests still unanswered, which go again on the next one.
    assert_ok(&mirror(&server.url(), target.path(), &["-j", "1"]));
    assert_same(served.path(), target.path());
    assert!(server.connections() >= 3, "{:#?}", server.requests());
    let mut gets: Vec<String> = (server.requests().into_iter())
        .filter(|r| r.method == "GET" && r.path != "/")
        .inspect(|r| assert_eq!(r.status, 200, "{r:?}"))
        .map(|r| r.path)
        .collect();
    let asked = gets.len();
    gets.sort();
    gets.dedup();
    assert_eq!((asked, gets.len()), (250, 250));
}
