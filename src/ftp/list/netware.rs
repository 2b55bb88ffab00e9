//! Novell NetWare LIST lines, from the NetWare FTP server and Hellsoft's (netware.md: commons-net
//! NetwareFTPEntryParser, Mozilla ParseFTPList `SUPPORT_LSL`, FileZilla `ParseAsUnix`):
//!
//! ```text
//! d [RWCEAFMS] anna                            512 Nov 28 14:05    data
//! -[RWCEMFA] anna              87113       Sep 02 11:40    tools.exe
//! ```
//!
//! The type (`d` or `-`), the user's effective rights in brackets (eight `RWCEAFMS`, or seven
//! `RWCEMFA` on old Hellsoft servers, `-` where absent; no Unix mode), the owner, the size, an
//! `ls`-style English date, and the name after a run of spaces: the server pads before names, so
//! a name's leading spaces cannot be told from the padding and are lost. The bracket is what tells
//! these lines from `ls` lines, which this parser never reads.

use chrono::NaiveDateTime;

use super::calendar::{clock, digits, english_month, latest_fitting, local_day, server_local};
use super::{decimal, is_dot_name, LineResult};
use crate::remote::tree::{Entry, Kind, Precision};

/// Parses one NetWare line; `.` and `..` are `Ok(None)`. `now` is the current time in the
/// server's zone, for the year of recent dates.
pub(crate) fn parse_netware_line(line: &str, now: NaiveDateTime) -> LineResult {
    let kind = match line.as_bytes().first() {
        Some(b'd') => Kind::Dir,
        Some(b'-') => Kind::File,
        _ => return Err(()),
    };
    let rest = line[1..].strip_prefix(' ').unwrap_or(&line[1..]);
    let (rights, rest) = rest
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .ok_or(())?;
    if !are_rights(rights) {
        return Err(());
    }
    let (owner, rest) = field(rest).ok_or(())?;
    let (size, rest) = field(rest).ok_or(())?;
    let (month, rest) = field(rest).ok_or(())?;
    let (day, rest) = field(rest).ok_or(())?;
    let (time_or_year, name) = field(rest).ok_or(())?;
    if owner.is_empty() || name.is_empty() {
        return Err(());
    }
    let size = decimal(size).ok_or(())?;
    let month = english_month(month).ok_or(())?;
    let day = digits(day, 1..=2).ok_or(())?;
    let mtime = match (clock(time_or_year), digits(time_or_year, 4..=4)) {
        (Some(clock), _) if clock.second.is_none() => {
            let time = latest_fitting(month, day, clock.hour, clock.minute, now);
            time.map(|time| server_local(time, Precision::Minute))
        }
        (None, Some(year)) => local_day(i32::try_from(year).map_err(|_| ())?, month, day),
        _ => return Err(()),
    };
    if is_dot_name(name) {
        return Ok(None);
    }
    let mut entry = Entry::new(name, kind);
    entry.size = Some(size);
    // A date that does not exist (`Nov 31`) makes the line junk.
    entry.mtime = Some(mtime.ok_or(())?);
    Ok(Some(entry))
}

/// Eight rights in the NetWare FTP server's order, or seven in old Hellsoft's; each letter in its
/// own place or `-`.
fn are_rights(rights: &str) -> bool {
    let order = match rights.len() {
        8 => "RWCEAFMS",
        7 => "RWCEMFA",
        _ => return false,
    };
    rights
        .bytes()
        .zip(order.bytes())
        .all(|(right, letter)| right == letter || right == b'-')
}

/// The field after the spaces that start `text`, and what follows the spaces after it.
fn field(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start_matches(' ');
    let (field, rest) = text.split_once(' ')?;
    Some((field, rest.trim_start_matches(' ')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::tree::Mtime;
    use chrono::NaiveDate;

    fn now() -> NaiveDateTime {
        at(2026, 12, 4, 10, 0)
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|date| date.and_hms_opt(h, mi, 0))
            .unwrap()
    }

    fn minute(time: NaiveDateTime) -> Option<Mtime> {
        Some(server_local(time, Precision::Minute))
    }

    #[test]
    fn samples() {
        // netware.md, "Samples": the NetWare FTP server (commons-net NetwareFTPEntryParser) and
        // both Hellsoft layouts (Mozilla ParseFTPList).
        let lines = [
            "d [RWCEAFMS] anna                            512 Nov 28 14:05    data",
            "- [RWCEAFMS] anna                          18342 Mar  7  2021    report.txt",
            "- [R----F--] anna                            512 Dec  1 09:12    quarterly summary.pdf",
            "d [----AF--]          0                      512 Aug 30  2019    _NETWARE",
            "- [RW------] bob                         5242880 Jan  5 08:00    backup.zip",
            "d[RWCEMFA] supervisor            512       Oct 09 06:12    public",
            "-[RWCEMFA] anna              87113       Sep 02 11:40    tools.exe",
        ];
        let expected = [
            ("data", Kind::Dir, 512, minute(at(2026, 11, 28, 14, 5))),
            ("report.txt", Kind::File, 18342, local_day(2021, 3, 7)),
            (
                "quarterly summary.pdf",
                Kind::File,
                512,
                minute(at(2026, 12, 1, 9, 12)),
            ),
            ("_NETWARE", Kind::Dir, 512, local_day(2019, 8, 30)),
            (
                "backup.zip",
                Kind::File,
                5_242_880,
                minute(at(2026, 1, 5, 8, 0)),
            ),
            ("public", Kind::Dir, 512, minute(at(2026, 10, 9, 6, 12))),
            (
                "tools.exe",
                Kind::File,
                87113,
                minute(at(2026, 9, 2, 11, 40)),
            ),
        ];
        for (line, (name, kind, size, mtime)) in lines.into_iter().zip(expected) {
            let e = parse_netware_line(line, now()).unwrap().unwrap();
            assert_eq!(
                (e.name.as_str(), e.kind, e.size, e.mtime, e.mode),
                (name, kind, Some(size), mtime, None)
            );
        }
    }

    #[test]
    fn names_keep_trailing_spaces_and_dots_are_skipped() {
        let e = parse_netware_line("- [RWCEAFMS] a 1 Nov 28 14:05    x y ", now());
        assert_eq!(e.unwrap().unwrap().name, "x y ");
        assert_eq!(
            parse_netware_line("d [RWCEAFMS] a 512 Nov 28 14:05 ..", now()),
            Ok(None)
        );
    }

    #[test]
    fn junk() {
        // netware.md, "Junk": type `a`, a numeric date, no name, rights out of place, `Nov 31`;
        // and the other dialects' lines.
        for line in [
            "a [RWCEAFMS] anna          512 Nov 28 14:05    bad-type",
            "d [RWCEAFMS] anna          512 10-04-2001    numeric-date",
            "d [RWCEAFMS] anna          512 Nov 28 14:05",
            "d [RWCEAFMS] anna          512 Nov 28 14:05    ",
            "d [RWXCEAFM] anna          512 Nov 28 14:05    bad-rights",
            "- [RWCEAFMS] anna          512 Nov 31 14:05    nov-31",
            "- [RWCEAFMS] anna          512 Nov 30 24:00    midnight",
            "- [RWCEAFMS] anna          +512 Nov 30 14:00    plus",
            "- [RWCEAFM] anna          512 Nov 30 14:00    seven-of-eight",
            "-rw-r--r--    1 0        0            1234 Jun 05  2019 name",
            "04-27-00  09:09PM       <DIR>          licensed",
            "",
            "-",
        ] {
            assert_eq!(parse_netware_line(line, now()), Err(()), "{line:?}");
        }
    }
}
