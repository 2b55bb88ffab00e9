//! `ls -l` lines: the LIST output of vsftpd, ProFTPD, Pure-FTPd, pyftpdlib and most other servers.
//!
//! ```text
//! -rw-r--r--    1 0        0            1234 Jun 05  2019 name
//! mode        links owner  group        size date         name (verbatim, may hold spaces)
//! ```
//!
//! The format is not specified anywhere; servers differ in the columns before the date (no group,
//! no link count, numeric ids, a Windows `group domain user` owner). So the date is located by its
//! shape (`Mon DD HH:MM` or `Mon DD  YYYY`, at the usual positions) with the size right before it,
//! and the name starts right after the single space that follows the date: leading, trailing and
//! repeated spaces in names are kept.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};

use super::{decimal, is_dot_name, LineResult};
use crate::tree::{Entry, Kind, Mtime, Precision, Zone};

/// Parses one `ls -l` line. `now` is the current time in the server's zone (for the year of
/// `Mon DD HH:MM` dates). `total N` and `.`/`..` lines are `Ok(None)`.
pub(crate) fn parse_unix_line(line: &str, now: NaiveDateTime) -> LineResult {
    if is_total(line) {
        return Ok(None);
    }
    // `ls` starts every line with the mode; an indented line is some other dialect.
    if line.starts_with(' ') {
        return Err(());
    }
    let fields = Fields::new(line);
    let (file_type, mode) = fields.get(0).and_then(mode_string).ok_or(())?;
    let (index, size, date) = locate_date(&fields, file_type).ok_or(())?;
    // The name starts after exactly one space: `get` fails when the date ends the line.
    let rest = line
        .get(fields.end(index + 2) + 1..)
        .filter(|rest| !rest.is_empty())
        .ok_or(())?;
    let (name, kind) = name_and_kind(rest, file_type);
    if name.is_empty() {
        return Err(());
    }
    if is_dot_name(name) {
        return Ok(None);
    }
    let mut entry = Entry::new(name, kind);
    entry.size = size;
    entry.mode = Some(mode);
    // A date that does not exist (`Nov 31`) makes the line junk, not an entry without a time.
    entry.mtime = Some(date.mtime(now).ok_or(())?);
    Ok(Some(entry))
}

/// Where the month field may be, most likely first: after `mode links owner group size` (5),
/// with no group or no link count (4), with a Windows `group domain user` owner (6), with neither
/// owner nor group (3, NetPresenz). Trying the usual position first keeps an owner named like a
/// month, or a name that looks like a date, from being taken for the date.
const DATE_POSITIONS: [usize; 5] = [5, 4, 6, 3, 7];

/// The first position in [`DATE_POSITIONS`] where a size is followed by a date: the month
/// field's index, the size, and the date.
fn locate_date(fields: &Fields, file_type: FileType) -> Option<(usize, Option<u64>, LsDate)> {
    DATE_POSITIONS.iter().find_map(|&i| {
        let size = size(file_type, fields.get(i - 1)?)?;
        Some((i, size, date_fields(fields, i)?))
    })
}

/// Enough fields for a date at the last position in [`DATE_POSITIONS`].
const MAX_FIELDS: usize = 10;

/// `ls` prints `total N` (blocks) first; not an entry.
fn is_total(line: &str) -> bool {
    line.strip_prefix("total ")
        .and_then(|n| decimal(n.trim()))
        .is_some()
}

/// The first space-separated fields of a line, with their byte spans.
struct Fields<'a> {
    line: &'a str,
    spans: [(usize, usize); MAX_FIELDS],
    len: usize,
}

impl<'a> Fields<'a> {
    fn new(line: &'a str) -> Fields<'a> {
        let bytes = line.as_bytes();
        let mut fields = Fields {
            line,
            spans: [(0, 0); MAX_FIELDS],
            len: 0,
        };
        let mut pos = 0;
        while fields.len < MAX_FIELDS {
            while bytes.get(pos) == Some(&b' ') {
                pos += 1;
            }
            if pos == bytes.len() {
                break;
            }
            let start = pos;
            while pos < bytes.len() && bytes[pos] != b' ' {
                pos += 1;
            }
            fields.spans[fields.len] = (start, pos);
            fields.len += 1;
        }
        fields
    }

    /// Field `i`; the spans start and end at ASCII spaces or the line ends, so slicing is safe.
    fn get(&self, i: usize) -> Option<&'a str> {
        let (start, end) = *self.spans[..self.len].get(i)?;
        self.line.get(start..end)
    }

    /// The byte offset just after field `i` (only called for fields that exist).
    fn end(&self, i: usize) -> usize {
        self.spans[i].1
    }
}

/// The file type letter of a mode string, as far as mirroring cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileType {
    File,
    Dir,
    Symlink,
    /// `b`/`c`: the size column holds `major, minor` instead of a size.
    Device,
    /// `p` fifo, `s` socket, `D` Solaris door.
    Other,
}

/// Reads `drwxr-sr-t+`-style mode strings into the file type and the permission bits, including
/// setuid, setgid and sticky. An 11th character marks an ACL (`+`), extended attributes (`@`,
/// macOS) or an SELinux context (`.`), and is ignored.
fn mode_string(field: &str) -> Option<(FileType, u32)> {
    let (&type_letter, rest) = field.as_bytes().split_first()?;
    let perms = match rest {
        [perms @ .., b'+' | b'@' | b'.'] if perms.len() == 9 => perms,
        perms if perms.len() == 9 => perms,
        _ => return None,
    };
    let file_type = match type_letter {
        b'-' => FileType::File,
        b'd' => FileType::Dir,
        b'l' => FileType::Symlink,
        b'b' | b'c' => FileType::Device,
        b'p' | b's' | b'D' => FileType::Other,
        _ => return None,
    };
    Some((file_type, permission_bits(perms)?))
}

/// `rwxrwxrwx` to bits. The execute position of each triple also shows setuid (`s`/`S`), setgid
/// (`s`/`S`) and sticky (`t`/`T`); upper case means the execute bit itself is off.
fn permission_bits(perms: &[u8]) -> Option<u32> {
    let mut mode = 0;
    for (i, &letter) in perms.iter().enumerate() {
        let bit = 1 << (8 - i);
        let special = [0o4000, 0o2000, 0o1000][i / 3];
        let other = i / 3 == 2;
        mode |= match (i % 3, letter) {
            (_, b'-') => 0,
            (0, b'r') | (1, b'w') | (2, b'x') => bit,
            (2, b's') if !other => bit | special,
            (2, b'S') if !other => special,
            (2, b't') if other => bit | special,
            (2, b'T') if other => special,
            // Solaris shows setgid without group execute (mandatory locking) as `l`.
            (2, b'l' | b'L') if i == 5 => special,
            _ => return None,
        };
    }
    Some(mode)
}

/// The size column. A device shows `major, minor` there, split over two fields, or as one
/// `major,minor` field: not a size, but it must still look like numbers for the line to be `ls`.
fn size(file_type: FileType, field: &str) -> Option<Option<u64>> {
    if file_type == FileType::Device {
        let numeric = !field.is_empty() && field.bytes().all(|b| b.is_ascii_digit() || b == b',');
        return numeric.then_some(None);
    }
    decimal(field).map(Some)
}

/// The entry name and kind from the text after the date. Only links carry ` -> target`: in any
/// other entry the arrow is part of the name. A link whose name holds ` -> ` cannot be told apart
/// from its target; the first arrow is taken, as other clients do.
fn name_and_kind(rest: &str, file_type: FileType) -> (&str, Kind) {
    match file_type {
        FileType::File => (rest, Kind::File),
        FileType::Dir => (rest, Kind::Dir),
        FileType::Device | FileType::Other => (rest, Kind::Other),
        FileType::Symlink => match rest.split_once(" -> ") {
            Some((name, target)) if !target.is_empty() => (
                name,
                Kind::Symlink {
                    target: Some(target.to_owned()),
                },
            ),
            Some((name, _)) => (name, Kind::Symlink { target: None }),
            None => (rest, Kind::Symlink { target: None }),
        },
    }
}

/// The three date fields of an `ls -l` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LsDate {
    month: u32,
    day: u32,
    clock: Clock,
}

/// The third date field: a time of day for recent files, a year for the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clock {
    Time { hour: u32, minute: u32 },
    Year(i32),
}

/// The date at fields `i..i+3`: `Mon DD HH:MM`, `Mon DD YYYY`, or day first (`29 Jul 02:27`,
/// `01 oct 2004`), which some localized servers print (FileZilla parser tests).
fn date_fields(fields: &Fields, i: usize) -> Option<LsDate> {
    let (a, b) = (fields.get(i)?, fields.get(i + 1)?);
    let clock = clock(fields.get(i + 2)?)?;
    let (month, day) = match (month_number(a), day_number(b)) {
        (Some(month), Some(day)) => (month, day),
        _ => (month_number(b)?, day_number(a)?),
    };
    Some(LsDate { month, day, clock })
}

/// An English three-letter month name, in any case (`Jan`, `JAN`, `jan`).
fn month_number(field: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let index = MONTHS
        .iter()
        .position(|month| month.eq_ignore_ascii_case(field))?;
    u32::try_from(index + 1).ok()
}

fn day_number(field: &str) -> Option<u32> {
    small_number(field, 2).filter(|day| (1..=31).contains(day))
}

/// `HH:MM` (`H:MM` too; `24:00` is midnight at the end of the day, as some servers print it) or a
/// four-digit year.
fn clock(field: &str) -> Option<Clock> {
    match field.split_once(':') {
        Some((hour, minute)) => {
            let hour = small_number(hour, 2).filter(|h| *h <= 24)?;
            let minute = small_number(minute, 2).filter(|m| *m <= 59 && minute.len() == 2)?;
            (hour < 24 || minute == 0).then_some(Clock::Time { hour, minute })
        }
        None if field.len() == 4 => small_number(field, 4)
            .and_then(|y| i32::try_from(y).ok())
            .map(Clock::Year),
        None => None,
    }
}

/// One to `max_digits` ASCII digits.
fn small_number(field: &str, max_digits: usize) -> Option<u32> {
    if field.len() > max_digits {
        return None;
    }
    decimal(field).and_then(|n| u32::try_from(n).ok())
}

impl LsDate {
    /// The time the date stands for, in the server's zone: minutes for recent files, days for
    /// the others. `None` for a date that does not exist (`Feb 30`).
    fn mtime(self, now: NaiveDateTime) -> Option<Mtime> {
        let (time, precision) = match self.clock {
            Clock::Year(year) => {
                let date = NaiveDate::from_ymd_opt(year, self.month, self.day)?;
                (date.and_hms_opt(0, 0, 0)?, Precision::Day)
            }
            Clock::Time { hour, minute } => (self.recent(hour, minute, now)?, Precision::Minute),
        };
        Some(Mtime {
            time,
            precision,
            zone: Zone::ServerLocal,
        })
    }

    /// `ls` omits the year of files from the last six months. The year is the latest one that
    /// does not put the time more than a day after `now` (`Feb 29`: the latest leap year that
    /// does): the day of slack absorbs clock skew and zone guesses. A file dated in the future gets a time too from servers with their own
    /// `ls` (pyftpdlib, ProFTPD and Pure-FTPd print `Nov 21 23:08` three hours ahead of their
    /// clock, where vsftpd prints the year; see the fixtures).
    fn recent(self, hour: u32, minute: u32, now: NaiveDateTime) -> Option<NaiveDateTime> {
        let limit = now.checked_add_signed(TimeDelta::days(1)).unwrap_or(now);
        let this_year = now.year();
        (this_year - 8..=this_year + 1)
            .rev()
            .filter_map(|year| {
                let date = NaiveDate::from_ymd_opt(year, self.month, self.day)?;
                match hour {
                    24 => date.succ_opt()?.and_hms_opt(0, 0, 0),
                    _ => date.and_hms_opt(hour, minute, 0),
                }
            })
            .find(|time| *time <= limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let e = entry("lrwxrwxrwx    1 0        0              14 Nov 21 20:08 link with space -> with space.txt");
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
            "-rw-r--r-- 1 u g 34.5k Oct 5 21:22 x",
            "-rw-r--r--   1 root     other        531 09-26 13:45 x",
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
}
