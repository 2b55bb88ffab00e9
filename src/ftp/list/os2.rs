//! OS/2 LIST lines, from IBM TCP/IP for OS/2 (os2.md: Mozilla ParseFTPList `SUPPORT_OS2`,
//! commons-net OS2FTPEntryParser and its tests, FileZilla `ParseOther` and tests 24-27):
//!
//! ```text
//!                  0  DIR            11-28-26   14:05  data
//!              18342  A              03-07-21   09:30  REPORT.TXT
//! 52210      A    09-30-104  07:45  late.log
//! ```
//!
//! The size, DOS attribute letters (`ARHS`) and `DIR` for a directory (either, both, in either
//! order, or none), the date month first (`MM-DD-YY`, `MM-DD-YYYY`, or `MM-DD-1YY`, the year less
//! 1900 some servers printed after 1999), a 24-hour time, and the name after a run of spaces
//! (columns differ between servers, so a name's leading spaces cannot be told from them and are
//! lost). A directory's size is no size. Lines start with a number, never a date: no DOS line is
//! read here.

use chrono::NaiveDate;

use super::calendar::{clock, digits, local_time, two_digit_year};
use super::{decimal, is_dot_name, LineResult};
use crate::remote::tree::{Entry, Kind};

/// Parses one OS/2 line; `.` and `..` are `Ok(None)`.
pub(crate) fn parse_os2_line(line: &str) -> LineResult {
    let mut rest = line.trim_start_matches(' ');
    let mut next = || {
        let (field, after) = rest.split_once(' ')?;
        rest = after.trim_start_matches(' ');
        Some(field)
    };
    let size = decimal(next().ok_or(())?).ok_or(())?;
    let (mut dir, mut attributes) = (false, false);
    let date = loop {
        match next().ok_or(())? {
            "DIR" if !dir => dir = true,
            field if !attributes && is_attributes(field) => attributes = true,
            field => break field,
        }
    };
    let date = os2_date(date).ok_or(())?;
    let clock = clock(next().ok_or(())?)
        .filter(|c| c.second.is_none())
        .ok_or(())?;
    let name = rest;
    if name.is_empty() {
        return Err(());
    }
    if is_dot_name(name) {
        return Ok(None);
    }
    let (kind, size) = match dir {
        true => (Kind::Dir, None),
        false => (Kind::File, Some(size)),
    };
    let mut entry = Entry::new(name, kind);
    entry.size = size;
    entry.mtime = Some(local_time(date, clock).ok_or(())?);
    Ok(Some(entry))
}

/// DOS attribute letters: archive, read-only, hidden, system, each at most once.
fn is_attributes(field: &str) -> bool {
    (1..=4).contains(&field.len())
        && field
            .bytes()
            .enumerate()
            .all(|(i, b)| b"ARHS".contains(&b) && !field.as_bytes()[..i].contains(&b))
}

/// `MM-DD-YY`, `MM-DD-YYYY` or `MM-DD-1YY` (100 is 2000): a date that exists.
fn os2_date(field: &str) -> Option<NaiveDate> {
    let mut parts = field.split('-');
    let month = digits(parts.next()?, 2..=2)?;
    let day = digits(parts.next()?, 2..=2)?;
    let year = parts.next()?;
    let year = match year.len() {
        2 => two_digit_year(digits(year, 2..=2)?),
        3 if year.starts_with('1') => 1900 + digits(year, 3..=3)?,
        4 => digits(year, 4..=4)?,
        _ => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::tree::{Mtime, Precision};

    fn minute(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Option<Mtime> {
        let time = NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_opt(h, mi, 0)?;
        Some(super::super::calendar::server_local(
            time,
            Precision::Minute,
        ))
    }

    fn check(lines: &[&str], expected: &[(&str, Kind, Option<u64>, Option<Mtime>)]) {
        for (line, (name, kind, size, mtime)) in lines.iter().zip(expected) {
            let e = parse_os2_line(line).unwrap().unwrap();
            let got = (e.name.as_str(), e.kind, e.size, e.mtime);
            assert_eq!(got, (*name, kind.clone(), *size, *mtime), "{line}");
        }
    }

    #[test]
    fn fixed_columns() {
        // os2.md §1 (Mozilla's column positions).
        check(
            &[
                "                 0  DIR            11-28-26   14:05  data",
                "             18342  A              03-07-21   09:30  REPORT.TXT",
                "               512  RHSA           10-14-20   16:00  hidden.sys",
                "                 0  RHS   DIR      09-02-97   13:40  SYSTEM",
                "           5242880  A              01-05-26   08:00  Quarterly Summary.pdf",
                "              4410                 02-14-99   07:07  CONFIG.SYS",
            ],
            &[
                ("data", Kind::Dir, None, minute(2026, 11, 28, 14, 5)),
                (
                    "REPORT.TXT",
                    Kind::File,
                    Some(18342),
                    minute(2021, 3, 7, 9, 30),
                ),
                (
                    "hidden.sys",
                    Kind::File,
                    Some(512),
                    minute(2020, 10, 14, 16, 0),
                ),
                ("SYSTEM", Kind::Dir, None, minute(1997, 9, 2, 13, 40)),
                (
                    "Quarterly Summary.pdf",
                    Kind::File,
                    Some(5_242_880),
                    minute(2026, 1, 5, 8, 0),
                ),
                (
                    "CONFIG.SYS",
                    Kind::File,
                    Some(4410),
                    minute(1999, 2, 14, 7, 7),
                ),
            ],
        );
    }

    #[test]
    fn other_columns_and_y2k_years() {
        // os2.md §2 (FileZilla tests 24-27 shapes: `104` is 2004; commons-net: four-digit years).
        check(
            &[
                "0  DIR  02-18-98  13:29  archive",
                "   76  A  12-08-00  10:56  NOTES.TXT",
                "52210      A    09-30-104  07:45  late.log",
                "    0 DIR       06-17-102  11:05  backup",
                " 2048 DIR  A    07-21-101  19:20  mixed",
                "     0           DIR   08-02-2001 17:40  longyear",
            ],
            &[
                ("archive", Kind::Dir, None, minute(1998, 2, 18, 13, 29)),
                (
                    "NOTES.TXT",
                    Kind::File,
                    Some(76),
                    minute(2000, 12, 8, 10, 56),
                ),
                (
                    "late.log",
                    Kind::File,
                    Some(52210),
                    minute(2004, 9, 30, 7, 45),
                ),
                ("backup", Kind::Dir, None, minute(2002, 6, 17, 11, 5)),
                ("mixed", Kind::Dir, None, minute(2001, 7, 21, 19, 20)),
                ("longyear", Kind::Dir, None, minute(2001, 8, 2, 17, 40)),
            ],
        );
        assert_eq!(parse_os2_line("0 DIR 02-18-98 13:29 .."), Ok(None));
    }

    #[test]
    fn junk() {
        // os2.md §3: no size, attributes outside `ARHS`, lower-case `dir`, month 14, hour 24, a
        // month name, an ISO date, a DOS line; and more that must not be half read.
        for line in [
            "                 DIR   06-14-96   08:21  nosize",
            "     0    xyz    DIR   03-03-99   17:05  bad-attr",
            "     0           dir   09-09-98   10:10  lowercase-dir",
            "     0           DIR   14-02-98   11:11  month-13",
            "     0           DIR   02-14-98   24:30  hour-24",
            " 41250    RA           Mar-03-99   09:15  month-name",
            " 41250      A          1999-03-03  09:15  iso-date",
            "03-03-99  09:15AM                41250 dos-line",
            "     0  DIR  DIR  03-03-99  09:15  twice",
            "     0  AA  03-03-99  09:15  repeated-letter",
            "     0  A  02-30-99  09:15  feb-30",
            "     0  A  03-03-99  09:15:00  seconds",
            "     0  A  03-03-99  09:15  ",
            "     0  A  03-03-99  09:15",
            "     0  A  03-03-203  09:15  y2k-bug-beyond",
            "-rw-r--r--    1 0        0            1234 Jun 05  2019 name",
            "",
        ] {
            assert_eq!(parse_os2_line(line), Err(()), "{line:?}");
        }
    }
}
