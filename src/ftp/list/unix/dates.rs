//! The date of an `ls -l` line, in the forms `ls` and servers print it (unix-variants.md §2 and
//! §E, from coreutils' translated format strings and glibc 2.36 locales):
//!
//! | form | example |
//! | --- | --- |
//! | C locale, month first | `Nov  9 20:06`, `Nov  9  2019`; localized names (`dic`, `мар`) |
//! | day first | `29 Jul 02:27`, `7 mars  2024`, ` 7. Mär 2024 `, `2. pro 09.36` |
//! | year first (hu) | `2024 márc   7` |
//! | CJK | ` 3月  7  2024`, `11月30日 18:05`, `2024年 3月 7日`, `2024년  3월  7일` |
//! | numeric (fi) | ` 7. 3.  2024`, `30.11. 18:05` |
//! | ISO | `2025-09-16 07:48`, `2019-01-17`, `11-29 16:05`, `2026-12-01 09:36:06.18 +0000` |
//!
//! A date is read from one to four space-separated fields, each cut into pieces (`9月19日` is a
//! month and a day); the pieces must make one of the forms above. Times may use `.` (hu, sv, it,
//! cs).

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use super::super::calendar::{english_month, latest_fitting, local_day, server_local};
use super::super::decimal;
use super::{months, Fields};
use crate::remote::tree::{Mtime, Precision, Zone};

/// The date fields of an `ls -l` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LsDate {
    pub(super) month: Month,
    day: u32,
    when: When,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Month {
    Number(u32),
    /// A name that means different months in different languages (`lis`: November in Polish
    /// and Czech, October in Croatian), at these byte offsets of the line: the listing decides.
    Named {
        start: usize,
        end: usize,
    },
}

/// The rest of the date: a time of day for recent files, a year for the others, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Time {
        hour: u32,
        minute: u32,
    },
    Year(i32),
    YearTime {
        year: i32,
        hour: u32,
        minute: u32,
    },
    /// `--time-style=full-iso`: to the second, with the zone's offset in seconds.
    Full {
        year: i32,
        hour: u32,
        minute: u32,
        second: u32,
        offset: i32,
    },
}

/// A date found at a field index.
pub(super) struct Located {
    pub(super) date: LsDate,
    /// How many fields it takes.
    pub(super) tokens: usize,
    /// It ends in a year alone (`Feb 18 2005`, `2019-01-17`), which `ls` may pad after.
    pub(super) year_last: bool,
}

/// The date starting at field `i`, if the fields there make one.
pub(super) fn date_at(fields: &Fields, i: usize) -> Option<Located> {
    classic(fields, i).or_else(|| any_form(fields, i))
}

/// The C locale's `Mon DD HH:MM` and `Mon DD YYYY`, and the day-first `DD Mon ...` some servers
/// print (FileZilla parser tests): nearly every listing, so read before the general case.
fn classic(fields: &Fields, i: usize) -> Option<Located> {
    let (a, b) = (fields.get(i)?, fields.get(i + 1)?);
    let (when, year_last) = match clock(fields.get(i + 2)?)? {
        Piece::Time {
            hour,
            minute,
            second: None,
        } => (When::Time { hour, minute }, false),
        Piece::Number {
            value, digits: 4, ..
        } => (When::Year(i32::try_from(value).ok()?), true),
        _ => return None,
    };
    let (month, day) = match (english_month(a), day_number(b)) {
        (Some(month), Some(day)) => (month, day),
        _ => (english_month(b)?, day_number(a)?),
    };
    let date = LsDate {
        month: Month::Number(month),
        day,
        when,
    };
    Some(Located {
        date,
        tokens: 3,
        year_last,
    })
}

fn day_number(field: &str) -> Option<u32> {
    small(field, 2).filter(|day| (1..=31).contains(day))
}

/// `HH:MM` or a four-digit year, as [`classic`] takes them.
fn clock(field: &str) -> Option<Piece> {
    match field.contains(':') {
        true => time(field),
        false => small(field, 4)
            .filter(|_| field.len() == 4)
            .map(|value| Piece::Number {
                value,
                digits: 4,
                mark: Mark::Bare,
            }),
    }
}

/// Most pieces a date has: `2026-12-01` `09:36:06.18` `+0000`, or year, month, day and time.
const MAX_PIECES: usize = 6;

/// Any of the forms in the module's table, over one to four fields.
fn any_form(fields: &Fields, i: usize) -> Option<Located> {
    let mut pieces = [Piece::Offset(0); MAX_PIECES];
    let mut len = 0;
    for tokens in 1..=4 {
        let start = fields.start(i + tokens - 1);
        let field = fields.get(i + tokens - 1)?;
        len = split(field, start, &mut pieces, len)?;
        if let Some((date, year_last)) = form(&pieces[..len]) {
            return Some(Located {
                date,
                tokens,
                year_last,
            });
        }
        if let [Piece::Ymd { year, month, day }] = pieces[..len] {
            return iso(fields, i, year, month, day);
        }
    }
    None
}

/// An ISO date: alone (`--time-style=iso`, and lt_LT for old files), with `HH:MM` (`long-iso`,
/// lt_LT for recent files) or with `HH:MM:SS.N +ZZZZ` (`full-iso`). A time to the second must
/// have its zone.
fn iso(fields: &Fields, i: usize, year: i32, month: u32, day: u32) -> Option<Located> {
    let at = |when, tokens, year_last| Located {
        date: LsDate::on(month, day, when),
        tokens,
        year_last,
    };
    match fields.get(i + 1).and_then(time) {
        Some(Piece::Time {
            hour,
            minute,
            second: None,
        }) => Some(at(When::YearTime { year, hour, minute }, 2, false)),
        Some(Piece::Time {
            hour,
            minute,
            second: Some(second),
        }) => {
            let when = When::Full {
                year,
                hour,
                minute,
                second,
                offset: fields.get(i + 2).and_then(offset)?,
            };
            Some(at(when, 3, false))
        }
        _ => Some(at(When::Year(year), 1, true)),
    }
}

/// What a number in a date field is followed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Bare,
    /// `7.` (de, cs, fi).
    Dot,
    /// 年 (zh, ja) or 년 (ko).
    Year,
    /// 月 or 월.
    Month,
    /// 日 or 일.
    Day,
}

/// A part of a date field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Number {
        value: u32,
        digits: usize,
        mark: Mark,
    },
    Month(Month),
    Time {
        hour: u32,
        minute: u32,
        second: Option<u32>,
    },
    Ymd {
        year: i32,
        month: u32,
        day: u32,
    },
    /// `MM-DD` (`--time-style=iso` and pl_PL for recent files).
    Md {
        month: u32,
        day: u32,
    },
    /// A zone offset in seconds (`+0100`).
    Offset(i32),
}

/// Appends the pieces of `field` (at byte `start` of the line) after `len` pieces; the new
/// length, or `None` if the field is no date part or there are too many pieces.
fn split(field: &str, start: usize, pieces: &mut [Piece; MAX_PIECES], len: usize) -> Option<usize> {
    let mut push = |len: usize, piece| {
        *pieces.get_mut(len)? = piece;
        Some(len + 1)
    };
    if field.contains(':') || is_dotted_time(field) {
        return push(len, time(field)?);
    }
    if field.contains('-') {
        return push(len, dashed(field)?);
    }
    if !field.starts_with(|c: char| c.is_ascii_digit()) {
        return push(len, Piece::Month(month(field, start)?));
    }
    // Numbers, each followed by a mark: `2024年`, `9月19日`, `30.11.`, `7`.
    let mut len = len;
    let mut rest = field;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let value = small(&rest[..digits], 4)?;
        let after = &rest[digits..];
        let next = after.chars().next();
        let mark = match next {
            None => Mark::Bare,
            Some('.') => Mark::Dot,
            Some('年' | '년') => Mark::Year,
            Some('月' | '월') => Mark::Month,
            Some('日' | '일') => Mark::Day,
            Some(_) => return None,
        };
        len = push(
            len,
            Piece::Number {
                value,
                digits,
                mark,
            },
        )?;
        rest = &after[next.map_or(0, char::len_utf8)..];
    }
    Some(len)
}

/// A month name, in English or in a language of [`months`].
fn month(field: &str, start: usize) -> Option<Month> {
    if let Some(month) = english_month(field) {
        return Some(Month::Number(month));
    }
    match months::meaning(field)? {
        months::Meaning::Month(month) => Some(Month::Number(month)),
        months::Meaning::Clash => Some(Month::Named {
            start,
            end: start + field.len(),
        }),
    }
}

/// `09.36`: hours and minutes with a dot (hu, sv, it, cs GNU `ls`).
fn is_dotted_time(field: &str) -> bool {
    matches!(field.split_once('.'), Some((h, m)) if (1..=2).contains(&h.len()) && m.len() == 2
        && decimal(h).is_some() && decimal(m).is_some())
}

/// `HH:MM`, `H:MM`, `HH.MM`, `HH:MM:SS` and `HH:MM:SS.fraction`. `24:00` is the midnight that
/// ends the day, as some servers print it (FileZilla test `alternate_midnight`).
fn time(field: &str) -> Option<Piece> {
    let (hour, rest) = field.split_once([':', '.'])?;
    let (minute, second) = match rest.split_once(':') {
        Some((minute, second)) => {
            // Fractions of a second are dropped, as MLSD's are.
            let whole = match second.split_once('.') {
                Some((whole, fraction)) if is_digits(fraction) => whole,
                Some(_) => return None,
                None => second,
            };
            (
                minute,
                Some(small(whole, 2).filter(|s| *s <= 59 && whole.len() == 2)?),
            )
        }
        None => (rest, None),
    };
    let hour = small(hour, 2).filter(|h| *h <= 24)?;
    let minute = small(minute, 2).filter(|m| *m <= 59 && minute.len() == 2)?;
    (hour < 24 || (minute == 0 && second.unwrap_or(0) == 0)).then_some(Piece::Time {
        hour,
        minute,
        second,
    })
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYY-MM-DD` or `MM-DD`, with a month and day that can be.
fn dashed(field: &str) -> Option<Piece> {
    let mut parts = field.split('-');
    let piece = match (parts.next()?, parts.next()?, parts.next()) {
        (y, m, Some(d)) if y.len() == 4 && m.len() == 2 && d.len() == 2 => Piece::Ymd {
            year: i32::try_from(small(y, 4)?).ok()?,
            month: month_number(m)?,
            day: day_number(d)?,
        },
        (m, d, None) if m.len() == 2 && d.len() == 2 => Piece::Md {
            month: month_number(m)?,
            day: day_number(d)?,
        },
        _ => return None,
    };
    parts.next().is_none().then_some(piece)
}

/// `+0100` or `-0500`.
fn offset(field: &str) -> Option<i32> {
    let (sign, digits) = match field.split_at_checked(1)? {
        ("+", digits) => (1, digits),
        ("-", digits) => (-1, digits),
        _ => return None,
    };
    let hours = i32::try_from(small(digits.get(..2)?, 2)?).ok()?;
    let minutes = i32::try_from(small(digits.get(2..)?, 2)?).ok()?;
    (digits.len() == 4 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

fn month_number(field: &str) -> Option<u32> {
    small(field, 2).filter(|month| (1..=12).contains(month))
}

/// One to `max_digits` ASCII digits.
fn small(field: &str, max_digits: usize) -> Option<u32> {
    if field.len() > max_digits {
        return None;
    }
    decimal(field).and_then(|n| u32::try_from(n).ok())
}

/// The date the pieces make, if they make one, and whether it ends in a year alone.
fn form(pieces: &[Piece]) -> Option<(LsDate, bool)> {
    if let Some(date) = year_first(pieces) {
        return Some((date, false));
    }
    let (month, day, last) = match *pieces {
        [first, second, last] => {
            let (month, day) = month_and_day(first, second)?;
            (month, day, last)
        }
        [Piece::Md { month, day }, last] => (Month::Number(month), day, last),
        _ => return None,
    };
    let (when, year_last) = match last {
        Piece::Time {
            hour,
            minute,
            second: None,
        } => (When::Time { hour, minute }, false),
        // A bare year may be padded after; one with its unit (`2021年`) is not.
        Piece::Number {
            value,
            digits: 4,
            mark,
        } if mark == Mark::Bare || mark == Mark::Year => {
            (When::Year(i32::try_from(value).ok()?), mark == Mark::Bare)
        }
        _ => return None,
    };
    Some((LsDate { month, day, when }, year_last))
}

/// The month and day of the first two pieces of a date whose year or time comes last.
fn month_and_day(first: Piece, second: Piece) -> Option<(Month, u32)> {
    use Mark::{Bare, Dot};
    match (first, second) {
        // `Nov 9`, `dic  2`, `dec    2`.
        (Piece::Month(month), day) => Some((month, day_of(day, &[Bare])?)),
        // `29 Jul`, `7 mars`, `7. Mär`.
        (day, Piece::Month(month)) => Some((month, day_of(day, &[Bare, Dot])?)),
        // Finnish `7. 3.`, `30.11.`.
        (day, month @ Piece::Number { mark: Dot, .. }) => {
            Some((month_of(month, Dot)?, day_of(day, &[Dot])?))
        }
        // ja ` 3月  7`, zh `11月30日`, ko `11월 30일`.
        (month, day) => Some((
            month_of(month, Mark::Month)?,
            day_of(day, &[Bare, Mark::Day])?,
        )),
    }
}

/// zh `2024年 3月 7日`, `2019年10月10日`; ko `2024년  3월  7일`; hu `2024 márc   7`.
fn year_first(pieces: &[Piece]) -> Option<LsDate> {
    let [Piece::Number {
        value,
        digits: 4,
        mark,
    }, month, day] = *pieces
    else {
        return None;
    };
    let (month, day) = match (mark, month) {
        (Mark::Year, month) => (month_of(month, Mark::Month)?, day_of(day, &[Mark::Day])?),
        (Mark::Bare, Piece::Month(month)) => (month, day_of(day, &[Mark::Bare])?),
        _ => return None,
    };
    Some(LsDate {
        month,
        day,
        when: When::Year(i32::try_from(value).ok()?),
    })
}

/// A number followed by one of `marks` that can be a day of a month.
fn day_of(piece: Piece, marks: &[Mark]) -> Option<u32> {
    match piece {
        Piece::Number {
            value,
            digits,
            mark,
            ..
        } if digits <= 2 && marks.contains(&mark) && (1..=31).contains(&value) => Some(value),
        _ => None,
    }
}

/// A number followed by `mark` that can be a month.
fn month_of(piece: Piece, mark: Mark) -> Option<Month> {
    match piece {
        Piece::Number {
            value,
            digits,
            mark: found,
        } if digits <= 2 && found == mark && (1..=12).contains(&value) => {
            Some(Month::Number(value))
        }
        _ => None,
    }
}

impl LsDate {
    fn on(month: u32, day: u32, when: When) -> LsDate {
        LsDate {
            month: Month::Number(month),
            day,
            when,
        }
    }

    /// The time the date stands for, `month` being its month: in the server's zone to the
    /// minute or the day, or to the second in UTC (`full-iso`). `None` for a date that does not
    /// exist (`Feb 30`), or a yearless date no recent year has (`Feb 29` far from a leap year).
    pub(super) fn mtime(self, month: u32, now: NaiveDateTime) -> Option<Mtime> {
        let day = |year| NaiveDate::from_ymd_opt(year, month, self.day);
        match self.when {
            When::Year(year) => local_day(year, month, self.day),
            When::Time { hour, minute } => {
                let time = latest_fitting(month, self.day, hour, minute, now)?;
                Some(server_local(time, Precision::Minute))
            }
            When::YearTime { year, hour, minute } => {
                let time = day(year)?.and_hms_opt(hour, minute, 0)?;
                Some(server_local(time, Precision::Minute))
            }
            When::Full {
                year,
                hour,
                minute,
                second,
                offset,
            } => {
                let local = day(year)?.and_hms_opt(hour, minute, second)?;
                let time = local.checked_sub_signed(TimeDelta::seconds(offset.into()))?;
                Some(Mtime {
                    time,
                    precision: Precision::Second,
                    zone: Zone::Utc,
                })
            }
        }
    }
}
