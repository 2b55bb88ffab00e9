//! A hostile or broken HTTP server (issue 7) must never make ftpmirror write outside its target,
//! hang, eat unbounded memory or disk, or leave a wrong file that later runs accept as good.
//!
//! Each test serves index pages and files from [`HttpPeer`] with one kind of hostility and
//! checks what a user would expect: the bad link skipped (with a warning naming it where it
//! looked like an entry), the rest mirrored byte for byte, nothing created outside the target
//! ([`assert_untouched`]), the run over within a bound, and the documented exit code.

use crate::support::fake_ftp::content;
use crate::support::http_peer::{index, ok, redirect, write_reply, HttpPeer, Reply, Request};
use crate::support::sentinel::{
    assert_file, assert_nowhere, assert_tree, assert_untouched, bounded_mirror, guarded_target,
    tree, Ran,
};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MAX_RSS_KIB: u64 = 200 * 1024;
const DRIP: Duration = Duration::from_millis(300);
/// No handler here keeps a connection longer than this.
const HOLD: Duration = Duration::from_secs(30);

fn mirror(peer: &HttpPeer, target: &Path, extra: &[&str]) -> Ran {
    bounded_mirror(&peer.url(), target, extra)
}

/// An nginx autoindex page: names with exact sizes (`None` for a directory, which ends in `/`).
fn nginx_index(dir: &str, entries: &[(&str, Option<usize>)]) -> Reply {
    let mut page = format!(
        "<html>\r\n<head><title>Index of {dir}</title></head>\r\n<body>\r\n<h1>Index of {dir}</h1><hr><pre><a href=\"../\">../</a>\r\n"
    );
    for (name, size) in entries {
        let size = size.map_or("-".to_string(), |s| s.to_string());
        page += &format!(
            "<a href=\"{name}\">{name}</a>{:>width$}16-Jan-2024 11:14 {size:>19}\r\n",
            "",
            width = 51usize.saturating_sub(name.len())
        );
    }
    page += "</pre><hr></body>\r\n</html>\r\n";
    ok(page.as_bytes(), &["Content-Type: text/html"])
}

/// A `200` or, for `Range: bytes=N-`, a `206` with the rest; always with a strong ETag.
fn serve_file(r: &Request, data: &[u8]) -> Reply {
    let from = r
        .header("range")
        .and_then(|v| v.strip_prefix("bytes="))
        .and_then(|v| v.strip_suffix('-'))
        .and_then(|v| v.parse::<usize>().ok());
    match from {
        Some(from) if from < data.len() => {
            let head = format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {from}-{}/{}\r\nETag: \"v1\"\r\n\r\n",
                data.len() - from,
                data.len() - 1,
                data.len()
            );
            Reply {
                bytes: [head.as_bytes(), &data[from..]].concat(),
                close: false,
            }
        }
        _ => ok(data, &["ETag: \"v1\""]),
    }
}

/// Keeps the connection open and silent until the client leaves.
fn stall(stream: &mut TcpStream) -> bool {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let start = Instant::now();
    let mut sink = [0u8; 1024];
    while start.elapsed() < HOLD {
        match stream.read(&mut sink) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    false
}

/// Writes `bytes` one every [`DRIP`], until the client leaves.
fn drip(stream: &mut TcpStream, bytes: &[u8]) -> bool {
    let start = Instant::now();
    for b in bytes {
        if stream.write_all(&[*b]).is_err() || start.elapsed() > HOLD {
            return false;
        }
        std::thread::sleep(DRIP);
    }
    stall(stream)
}

/// Writes `head` and then `block` over and over, until the client leaves.
fn endless(stream: &mut TcpStream, head: &[u8], block: &[u8]) -> bool {
    let start = Instant::now();
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    if stream.write_all(head).is_err() {
        return false;
    }
    while start.elapsed() < HOLD && stream.write_all(block).is_ok() {}
    false
}

// ---------------------------------------------------------------------------------------------
// Links

#[test]
fn hostile_hrefs_are_never_followed_out_of_the_target() {
    let good = content(60, 100);
    let inner = content(61, 50);
    // Links that would be entries if they were safe: each is refused with a warning naming it.
    let refused = ["%2F", "a%2Fb", "a%5Cb", "a%00b", "a%0Db"];
    // Navigation, other hosts and other schemes: ignored, as the manual says.
    let ignored = [
        "//other.host/x",
        "http://127.0.0.2:9/x",
        "../",
        "/",
        "%2e%2e/",
        "file:///etc/passwd",
        "ftp://x/",
        "javascript:alert(1)",
    ];
    let mut page = String::from("<html><head><base href=\"http://evil/\"></head><body>\n");
    for href in refused.iter().chain(&ignored).chain(&["good.txt", "sub/"]) {
        page += &format!("<a href=\"{href}\">{href}</a>\n");
    }
    page += "</body></html>\n";
    let good_served = good.clone();
    let inner_served = inner.clone();
    let peer = HttpPeer::start(move |r| match r.path.as_str() {
        "/" => ok(page.as_bytes(), &["Content-Type: text/html"]),
        "/good.txt" => ok(&good_served, &[]),
        "/sub/" => index(&["../", "../../evil", "inner.txt", "..%2F..%2Fevil"]),
        "/sub/inner.txt" => ok(&inner_served, &[]),
        _ => ok(b"must not be asked for", &[]),
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);

    ran.assert_code(0);
    for href in refused {
        ran.assert_warned(&[href]);
    }
    ran.assert_warned(&["..%2F..%2Fevil"]);
    assert_tree(&target, &["good.txt", "sub/", "sub/inner.txt"]);
    assert_file(&target, "good.txt", &good);
    assert_file(&target, "sub/inner.txt", &inner);
    let mut paths: Vec<String> = peer.requests().into_iter().map(|r| r.path).collect();
    paths.sort();
    assert_eq!(paths, ["/", "/good.txt", "/sub/", "/sub/inner.txt"]);
    assert_untouched(parent.path());
    assert_nowhere(&target, "evil");
}

#[test]
fn content_disposition_never_names_the_file() {
    let good = content(62, 100);
    let served = good.clone();
    let peer = HttpPeer::start(move |r| {
        match r.path.as_str() {
        "/" => index(&["good.txt", "other.bin"]),
        "/good.txt" => ok(
            &served,
            &["Content-Disposition: attachment; filename=\"../../evil\""],
        ),
        "/other.bin" => ok(
            b"other",
            &["Content-Disposition: attachment; filename=\"/tmp/evil-abs\"; filename*=UTF-8''..%2F..%2Fevil"],
        ),
        _ => ok(b"?", &[]),
    }
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(0);
    assert_tree(&target, &["good.txt", "other.bin"]);
    assert_file(&target, "good.txt", &good);
    assert_file(&target, "other.bin", b"other");
    assert_untouched(parent.path());
    assert_nowhere(&target, "evil");
    assert_nowhere(&target, "evil-abs");
}

#[test]
fn redirects_elsewhere_and_loops_are_named_and_the_rest_mirrored() {
    let good = content(63, 100);
    let served = good.clone();
    let peer = HttpPeer::start(move |r| match r.path.as_str() {
        "/" => index(&[
            "good.txt",
            "elsewhere",
            "loop",
            "scheme",
            "moved",
            "away/",
            "sub/",
        ]),
        "/good.txt" => ok(&served, &[]),
        "/elsewhere" => redirect("http://127.0.0.2:9/x"),
        "/loop" => redirect("/loop"),
        "/scheme" => redirect("file:///etc/passwd"),
        "/moved" => redirect("/real/moved-here"),
        "/real/moved-here" => ok(b"moved content", &[]),
        "/away/" => redirect("http://127.0.0.2:9/away/"),
        "/sub/" => index(&["inner.txt"]),
        "/sub/inner.txt" => ok(b"inner", &[]),
        _ => ok(b"?", &[]),
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);

    ran.assert_code(1);
    ran.assert_warned(&["elsewhere", "127.0.0.2"]);
    ran.assert_warned(&["loop", "redirects"]);
    ran.assert_warned(&["scheme", "file:"]);
    ran.assert_warned(&["away", "127.0.0.2"]);
    // `away/` is listed, but its listing failed: an empty copy would read as "empty upstream".
    assert_tree(&target, &["good.txt", "moved", "sub/", "sub/inner.txt"]);
    assert_file(&target, "good.txt", &good);
    assert_file(&target, "moved", b"moved content");
    assert_file(&target, "sub/inner.txt", b"inner");
    assert!(
        peer.requests().iter().filter(|r| r.path == "/loop").count() <= 12,
        "the loop was followed too often"
    );
    assert_untouched(parent.path());
}

#[test]
fn directory_redirecting_to_its_parent_stops_in_bounded_time() {
    let good = content(64, 100);
    let served = good.clone();
    let peer = HttpPeer::start(move |r| match r.path.as_str() {
        "/" => index(&["good.txt", "loop/"]),
        "/good.txt" => ok(&served, &[]),
        p if p.ends_with("/loop/") => redirect("/"),
        p if p.ends_with("/good.txt") => ok(&served, &[]),
        _ => ok(b"?", &[]),
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);

    ran.assert_ended();
    assert_ne!(
        ran.code,
        Some(0),
        "an endless tree is not all mirrored: {}",
        ran.show()
    );
    assert!(
        ran.warned(&["loop"]),
        "no warning names the loop: {}",
        ran.show()
    );
    assert_file(&target, "good.txt", &good);
    assert!(
        peer.requests().len() < 300,
        "{} requests",
        peer.requests().len()
    );
    let depth = tree(&target).iter().map(|p| p.matches('/').count()).max();
    assert!(depth <= Some(65), "mirrored {depth:?} levels deep");
    assert_untouched(parent.path());
}

#[test]
fn ever_deeper_index_stops_at_the_depth_limit() {
    let peer = HttpPeer::start(|r| match r.path.as_str() {
        p if p.ends_with('/') => index(&["a/", "f"]),
        _ => ok(b"f", &[]),
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);

    ran.assert_ended();
    ran.assert_warned(&["64"]);
    // The tree goes on below what was mirrored: data is missing.
    assert_eq!(ran.code, Some(1), "{}", ran.show());
    assert_file(&target, "f", b"f");
    let depth = tree(&target).iter().map(|p| p.matches('/').count()).max();
    assert!(depth <= Some(65), "mirrored {depth:?} levels deep");
    assert_untouched(parent.path());
}

// ---------------------------------------------------------------------------------------------
// Bodies cut, short, long

/// A site with `good.txt` and `f`, whose first `cut` GETs announce 1000 bytes and send 400.
fn cut_site(data: &[u8], cuts: usize) -> HttpPeer {
    let gets = Arc::new(AtomicUsize::new(0));
    let data = data.to_vec();
    HttpPeer::start(move |r| match r.path.as_str() {
        "/" => index(&["good.txt", "f"]),
        "/good.txt" => ok(b"good", &[]),
        "/f" if r.method == "GET" && gets.fetch_add(1, Ordering::SeqCst) < cuts => {
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nETag: \"v1\"\r\n\r\n";
            Reply {
                bytes: [head.as_bytes(), &data[..400]].concat(),
                close: true,
            }
        }
        _ => serve_file(r, &data),
    })
}

/// The Range header of each GET of `/f`.
fn ranges(peer: &HttpPeer) -> Vec<Option<String>> {
    peer.requests()
        .into_iter()
        .filter(|r| r.path == "/f" && r.method == "GET")
        .map(|r| r.header("range").map(str::to_string))
        .collect()
}

#[test]
fn cut_body_is_resumed_with_range_in_the_same_run() {
    let data = content(65, 1000);
    let peer = cut_site(&data, 1);
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &["--tries", "2"]);
    ran.assert_code(0);
    assert_file(&target, "f", &data);
    assert_eq!(ranges(&peer), [None, Some("bytes=400-".into())]);
    assert_untouched(parent.path());
}

#[test]
fn cut_body_is_resumed_with_range_on_the_next_run() {
    let data = content(66, 1000);
    let peer = cut_site(&data, 1);
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["f:"]);
    assert_tree(&target, &["good.txt"]);

    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(0);
    assert_file(&target, "f", &data);
    assert_eq!(ranges(&peer), [None, Some("bytes=400-".into())]);
    assert_untouched(parent.path());
}

#[test]
fn content_length_longer_than_delivered_is_never_complete() {
    let data = content(67, 1000);
    let peer = cut_site(&data, 2);
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["f:"]);
    assert_tree(&target, &["good.txt"]);
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    assert_tree(&target, &["good.txt"]);

    // The server turns honest: the next run completes the file.
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(0);
    assert_file(&target, "f", &data);
    assert_untouched(parent.path());
}

#[test]
fn cut_chunked_body_is_never_complete() {
    let data = content(68, 1000);
    let gets = Arc::new(AtomicUsize::new(0));
    let served = data.clone();
    let peer = HttpPeer::start(move |r| match r.path.as_str() {
        "/" => index(&["good.txt", "f"]),
        "/good.txt" => ok(b"good", &[]),
        "/f" if r.method == "GET" && gets.fetch_add(1, Ordering::SeqCst) == 0 => {
            let mut bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            bytes.extend_from_slice(b"190\r\n");
            bytes.extend_from_slice(&served[..400]);
            bytes.extend_from_slice(b"\r\n258\r\n");
            bytes.extend_from_slice(&served[400..500]);
            Reply { bytes, close: true }
        }
        _ => serve_file(r, &served),
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["f:"]);
    assert_tree(&target, &["good.txt"]);

    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(0);
    assert_file(&target, "f", &data);
    assert_untouched(parent.path());
}

#[test]
fn body_longer_than_listed_is_never_complete() {
    let peer = HttpPeer::start(|r| match r.path.as_str() {
        "/" => nginx_index("/", &[("good.txt", Some(4)), ("f", Some(400))]),
        "/good.txt" => ok(b"good", &[]),
        _ => ok(&content(69, 1000), &[]),
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["f:"]);
    assert_tree(&target, &["good.txt"]);
    assert_untouched(parent.path());
}

// ---------------------------------------------------------------------------------------------
// Silence, stalls, drips, floods

/// A site with `good.txt`, `sub/` (holding `inner.txt`) and `bad.bin` (listed as 1000 bytes),
/// where `fault` answers the requests for `at` instead.
fn faulty_site(
    at: &'static str,
    fault: impl Fn(&mut TcpStream) -> bool + Send + Sync + 'static,
) -> HttpPeer {
    // The fault is in what GET sends; a HEAD (the clock's calibration) is answered as a server
    // answers it, with the headers alone.
    HttpPeer::start_raw(move |r, stream| match r.path.as_str() {
        p if p == at && r.method != "HEAD" => fault(stream),
        "/" => write_reply(
            r,
            stream,
            nginx_index(
                "/",
                &[
                    ("good.txt", Some(4)),
                    ("sub/", None),
                    ("bad.bin", Some(1000)),
                ],
            ),
        ),
        "/good.txt" => write_reply(r, stream, ok(b"good", &[])),
        "/sub/" => write_reply(r, stream, nginx_index("/sub/", &[("inner.txt", Some(5))])),
        "/sub/inner.txt" => write_reply(r, stream, ok(b"inner", &[])),
        "/bad.bin" => write_reply(r, stream, ok(&content(70, 1000), &[])),
        _ => write_reply(r, stream, ok(b"?", &[])),
    })
}

#[test]
fn silent_server_ends_in_time() {
    let peer = faulty_site("/", stall);
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_ended();
    assert_ne!(ran.code, Some(0), "{}", ran.show());
    ran.assert_warned(&["timed out"]);
    assert_tree(&target, &[]);
    assert_untouched(parent.path());
}

#[test]
fn stalled_index_page_ends_in_time() {
    let peer = faulty_site("/sub/", |s| {
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n<html>")
            .is_ok()
            && stall(s)
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["sub"]);
    assert_file(&target, "good.txt", b"good");
    assert!(!target.join("sub/inner.txt").exists());
    assert_untouched(parent.path());
}

#[test]
fn stalled_body_ends_in_time() {
    let peer = faulty_site("/bad.bin", |s| {
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nabc")
            .is_ok()
            && stall(s)
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["bad.bin"]);
    assert_tree(&target, &["good.txt", "sub/", "sub/inner.txt"]);
    assert_file(&target, "good.txt", b"good");
    assert_untouched(parent.path());
}

#[test]
fn dripping_head_ends_in_time() {
    let peer = faulty_site("/bad.bin", |s| {
        let mut head = b"HTTP/1.1 200 OK\r\nX-Slow: ".to_vec();
        head.extend(vec![b'x'; 5000]);
        drip(s, &head)
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["bad.bin"]);
    assert_tree(&target, &["good.txt", "sub/", "sub/inner.txt"]);
    assert_untouched(parent.path());
}

#[test]
fn dripping_index_page_ends_in_time() {
    let peer = faulty_site("/sub/", |s| {
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n")
            .is_ok()
            && drip(s, &[b'x'; 5000])
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["sub"]);
    assert_file(&target, "good.txt", b"good");
    assert!(!target.join("sub/inner.txt").exists());
    assert_untouched(parent.path());
}

#[test]
fn dripping_body_ends_in_time() {
    let peer = faulty_site("/bad.bin", |s| {
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            .is_ok()
            && drip(s, &content(71, 1000))
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["bad.bin"]);
    assert_tree(&target, &["good.txt", "sub/", "sub/inner.txt"]);
    assert_untouched(parent.path());
}

#[test]
fn endless_index_page_ends_in_time_in_bounded_memory() {
    let peer = faulty_site("/sub/", |s| {
        let row = "<a href=\"same\">same</a>\n".repeat(2000);
        endless(
            s,
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><pre>",
            row.as_bytes(),
        )
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["sub"]);
    assert!(ran.peak_rss_kib < MAX_RSS_KIB, "{}", ran.show());
    assert_file(&target, "good.txt", b"good");
    assert_untouched(parent.path());
}

#[test]
fn endless_chunked_index_page_ends_in_time_in_bounded_memory() {
    let peer = faulty_site("/sub/", |s| {
        let row = "<a href=\"same\">same</a>\n".repeat(2000);
        let chunk = format!("{:x}\r\n{row}\r\n", row.len());
        endless(
            s,
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            chunk.as_bytes(),
        )
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["sub"]);
    assert!(ran.peak_rss_kib < MAX_RSS_KIB, "{}", ran.show());
    assert_file(&target, "good.txt", b"good");
    assert_untouched(parent.path());
}

/// The largest file under `dir`, temp files included.
fn largest_file(dir: &Path) -> u64 {
    let mut largest = 0;
    for item in std::fs::read_dir(dir).unwrap() {
        let item = item.unwrap();
        let meta = std::fs::symlink_metadata(item.path()).unwrap();
        largest = largest.max(match meta.is_dir() {
            true => largest_file(&item.path()),
            false => meta.len(),
        });
    }
    largest
}

#[test]
fn endless_body_of_listed_size_ends_in_time_in_bounded_disk() {
    let peer = faulty_site("/bad.bin", |s| {
        endless(s, b"HTTP/1.1 200 OK\r\n\r\n", &content(72, 64 * 1024))
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["bad.bin"]);
    assert!(ran.peak_rss_kib < MAX_RSS_KIB, "{}", ran.show());
    let largest = largest_file(&target);
    assert!(largest <= 1 << 20, "a temp file grew to {largest} bytes");
    assert_tree(&target, &["good.txt", "sub/", "sub/inner.txt"]);
    assert_untouched(parent.path());
}

#[test]
fn endless_body_of_unknown_size_is_cut_by_its_content_length() {
    // A generic index gives no size: the announced length is all that is taken.
    let peer = HttpPeer::start_raw(|r, s| match r.path.as_str() {
        "/" => write_reply(r, s, index(&["good.txt", "f"])),
        "/good.txt" => write_reply(r, s, ok(b"good", &[])),
        _ => endless(
            s,
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
            &content(73, 4096),
        ),
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(0);
    assert_file(&target, "f", &content(73, 1000));
    assert_untouched(parent.path());
}

#[test]
fn absurdly_long_head_line_ends_in_time_in_bounded_memory() {
    let peer = faulty_site("/bad.bin", |s| {
        endless(s, b"HTTP/1.1 200 OK\r\nX-Long: ", &[b'x'; 64 * 1024])
    });
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_code(1);
    ran.assert_warned(&["bad.bin"]);
    assert!(ran.peak_rss_kib < MAX_RSS_KIB, "{}", ran.show());
    assert!(
        ran.stderr.len() < 64 * 1024,
        "the line is echoed: {}",
        ran.show()
    );
    assert_tree(&target, &["good.txt", "sub/", "sub/inner.txt"]);
    assert_untouched(parent.path());
}

#[test]
fn absurdly_long_status_line_on_the_first_page_ends_in_time() {
    let peer = faulty_site("/", |s| endless(s, b"HTTP/1.1 200 ", &[b'x'; 64 * 1024]));
    let (parent, target) = guarded_target();
    let ran = mirror(&peer, &target, &[]);
    ran.assert_ended();
    assert_ne!(ran.code, Some(0), "{}", ran.show());
    assert!(ran.peak_rss_kib < MAX_RSS_KIB, "{}", ran.show());
    assert_tree(&target, &[]);
    assert_untouched(parent.path());
}
