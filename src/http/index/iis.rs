//! IIS's directory browsing (`DirectoryListingModule`), and servers that copy it (ASP.NET's
//! Cassini): one `<pre>` block, a `[To Parent Directory]` link, and rows that put the columns
//! *before* the link, ending in `<br>`:
//!
//! ```text
//!     Monday, February 11, 2019  4:31 PM        &lt;dir&gt; <A HREF="/pub/DUPLICATE/">DUPLICATE</A><br>
//!  2/29/2024  2:37 PM         1,234 <A HREF="/pub/big.bin">big.bin</A><br>
//! ```
//!
//! The date follows the server's locale; the long and short en-US forms and the year-first
//! short form (ja-JP, zh-CN) are read (samples and their sources in
//! `tests/fixtures/index/README.md`). Other locales' dates read as unknown.

use chrono::NaiveDate;

use super::fields::{self, Clock, Meta, Size};
use super::layout::{Page, Row};

pub(super) fn recognize(page: &Page) -> bool {
    page.rows.iter().any(|row| {
        (0..row.links.len()).any(|i| {
            row.link_text(i).trim() == "[To Parent Directory]" || columns(row.before(i)).is_some()
        })
    })
}

pub(super) fn meta(row: &Row, i: usize) -> Meta {
    columns(row.before(i)).unwrap_or_default()
}

/// `DATE TIME [AM|PM] SIZE`, read from the end; `None` unless all of it reads.
fn columns(text: &str) -> Option<Meta> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let (size, rest) = tokens.split_last()?;
    let size = fields::size(size).filter(|size| !matches!(size, Size::Rounded(_)))?;
    let (clock, rest) = time_of_day(rest)?;
    let date = match rest {
        [.., short] if short.contains('/') => short_date(short)?,
        [.., weekday, month, day, year] if weekday.ends_with(',') => long_date(month, day, year)?,
        _ => return None,
    };
    Some(Meta::new(Some(size), fields::local(date, clock)))
}

/// `H:MM AM`/`PM` (or a 24-hour `HH:MM`) at the end of `tokens`, and the tokens before it.
fn time_of_day<'t>(tokens: &'t [&'t str]) -> Option<(Clock, &'t [&'t str])> {
    let (last, rest) = tokens.split_last()?;
    let half = match last.to_ascii_uppercase().as_str() {
        "AM" => 0,
        "PM" => 12,
        _ => return Some((fields::clock(last)?, rest)),
    };
    let (time, rest) = rest.split_last()?;
    let (hour, minute, second, precision) = fields::clock(time)?;
    if !(1..=12).contains(&hour) {
        return None;
    }
    // 12:30 AM is half past midnight, 12:30 PM half past noon.
    Some(((hour % 12 + half, minute, second, precision), rest))
}

/// `M/D/YYYY` (en-US short date), or `YYYY/MM/DD` (the short date of ja-JP and zh-CN, whose
/// times are 24-hour: `2010/12/21 15:56`).
fn short_date(token: &str) -> Option<NaiveDate> {
    let mut parts = token.split('/');
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (year, month, day) = match a.len() {
        4 => (
            fields::number(a, 4)?,
            fields::number(b, 2)?,
            fields::number(c, 2)?,
        ),
        _ => (
            fields::number(c, 4)?,
            fields::number(a, 2)?,
            fields::number(b, 2)?,
        ),
    };
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// `Monday, January 16, 2024` (en-US long date), without the weekday.
fn long_date(month: &str, day: &str, year: &str) -> Option<NaiveDate> {
    let month = fields::month(month)?;
    let day = fields::number(day.strip_suffix(',')?, 2)?;
    let year = fields::number(year, 4)?;
    NaiveDate::from_ymd_opt(year as i32, month, day)
}
