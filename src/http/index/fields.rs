//! The size and date columns that index pages print, read token by token.
//!
//! A size is exact only when it is a plain byte count. `1.2K`, `12M`, `0.1K` are rounded for
//! display; an approximate size must never be compared with a local size as if it were exact,
//! so it reads as unknown. Times are the server's local clock (or UTC, which the caller finds
//! out), to the precision shown.

use chrono::{NaiveDate, NaiveDateTime};

use crate::tree::{Mtime, Precision, SizeRange, Zone};

/// What a row says about an entry, besides its name and kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Meta {
    pub size: Option<u64>,
    /// The sizes a rounded size (`1.2K`) stands for.
    pub size_range: Option<SizeRange>,
    pub mtime: Option<Mtime>,
}

/// A size column.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Size {
    /// A byte count, as printed by nginx (always, or below 10000 with `autoindex_exact_size
    /// off`), Apache (up to 972 bytes) and IIS (`1,234`: IIS may group digits).
    Exact(u64),
    /// `1.2K`, `5M`, `0.1K`: rounded.
    Approx,
    /// `-` (a directory), `<dir>` (IIS).
    NotAFile,
}

/// Reads one size token; `None` when the token is no size at all.
pub(super) fn size(token: &str) -> Option<Size> {
    if token == "-" || token.eq_ignore_ascii_case("<dir>") {
        return Some(Size::NotAFile);
    }
    let digits: String = token.chars().filter(|&c| c != ',').collect();
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // Grouping commas must sit between digits: `1,234`, not `,1` or `1,`.
        if token.starts_with(',') || token.ends_with(',') {
            return None;
        }
        return digits.parse().ok().map(Size::Exact);
    }
    let number = token.strip_suffix(|c: char| "KMGTPEkmgtpe".contains(c))?;
    let mut parts = number.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next().unwrap_or("0");
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (numeric(whole) && numeric(fraction)).then_some(Size::Approx)
}

/// The sizes a rounded size (`1.2K`, `5M`) can stand for: one step of its last digit either
/// side of it, whichever way the server rounded (nginx and Apache to the nearest, lighttpd up).
pub(super) fn range(token: &str) -> Option<SizeRange> {
    let (number, unit) = token.split_at(token.len().checked_sub(1)?);
    let shift = match unit.to_ascii_uppercase().as_str() {
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return None,
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = u32::try_from(fraction.len()).ok().filter(|&d| d <= 3)?;
    let scaled: u64 = format!("{whole}{fraction}").parse().ok()?;
    let step = 10u64.pow(digits);
    let unit = 1u64 << shift;
    // In units of 1/step: the value, and one step each side, times the unit.
    let bytes = |n: u64| n.checked_mul(unit).map(|b| b / step);
    Some(SizeRange {
        min: bytes(scaled.saturating_sub(1))?,
        max: bytes(scaled.checked_add(1)?)?,
    })
}

/// The exact byte count a size column gives, if any.
pub(super) fn exact(size: Option<Size>) -> Option<u64> {
    match size {
        Some(Size::Exact(bytes)) => Some(bytes),
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
/// (lighttpd).
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

/// The columns after a name in Apache, nginx and lighttpd rows: `DATE TIME SIZE ...`, where
/// either the date or the size may be missing (Apache's `SuppressLastModified`, `SuppressSize`).
/// Anything after the size (Apache's description, lighttpd's type) is not read.
pub(super) fn dated_columns(text: &str) -> Meta {
    let mut tokens = text.split_whitespace();
    let mut meta = Meta::default();
    let Some(mut token) = tokens.next() else {
        return meta;
    };
    if let Some(date) = dashed_date(token) {
        meta.mtime = tokens.next().and_then(clock).and_then(|c| local(date, c));
        if meta.mtime.is_none() {
            return meta;
        }
        let Some(next) = tokens.next() else {
            return meta;
        };
        token = next;
    }
    let parsed = size(token);
    if parsed == Some(Size::Approx) {
        meta.size_range = range(token);
    }
    meta.size = exact(parsed);
    meta
}
