//! Tests of whole listings: the captured fixtures, and the choice of a dialect.

use super::*;
use crate::remote::tree::{Kind, Mtime, Precision, Zone};
use chrono::NaiveDate;

/// A fixture file's bytes; see `tests/fixtures/listings/README.md` for where each came from.
macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../../tests/fixtures/listings/", $name)).as_slice()
    };
}

const VSFTPD_LIST: &[u8] = fixture!("vsftpd-list.txt");
const PYFTPDLIB_LIST: &[u8] = fixture!("pyftpdlib-list.txt");
const PYFTPDLIB_MLSD: &[u8] = fixture!("pyftpdlib-mlsd.txt");
const PROFTPD_MLSD: &[u8] = fixture!("proftpd-mlsd.txt");
const PUREFTPD_MLSD: &[u8] = fixture!("pureftpd-mlsd.txt");
const IIS_LIST: &[u8] = fixture!("iis-list.txt");
const EPLF_LIST: &[u8] = fixture!("eplf-list.txt");

/// When the server fixtures were captured (server clocks, UTC).
fn captured() -> NaiveDateTime {
    at(2026, 11, 21, 20, 9, 0)
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .unwrap()
        .and_hms_opt(h, mi, s)
        .unwrap()
}

fn local(time: NaiveDateTime, precision: Precision) -> Option<Mtime> {
    Some(Mtime {
        time,
        precision,
        zone: Zone::ServerLocal,
    })
}

fn find<'a>(listing: &'a Listing, name: &str) -> &'a Entry {
    let found = listing.entries.iter().find(|e| e.name == name);
    found.unwrap_or_else(|| panic!("no entry {name:?} in {:#?}", listing.entries))
}

fn names(listing: &Listing) -> Vec<&str> {
    listing.entries.iter().map(|e| e.name.as_str()).collect()
}

#[test]
fn names_holding_a_slash_are_unread() {
    let mlsd = parse_mlsd(b"type=file;size=1; a/b\r\ntype=file;size=1; ok\r\n");
    let names: Vec<_> = mlsd.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!((names, mlsd.unread.len()), (vec!["ok"], 1));
    let list = parse_list(
        b"-rw-r--r-- 1 u g 1 Jan 01 2020 ../x\r\n-rw-r--r-- 1 u g 1 Jan 01 2020 ok\r\n",
        captured(),
    );
    let names: Vec<_> = list.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!((names, list.unread.len()), (vec!["ok"], 1));
}

#[test]
fn lines_strip_crlf_and_lf_and_skip_empty_lines() {
    let got: Vec<String> = lines(b"a\r\nb\n\r\n\nc\r")
        .map(|line| match line {
            Line::Text(t) => t.to_owned(),
            Line::Binary(_) => "<binary>".to_owned(),
        })
        .collect();
    assert_eq!(got, ["a", "b", "c"]);
}

#[test]
fn vsftpd_list_reads_every_utf8_line_and_leaves_latin1_unread() {
    let listing = parse_list(VSFTPD_LIST, captured());
    assert_eq!(listing.dialect, Some(Dialect::Unix));
    assert_eq!(listing.entries.len(), 18);
    // The server sent the ISO-8859-1 name as raw bytes: not UTF-8, so not an entry.
    let latin1 = "-rw-r--r--    1 0        0               0 Nov 21 20:08 caf\\xE9-latin1.txt";
    assert_eq!(listing.unread, [latin1]);
    assert_eq!(names(&listing)[0], " leading space");
    assert!(names(&listing).contains(&"trailing space "));
    assert!(names(&listing).contains(&"two  spaces"));
    assert!(names(&listing).contains(&"日本語.txt"));
}

#[test]
fn vsftpd_list_entries_carry_what_ls_said() {
    let listing = parse_list(VSFTPD_LIST, captured());
    let plain = find(&listing, "plain.txt");
    assert_eq!(plain.kind, Kind::File);
    assert_eq!(plain.size, Some(6));
    assert_eq!(plain.mode, Some(0o644));
    assert_eq!(plain.mtime, local(at(2019, 6, 5, 0, 0, 0), Precision::Day));
    let big = find(&listing, "big.bin");
    assert_eq!((big.size, big.mode), (Some(5_242_880_000), Some(0o4755)));
    assert_eq!(
        big.mtime,
        local(at(2026, 11, 21, 20, 8, 0), Precision::Minute)
    );
    // ` -> ` is part of a regular file's name; only links have targets.
    assert_eq!(find(&listing, "a -> b").kind, Kind::File);
    let link = find(&listing, "link with space");
    assert_eq!(
        link.kind,
        Kind::Symlink {
            target: Some("with space.txt".into())
        }
    );
    assert_eq!(find(&listing, "fifo").kind, Kind::Other);
    assert_eq!(find(&listing, "subdir").mode, Some(0o2750));
    assert_eq!(find(&listing, "dir with space").mode, Some(0o1777));
    assert_eq!(find(&listing, "numeric-owner").size, Some(0));
}

#[test]
fn vsftpd_shows_future_files_with_a_year() {
    // vsftpd prints a year for any file dated after its clock (three hours ahead here).
    let listing = parse_list(VSFTPD_LIST, captured());
    let future = find(&listing, "future-soon.txt");
    assert_eq!(
        future.mtime,
        local(at(2026, 11, 21, 0, 0, 0), Precision::Day)
    );
}

#[test]
fn every_captured_list_is_read_whole() {
    // (fixture, entries, unread): the unread line is always the ISO-8859-1 name; `-a`
    // listings add `.` and `..`, which are dropped silently; Pure-FTPd leaves the fifo out.
    let cases = [
        (fixture!("vsftpd-list.txt"), 18, 1),
        (fixture!("vsftpd-list-a.txt"), 18, 1),
        (fixture!("pyftpdlib-list.txt"), 19, 0),
        (fixture!("proftpd-list.txt"), 18, 1),
        (fixture!("proftpd-list-a.txt"), 18, 1),
        (fixture!("pureftpd-list.txt"), 17, 1),
        (fixture!("pureftpd-list-a.txt"), 17, 1),
    ];
    for (i, (data, entries, unread)) in cases.into_iter().enumerate() {
        let listing = parse_list(data, captured());
        assert_eq!(listing.dialect, Some(Dialect::Unix), "case {i}");
        assert_eq!(
            listing.entries.len(),
            entries,
            "case {i}: {:?}",
            names(&listing)
        );
        assert_eq!(
            listing.unread.len(),
            unread,
            "case {i}: {:?}",
            listing.unread
        );
        for name in [
            " leading space",
            "trailing space ",
            "two  spaces",
            "a -> b",
            "日本語.txt",
        ] {
            assert_eq!(find(&listing, name).kind, Kind::File, "case {i}");
        }
        let link = find(&listing, "link with space");
        assert_eq!(
            link.kind,
            Kind::Symlink {
                target: Some("with space.txt".into())
            }
        );
        assert_eq!(
            find(&listing, "big.bin").size,
            Some(5_242_880_000),
            "case {i}"
        );
        assert_eq!(
            find(&listing, "plain.txt").mtime,
            local(at(2019, 6, 5, 0, 0, 0), Precision::Day)
        );
    }
}

#[test]
fn every_captured_mlsd_is_read_whole() {
    // (fixture, entries, unread): cdir/pdir are dropped, the unread line is the ISO-8859-1
    // name (pyftpdlib sent `caf?`), pyftpdlib and ProFTPD leave the dangling link out.
    let cases = [
        (fixture!("pyftpdlib-mlsd.txt"), 18, 0),
        (fixture!("pyftpdlib-mlsd-unix.txt"), 18, 0),
        (fixture!("proftpd-mlsd.txt"), 17, 1),
        (fixture!("pureftpd-mlsd.txt"), 18, 1),
    ];
    for (i, (data, entries, unread)) in cases.into_iter().enumerate() {
        let listing = parse_mlsd(data);
        assert_eq!(
            listing.entries.len(),
            entries,
            "case {i}: {:?}",
            names(&listing)
        );
        assert_eq!(
            listing.unread.len(),
            unread,
            "case {i}: {:?}",
            listing.unread
        );
        assert!(
            !names(&listing).iter().any(|n| *n == "." || *n == ".."),
            "case {i}"
        );
        let plain = find(&listing, "plain.txt");
        let utc = Mtime {
            time: at(2019, 6, 5, 10, 20, 30),
            precision: Precision::Second,
            zone: Zone::Utc,
        };
        assert_eq!(
            (plain.kind.clone(), plain.size, plain.mtime),
            (Kind::File, Some(6), Some(utc))
        );
        assert!(plain.unique.is_some(), "case {i}");
        for name in [
            " leading space",
            "trailing space ",
            "two  spaces",
            "a -> b",
            "semi;colon;name",
        ] {
            assert_eq!(find(&listing, name).kind, Kind::File, "case {i}");
        }
        assert_eq!(find(&listing, "subdir").kind, Kind::Dir, "case {i}");
    }
}

#[test]
fn every_captured_nlst_is_read_whole() {
    let cases = [
        (fixture!("vsftpd-nlst.txt"), 18, 1),
        (fixture!("pyftpdlib-nlst.txt"), 19, 0),
        (fixture!("proftpd-nlst.txt"), 17, 1),
        // Pure-FTPd's NLST lists `.` and `..` too.
        (fixture!("pureftpd-nlst.txt"), 18, 1),
    ];
    for (i, (data, count, unread)) in cases.into_iter().enumerate() {
        let (names, bad) = parse_nlst(data);
        assert_eq!(
            (names.len(), bad.len()),
            (count, unread),
            "case {i}: {names:?}"
        );
        assert!(names.contains(&" leading space".to_owned()), "case {i}");
        assert!(names.contains(&"trailing space ".to_owned()), "case {i}");
        assert!(!names.iter().any(|n| n == "." || n == ".."), "case {i}");
    }
}

#[test]
fn pyftpdlib_list_future_time_within_a_day_stays_in_this_year() {
    let listing = parse_list(PYFTPDLIB_LIST, captured());
    assert_eq!(listing.dialect, Some(Dialect::Unix));
    assert_eq!(listing.entries.len(), 19);
    assert!(listing.unread.is_empty());
    // pyftpdlib replaced the undecodable byte by `?` itself.
    assert!(names(&listing).contains(&"caf?-latin1.txt"));
    let future = find(&listing, "future-soon.txt");
    assert_eq!(
        future.mtime,
        local(at(2026, 11, 21, 23, 8, 0), Precision::Minute)
    );
    let dangling = find(&listing, "dangling");
    assert_eq!(
        dangling.kind,
        Kind::Symlink {
            target: Some("/nonexistent/target".into())
        }
    );
}

#[test]
fn pyftpdlib_mlsd_follows_symlinks() {
    // pyftpdlib stats through links: a link is listed as its target's type, and a dangling
    // link is not listed at all. Recorded here so nobody "fixes" the parser for it.
    let listing = parse_mlsd(PYFTPDLIB_MLSD);
    assert_eq!(find(&listing, "link-to-plain").kind, Kind::File);
    assert!(!names(&listing).contains(&"dangling"));
}

#[test]
fn pyftpdlib_mlsd_unix_mode_has_a_python_octal_prefix() {
    let listing = parse_mlsd(fixture!("pyftpdlib-mlsd-unix.txt"));
    assert_eq!(find(&listing, "plain.txt").mode, Some(0o644));
    assert_eq!(find(&listing, "subdir").mode, Some(0o750));
}

#[test]
fn proftpd_mlsd_types_and_modes() {
    let listing = parse_mlsd(PROFTPD_MLSD);
    let link = find(&listing, "link with space");
    assert_eq!(
        (link.kind.clone(), link.size),
        (Kind::Symlink { target: None }, Some(14))
    );
    assert_eq!(find(&listing, "big.bin").mode, Some(0o4755));
    assert_eq!(find(&listing, "subdir").mode, Some(0o2750));
    assert_eq!(find(&listing, "dir with space").mode, Some(0o1777));
    // ProFTPD calls a fifo a file: the listing says so, the entry says so.
    assert_eq!(find(&listing, "fifo").kind, Kind::File);
    assert!(!names(&listing).contains(&"dangling"));
}

#[test]
fn pureftpd_mlsd_types() {
    let listing = parse_mlsd(PUREFTPD_MLSD);
    // `type=OS.unix=slink:` with nothing after the colon.
    assert_eq!(
        find(&listing, "dangling").kind,
        Kind::Symlink { target: None }
    );
    assert_eq!(find(&listing, "fifo").kind, Kind::Other);
    // Directories come with `sizd`, which is not a size.
    assert_eq!(find(&listing, "subdir").size, None);
    assert_eq!(find(&listing, "big.bin").mode, Some(0o4755));
}

#[test]
fn iis_fixture_is_read_as_dos() {
    let listing = parse_list(IIS_LIST, captured());
    assert_eq!(listing.dialect, Some(Dialect::Dos));
    assert!(listing.unread.is_empty(), "{:?}", listing.unread);
    assert_eq!(find(&listing, "licensed").kind, Kind::Dir);
    let readme = find(&listing, "readme.htm");
    assert_eq!(readme.size, Some(589));
    assert_eq!(
        readme.mtime,
        local(at(2000, 4, 14, 15, 47, 0), Precision::Minute)
    );
    assert_eq!(find(&listing, "19-dos-longyear file").size, Some(9730));
    let zip = find(&listing, "naxp11e.zip");
    assert_eq!(
        zip.mtime,
        local(at(2008, 9, 9, 3, 50, 0), Precision::Minute)
    );
}

#[test]
fn eplf_fixture_is_read_as_eplf() {
    let listing = parse_list(EPLF_LIST, captured());
    assert_eq!(listing.dialect, Some(Dialect::Eplf));
    assert!(listing.unread.is_empty(), "{:?}", listing.unread);
    assert_eq!(find(&listing, "dev").kind, Kind::Dir);
    assert_eq!(find(&listing, "RFCEPLF").size, Some(10376));
    assert_eq!(find(&listing, "14-eplf file").mode, Some(0o755));
}

#[test]
fn nlst_skips_dot_entries_and_empty_lines() {
    let (names, unread) = parse_nlst(b".\r\n..\r\n\r\ndir/a b\r\n");
    assert_eq!(names, ["dir/a b"]);
    assert!(unread.is_empty());
}

#[test]
fn junk_among_unix_lines_goes_to_unread() {
    let data = b"total 8\r\n\
        -rw-r--r--    1 0        0            1234 Jun 05  2019 a\r\n\
        this is not a listing line\r\n\
        drwxr-xr-x    2 0        0            4096 Jun 05  2019 b\r\n";
    let listing = parse_list(data, captured());
    assert_eq!(listing.dialect, Some(Dialect::Unix));
    assert_eq!(names(&listing), ["a", "b"]);
    assert_eq!(listing.unread, ["this is not a listing line"]);
}

#[test]
fn a_dos_looking_line_does_not_switch_a_unix_listing() {
    let data = b"-rw-r--r--    1 0        0            1234 Jun 05  2019 a\n\
        04-27-00  09:09PM       <DIR>          licensed\n\
        -rw-r--r--    1 0        0            1234 Jun 05  2019 b\n";
    let listing = parse_list(data, captured());
    assert_eq!(listing.dialect, Some(Dialect::Unix));
    assert_eq!(names(&listing), ["a", "b"]);
    assert_eq!(listing.unread.len(), 1);
}

#[test]
fn fewest_failures_wins_and_ties_go_to_unix() {
    let dos = b"04-27-00  09:09PM       <DIR>          licensed\njunk\n";
    assert_eq!(parse_list(dos, captured()).dialect, Some(Dialect::Dos));
    let junk = parse_list(b"junk\nmore junk\n", captured());
    assert_eq!(junk.dialect, None);
    assert!(junk.entries.is_empty());
    assert_eq!(junk.unread, ["junk", "more junk"]);
}

#[test]
fn empty_listings() {
    assert_eq!(parse_list(b"", captured()).dialect, None);
    assert_eq!(
        parse_list(b"total 0\r\n", captured()).dialect,
        Some(Dialect::Unix)
    );
    let mlsd = parse_mlsd(b"");
    assert_eq!((mlsd.dialect, mlsd.entries.len()), (Some(Dialect::Mlsd), 0));
}

#[test]
fn mlsd_bad_lines_go_to_unread() {
    let listing = parse_mlsd(b"type=file;size=1; a\r\nno facts here\r\nnospace\r\n");
    assert_eq!(names(&listing), ["a"]);
    assert_eq!(listing.unread, ["no facts here", "nospace"]);
}

#[test]
fn non_utf8_lines_are_never_entries() {
    let data = b"type=file;size=1; caf\xe9\r\ntype=file;size=2; ok\r\n";
    let listing = parse_mlsd(data);
    assert_eq!(names(&listing), ["ok"]);
    assert_eq!(listing.unread, ["type=file;size=1; caf\\xE9"]);
}

/// The headers of z/OS data set, member and load module lists (mvs.md).
const MVS_HEADERS: [&str; 3] = [
    "Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname",
    " Name     VV.MM   Created       Changed      Size  Init   Mod   Id",
    " Name      Size     TTR   Alias-of AC--------- Attributes--------- Amode Rmode",
];

#[test]
fn no_line_prefix_or_suffix_panics_any_parser() {
    // Cut every fixture line at every byte (mid-character too, then made valid UTF-8 again):
    // each parser must return, never panic.
    let fixtures = [
        VSFTPD_LIST,
        PYFTPDLIB_LIST,
        PYFTPDLIB_MLSD,
        PROFTPD_MLSD,
        PUREFTPD_MLSD,
        IIS_LIST,
        EPLF_LIST,
    ];
    for line in fixtures.iter().flat_map(|data| data.split(|&b| b == b'\n')) {
        for cut in 0..=line.len() {
            for part in [&line[..cut], &line[cut..]] {
                let text = String::from_utf8_lossy(part);
                let _ = unix::parse_unix_line(&text, captured());
                let _ = dos::parse_dos_line(&text);
                let _ = eplf::parse_eplf_line(&text);
                let _ = parse_mlsx_line(&text);
                let _ = netware::parse_netware_line(&text, captured());
                let _ = os2::parse_os2_line(&text);
                let _ = os400::read(&[Line::Text(&text)], captured());
                for header in MVS_HEADERS {
                    let _ = mvs::read(&[Line::Text(header), Line::Text(&text)]);
                }
                let _ = vms::read(&[Line::Text("LONG_NAME.TXT;1"), Line::Text(&text)]);
            }
        }
    }
}

#[test]
fn helpers_reject_signs_and_empty_text() {
    assert_eq!(decimal("+5"), None);
    assert_eq!(decimal(""), None);
    assert_eq!(decimal("18446744073709551616"), None);
    assert_eq!(octal_mode("+7"), None);
    assert_eq!(octal_mode("8"), None);
    assert_eq!(octal_mode("0100644"), Some(0o644));
}

/// Every captured fixture, whatever command it answers.
const ALL_FIXTURES: [&[u8]; 17] = [
    fixture!("vsftpd-list.txt"),
    fixture!("vsftpd-list-a.txt"),
    fixture!("vsftpd-nlst.txt"),
    fixture!("pyftpdlib-list.txt"),
    fixture!("pyftpdlib-mlsd.txt"),
    fixture!("pyftpdlib-mlsd-unix.txt"),
    fixture!("pyftpdlib-nlst.txt"),
    fixture!("proftpd-list.txt"),
    fixture!("proftpd-list-a.txt"),
    fixture!("proftpd-mlsd.txt"),
    fixture!("proftpd-nlst.txt"),
    fixture!("pureftpd-list.txt"),
    fixture!("pureftpd-list-a.txt"),
    fixture!("pureftpd-mlsd.txt"),
    fixture!("pureftpd-nlst.txt"),
    fixture!("iis-list.txt"),
    fixture!("eplf-list.txt"),
];

/// How many lines of `data` each dialect added after Unix, DOS and EPLF reads, entries and
/// skipped lines alike.
fn read_by_new_dialects(data: &[u8]) -> Vec<(Dialect, usize)> {
    let lines: Vec<Line> = lines(data).collect();
    let netware = |line: &str| netware::parse_netware_line(line, captured());
    vec![
        (
            Dialect::Netware,
            read_text_lines(lines.iter().copied(), netware).read,
        ),
        (
            Dialect::Os2,
            read_text_lines(lines.iter().copied(), os2::parse_os2_line).read,
        ),
    ]
}

#[test]
fn no_new_dialect_reads_a_captured_line() {
    // So every captured listing is read exactly as before the new dialects came (their counts
    // and entries are checked by the tests above).
    for (i, data) in ALL_FIXTURES.into_iter().enumerate() {
        for (dialect, read) in read_by_new_dialects(data) {
            assert_eq!(read, 0, "fixture {i}: {dialect:?}");
        }
    }
}

#[test]
fn netware_listing() {
    // netware.md, "Samples".
    let data = b"d [RWCEAFMS] anna                            512 Nov 28 14:05    data\r\n\
        - [RWCEAFMS] anna                          18342 Mar  7  2021    report.txt\r\n\
        d[RWCEMFA] supervisor            512       Oct 09 06:12    public\r\n";
    let listing = parse_list(data, captured());
    assert_eq!(listing.dialect, Some(Dialect::Netware));
    assert_eq!(names(&listing), ["data", "report.txt", "public"]);
    assert!(listing.unread.is_empty());
}

#[test]
fn os2_listing() {
    // os2.md §1; the DOS line among them stays unread (os2.md §3), and a DOS listing stays DOS.
    let data = b"                 0  DIR            11-28-26   14:05  data\r\n\
        \x20            18342  A              03-07-21   09:30  REPORT.TXT\r\n\
        03-03-99  09:15AM                41250 dos-line\r\n";
    let listing = parse_list(data, captured());
    assert_eq!(listing.dialect, Some(Dialect::Os2));
    assert_eq!(names(&listing), ["data", "REPORT.TXT"]);
    assert_eq!(listing.unread.len(), 1);
    let dos = b"11-28-26  02:05PM       <DIR>          data\r\n\
        03-07-21  09:30AM                18342 report.txt\r\n";
    assert_eq!(parse_list(dos, captured()).dialect, Some(Dialect::Dos));
}

#[test]
fn dialects_serialize_lowercase() {
    let dialects = [
        Dialect::Os400,
        Dialect::Mvs,
        Dialect::Vms,
        Dialect::Netware,
        Dialect::Os2,
    ];
    let names = dialects.map(|d| serde_json::to_string(&d).unwrap());
    assert_eq!(
        names,
        ["\"os400\"", "\"mvs\"", "\"vms\"", "\"netware\"", "\"os2\""]
    );
}

#[test]
fn ibm_i_listings_native_and_unix_style() {
    // os400.md §1 (LISTFMT 0) and unix-variants.md §G (LISTFMT 1).
    let native = b"ALICE           10240 11/28/26 14:05:09 *DIR       data/\r\n\
        ALICE           18342 03/07/21 09:30:45 *STMF      report.txt\r\n";
    let listing = parse_list(native, captured());
    assert_eq!(listing.dialect, Some(Dialect::Os400));
    assert_eq!(names(&listing), ["data", "report.txt"]);
    let unix = b"-rwxrwx---   1 QPGMR    0            4096 Nov 30 14:06 recent.txt\r\n\
        -rwxrwx---   1 QPGMR    0             980 Feb 18 2005  old.txt\r\n";
    let listing = parse_list(unix, captured());
    assert_eq!(listing.dialect, Some(Dialect::Unix));
    assert_eq!(names(&listing), ["recent.txt", "old.txt"]);
}

#[test]
fn zos_listing() {
    // mvs.md §1: a data set list; the same lines without their header are no listing.
    let data = b"Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname\r\n\
        USR001 3390   2026/11/30  1   15  FB      80 27920 PS   PAYROLL.DATA\r\n\
        USR002 3390   2026/12/01  3   45  FB      80 27920 PO   SRC.COBOL\r\n";
    let listing = parse_list(data, captured());
    assert_eq!(listing.dialect, Some(Dialect::Mvs));
    assert_eq!(names(&listing), ["PAYROLL.DATA", "SRC.COBOL"]);
    let headless = parse_list(
        &data[data.iter().position(|&b| b == b'\n').unwrap() + 1..],
        captured(),
    );
    assert_eq!((headless.dialect, headless.unread.len()), (None, 2));
}

#[test]
fn vms_listing() {
    // vms.md §1: two lines make one entry, older versions fold into the newest.
    let data = b"Directory DISK$USERS:[ANNA]\r\n\
        \r\n\
        BUDGET.XLSX;3            42/45     28-NOV-2026 14:05:09  [STAFF,ANNA]      (RWED,RWED,RE,)\r\n\
        BUDGET.XLSX;2            40/45     27-NOV-2026 09:12:44  [STAFF,ANNA]      (RWED,RWED,RE,)\r\n\
        QUARTERLY_SUMMARY_FOR_THE_BOARD.PDF;1\r\n                       \
        2286/2288    5-JAN-2026 08:00:00  [STAFF,ANNA]      (RWED,RWED,R,)\r\n\
        DATA.DIR;1                1/3       2-DEC-2026 09:36:00  [STAFF,ANNA]      (RWE,RWE,RE,E)\r\n\
        \r\n\
        Total of 4 files, 2371/2384 blocks.\r\n";
    let listing = parse_list(data, captured());
    assert_eq!(listing.dialect, Some(Dialect::Vms));
    assert!(listing.unread.is_empty(), "{:?}", listing.unread);
    assert_eq!(
        names(&listing),
        ["BUDGET.XLSX", "QUARTERLY_SUMMARY_FOR_THE_BOARD.PDF", "DATA"]
    );
    assert_eq!(find(&listing, "DATA").kind, Kind::Dir);
}

/// Junk from the research notes, each line of which every dialect must leave unread:
/// impossible-dates.md ("Samples that must be junk"), then the junk samples of
/// unix-variants.md §J, os400.md §6, vms.md §4, netware.md and os2.md §3.
const NOTES_JUNK: [&str; 47] = [
    "-rw-r--r-- 1 anna anna 100 Nov 31 12:00 nov-31.txt",
    "-rw-r--r-- 1 anna anna 100 Feb 30  2019 feb-30.txt",
    "-rw-r--r-- 1 anna anna 100 Feb 29  2025 feb-29-nonleap.txt",
    "-rw-r--r-- 1 anna anna 100 Apr 31  2024 apr-31.txt",
    "-rw-r--r-- 1 anna anna 100 Nov  0 12:00 day-zero.txt",
    "-rw-r--r-- 1 anna anna 100 Nov 14 24:01 after-midnight.txt",
    "-rw-r--r-- 1 anna anna 100 Nov 14 12:60 minute-60.txt",
    "-rw-r--r-- 1 anna anna 100 2025-20-05 12:00 iso-month-20.txt",
    "-rw-r--r-- 1 anna anna 100 20-05 12:00 iso-recent-month-20.txt",
    "20-11-98  07:42AM                 1530 dos-month-20.txt",
    "34-08-14  10:00AM                  100 dos-34.txt",
    "02-30-26  10:00AM                  100 dos-feb-30.txt",
    "ALICE             100 13/13/26 10:00:00 *STMF      os400-13-13.txt",
    "BAD.TXT;1               1/3      31-NOV-2026 10:00:00  [ANNA]  (RWED,RWED,,)",
    "type=file;size=100;modify=20261131120000; mlsd-nov-31.txt",
    "subdir:",
    "ls: cannot open directory '.': Permission denied",
    "-rw-r--r-- 1 anna anna 12 Dec  2 09:36",
    "-rw-r--r-- 1 anna anna 12 Dec 32 09:36 bad-day.txt",
    "-rw-r--r-- 1 anna anna 12 Dec  2 25:10 bad-hour.txt",
    "-rw-r--r-- 1 anna anna +5 Dec  2 09:36 plus-size.txt",
    " -rw-r--r-- 1 anna anna 12 Dec  2 09:36 indented.txt",
    "-rw-r--r-- 1 anna anna 12 Jam  2 09:36 bad-month.txt",
    "xrw-r--r-- 1 anna anna 12 Dec  2 09:36 bad-type.txt",
    "QPGMR                                   *MEM",
    "QPGMR           94208 11/02/26 07:51:33 *MEM       PAYROLL.MBR",
    "QPGMR            1234 11/02/26 30:51:33 *STMF      bad-hour.txt",
    "QPGMR            1234 14/14/26 10:51:33 *STMF      bad-date.txt",
    "ALICE           5529611/02/26 07:51:33 *STMF      glued.txt",
    "QPGMR            1234 11/02/26 10:51:33 *STMF",
    "FEB29.TXT;1               1/3      29-FEB-2025 10:00:00  [ANNA]  (RWED,RWED,,)",
    "NOVERSION.TXT             1/3      02-DEC-2026 10:00:00  [ANNA]  (RWED,RWED,,)",
    "LONELY_NAME_WITHOUT_CONTINUATION.TXT;1",
    "a [RWCEAFMS] anna          512 Nov 28 14:05    bad-type",
    "d [RWCEAFMS] anna          512 10-04-2001    numeric-date",
    "d [RWCEAFMS] anna          512 Nov 28 14:05",
    "d [RWXCEAFM] anna          512 Nov 28 14:05    bad-rights",
    "- [RWCEAFMS] anna          512 Nov 31 14:05    nov-31",
    "                 DIR   06-14-96   08:21  nosize",
    "     0    xyz    DIR   03-03-99   17:05  bad-attr",
    "     0           dir   09-09-98   10:10  lowercase-dir",
    "     0           DIR   14-02-98   11:11  month-13",
    "     0           DIR   02-14-98   24:30  hour-24",
    " 41250    RA           Mar-03-99   09:15  month-name",
    " 41250      A          1999-03-03  09:15  iso-date",
    "USR001 3390   2026/13/30  1   15  FB      80 27920 PS   BAD.MONTH",
    "PAYCALC   01.07 2019/03/04 2026/11/27 25:42  1204   980    57 ANNA",
];

#[test]
fn junk_from_the_notes_is_never_an_entry() {
    let now = at(2026, 12, 4, 10, 0, 0);
    for line in NOTES_JUNK {
        for header in ["", MVS_HEADERS[0], MVS_HEADERS[1]] {
            let data = format!("{header}\r\n{line}\r\n");
            let listing = parse_list(data.as_bytes(), now);
            assert!(
                listing.entries.is_empty(),
                "{line:?}: {:?}",
                listing.entries
            );
            assert_eq!(listing.unread.len(), 1, "{line:?} after {header:?}");
        }
    }
    let all = NOTES_JUNK.join("\r\n");
    let listing = parse_list(all.as_bytes(), now);
    assert!(listing.entries.is_empty(), "{:?}", listing.entries);
    assert_eq!(listing.unread.len(), NOTES_JUNK.len());
}
