//! The size and date columns that index pages print, read word by word.
//!
//! A size is exact only when it is a plain byte count. A size with a unit (`1.2K`, `1.5 KiB`,
//! `9 kB`) was rounded for display, up, down or to the nearest depending on the server, so it
//! stands for a range of byte counts, never for one. Every generator read here counts its units
//! in powers of 1024, whatever it calls them (webfs's `kB`, Tomcat's `kb`; the rendering of each
//! is in `tests/fixtures/index/README.md`). Times are the server's local clock (the caller finds
//! out its offset) unless the page names the zone, and keep the precision shown.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};

use crate::remote::tree::{Mtime, Precision, SizeRange, Zone};

/// What a row says about an entry, besides its name and kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Meta {
    pub size: Option<u64>,
    /// The sizes a rounded size (`1.2K`) stands for.
    pub size_range: Option<SizeRange>,
    pub mtime: Option<Mtime>,
}

impl Meta {
    /// A row's size and time.
    pub fn new(size: Option<Size>, mtime: Option<Mtime>) -> Meta {
        let (size, size_range) = match size {
            Some(Size::Exact(bytes)) => (Some(bytes), None),
            Some(Size::Rounded(range)) => (None, Some(range)),
            Some(Size::NotAFile) | None => (None, None),
        };
        Meta {
            size,
            size_range,
            mtime,
        }
    }
}

/// A size column.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Size {
    /// A byte count: `1234`, `1,234` (IIS may group digits), `3 B`.
    Exact(u64),
    /// A size with a unit (`1.2K`, `5M`, `1.5 KiB`, `9 kB`): one step of its last digit either
    /// side of it, which holds the true size whichever way the server rounded (nginx and Apache
    /// to the nearest, lighttpd, webfs and Tomcat down, lighttpd's `0.1K` up).
    Rounded(SizeRange),
    /// `-` (a directory), `<dir>` (IIS, webfs).
    NotAFile,
}

/// Reads one size word: a byte count, a number with its unit attached (`1.2K`), or the mark of a
/// directory. `None` when the word is no size at all.
pub(super) fn size(word: &str) -> Option<Size> {
    if word == "-" || word.eq_ignore_ascii_case("<dir>") {
        return Some(Size::NotAFile);
    }
    if let Some(bytes) = grouped(word) {
        return Some(Size::Exact(bytes));
    }
    let at = word.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = word.split_at(at);
    with_unit(number, unit)
}

/// Reads a number and its unit given apart: `3 B`, `1.5 KiB`, `9 kB`, `1.4 kb`. The unit is one
/// of `B`, or `K`, `M`, `G`, `T` alone or followed by `B` or `iB`, in any case.
pub(super) fn with_unit(number: &str, unit: &str) -> Option<Size> {
    let unit = unit.to_ascii_lowercase();
    let shift = match unit.as_str() {
        "b" => 0,
        _ => {
            let (prefix, rest) = unit.split_at_checked(1)?;
            if !matches!(rest, "" | "b" | "ib") {
                return None;
            }
            match prefix {
                "k" => 10,
                "m" => 20,
                "g" => 30,
                "t" => 40,
                _ => return None,
            }
        }
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) if !fraction.is_empty() && fraction.len() <= 3 => (whole, fraction),
        Some(_) => return None,
        None => (number, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || digits(fraction)) {
        return None;
    }
    if shift == 0 {
        return match fraction.is_empty() {
            true => whole.parse().ok().map(Size::Exact),
            false => None,
        };
    }
    rounded(whole, fraction, shift).map(Size::Rounded)
}

/// The size in `words`: one word ([`size`]), or a number and its unit ([`with_unit`]).
pub(super) fn size_words(words: &[&str]) -> Option<Size> {
    match words {
        [word] => size(word),
        [number, unit] => with_unit(number, unit),
        _ => None,
    }
}

/// A byte count, its digits perhaps grouped by commas (`1,234`); commas only between digits.
fn grouped(word: &str) -> Option<u64> {
    let digits: String = word.chars().filter(|&c| c != ',').collect();
    let numeric = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    if !numeric || word.starts_with(',') || word.ends_with(',') || word.contains(",,") {
        return None;
    }
    digits.parse().ok()
}

/// `whole.fraction` units of `1 << shift` bytes, one step of the fraction's last digit either
/// side.
fn rounded(whole: &str, fraction: &str, shift: u32) -> Option<SizeRange> {
    let scaled: u64 = format!("{whole}{fraction}").parse().ok()?;
    let step = 10u64.pow(u32::try_from(fraction.len()).ok()?);
    let unit = 1u64 << shift;
    // In units of 1/step: the value, and one step each side, times the unit.
    let bytes = |n: u64| n.checked_mul(unit).map(|b| b / step);
    Some(SizeRange {
        min: bytes(scaled.saturating_sub(1))?,
        max: bytes(scaled.checked_add(1)?)?,
    })
}

/// A size from `lstat` (mini_httpd, tree), which is a file's byte count only if the entry is no
/// symbolic link, and the page does not tell. A link's size is the length of the path it holds,
/// below `PATH_MAX` (4096 on Linux, 1024 on the BSDs and macOS): a size of 4096 bytes or more
/// is a file's (or a directory's, on mini_httpd's pages). A smaller one is not read: taken as
/// exact, a link's would cap the download of its target's bytes and fail it on every run.
pub(super) fn lstat_size(size: Size) -> Option<Size> {
    const PATH_MAX: u64 = 4096;
    match size {
        Size::Exact(bytes) if bytes >= PATH_MAX => Some(size),
        Size::Rounded(range) if range.min >= PATH_MAX => Some(size),
        _ => None,
    }
}

/// A month by its English name or three-letter abbreviation, any case.
pub(super) fn month(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let name = name.to_ascii_lowercase();
    let index = MONTHS
        .iter()
        .position(|full| *full == name || (name.len() == 3 && full.starts_with(&name)))?;
    Some(index as u32 + 1)
}

/// A number of at most `max_len` ASCII digits (no sign: `str::parse` would take `+1`).
pub(super) fn number(text: &str, max_len: usize) -> Option<u32> {
    let ok = !text.is_empty() && text.len() <= max_len && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.parse().ok()).flatten()
}

/// `YYYY-MM-DD` (Apache 2.4), `DD-Mon-YYYY` (nginx, Apache 2.2 and older) or `YYYY-Mon-DD`
/// (lighttpd, nginx's fancyindex).
pub(super) fn dashed_date(token: &str) -> Option<NaiveDate> {
    let mut parts = token.split('-');
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (year, month, day) = match month(b) {
        Some(month) if a.len() == 4 => (number(a, 4)?, month, number(c, 2)?),
        Some(month) => (number(c, 4)?, month, number(a, 2)?),
        None if a.len() == 4 => (number(a, 4)?, number(b, 2)?, number(c, 2)?),
        None => return None,
    };
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// `16Jan2024` (mini_httpd's `%d%b%Y`).
pub(super) fn compact_date(token: &str) -> Option<NaiveDate> {
    if token.len() != 9 || !token.is_ascii() {
        return None;
    }
    let day = number(&token[..2], 2)?;
    let month = month(&token[2..5])?;
    let year = number(&token[5..], 4)?;
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// A time of day: hour, minute, second, and the precision it was shown to.
pub(super) type Clock = (u32, u32, u32, Precision);

/// `HH:MM` or `HH:MM:SS`.
pub(super) fn clock(token: &str) -> Option<Clock> {
    let mut parts = token.split(':');
    let hour = number(parts.next()?, 2)?;
    let minute = number(parts.next()?, 2)?;
    let (second, precision) = match parts.next() {
        Some(second) => (number(second, 2)?, Precision::Second),
        None => (0, Precision::Minute),
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some((hour, minute, second, precision))
}

/// A server-local time.
pub(super) fn local(date: NaiveDate, clock: Clock) -> Option<Mtime> {
    let (hour, minute, second, precision) = clock;
    let time: NaiveDateTime = date.and_hms_opt(hour, minute, second)?;
    Some(Mtime {
        time,
        precision,
        zone: Zone::ServerLocal,
    })
}

/// A time shown with its offset from UTC, in seconds east, as UTC to the second.
fn utc(date: NaiveDate, clock: Clock, east: i64) -> Option<Mtime> {
    let (hour, minute, second, _) = clock;
    let shown = date.and_hms_opt(hour, minute, second)?;
    Some(Mtime {
        time: shown.checked_sub_signed(TimeDelta::try_seconds(east)?)?,
        precision: Precision::Second,
        zone: Zone::Utc,
    })
}

/// `ls -l`'s date (webfs, tree): `Jan 16  2024` to the day, or `Dec  3 08:09` to the minute for
/// a time within the last six months. Such a time has no year: it is the latest year that does
/// not put the time more than a day after `now` (the day absorbs clock skew and zones; `Feb 29`
/// looks back up to 8 years for a leap year, as across 2100).
pub(super) fn ls_date(
    month_name: &str,
    day: &str,
    year_or_time: &str,
    now: NaiveDateTime,
) -> Option<Mtime> {
    let month = month(month_name).filter(|_| month_name.len() == 3)?;
    let day = number(day, 2)?;
    if year_or_time.len() == 4 {
        let date = NaiveDate::from_ymd_opt(number(year_or_time, 4)? as i32, month, day)?;
        return local(date, (0, 0, 0, Precision::Day));
    }
    let clock = clock(year_or_time)?;
    let limit = now.checked_add_signed(TimeDelta::days(1)).unwrap_or(now);
    let this_year = now.year();
    (this_year - 8..=this_year + 1)
        .rev()
        .filter_map(|year| local(NaiveDate::from_ymd_opt(year, month, day)?, clock))
        .find(|mtime| mtime.time <= limit)
}

/// `2024-01-16T11:14:30Z`: UTC (Caddy's `datetime` attribute; Caddy writes its times in UTC).
pub(super) fn iso_utc(text: &str) -> Option<Mtime> {
    let (date, time) = text.trim().strip_suffix('Z')?.split_once('T')?;
    let clock = clock(time).filter(|c| c.3 == Precision::Second)?;
    utc(dashed_date(date).filter(|_| date.len() == 10)?, clock, 0)
}

/// Go's `time.Time.String()`: `2024-01-16 11:14:30 +0000 UTC`, the seconds perhaps with a
/// fraction (`11:14:30.5`), the offset numeric and the zone name after it (not read).
pub(super) fn go_time(text: &str) -> Option<Mtime> {
    let mut words = text.split_whitespace();
    let date = dashed_date(words.next()?)?;
    let time = words.next()?;
    let (time, fraction) = time.split_once('.').unwrap_or((time, "0"));
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || fraction.is_empty() {
        return None;
    }
    let clock = clock(time).filter(|c| c.3 == Precision::Second)?;
    utc(date, clock, offset(words.next()?)?)
}

/// `+0530`, `-0700`: seconds east of UTC.
fn offset(text: &str) -> Option<i64> {
    let (sign, digits) = match text.split_at_checked(1)? {
        ("+", digits) => (1, digits),
        ("-", digits) => (-1, digits),
        _ => return None,
    };
    let hhmm = i64::from(number(digits, 4).filter(|_| digits.len() == 4)?);
    let (hours, minutes) = (hhmm / 100, hhmm % 100);
    (hours <= 14 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

/// RFC 1123's date, as HTTP has it (RFC 9110 section 5.6.7): `Tue, 16 Jan 2024 11:14:30 GMT`,
/// as words. Tomcat's listing shows it.
pub(super) fn http_date(words: &[&str]) -> Option<Mtime> {
    let [weekday, day, month_name, year, time, "GMT"] = words else {
        return None;
    };
    weekday.strip_suffix(',')?;
    let date =
        NaiveDate::from_ymd_opt(number(year, 4)? as i32, month(month_name)?, number(day, 2)?)?;
    utc(date, clock(time).filter(|c| c.3 == Precision::Second)?, 0)
}

/// Java's `Date.toString()`: `Tue Jul 09 13:22:10 EDT 2013` (`EEE MMM dd HH:mm:ss zzz yyyy`, in
/// the JVM's zone), as words. The zone is read where its name means one offset: UTC, GMT and the
/// US zones; `CST` and `CDT` do not (China and Cuba print them too), nor does any other name,
/// so those times stay the server's local time.
pub(super) fn java_date(words: &[&str]) -> Option<Mtime> {
    const ZONES: [(&str, i64); 11] = [
        ("UTC", 0),
        ("GMT", 0),
        ("EST", -5),
        ("EDT", -4),
        ("MST", -7),
        ("MDT", -6),
        ("PST", -8),
        ("PDT", -7),
        ("AKST", -9),
        ("AKDT", -8),
        ("HST", -10),
    ];
    let [_weekday, month_name, day, time, zone, year] = words else {
        return None;
    };
    let date =
        NaiveDate::from_ymd_opt(number(year, 4)? as i32, month(month_name)?, number(day, 2)?)?;
    let clock = clock(time).filter(|c| c.3 == Precision::Second)?;
    if !zone.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    match ZONES.iter().find(|(name, _)| name == zone) {
        Some((_, hours)) => utc(date, clock, hours * 3600),
        None => local(date, clock),
    }
}

/// The columns after a name in Apache, nginx and lighttpd rows: `DATE TIME SIZE ...`, where
/// either the date or the size may be missing (Apache's `SuppressLastModified`, `SuppressSize`).
/// Anything after the size (Apache's description, lighttpd's type) is not read.
pub(super) fn dated_columns(text: &str) -> Meta {
    let mut tokens = text.split_whitespace();
    let Some(mut token) = tokens.next() else {
        return Meta::default();
    };
    let mut mtime = None;
    if let Some(date) = dashed_date(token) {
        mtime = tokens.next().and_then(clock).and_then(|c| local(date, c));
        match (mtime, tokens.next()) {
            (Some(_), Some(next)) => token = next,
            _ => return Meta::new(None, mtime),
        }
    }
    Meta::new(size(token), mtime)
}
