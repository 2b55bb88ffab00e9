//! IBM i (OS/400) LIST lines in the native format, `SITE LISTFMT 0` (os400.md: commons-net
//! OS400FTPEntryParser, lftp `ParseFtpLongList_AS400`, FileZilla `ParseAsIbm`, FluentFTP
//! IBMOS400Parser, IBM's `SITE` documentation):
//!
//! ```text
//! ALICE           18342 03/07/21 09:30:45 *STMF      report.txt
//! ALICE           10240 11/28/26 14:05:09 *DIR       data/
//! QPGMR                                   *MEM       PAYROLL.MBR
//! ```
//!
//! Owner, size, date, time, object type and name; members (`*MEM`) have no size and no date. The
//! columns are fixed (type at column 40, name at 51), so a name's leading spaces survive when the
//! line keeps them; otherwise the name starts after the spaces that follow the type.
//!
//! The date's order is the job's (`MM/DD/YY`, `DD/MM/YY` or `YY/MM/DD`, with `/ . - ,`): a line
//! alone rarely says which. An order must give a real date, not more than a day after `now`
//! (FluentFTP's heuristic) when another order can; the listing keeps the orders every line allows.
//! A date that still reads differently in the orders left is not guessed: the entry has no time.

use std::cell::OnceCell;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use super::calendar::{clock, digits, local_time, two_digit_year, Clock};
use super::{decimal, is_dot_name, read_text_lines, Line, LineResult, Reading};
use crate::remote::tree::{Entry, Kind};

/// Reads a listing in IBM i lines. `now` is the current time in the server's zone.
pub(super) fn read(lines: &[Line], now: NaiveDateTime) -> Reading {
    let orders = OnceCell::new();
    let listing = || *orders.get_or_init(|| listing_orders(lines, now));
    read_text_lines(lines.iter().copied(), |line| {
        parse_line(line, now, &listing)
    })
}

/// Parses one line, its date order settled by `listing` when the line alone cannot.
fn parse_line(line: &str, now: NaiveDateTime, listing: &dyn Fn() -> Orders) -> LineResult {
    let object = scan(line).ok_or(())?;
    let Some(name) = object.name else {
        // A database file with no name is the one listed (after CWD into it): not content.
        return match (object.object_type, object.stamp) {
            ("*FILE", Some(_)) => Ok(None),
            _ => Err(()),
        };
    };
    let (kind, sized) = kind_of(object.object_type, name);
    let name = match kind {
        Kind::Dir => name.strip_suffix('/').unwrap_or(name),
        _ => name,
    };
    if name.is_empty() {
        return Err(());
    }
    if is_dot_name(name) {
        return Ok(None);
    }
    let mut entry = Entry::new(name, kind);
    match (object.object_type, object.stamp) {
        // A member's size and date are not listed; one listed is no member line.
        ("*MEM", None) => {}
        ("*MEM", Some(_)) | (_, None) => return Err(()),
        (_, Some(stamp)) => {
            entry.size = sized.then_some(stamp.size);
            let valid = valid_orders(stamp.date, now);
            let orders = match valid.count_ones() {
                0 => return Err(()),
                1 => valid,
                _ => Some(valid & listing()).filter(|o| *o != 0).unwrap_or(valid),
            };
            entry.mtime = agreed_date(stamp.date, orders)
                .map(|date| local_time(date, stamp.clock).ok_or(()))
                .transpose()?;
        }
    }
    Ok(Some(entry))
}

/// The mirror kind of an object type, and whether its listed size is its content's.
fn kind_of(object_type: &str, name: &str) -> (Kind, bool) {
    match object_type {
        "*STMF" | "*DOC" | "*MEM" => (Kind::File, true),
        // A save file is a file; any other database file holds members, listed after CWD.
        "*FILE" if name.ends_with(".SAVF") => (Kind::File, true),
        "*DIR" | "*DDIR" | "*LIB" | "*FLR" | "*FILE" => (Kind::Dir, false),
        _ => (Kind::Other, true),
    }
}

/// One line's fields.
struct Object<'a> {
    stamp: Option<Stamp>,
    object_type: &'a str,
    name: Option<&'a str>,
}

/// Size, date and time, which every object but a member has.
#[derive(Clone, Copy)]
struct Stamp {
    size: u64,
    date: [u32; 3],
    clock: Clock,
}

/// Where the object type and the name start when the line keeps IBM i's columns.
const TYPE_COLUMN: usize = 40;
const NAME_COLUMN: usize = 51;

fn scan(line: &str) -> Option<Object<'_>> {
    let (owner, rest) = line.split_once(' ')?;
    if !(1..=10).contains(&owner.len())
        || !owner
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"$#@_".contains(&b))
    {
        return None;
    }
    let mut fields = rest.split(' ').filter(|f| !f.is_empty());
    let first = fields.next()?;
    let (stamp, object_type) = match first.starts_with('*') {
        true => (None, first),
        false => {
            let stamp = Stamp {
                size: decimal(first)?,
                date: date_parts(fields.next()?)?,
                clock: clock(fields.next()?).filter(|c| c.second.is_some())?,
            };
            (Some(stamp), fields.next()?)
        }
    };
    if !is_object_type(object_type) {
        return None;
    }
    let type_start = object_type.as_ptr() as usize - line.as_ptr() as usize;
    let after_type = &line[type_start + object_type.len()..];
    let columns = type_start == TYPE_COLUMN
        && line
            .get(type_start + object_type.len()..NAME_COLUMN)
            .is_some_and(|pad| pad.bytes().all(|b| b == b' '));
    let name = match columns {
        true => &line[NAME_COLUMN..],
        false => after_type.trim_start_matches(' '),
    };
    Some(Object {
        stamp,
        object_type,
        name: (!name.is_empty()).then_some(name),
    })
}

/// `*` and an IBM i object type name (`*STMF`, `*DTAARA`).
fn is_object_type(field: &str) -> bool {
    field.strip_prefix('*').is_some_and(|name| {
        (2..=10).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

/// The three two-digit numbers of a date, with the same separator twice.
fn date_parts(field: &str) -> Option<[u32; 3]> {
    let separator = *field.as_bytes().get(2)?;
    if !b"/.-,".contains(&separator) || field.len() != 8 || field.as_bytes()[5] != separator {
        return None;
    }
    let part = |range| digits(field.get(range)?, 2..=2);
    Some([part(0..2)?, part(3..5)?, part(6..8)?])
}

/// A set of date orders: month-day-year, day-month-year, year-month-day.
type Orders = u8;
const ORDERS: [Orders; 3] = [1, 2, 4];

/// The date the parts make in one order.
fn date_in(parts: [u32; 3], order: Orders) -> Option<NaiveDate> {
    let [a, b, c] = parts;
    let (year, month, day) = match order {
        1 => (c, a, b),
        2 => (c, b, a),
        _ => (a, b, c),
    };
    NaiveDate::from_ymd_opt(i32::try_from(two_digit_year(year)).ok()?, month, day)
}

/// The orders that make a real date of the parts: those not more than a day after `now` if
/// any is, else all that make one.
fn valid_orders(parts: [u32; 3], now: NaiveDateTime) -> Orders {
    let limit = now
        .checked_add_signed(TimeDelta::days(1))
        .unwrap_or(now)
        .date();
    let real = |past: bool| {
        ORDERS
            .into_iter()
            .filter(|&order| date_in(parts, order).is_some_and(|d| !past || d <= limit))
            .fold(0, |set, order| set | order)
    };
    match real(true) {
        0 => real(false),
        past => past,
    }
}

/// The orders every dated line of the listing allows.
fn listing_orders(lines: &[Line], now: NaiveDateTime) -> Orders {
    let mut orders = ORDERS.into_iter().fold(0, |set, order| set | order);
    for line in lines {
        if let Line::Text(text) = line {
            if let Some(stamp) = scan(text).and_then(|object| object.stamp) {
                let valid = valid_orders(stamp.date, now);
                if valid != 0 {
                    orders &= valid;
                }
            }
        }
    }
    orders
}

/// The date of the parts when every order in `orders` reads the same one.
fn agreed_date(parts: [u32; 3], orders: Orders) -> Option<NaiveDate> {
    let mut dates = ORDERS
        .into_iter()
        .filter(|order| orders & order != 0)
        .filter_map(|order| date_in(parts, order));
    let date = dates.next()?;
    dates.all(|other| other == date).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ftp::list::calendar::server_local;
    use crate::remote::tree::{Mtime, Precision};

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 4)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap()
    }

    fn second(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Mtime> {
        let time = NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_opt(h, mi, s)?;
        Some(server_local(time, Precision::Second))
    }

    fn listing(data: &str) -> Reading {
        let lines: Vec<Line> = super::super::lines(data.as_bytes()).collect();
        read(&lines, now())
    }

    type Expected<'a> = (&'a str, Kind, Option<u64>, Option<Mtime>);

    fn summary(reading: &Reading) -> Vec<Expected<'_>> {
        let entries = reading.entries.iter();
        entries
            .map(|e| (e.name.as_str(), e.kind.clone(), e.size, e.mtime))
            .collect()
    }

    #[test]
    fn ifs_directory() {
        // os400.md §1 (layout of commons-net OS400FTPEntryParser's javadoc and lftp's
        // `ParseFtpLongList_AS400` comment): `11/28/26` and `10/14/20` can only be month first,
        // so the listing is.
        let reading = listing(
            "ALICE           10240 11/28/26 14:05:09 *DIR       data/\n\
             ALICE           18342 03/07/21 09:30:45 *STMF      report.txt\n\
             ALICE             512 10/14/20 16:00:00 *STMF      quarterly summary.pdf\n\
             QSYS            61440 08/19/03 11:27:40 *DIR       QOpenSys/\n\
             ALICE      5368709120 01/05/26 08:00:00 *STMF      big.iso\n",
        );
        assert!(reading.unread.is_empty(), "{:?}", reading.unread);
        assert_eq!(
            summary(&reading),
            [
                ("data", Kind::Dir, None, second(2026, 11, 28, 14, 5, 9)),
                (
                    "report.txt",
                    Kind::File,
                    Some(18342),
                    second(2021, 3, 7, 9, 30, 45)
                ),
                (
                    "quarterly summary.pdf",
                    Kind::File,
                    Some(512),
                    second(2020, 10, 14, 16, 0, 0)
                ),
                ("QOpenSys", Kind::Dir, None, second(2003, 8, 19, 11, 27, 40)),
                (
                    "big.iso",
                    Kind::File,
                    Some(5_368_709_120),
                    second(2026, 1, 5, 8, 0, 0)
                ),
            ]
        );
    }

    #[test]
    fn library_listing() {
        // os400.md §2 (NAMEFMT 1): a member listed with its file's name is a path, so junk here.
        let reading = listing(
            "QPGMR         1048576 11/30/26 08:15:00 *FILE      ORDERS.FILE\n\
             QPGMR                                   *MEM       ORDERS.FILE/ORDERS.MBR\n\
             QPGMR          532480 06/01/25 10:00:00 *FILE      BACKUP.SAVF\n\
             QPGMR           65536 01/15/24 12:00:00 *PGM       CALCPAY.PGM\n\
             QPGMR            8192 01/15/24 12:00:00 *DTAARA    RUNFLAG.DTAARA\n",
        );
        assert_eq!(
            summary(&reading),
            [
                (
                    "ORDERS.FILE",
                    Kind::Dir,
                    None,
                    second(2026, 11, 30, 8, 15, 0)
                ),
                (
                    "BACKUP.SAVF",
                    Kind::File,
                    Some(532_480),
                    second(2025, 6, 1, 10, 0, 0)
                ),
                (
                    "CALCPAY.PGM",
                    Kind::Other,
                    Some(65536),
                    second(2024, 1, 15, 12, 0, 0)
                ),
                (
                    "RUNFLAG.DTAARA",
                    Kind::Other,
                    Some(8192),
                    second(2024, 1, 15, 12, 0, 0)
                ),
            ]
        );
        assert_eq!(reading.unread.len(), 1);
    }

    #[test]
    fn inside_a_database_file() {
        // os400.md §3: the nameless `*FILE` line is the file itself; members have no size or date.
        let reading = listing(
            "QPGMR           94208 11/02/26 07:51:33 *FILE\n\
             QPGMR                                   *MEM       PAYROLL.MBR\n\
             QPGMR                                   *MEM       INVOICE.MBR\n",
        );
        assert!(reading.unread.is_empty());
        assert_eq!(reading.read, 3);
        assert_eq!(
            summary(&reading),
            [
                ("PAYROLL.MBR", Kind::File, None, None),
                ("INVOICE.MBR", Kind::File, None, None)
            ]
        );
    }

    #[test]
    fn day_first_job() {
        // os400.md §4 (commons-net's javadoc shows `DD.MM.YY`; FluentFTP drops an order that
        // puts a date in the future): `28.11.26` is day first (year first would be 2028).
        let reading = listing(
            "ANNA             4096 28.11.26 14:05:09 *DIR       archiv/\n\
             ANNA              880 03.05.21 08:00:00 *STMF      notiz.txt\n\
             ANNA               77 07.03.24 12:00:00 *STMF      maerz.log\n",
        );
        assert_eq!(
            summary(&reading),
            [
                ("archiv", Kind::Dir, None, second(2026, 11, 28, 14, 5, 9)),
                (
                    "notiz.txt",
                    Kind::File,
                    Some(880),
                    second(2021, 5, 3, 8, 0, 0)
                ),
                (
                    "maerz.log",
                    Kind::File,
                    Some(77),
                    second(2024, 3, 7, 12, 0, 0)
                ),
            ]
        );
    }

    #[test]
    fn dates_no_line_settles_have_no_time() {
        // os400.md §5: every date reads in every order, differently: not guessed.
        let reading = listing(
            "QSYS          2093056 10/01/26 07:00:00 *LIB       MYLIB.LIB\n\
             QSYS             4096 09/09/19 09:09:09 *FLR       SHARED\n\
             QDOC            20480 05/12/19 11:05:00 *DOC       MEMO.DOC\n\
             QDOC            20480 01/01/01 11:05:00 *DOC       SAME.DOC\n",
        );
        assert_eq!(
            summary(&reading),
            [
                ("MYLIB.LIB", Kind::Dir, None, None),
                ("SHARED", Kind::Dir, None, None),
                ("MEMO.DOC", Kind::File, Some(20480), None),
                (
                    "SAME.DOC",
                    Kind::File,
                    Some(20480),
                    second(2001, 1, 1, 11, 5, 0)
                ),
            ]
        );
    }

    #[test]
    fn names_keep_the_spaces_the_columns_show() {
        let reading = listing(
            "ALICE             512 10/14/20 16:00:00 *STMF       spaced \n\
             ALICE 1 10/14/20 16:00:00 *STMF   unaligned\n",
        );
        let names: Vec<_> = reading.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, [" spaced ", "unaligned"]);
    }

    #[test]
    fn junk() {
        // os400.md §6 and impossible-dates.md: a nameless `*MEM`, a `*MEM` with a size, hour 30,
        // no order makes a date, a size glued to the date, no name; and other dialects' lines.
        for line in [
            "QPGMR                                   *MEM",
            "QPGMR           94208 11/02/26 07:51:33 *MEM       PAYROLL.MBR",
            "QPGMR            1234 11/02/26 30:51:33 *STMF      bad-hour.txt",
            "QPGMR            1234 14/14/26 10:51:33 *STMF      bad-date.txt",
            "ALICE           5529611/02/26 07:51:33 *STMF      glued.txt",
            "QPGMR            1234 11/02/26 10:51:33 *STMF",
            "ALICE             100 13/13/26 10:00:00 *STMF      os400-13-13.txt",
            "ALICE             100 11/02-26 10:00:00 *STMF      two-separators",
            "ALICE             100 11/02/26 10:00 *STMF      no-seconds",
            "alice             100 11/02/26 10:00:00 *STMF      lower-case-owner",
            "ALICE             100 11/02/26 10:00:00 STMF      no-star",
            "QPGMR                                   *DIR       members-only/",
            "-rw-r--r--    1 0        0            1234 Jun 05  2019 name",
            "04-27-00  09:09PM       <DIR>          licensed",
        ] {
            let reading = listing(line);
            assert_eq!((reading.read, reading.unread.len()), (0, 1), "{line:?}");
        }
    }
}
