//! Unit tests of `ls -l` lines; the samples are from the sources each test names, or invented in
//! the shapes tests/fixtures/listings/notes/unix-variants.md describes (cited by section).

use chrono::NaiveDate;

use super::*;
use crate::remote::tree::{Mtime, Precision, Zone};

mod samples;

fn now() -> NaiveDateTime {
    at(2026, 11, 21, 20, 9)
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_opt(h, mi, 0)
        .unwrap()
}

fn entry(line: &str) -> Entry {
    match parse_unix_line(line, now()) {
        Ok(Some(entry)) => entry,
        other => panic!("{line:?} gave {other:?}"),
    }
}

fn minute(time: NaiveDateTime) -> Option<Mtime> {
    Some(Mtime {
        time,
        precision: Precision::Minute,
        zone: Zone::ServerLocal,
    })
}

fn day(y: i32, mo: u32, d: u32) -> Option<Mtime> {
    Some(Mtime {
        time: at(y, mo, d, 0, 0),
        precision: Precision::Day,
        zone: Zone::ServerLocal,
    })
}

#[test]
fn vsftpd_and_pyftpdlib_lines() {
    let e = entry("-rw-r--r--    1 0        0            1234 Jun 05  2019 name");
    assert_eq!(
        (e.name.as_str(), e.kind.clone(), e.size),
        ("name", Kind::File, Some(1234))
    );
    assert_eq!((e.mode, e.mtime), (Some(0o644), day(2019, 6, 5)));
    let e = entry("-rw-r--r--   1 ftp      ftp           123 Jan 01 12:00 name");
    assert_eq!(
        (e.size, e.mtime),
        (Some(123), minute(at(2026, 1, 1, 12, 0)))
    );
}

#[test]
fn ftpparse_samples() {
    // Lines from the comments of D. J. Bernstein's ftpparse.c.
    let e = entry("-rw-r--r--   1 root     other        531 Jan 29 03:26 README");
    assert_eq!((e.name.as_str(), e.size), ("README", Some(531)));
    let e = entry("dr-xr-xr-x   2 root     other        512 Apr  8  1994 etc");
    assert_eq!(
        (e.kind, e.mode, e.mtime),
        (Kind::Dir, Some(0o555), day(1994, 4, 8))
    );
    let e = entry("dr-xr-xr-x   2 root     512 Apr  8  1994 etc");
    assert_eq!((e.name.as_str(), e.size), ("etc", Some(512)));
    let e = entry("lrwxrwxrwx   1 root     other          7 Jan 25 00:17 bin -> usr/bin");
    assert_eq!(
        (e.name.as_str(), e.kind),
        (
            "bin",
            Kind::Symlink {
                target: Some("usr/bin".into())
            }
        )
    );
}

#[test]
fn other_column_layouts() {
    // From FileZilla's directory parser tests.
    let e = entry("-rw-r--r--   1 group domain user 531 Jan 29 03:26 13-unix-domain file");
    assert_eq!(
        (e.name.as_str(), e.size),
        ("13-unix-domain file", Some(531))
    );
    let e = entry("-------r--         326  1391972  1392298 Nov 22  1995 11-netpresenz file");
    assert_eq!(
        (e.name.as_str(), e.size),
        ("11-netpresenz file", Some(1_392_298))
    );
    let e = entry("drwxrwxr-x               folder        2 May 10  1996 12-netpresenz dir");
    assert_eq!((e.name.as_str(), e.size), ("12-netpresenz dir", Some(2)));
    let e = entry("drwxrwxrwx   1 0        0               0 29 Jul 02:27 2014 Invoices");
    assert_eq!(
        (e.name.as_str(), e.mtime),
        ("2014 Invoices", minute(at(2026, 7, 29, 2, 27)))
    );
    let e = entry("drwxr-xr-x 3 user group 512 01 oct 2004 52-swapped-daymonth dir");
    assert_eq!(e.mtime, day(2004, 10, 1));
    // Link count absent.
    let e = entry("-rw-r--r-- owner group 42 Mar  3  2003 no-links");
    assert_eq!((e.name.as_str(), e.size), ("no-links", Some(42)));
}

#[test]
fn names_keep_their_spaces() {
    let line = "-rw-r--r--    1 0        0               0 Nov 21 20:08  leading space";
    assert_eq!(entry(line).name, " leading space");
    let line = "-rw-r--r--    1 0        0               0 Dec 31  1999 trailing space ";
    assert_eq!(entry(line).name, "trailing space ");
    let line = "-rw-------    1 0        0               0 Nov 21 20:08 two  spaces";
    assert_eq!(entry(line).name, "two  spaces");
    let line = "-rw-r--r--   1 u g 1 Jan 01 12:00    three leading";
    assert_eq!(entry(line).name, "   three leading");
}

#[test]
fn names_that_look_like_columns() {
    let e = entry("-rw-r--r--    1 500      500       1558532 Dec 30  2009 2009-12");
    assert_eq!(e.name, "2009-12");
    let e = entry("-rw-r--r--    1 u        g         5 Jan  1  2020 Feb  2  2021 x");
    assert_eq!(
        (e.name.as_str(), e.mtime),
        ("Feb  2  2021 x", day(2020, 1, 1))
    );
    // An owner named like a month, a group like a day.
    let e = entry("-rw-r--r--    1 jan      12        1999 Mar  3  2000 x");
    assert_eq!(
        (e.name.as_str(), e.size, e.mtime),
        ("x", Some(1999), day(2000, 3, 3))
    );
    let e = entry("-rw-r--r--    1 0        0               0 Dec 31  1999 a -> b");
    assert_eq!((e.name.as_str(), e.kind), ("a -> b", Kind::File));
}

#[test]
fn symlinks() {
    let e = entry(
        "lrwxrwxrwx    1 0        0              14 Nov 21 20:08 link with space -> with space.txt",
    );
    assert_eq!(e.name, "link with space");
    assert_eq!(
        e.kind,
        Kind::Symlink {
            target: Some("with space.txt".into())
        }
    );
    assert_eq!(e.size, Some(14));
    let e = entry("lrwxrwxrwx 1 u g 3 Jan 01 12:00 a -> b -> c");
    assert_eq!(
        (e.name.as_str(), e.kind),
        (
            "a",
            Kind::Symlink {
                target: Some("b -> c".into())
            }
        )
    );
    let e = entry("lrwxrwxrwx 1 u g 3 Jan 01 12:00 no-arrow");
    assert_eq!(
        (e.name.as_str(), e.kind),
        ("no-arrow", Kind::Symlink { target: None })
    );
    assert_eq!(
        parse_unix_line("lrwxrwxrwx 1 u g 3 Jan 01 12:00  -> x", now()),
        Err(())
    );
}

#[test]
fn devices_and_other_types() {
    let e = entry("crw-rw-rw- 1 root root 1, 3 Jan 1 2020 null");
    assert_eq!(
        (e.name.as_str(), e.kind, e.size),
        ("null", Kind::Other, None)
    );
    assert_eq!(e.mtime, day(2020, 1, 1));
    let e = entry("brw-rw----   1 root     disk       8,   0 Nov 21 20:00 sda");
    assert_eq!((e.kind, e.size), (Kind::Other, None));
    let e = entry("crw-rw-rw- 1 root root 1,3 Jan 1 2020 null");
    assert_eq!((e.name.as_str(), e.size), ("null", None));
    for letter in ['p', 's', 'D'] {
        let e = entry(&format!("{letter}rw-r--r-- 1 u g 0 Jan 1 2020 x"));
        assert_eq!((e.kind, e.size), (Kind::Other, Some(0)));
    }
}

#[test]
fn mode_bits() {
    let cases = [
        ("-rwsr-xr-x", 0o4755),
        ("-rwSr--r--", 0o4644),
        ("drwxr-s---", 0o2750),
        ("-rw-r-Sr--", 0o2644),
        ("-rw-r-lr--", 0o2644),
        ("drwxrwxrwt", 0o1777),
        ("drwxrwxrwT", 0o1776),
        ("----------", 0),
        ("-rw-r--r--+", 0o644),
        ("-rw-r--r--@", 0o644),
        ("-rw-r--r--.", 0o644),
    ];
    for (mode, bits) in cases {
        let e = entry(&format!("{mode} 1 u g 0 Jan 1 2020 x"));
        assert_eq!(e.mode, Some(bits), "{mode}");
    }
    for bad in [
        "-rw-r--r-",
        "-rw-r--r--x",
        "xrw-r--r--",
        "-rt-r--r--",
        "-rw-r--r-s",
        "-rw-r--r--++",
        "drwxrwxrw?",
    ] {
        assert_eq!(
            parse_unix_line(&format!("{bad} 1 u g 0 Jan 1 2020 x"), now()),
            Err(()),
            "{bad}"
        );
    }
}

#[test]
fn month_names_in_any_case() {
    assert_eq!(
        entry("-rw-r--r-- 1 u g 0 JAN 1 2020 x").mtime,
        day(2020, 1, 1)
    );
    assert_eq!(
        entry("-rw-r--r-- 1 u g 0 dec 31 2020 x").mtime,
        day(2020, 12, 31)
    );
}

#[test]
fn year_inference() {
    let mtime = |date: &str| entry(&format!("-rw-r--r-- 1 u g 0 {date} x")).mtime;
    // Earlier this year, and later this year (so last year).
    assert_eq!(mtime("Jan 01 12:00"), minute(at(2026, 1, 1, 12, 0)));
    assert_eq!(mtime("Dec 01 12:00"), minute(at(2025, 12, 1, 12, 0)));
    // Up to a day ahead of `now` is clock skew, not last year.
    assert_eq!(mtime("Nov 21 23:08"), minute(at(2026, 11, 21, 23, 8)));
    assert_eq!(mtime("Nov 22 20:09"), minute(at(2026, 11, 22, 20, 9)));
    assert_eq!(mtime("Nov 22 20:10"), minute(at(2025, 11, 22, 20, 10)));
    // `24:00` is the midnight that ends the day.
    assert_eq!(mtime("Apr   4 24:00"), minute(at(2026, 4, 5, 0, 0)));
    // `Feb 29` with no year: the latest leap year that fits (now is 2026-11-21).
    assert_eq!(mtime("Feb 29 12:00"), minute(at(2024, 2, 29, 12, 0)));
    // A date that does not exist makes the line junk.
    for date in [
        "Feb 30 12:00",
        "Feb 29  2021",
        "Nov 31 10:00",
        "Apr 31  2020",
    ] {
        let line = format!("-rw-r--r-- 1 u g 0 {date} x");
        assert_eq!(parse_unix_line(&line, now()), Err(()), "{line}");
    }
}

#[test]
fn year_inference_at_new_year() {
    let line = "-rw-r--r-- 1 u g 0 Jan  1 00:10 x";
    let e = parse_unix_line(line, at(2026, 12, 31, 23, 0))
        .unwrap()
        .unwrap();
    assert_eq!(e.mtime, minute(at(2027, 1, 1, 0, 10)));
    let line = "-rw-r--r-- 1 u g 0 Dec 31 23:50 x";
    let e = parse_unix_line(line, at(2027, 1, 1, 0, 30))
        .unwrap()
        .unwrap();
    assert_eq!(e.mtime, minute(at(2026, 12, 31, 23, 50)));
    let line = "-rw-r--r-- 1 u g 0 Feb 29 12:00 x";
    let e = parse_unix_line(line, at(2025, 3, 10, 0, 0))
        .unwrap()
        .unwrap();
    assert_eq!(e.mtime, minute(at(2024, 2, 29, 12, 0)));
}

#[test]
fn skipped_lines() {
    assert_eq!(parse_unix_line("total 36", now()), Ok(None));
    assert_eq!(parse_unix_line("total 0", now()), Ok(None));
    assert_eq!(
        parse_unix_line(
            "drwxr-xr-x    4 0        0            4096 Nov 21 20:08 .",
            now()
        ),
        Ok(None)
    );
    assert_eq!(
        parse_unix_line(
            "drwxr-xr-x    4 0        0            4096 Nov 21 20:08 ..",
            now()
        ),
        Ok(None)
    );
}

#[test]
fn unreadable_lines() {
    let lines = [
        "",
        "total",
        "total lots",
        "-rw-r--r-- 1 u g 0 Jan 1 2020",
        "-rw-r--r-- 1 u g 0 Jan 1 2020 ",
        "-rw-r--r-- 1 u g 0 Jan 32 2020 x",
        "-rw-r--r-- 1 u g 0 Jan 1 25:00 x",
        "-rw-r--r-- 1 u g 0 Jan 1 24:01 x",
        "-rw-r--r-- 1 u g 0 Jan 1 12:5 x",
        "-rw-r--r-- 1 u g 0 Jan 1 20201 x",
        "-rw-r--r-- 1 u g +5 Jan 1 2020 x",
        "-r-xr-xr-x longowner longgroup123456 Feb 12 17:20 x",
        " -rw-r--r-- 1 u g 0 Jan 1 2020 x",
        "04-27-00  09:09PM       <DIR>          licensed",
        "+i8388621.29609,m824255902,/,\tdev",
        "type=file;size=1; x",
    ];
    for line in lines {
        assert_eq!(parse_unix_line(line, now()), Err(()), "{line:?}");
    }
}
