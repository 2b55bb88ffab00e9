//! Pages of servers that cannot run here, reconstructed from their public sources
//! (`tests/fixtures/index/README.md`, "Reconstructed"): Tomcat, Nexus 2, IIS in a year-first
//! locale.

use chrono::NaiveDate;

use super::parse;
use crate::http::index::{Index, Style};
use crate::remote::tree::{Kind, Mtime, Precision, SizeRange, Zone};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../../tests/fixtures/index/", $name))
    };
}

fn time(date: (i32, u32, u32), clock: (u32, u32, u32), precision: Precision, zone: Zone) -> Mtime {
    let day = NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
    Mtime {
        time: day.and_hms_opt(clock.0, clock.1, clock.2).unwrap(),
        precision,
        zone,
    }
}

/// Each entry as `(name, kind, size, size range, time)`.
type Row = (
    &'static str,
    Kind,
    Option<u64>,
    Option<(u64, u64)>,
    Option<Mtime>,
);

fn check(index: &Index, expected: &[Row]) {
    assert_eq!(index.ignored, Vec::<String>::new());
    let listed: Vec<Row> = index
        .entries
        .iter()
        .map(|e| {
            let range = e.size_range.map(|SizeRange { min, max }| (min, max));
            let name = expected
                .iter()
                .find(|row| row.0 == e.name)
                .map_or("?", |r| r.0);
            (name, e.kind.clone(), e.size, range, e.mtime)
        })
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn tomcat() {
    let index = parse(fixture!("tomcat.html"), "http://127.0.0.1:8080/pub/");
    assert_eq!((index.style, index.marks_dirs), (Style::Tomcat, true));
    let utc = |date, clock| Some(time(date, clock, Precision::Second, Zone::Utc));
    let t = utc((2024, 1, 16), (11, 14, 30));
    // Tenths of a KiB, truncated: `1.4 KiB` for 1500 bytes, `0.1 KiB` for 3.
    let kib = |tenths: u64| Some(((tenths.max(1) - 1) * 1024 / 10, (tenths + 1) * 1024 / 10));
    let expected: &[Row] = &[
        ("empty dir", Kind::Dir, None, None, t),
        ("subdir", Kind::Dir, None, None, t),
        ("1500.bin", Kind::File, None, kib(14), t),
        ("1k.bin", Kind::File, None, kib(10), t),
        ("5m.bin", Kind::File, None, kib(51200), t),
        ("a&b.txt", Kind::File, None, kib(1), t),
        ("empty.txt", Kind::File, None, Some((0, 102)), t),
        ("exact-1234.bin", Kind::File, None, kib(12), t),
        (
            "old.txt",
            Kind::File,
            None,
            kib(1),
            utc((2001, 2, 3), (4, 5, 6)),
        ),
        ("with space.txt", Kind::File, None, kib(1), t),
    ];
    check(&index, expected);
}

#[test]
fn nexus() {
    let page = "http://repo.example.org/nexus/content/repositories/releases/org/example/lib/";
    let index = parse(fixture!("nexus.html"), page);
    assert_eq!((index.style, index.marks_dirs), (Style::Nexus, true));
    let second = |date, clock, zone| Some(time(date, clock, Precision::Second, zone));
    // EDT is UTC-4, PST UTC-8; CST (China's too) and CEST stay the server's own clock.
    let edt = second((2013, 7, 9), (17, 22, 10), Zone::Utc);
    let expected: &[Row] = &[
        ("1.0", Kind::Dir, None, None, edt),
        (
            "1.1",
            Kind::Dir,
            None,
            None,
            second((2014, 1, 10), (17, 0, 0), Zone::Utc),
        ),
        ("maven-metadata.xml", Kind::File, Some(412), None, edt),
        (
            "maven-metadata.xml.md5",
            Kind::File,
            Some(32),
            None,
            second((2013, 7, 9), (13, 22, 10), Zone::Utc),
        ),
        (
            "maven-metadata.xml.sha1",
            Kind::File,
            Some(40),
            None,
            second((2013, 7, 10), (1, 22, 10), Zone::ServerLocal),
        ),
        (
            "notes.txt",
            Kind::File,
            Some(1234),
            None,
            second((2013, 7, 9), (19, 22, 10), Zone::ServerLocal),
        ),
    ];
    check(&index, expected);
}

#[test]
fn iis_year_first_dates() {
    let index = parse(fixture!("iis-ymd.html"), "http://files.example.jp/pub/");
    assert_eq!((index.style, index.marks_dirs), (Style::Iis, true));
    let minute = |date, clock| Some(time(date, clock, Precision::Minute, Zone::ServerLocal));
    let expected: &[Row] = &[
        (
            "docs",
            Kind::Dir,
            None,
            None,
            minute((2010, 12, 21), (15, 56, 0)),
        ),
        (
            "1500.bin",
            Kind::File,
            Some(1500),
            None,
            minute((2024, 1, 16), (11, 14, 0)),
        ),
        (
            "old.txt",
            Kind::File,
            Some(4),
            None,
            minute((2001, 2, 3), (4, 5, 0)),
        ),
        (
            "big.bin",
            Kind::File,
            Some(1234),
            None,
            minute((2024, 2, 29), (0, 30, 0)),
        ),
    ];
    check(&index, expected);
}

#[test]
fn java_and_go_and_http_dates() {
    use crate::http::index::fields::{go_time, http_date, iso_utc, java_date};
    let utc = |date, clock| Some(time(date, clock, Precision::Second, Zone::Utc));
    let words = |text: &'static str| text.split_whitespace().collect::<Vec<_>>();
    let t = utc((2024, 1, 16), (11, 14, 30));
    assert_eq!(iso_utc(" 2024-01-16T11:14:30Z"), t);
    assert_eq!(iso_utc("2024-01-16T11:14Z"), None);
    assert_eq!(iso_utc("2024-01-16T11:14:30"), None);
    assert_eq!(go_time("2024-01-16 11:14:30 +0000 UTC"), t);
    assert_eq!(go_time("2024-01-16 16:44:30.123456789 +0530 IST"), t);
    assert_eq!(go_time("2024-01-16 03:14:30 -0800 PST"), t);
    assert_eq!(go_time("2024-01-16 11:14:30 UTC"), None);
    assert_eq!(go_time("2024-01-16 11:14:30 +2400 X"), None);
    assert_eq!(http_date(&words("Tue, 16 Jan 2024 11:14:30 GMT")), t);
    assert_eq!(http_date(&words("Tue, 16 Jan 2024 11:14:30 CET")), None);
    assert_eq!(java_date(&words("Tue Jan 16 06:14:30 EST 2024")), t);
    assert_eq!(java_date(&words("Tue Jan 16 03:14:30 PST 2024")), t);
    assert_eq!(java_date(&words("Tue Jan 16 11:14:30 GMT 2024")), t);
    let local = Some(time(
        (2024, 1, 16),
        (11, 14, 30),
        Precision::Second,
        Zone::ServerLocal,
    ));
    assert_eq!(java_date(&words("Tue Jan 16 11:14:30 CST 2024")), local);
    assert_eq!(java_date(&words("Tue Jan 16 11:14:30 JST 2024")), local);
    assert_eq!(java_date(&words("Tue Jan 16 11:14:30 +05 2024")), None);
    assert_eq!(java_date(&words("Tue Jan 32 11:14:30 GMT 2024")), None);
}
