//! Listing parsers: what an FTP server sends on a data connection for MLSD, LIST or NLST, turned
//! into [`Entry`] values.
//!
//! Everything here is a pure function over bytes: no socket, no clock (the current time is passed
//! in, for the year inference of `ls -l` lines). The invariant: a line becomes an entry only when a
//! parser read all of it. Anything else goes to [`Listing::unread`] as sent (lossy if it is not
//! UTF-8), so the caller can report it: a listing is never guessed into entries and never fails as
//! a whole. `.` and `..`, `total N` and MLSD `cdir`/`pdir` lines are not content and are dropped
//! silently.
//!
//! - MLSD (RFC 3659 section 7): [`parse_mlsd`], one fact line per entry ([`parse_mlsx_line`]).
//! - LIST: RFC 959 section 4.1.3 leaves the format to the server. [`parse_list`] tries each known
//!   dialect (Unix `ls -l`, MS-DOS/IIS, EPLF) on every line and keeps the one that reads the most,
//!   as lftp does; one dialect is chosen for the whole listing.
//! - NLST: [`parse_nlst`], bare names.
//!
//! Lines end in LF with an optional CR before it: RFC 959 asks for CRLF, some servers send LF.

mod calendar;
mod dos;
mod eplf;
mod mlsx;
mod truncated;
mod unix;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::tree::Entry;

pub use mlsx::parse_mlsx_line;
pub use truncated::{count_lines, glob_failed, truncation, Truncated};

/// The format a listing was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// RFC 3659 MLSD fact lines.
    Mlsd,
    /// `ls -l` lines, as sent by vsftpd, ProFTPD, Pure-FTPd, pyftpdlib and most others.
    Unix,
    /// MS-DOS `dir` lines, as sent by IIS in its default "MS-DOS" listing style.
    Dos,
    /// D. J. Bernstein's Easily Parsed LIST Format (publicfile, anonftpd).
    Eplf,
}

/// A parsed listing: the entries, and every line that could not be read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Listing {
    /// The dialect the lines were read in. For LIST, `None` when no line could be read in any
    /// dialect (or there were no lines); MLSD listings are always `Some(Mlsd)`.
    pub dialect: Option<Dialect>,
    pub entries: Vec<Entry>,
    /// Lines that were not read (not in the dialect, or not UTF-8), in listing order.
    pub unread: Vec<String>,
}

/// What one line says: `Ok(Some(_))` an entry, `Ok(None)` a line that is not content (`.`, `..`,
/// `total N`, `cdir`), `Err(())` a line this dialect cannot read.
pub(crate) type LineResult = Result<Option<Entry>, ()>;

/// One line of listing data, without its line ending.
#[derive(Clone, Copy)]
enum Line<'a> {
    Text(&'a str),
    /// Not UTF-8. Its name must be UTF-8 for it to become an entry, since a name we cannot
    /// represent faithfully would be mirrored under a different name (and compared wrongly on
    /// every later run); only Unix reads such lines, when the bytes that are not UTF-8 are in the
    /// date (an `ls` run under a legacy locale).
    Binary(&'a [u8]),
}

/// A line that is not UTF-8, with each invalid byte written `\xNN`, so the user can still tell
/// which name it was (a replacement character would hide it).
fn escaped(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out += chunk.valid();
        for byte in chunk.invalid() {
            out += &format!("\\x{byte:02X}");
        }
    }
    out
}

/// Splits listing data into non-empty lines, each without its LF or CRLF.
fn lines(data: &[u8]) -> impl Iterator<Item = Line<'_>> {
    data.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .map(|line| match std::str::from_utf8(line) {
            Ok(text) => Line::Text(text),
            Err(_) => Line::Binary(line),
        })
}

/// The outcome of reading every line of a listing in one dialect.
#[derive(Default)]
struct Reading {
    entries: Vec<Entry>,
    unread: Vec<String>,
    /// Lines the dialect read (entries and skipped lines alike).
    read: usize,
    /// Text lines the dialect could not read; unread binary lines count for no dialect.
    failures: usize,
}

impl Reading {
    /// Records what one line said (for VMS, one entry joined from two lines). A listed name
    /// holding `/` cannot be a directory's entry (an MLST reply names a path; a listing never
    /// does): such a line is junk.
    fn take(&mut self, line: Line, read: LineResult) {
        match read {
            Ok(Some(entry)) if entry.name.contains('/') => self.leave(line),
            Ok(entry) => {
                self.read += 1;
                self.entries.extend(entry);
            }
            Err(()) => self.leave(line),
        }
    }

    fn leave(&mut self, line: Line) {
        match line {
            Line::Text(text) => {
                self.failures += 1;
                self.unread.push(text.to_owned());
            }
            Line::Binary(bytes) => self.unread.push(escaped(bytes)),
        }
    }
}

/// Reads each line alone with `parse`.
fn read_lines<'a>(lines: &[Line<'a>], mut parse: impl FnMut(Line<'a>) -> LineResult) -> Reading {
    let mut reading = Reading::default();
    for &line in lines {
        reading.take(line, parse(line));
    }
    reading
}

/// Reads each text line alone with `parse`; a line that is not UTF-8 is never an entry.
fn read_text_lines(lines: &[Line], parse: impl Fn(&str) -> LineResult) -> Reading {
    read_lines(lines, |line| match line {
        Line::Text(text) => parse(text),
        Line::Binary(_) => Err(()),
    })
}

/// How one dialect reads a whole listing. Most read each line alone ([`read_text_lines`]); a
/// dialect may also settle what one line cannot say from the rest of the listing (Unix: the
/// language of a month name, the padding after a year), join lines or fold entries together.
type Reader<'r> = &'r dyn for<'a> Fn(&[Line<'a>]) -> Reading;

/// Parses MLSD data (RFC 3659 section 7.2): one fact line per entry. `cdir` and `pdir` entries
/// are dropped: they name the listed directory and its parent, not its content.
pub fn parse_mlsd(data: &[u8]) -> Listing {
    let lines: Vec<Line> = lines(data).collect();
    let reading = read_text_lines(&lines, parse_mlsx_line);
    Listing {
        dialect: Some(Dialect::Mlsd),
        entries: reading.entries,
        unread: reading.unread,
    }
}

/// Parses LIST data. The dialect is chosen for the whole listing: each dialect reads every line
/// and the one with the fewest unreadable lines wins (ties go to the first in the order of
/// [`Dialect`]), so a stray line that happens to look like another dialect cannot switch
/// parsers mid-listing.
///
/// `now` is the current time in the server's zone: `ls -l` gives no year for recent files, and
/// the year is the latest that does not put the date more than a day after `now` (the day of
/// slack absorbs clock skew and zone guesses, as FileZilla allows).
pub fn parse_list(data: &[u8], now: NaiveDateTime) -> Listing {
    let lines: Vec<Line> = lines(data).collect();
    let unix = |lines: &[Line]| unix::read(lines, now);
    let dos = |lines: &[Line]| read_text_lines(lines, dos::parse_dos_line);
    let eplf = |lines: &[Line]| read_text_lines(lines, eplf::parse_eplf_line);
    let dialects: [(Dialect, Reader); 3] = [
        (Dialect::Unix, &unix),
        (Dialect::Dos, &dos),
        (Dialect::Eplf, &eplf),
    ];
    let mut best: Option<(Dialect, Reading)> = None;
    for (dialect, read) in dialects {
        let reading = read(&lines);
        let perfect = reading.failures == 0;
        if best
            .as_ref()
            .is_none_or(|(_, b)| reading.failures < b.failures)
        {
            best = Some((dialect, reading));
        }
        // Nothing can beat a dialect that read every line; skip the other passes.
        if perfect {
            break;
        }
    }
    let Some((dialect, reading)) = best else {
        return Listing::default();
    };
    Listing {
        dialect: (reading.read > 0).then_some(dialect),
        entries: reading.entries,
        unread: reading.unread,
    }
}

/// Parses NLST data: one name per line, returned as given (a server may prefix a directory;
/// that is for the caller to judge). Empty lines, `.` and `..` are skipped; lines that are not
/// UTF-8 are returned apart, lossily, as unread. Returns `(names, unread)`.
pub fn parse_nlst(data: &[u8]) -> (Vec<String>, Vec<String>) {
    let mut names = Vec::new();
    let mut unread = Vec::new();
    for line in lines(data) {
        match line {
            Line::Text(name) if is_dot_name(name) => {}
            Line::Text(name) => names.push(name.to_owned()),
            Line::Binary(bytes) => unread.push(escaped(bytes)),
        }
    }
    (names, unread)
}

/// `.` and `..` name the directory itself and its parent: never content.
fn is_dot_name(name: &str) -> bool {
    name == "." || name == ".."
}

/// A non-empty run of ASCII digits as a number; `str::parse` would also take a leading `+`.
fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Octal permission digits, as in MLSD `UNIX.mode` and EPLF `up`, keeping only the permission,
/// setuid, setgid and sticky bits (some servers include the file type bits).
fn octal_mode(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    u32::from_str_radix(text, 8).ok().map(|mode| mode & 0o7777)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{Kind, Mtime, Precision, Zone};
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
}
