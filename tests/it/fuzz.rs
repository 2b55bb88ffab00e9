//! Property tests: arbitrary bytes into every parser of what a server sends (FTP replies and
//! listings, HTTP heads, chunked bodies and index pages, and the netrc and URL readers): no
//! panic, and each input handled in bounded time.

use ftpmirror::ftp::list::{parse_list, parse_mlsd, parse_mlsx_line, parse_nlst};
use ftpmirror::ftp::ReplyReader;
use ftpmirror::http::index::parse_index;
use ftpmirror::http::message::{content_range, read_head, Chunked};
use proptest::prelude::*;
use std::io::{Cursor, Read};
use std::time::{Duration, Instant};

/// Bytes that look like server output often enough to reach deep code paths.
fn server_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        any::<Vec<u8>>(),
        Just(b"-rw-r--r--   1 ftp ftp 1234 Jan 01 12:00 name\r\n".to_vec()),
        Just(b"drwxr-xr-x 2 0 0 4096 Jun 05  2019 dir\n".to_vec()),
        Just(b"lrwxrwxrwx 1 0 0 5 Jun 05 2019 a -> ../..\n".to_vec()),
        Just(b"01-16-02  11:14AM       <DIR>          name\r\n".to_vec()),
        Just(b"+i8388621.29609,m824255902,/,\tdev\r\n".to_vec()),
        Just(b"type=file;size=12;modify=20240101120000.5; n a;me\r\n".to_vec()),
        Just(b"<a href=\"x/\">x/</a> 16-Jan-2024 11:14 1234\n".to_vec()),
        Just(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".to_vec()),
        Just(b"5\r\nhello\r\n0\r\n\r\n".to_vec()),
        Just(b"211-Features:\r\n MLST\r\n211 End\r\n".to_vec()),
    ];
    prop::collection::vec(pieces, 0..12).prop_map(|parts| parts.concat())
}

fn bounded(what: &str, started: Instant) {
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{what} took {:?}",
        started.elapsed()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn ftp_replies(bytes in server_bytes()) {
        let started = Instant::now();
        let mut reader = ReplyReader::default();
        for line in String::from_utf8_lossy(&bytes).lines() {
            if reader.push(line).is_err() {
                break;
            }
        }
        bounded("replies", started);
    }

    #[test]
    fn ftp_listings(bytes in server_bytes()) {
        let started = Instant::now();
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap().and_hms_opt(12, 0, 0).unwrap();
        let listing = parse_list(&bytes, now);
        for entry in &listing.entries {
            prop_assert!(!entry.name.is_empty());
        }
        parse_mlsd(&bytes);
        parse_nlst(&bytes);
        let _ = parse_mlsx_line(&String::from_utf8_lossy(&bytes));
        bounded("listings", started);
    }

    #[test]
    fn http_heads_and_bodies(bytes in server_bytes()) {
        let started = Instant::now();
        if let Ok(head) = read_head(&mut Cursor::new(bytes.clone())) {
            let _ = head.framing("GET");
            let _ = head.keeps_alive();
        }
        let mut body = Vec::new();
        let _ = Chunked::new(Cursor::new(bytes.clone())).take(1 << 20).read_to_end(&mut body);
        let _ = content_range(&String::from_utf8_lossy(&bytes));
        bounded("http", started);
    }

    #[test]
    fn index_pages(bytes in server_bytes()) {
        let started = Instant::now();
        let page = url::Url::parse("http://127.0.0.1/pub/").unwrap();
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap().and_hms_opt(12, 0, 0).unwrap();
        let index = parse_index(&String::from_utf8_lossy(&bytes), &page, now);
        for entry in &index.entries {
            prop_assert!(ftpmirror::tree::unsafe_name(&entry.name).is_none(), "{:?}", entry.name);
        }
        bounded("index", started);
    }

    #[test]
    fn local_readers(text in ".*") {
        let _ = ftpmirror::tree::RelPath::parse(&text);
    }
}
