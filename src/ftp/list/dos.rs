//! MS-DOS style LIST lines, as sent by IIS in its default "MS-DOS" directory listing style and by
//! other Windows servers:
//!
//! ```text
//! 04-27-00  09:09PM       <DIR>          licensed
//! 04-14-00  03:47PM                  589 readme.htm
//! 2002-09-02  19:06                9,730 DOS file 2
//! ```
//!
//! Date, time, then `<DIR>` or the size, then the name after the run of spaces that aligns the
//! columns. A name's leading spaces cannot be told from that padding: this format cannot carry
//! them, and they are lost. Trailing spaces are kept.

use chrono::NaiveDate;

use super::calendar::two_digit_year;
use super::{decimal, is_dot_name, LineResult};
use crate::remote::tree::{Entry, Kind, Mtime, Precision, Zone};

/// Parses one MS-DOS style line; `.` and `..` are `Ok(None)`. A date that does not exist
/// (`02-30-21`, a month `34`) makes the line unread: it is no DOS line, whatever it is.
pub(crate) fn parse_dos_line(line: &str) -> LineResult {
    let (date, rest) = next_field(line).ok_or(())?;
    let (time, mut rest) = next_field(rest).ok_or(())?;
    // `03:09 PM`: some servers put a space before AM/PM.
    let mut time = time.to_string();
    if let Some((meridiem, after)) = next_field(rest).filter(|(f, _)| is_meridiem(f)) {
        time.push_str(meridiem);
        rest = after;
    }
    let (size_or_dir, name) = next_field(rest).ok_or(())?;
    let date = dos_date(date).ok_or(())?.ok_or(())?;
    let (hour, minute) = dos_time(&time).ok_or(())?;
    let (kind, size) = if size_or_dir.eq_ignore_ascii_case("<DIR>") {
        (Kind::Dir, None)
    } else {
        (Kind::File, Some(grouped_size(size_or_dir).ok_or(())?))
    };
    if name.is_empty() {
        return Err(());
    }
    if is_dot_name(name) {
        return Ok(None);
    }
    let mut entry = Entry::new(name, kind);
    entry.size = size;
    entry.mtime = date.and_hms_opt(hour, minute, 0).map(|time| Mtime {
        time,
        precision: Precision::Minute,
        zone: Zone::ServerLocal,
    });
    Ok(Some(entry))
}

fn is_meridiem(field: &str) -> bool {
    field.eq_ignore_ascii_case("AM") || field.eq_ignore_ascii_case("PM")
}

/// The field at the start of `text` (which must not start with a space) and what follows the run
/// of spaces after it. Splitting at an ASCII space keeps both parts on character boundaries.
fn next_field(text: &str) -> Option<(&str, &str)> {
    let (field, rest) = text.split_once(' ')?;
    (!field.is_empty()).then(|| (field, rest.trim_start_matches(' ')))
}

/// `MM-DD-YY`, `MM-DD-YYYY` or `YYYY-MM-DD`. The outer `None` means "not a DOS date"; the inner
/// one a date of the right shape that does not exist.
fn dos_date(field: &str) -> Option<Option<NaiveDate>> {
    let mut parts = field.split('-');
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (year, month, day) = match (a.len(), b.len(), c.len()) {
        (4, 2, 2) => (number(a)?, number(b)?, number(c)?),
        (2, 2, 4) => (number(c)?, number(a)?, number(b)?),
        (2, 2, 2) => (two_digit_year(number(c)?), number(a)?, number(b)?),
        _ => return None,
    };
    Some(NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        month,
        day,
    ))
}

/// `HH:MM` with an `AM`/`PM` suffix (12-hour clock, IIS default) or without (24-hour clock).
fn dos_time(field: &str) -> Option<(u32, u32)> {
    let (clock, pm) = split_meridiem(field);
    let (hour, minute) = clock.split_once(':')?;
    if minute.len() != 2 {
        return None;
    }
    let (hour, minute) = (number(hour)?, number(minute)?);
    let hour = match pm {
        None if hour <= 23 => hour,
        // 12:xxAM is just after midnight, 12:xxPM just after noon.
        Some(pm) if (1..=12).contains(&hour) => hour % 12 + if pm { 12 } else { 0 },
        _ => return None,
    };
    (minute <= 59).then_some((hour, minute))
}

/// Splits an `AM`/`PM` suffix (any case) off a time: `Some(true)` for PM.
fn split_meridiem(field: &str) -> (&str, Option<bool>) {
    let at = field.len().saturating_sub(2);
    match (field.get(..at), field.get(at..)) {
        (Some(clock), Some(suffix)) if suffix.eq_ignore_ascii_case("AM") => (clock, Some(false)),
        (Some(clock), Some(suffix)) if suffix.eq_ignore_ascii_case("PM") => (clock, Some(true)),
        _ => (field, None),
    }
}

/// A size, possibly with `,` thousands separators (`9,730`, some Windows servers).
fn grouped_size(field: &str) -> Option<u64> {
    if field.starts_with(',') || field.ends_with(',') || field.contains(",,") {
        return None;
    }
    decimal(&field.replace(',', ""))
}

/// One or two ASCII digits (four for years) as a number.
fn number(text: &str) -> Option<u32> {
    decimal(text).and_then(|n| u32::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(line: &str) -> Entry {
        match parse_dos_line(line) {
            Ok(Some(entry)) => entry,
            other => panic!("{line:?} gave {other:?}"),
        }
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Option<Mtime> {
        let time = NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_opt(h, mi, 0)?;
        Some(Mtime {
            time,
            precision: Precision::Minute,
            zone: Zone::ServerLocal,
        })
    }

    #[test]
    fn ftpparse_samples() {
        // Lines from the comments of D. J. Bernstein's ftpparse.c (Microsoft FTP Service).
        let e = entry("04-27-00  09:09PM       <DIR>          licensed");
        assert_eq!(
            (e.name.as_str(), e.kind.clone(), e.size),
            ("licensed", Kind::Dir, None)
        );
        assert_eq!(e.mtime, at(2000, 4, 27, 21, 9));
        let e = entry("07-18-00  10:16AM       <DIR>          pub");
        assert_eq!(e.mtime, at(2000, 7, 18, 10, 16));
        let e = entry("04-14-00  03:47PM                  589 readme.htm");
        assert_eq!(
            (e.name.as_str(), e.kind.clone(), e.size),
            ("readme.htm", Kind::File, Some(589))
        );
        assert_eq!(e.mtime, at(2000, 4, 14, 15, 47));
    }

    #[test]
    fn four_digit_years_and_24_hour_clock() {
        // FileZilla parser tests.
        let e = entry("2002-09-02  18:48       <DIR>          DOS dir 2");
        assert_eq!(
            (e.name.as_str(), e.mtime),
            ("DOS dir 2", at(2002, 9, 2, 18, 48))
        );
        let e = entry("2002-09-02  19:06                9,730 DOS file 2");
        assert_eq!((e.name.as_str(), e.size), ("DOS file 2", Some(9730)));
        let e = entry("01-16-2002  11:14AM    1234 name");
        assert_eq!((e.size, e.mtime), (Some(1234), at(2002, 1, 16, 11, 14)));
        let e = entry("01-16-02  23:14       <DIR>          late");
        assert_eq!(e.mtime, at(2002, 1, 16, 23, 14));
    }

    #[test]
    fn twelve_hour_clock_edges() {
        assert_eq!(entry("01-16-02  12:05AM  1 x").mtime, at(2002, 1, 16, 0, 5));
        assert_eq!(
            entry("01-16-02  12:05PM  1 x").mtime,
            at(2002, 1, 16, 12, 5)
        );
        assert_eq!(
            entry("01-16-02  01:05pm  1 x").mtime,
            at(2002, 1, 16, 13, 5)
        );
    }

    #[test]
    fn two_digit_year_pivot() {
        assert_eq!(
            entry("01-16-69  11:14AM  1 x").mtime,
            at(2069, 1, 16, 11, 14)
        );
        assert_eq!(
            entry("01-16-70  11:14AM  1 x").mtime,
            at(1970, 1, 16, 11, 14)
        );
        assert_eq!(
            entry("01-16-99  11:14AM  1 x").mtime,
            at(1999, 1, 16, 11, 14)
        );
    }

    #[test]
    fn names_with_spaces() {
        let e = entry("01-16-02  11:14AM       <DIR>          name with  spaces ");
        assert_eq!(e.name, "name with  spaces ");
        let e = entry("01-16-02  11:14AM       <DIR>          ünïcödé 名前");
        assert_eq!(e.name, "ünïcödé 名前");
        // Leading spaces merge into the column padding: the format cannot carry them.
        assert_eq!(entry("01-16-02  11:14AM       <DIR>           x").name, "x");
    }

    #[test]
    fn impossible_dates_are_junk() {
        for line in [
            "02-30-02  11:14AM    1 x",
            "34-08-14  11:14AM    1 x",
            "20-01-2024  11:14  1 x",
        ] {
            assert_eq!(parse_dos_line(line), Err(()), "{line:?}");
        }
    }

    #[test]
    fn a_space_before_am_or_pm() {
        let e = entry("03-09-21  03:09 PM       <DIR>          Reports 2021");
        assert_eq!((e.name.as_str(), &e.kind), ("Reports 2021", &Kind::Dir));
        assert_eq!(e.mtime, at(2021, 3, 9, 15, 9));
        let e = entry("12-31-99  12:00 am                 17 midnight.txt");
        assert_eq!((e.size, e.mtime), (Some(17), at(1999, 12, 31, 0, 0)));
    }

    #[test]
    fn dot_entries_are_skipped() {
        assert_eq!(
            parse_dos_line("01-16-02  11:14AM       <DIR>          ."),
            Ok(None)
        );
        assert_eq!(
            parse_dos_line("01-16-02  11:14AM       <DIR>          .."),
            Ok(None)
        );
    }

    #[test]
    fn unreadable_lines() {
        let lines = [
            "",
            "01-16-02  11:14AM       <DIR>",
            "01-16-02  11:14AM       <DIR>          ",
            "01-16-02  11:14AM",
            "01-16-02 11:14AM <FILE> x",
            "01/16/02  11:14AM  1 x",
            "1-16-02  11:14AM  1 x",
            "01-16-002  11:14AM  1 x",
            "01-16-02-03  11:14AM  1 x",
            "01-16-02  13:14PM  1 x",
            "01-16-02  00:14AM  1 x",
            "01-16-02  24:00  1 x",
            "01-16-02  11:60  1 x",
            "01-16-02  11:5  1 x",
            "01-16-02  11:14AM  +1 x",
            "01-16-02  11:14AM  1,,000 x",
            "01-16-02  11:14AM  ,1 x",
            "   01-16-02  11:14AM  1 x",
            "36611      A    04-23-103  10:57  24-os2 file",
            "-rw-r--r--    1 0        0            1234 Jun 05  2019 name",
            "total 36",
        ];
        for line in lines {
            assert_eq!(parse_dos_line(line), Err(()), "{line:?}");
        }
    }
}
