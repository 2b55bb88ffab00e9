//! Dates as listings give them, shared by the dialects: English month names, two-digit years,
//! the year of a date listed without one, and the server-local times every LIST dialect gives.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};

use crate::remote::tree::{Mtime, Precision, Zone};

/// An English month abbreviation (`%b` in the C locale), in any case: `Jan`, `JAN`, `jan`.
pub(super) fn english_month(field: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let index = MONTHS
        .iter()
        .position(|month| month.eq_ignore_ascii_case(field))?;
    u32::try_from(index + 1).ok()
}

/// Two-digit years: 00-69 are 20xx, 70-99 are 19xx (the pivot of POSIX `strptime %y`, as
/// Windows shows them). Clients disagree on the pivot (impossible-dates.md, "Two-digit years");
/// a mirror only needs it to be stable.
pub(super) fn two_digit_year(year: u32) -> u32 {
    if year < 70 {
        2000 + year
    } else {
        1900 + year
    }
}

/// The time of a date listed without its year (`ls` omits the year of recent files): the latest
/// year that does not put it more than a day after `now` (`Feb 29`: the latest leap year that
/// does). The day of slack absorbs clock skew and zone guesses, as FileZilla allows. `24:00` is
/// the midnight that ends the day. `None` when no year in the last eight fits.
pub(super) fn latest_fitting(
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    now: NaiveDateTime,
) -> Option<NaiveDateTime> {
    let limit = now.checked_add_signed(TimeDelta::days(1)).unwrap_or(now);
    let this_year = now.year();
    (this_year - 8..=this_year + 1)
        .rev()
        .filter_map(|year| {
            let date = NaiveDate::from_ymd_opt(year, month, day)?;
            match hour {
                24 => date.succ_opt()?.and_hms_opt(0, 0, 0),
                _ => date.and_hms_opt(hour, minute, 0),
            }
        })
        .find(|time| *time <= limit)
}

/// A time read in the server's own zone, whose offset a LIST line never says.
pub(super) fn server_local(time: NaiveDateTime, precision: Precision) -> Mtime {
    Mtime {
        time,
        precision,
        zone: Zone::ServerLocal,
    }
}

/// The start of a day that exists, in the server's zone, to the day.
pub(super) fn local_day(year: i32, month: u32, day: u32) -> Option<Mtime> {
    let time = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(0, 0, 0)?;
    Some(server_local(time, Precision::Day))
}

/// A time of day on a 24-hour clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Clock {
    pub(super) hour: u32,
    pub(super) minute: u32,
    pub(super) second: Option<u32>,
}

/// `H:MM`, `HH:MM` or `HH:MM:SS`; hundredths after the seconds (`11:47:30.56`, OpenVMS TCPware)
/// are dropped, as MLSD's fractions are.
pub(super) fn clock(field: &str) -> Option<Clock> {
    let mut parts = field.split(':');
    let hour = digits(parts.next()?, 1..=2).filter(|h| *h <= 23)?;
    let minute = digits(parts.next()?, 2..=2).filter(|m| *m <= 59)?;
    let second = match parts.next() {
        None => None,
        Some(second) => {
            let whole = match second.split_once('.') {
                Some((whole, hundredths)) => digits(hundredths, 1..=9).and(Some(whole))?,
                None => second,
            };
            Some(digits(whole, 2..=2).filter(|s| *s <= 59)?)
        }
    };
    parts.next().is_none().then_some(Clock {
        hour,
        minute,
        second,
    })
}

/// A number written with a count of ASCII digits in `count`.
pub(super) fn digits(text: &str, count: std::ops::RangeInclusive<usize>) -> Option<u32> {
    if !count.contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The time a date and a clock stand for, to the second or the minute as the clock was given.
pub(super) fn local_time(date: NaiveDate, clock: Clock) -> Option<Mtime> {
    let (second, precision) = match clock.second {
        Some(second) => (second, Precision::Second),
        None => (0, Precision::Minute),
    };
    let time = date.and_hms_opt(clock.hour, clock.minute, second)?;
    Some(server_local(time, precision))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks() {
        let at = |hour, minute, second| {
            Some(Clock {
                hour,
                minute,
                second,
            })
        };
        assert_eq!(clock("9:05"), at(9, 5, None));
        assert_eq!(clock("23:59:59"), at(23, 59, Some(59)));
        assert_eq!(clock("11:47:30.56"), at(11, 47, Some(30)));
        for bad in [
            "24:00",
            "12:60",
            "12:5",
            "123:00",
            "12:00:60",
            "12:00:00.",
            "1:2:3:4",
            "+1:00",
        ] {
            assert_eq!(clock(bad), None, "{bad}");
        }
    }
}
