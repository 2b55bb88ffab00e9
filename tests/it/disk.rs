//! A run never fills the disk: a dry run says when the plan does not fit, a run fetches only
//! what fits (each file refused before its first byte when it does not), a body of unknown length stops at `--max-size`, and
//! a disk that fills up during the run (ENOSPC from a real tmpfs) stops new transfers at once,
//! keeps what was done, and is said once.

use crate::support::fake_ftp::{content, mlsd_file, FakeFtp, Site};
use crate::support::http_peer::{index, ok, write_reply, HttpPeer, Reply};
use crate::support::sentinel::{assert_tree, bounded_mirror, guarded_target, Ran};
use crate::support::served_dir;
use crate::support::tmpfs::{free_bytes, Tmpfs};
use crate::support::tree::sized_file;
use crate::support::web::{Nginx, WebServer};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const KIB: usize = 1024;

/// Every name below `dir` that is one of our temp files.
fn temp_files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() {
            found.extend(temp_files(&entry.path()));
        } else if name.starts_with(".ftpmirror-partial.") {
            found.push(name);
        }
    }
    found
}

/// A body with no `Content-Length`, chunked: its size is known only at its end.
fn chunked(body: &[u8]) -> Reply {
    let mut bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for chunk in body.chunks(64 * KIB) {
        bytes.extend(format!("{:x}\r\n", chunk.len()).as_bytes());
        bytes.extend(chunk);
        bytes.extend(b"\r\n");
    }
    bytes.extend(b"0\r\n\r\n");
    Reply {
        bytes,
        close: false,
    }
}

#[test]
fn a_plan_that_does_not_fit_is_said_and_a_run_fetches_only_what_fits() {
    let disk = Tmpfs::mount("2m");
    let served = served_dir();
    for name in ["a.bin", "b.bin", "c.bin"] {
        sized_file(&served.path().join(name), 1024 * KIB);
    }
    let server = Nginx::start(served.path());
    let target = disk.path().join("target");
    // A dry run sees the whole plan: it says it does not fit.
    let dry = bounded_mirror(&server.url(), &target, &["-n", "--min-free", "0"]);
    dry.assert_code(5);
    dry.assert_warned(&["the plan writes 3.0 MiB", "a run would fetch what fits"]);
    assert!(server.file_gets().is_empty(), "a dry run fetched a file");
    // A run fetches as it lists: each file claims its room before its first byte, so what
    // fits is fetched whole and the rest is refused, said once.
    let ran = bounded_mirror(&server.url(), &target, &["--min-free", "0"]);
    ran.assert_code(1);
    ran.assert_warned(&["files not fetched", "do not fit"]);
    let content: Vec<_> = fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != ".ftpmirror")
        .collect();
    assert!(!content.is_empty() && content.len() < 3, "{content:?}");
    for name in &content {
        let whole = fs::read(served.path().join(name)).unwrap();
        assert_eq!(fs::read(target.join(name)).unwrap(), whole, "{name}");
    }
    assert!(temp_files(&target).is_empty());
}

#[test]
fn a_file_that_cannot_fit_alone_is_refused_and_the_rest_fetched() {
    // Listed over FTP at 10^12 bytes; announced over HTTP with that Content-Length.
    let small = content(3, 1000);
    let ftp = FakeFtp::start(
        Site::mlsd()
            .dir(
                "/",
                mlsd_file("huge", 1_000_000_000_000) + &mlsd_file("small", 1000),
            )
            .file("/huge", b"never sent")
            .file("/small", &small),
    );
    let served = small.clone();
    let http = HttpPeer::start(move |r| match r.path.as_str() {
        "/" => index(&["huge", "small"]),
        "/huge" => Reply {
            bytes: b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\nxxxx".to_vec(),
            close: true,
        },
        _ => ok(&served, &[]),
    });
    for url in [ftp.url(), http.url()] {
        let (_parent, target) = guarded_target();
        let ran: Ran = bounded_mirror(&url, &target, &[]);
        ran.assert_code(1);
        ran.assert_warned(&["1 files not fetched", "do not fit", "huge"]);
        assert_tree(&target, &["small"]);
        assert_eq!(fs::read(target.join("small")).unwrap(), small);
        assert!(temp_files(&target).is_empty());
    }
    assert!(ftp.with_verb("RETR").iter().all(|c| c != "RETR /huge"));
}

#[test]
fn a_body_of_unknown_length_stops_at_the_max_size() {
    let big = content(7, 3 * 1024 * KIB);
    let small = content(8, 100);
    let (b, s) = (big.clone(), small.clone());
    let peer = HttpPeer::start(move |r| match r.path.as_str() {
        "/" => index(&["big", "small"]),
        "/big" => chunked(&b),
        _ => chunked(&s),
    });
    let (_parent, target) = guarded_target();
    let ran = bounded_mirror(&peer.url(), &target, &["--max-size", "1M"]);
    ran.assert_code(1);
    ran.assert_warned(&["big", "over --max-size 1048576"]);
    assert_tree(&target, &["small"]);
    assert!(temp_files(&target).is_empty());
}

#[test]
fn a_disk_that_fills_up_before_a_download_stops_the_run_and_says_so_once() {
    // Its Content-Length no longer fits: refused before its first byte, like every later file.
    let said = fills_up(false);
    assert!(
        said.contains("15 files not fetched: they do not fit"),
        "{said}"
    );
}

#[test]
fn a_disk_that_fills_up_during_a_download_stops_new_transfers_and_says_so_once() {
    // ENOSPC from the kernel in the middle of a body.
    let said = fills_up(true);
    assert!(
        said.contains("is full") && said.contains("15 files not fetched"),
        "{said}"
    );
}

/// Twenty files of 400 KiB onto a 12 MiB tmpfs, one at a time; another program fills the disk
/// but for 40 KiB while the sixth is fetched: before its answer, or in the middle of its body
/// (past the 256 KiB a temp file's buffer holds, so a write fails, not only the last flush).
/// Returns what the run said.
fn fills_up(mid_body: bool) -> String {
    let disk = Tmpfs::mount("12m");
    let files: Vec<String> = (0..20).map(|i| format!("f{i:02}")).collect();
    let body = content(9, 400 * KIB);
    let filler = disk.path().join("filler");
    let filled = Arc::new(AtomicBool::new(false));
    let (names, served, fill, done) = (files.clone(), body.clone(), filler.clone(), filled.clone());
    let peer = HttpPeer::start_raw(move |r, stream| {
        let reply = match r.path.as_str() {
            "/" => index(&names.iter().map(String::as_str).collect::<Vec<_>>()),
            "/f05" if r.method == "GET" && !done.swap(true, Ordering::SeqCst) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                    served.len()
                );
                if !mid_body {
                    fill_up(&fill, 40 * KIB as u64);
                    return write_reply(r, stream, ok(&served, &[]));
                }
                let (first, rest) = served.split_at(20 * KIB);
                let _ = stream.write_all(&[head.as_bytes(), first].concat());
                // A timed ordering: the client must have read the head and claimed the file's
                // room before the disk fills, or it reports "do not fit", not "is full" (a loud
                // failure, never a false pass). Nothing the peer sees marks that moment: the
                // bytes sit in socket buffers and the temp file's buffer alike.
                std::thread::sleep(std::time::Duration::from_millis(200));
                fill_up(&fill, 40 * KIB as u64);
                return stream.write_all(rest).is_ok();
            }
            _ => ok(&served, &[]),
        };
        write_reply(r, stream, reply)
    });
    let target = disk.path().join("target");
    let ran = bounded_mirror(&peer.url(), &target, &["-j", "1", "--min-free", "0"]);
    ran.assert_code(1);
    assert!(filled.load(Ordering::SeqCst));
    assert!(
        ran.stderr.lines().count() < 4,
        "one line per file?\n{}",
        ran.show()
    );
    fs::remove_file(&filler).unwrap();
    // What came before is kept, whole; no temp file is left; the state was saved.
    let kept: Vec<_> = files.iter().filter(|f| target.join(f).exists()).collect();
    assert_eq!(kept.len(), 5, "{kept:?}");
    for name in kept {
        assert_eq!(fs::read(target.join(name)).unwrap(), body);
    }
    assert!(temp_files(&target).is_empty(), "{:?}", temp_files(&target));
    assert!(target.join(".ftpmirror/state.db").exists());
    // The next run, with room again, fetches the rest.
    bounded_mirror(&peer.url(), &target, &["-j", "1", "--min-free", "0"]).assert_code(0);
    assert!(files.iter().all(|f| target.join(f).exists()));
    ran.stderr
}

/// Writes `path` until the filesystem has only `leave` bytes free.
fn fill_up(path: &Path, leave: u64) {
    let free = free_bytes(path.parent().unwrap());
    let len = free.saturating_sub(leave);
    fs::write(path, vec![0u8; len as usize]).unwrap();
}
