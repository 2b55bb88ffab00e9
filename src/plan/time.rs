//! Comparing times that come with a precision and a clock.
//!
//! A LIST time is the server's local time, floored to the minute or the day; an MLSD or MDTM
//! time is UTC to the second; a local file's time is UTC. Two times are compared only as finely
//! as the coarser of them, and a LIST time is moved onto UTC only when the server's offset is
//! known (calibrated with one MDTM). Without it, a LIST time may be off by up to a day.

use crate::remote::tree::{Mtime, Precision, Zone};
use chrono::NaiveDateTime;

/// A server's clock offset: seconds to add to UTC to get the server's local time.
pub type Offset = Option<i64>;

/// How far an uncalibrated server-local time may be from UTC (time zones span UTC-12..UTC+14).
const UNKNOWN_ZONE_SLACK: i64 = 86_400;

/// Where a remote time stands against a known local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The remote time is later, by this many seconds at least.
    Newer(i64),
    /// Equal as far as the precision tells.
    Same,
    Older,
    /// The precision or an unknown zone leaves both answers open.
    Unsure,
}

pub fn seconds(precision: Precision) -> i64 {
    match precision {
        Precision::Second => 1,
        Precision::Minute => 60,
        Precision::Day => 86_400,
    }
}

/// Naive time as seconds since the epoch, reading it as if it were UTC.
fn naive_secs(time: NaiveDateTime) -> i64 {
    time.and_utc().timestamp()
}

fn floor(secs: i64, precision: Precision) -> i64 {
    secs.div_euclid(seconds(precision)) * seconds(precision)
}

/// Compares a listed remote time with a local file's time (UTC seconds).
///
/// Day precision cannot tell a change later the same day, so an equal day is `Unsure`; an equal
/// minute is `Same`, as lftp and rclone take it.
pub fn compare(remote: &Mtime, local_utc: i64, offset: Offset) -> Order {
    let (shift, slack) = match (remote.zone, offset) {
        (Zone::Utc, _) => (0, 0),
        (Zone::ServerLocal, Some(offset)) => (offset, 0),
        (Zone::ServerLocal, None) => (0, UNKNOWN_ZONE_SLACK),
    };
    let listed = naive_secs(remote.time);
    let local = floor(local_utc + shift, remote.precision);
    let diff = listed - local;
    match diff {
        _ if diff.abs() <= slack && slack > 0 => Order::Unsure,
        0 if remote.precision == Precision::Day => Order::Unsure,
        0 => Order::Same,
        d if d > slack => Order::Newer(d - slack),
        _ => Order::Older,
    }
}

/// Whether two listings of the same file show the same time, at the coarser precision of the
/// two (a LIST time turns from minutes to a year after six months without any change).
pub fn same_listed(a: &Mtime, b: &Mtime, offset: Offset) -> bool {
    let precision = a.precision.max(b.precision);
    let to_utc = |m: &Mtime| match (m.zone, offset) {
        (Zone::ServerLocal, Some(offset)) => Some(naive_secs(m.time) - offset),
        (Zone::ServerLocal, None) => None,
        (Zone::Utc, _) => Some(naive_secs(m.time)),
    };
    if a.zone == b.zone {
        return floor(naive_secs(a.time), precision) == floor(naive_secs(b.time), precision);
    }
    match (to_utc(a), to_utc(b)) {
        (Some(x), Some(y)) => (x - y).abs() < seconds(precision),
        _ => (naive_secs(a.time) - naive_secs(b.time)).abs() <= UNKNOWN_ZONE_SLACK,
    }
}

/// The UTC second to give a local copy, from a listed time: the start of its minute or day,
/// moved by the server's offset when known.
pub fn to_utc(mtime: &Mtime, offset: Offset) -> i64 {
    let secs = naive_secs(mtime.time);
    match mtime.zone {
        Zone::Utc => secs,
        Zone::ServerLocal => secs - offset.unwrap_or(0),
    }
}

/// A duration as a person reads it: `45s`, `3m`, `2h`, `5d`.
pub fn human_duration(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
    }

    fn m(time: NaiveDateTime, precision: Precision, zone: Zone) -> Mtime {
        Mtime {
            time,
            precision,
            zone,
        }
    }

    #[test]
    fn compare_within_precision() {
        let local = naive_secs(at(2024, 5, 1, 12, 30, 45));
        let utc = |t, p| m(t, p, Zone::Utc);
        use Precision::*;
        assert_eq!(
            compare(&utc(at(2024, 5, 1, 12, 30, 45), Second), local, None),
            Order::Same
        );
        assert_eq!(
            compare(&utc(at(2024, 5, 1, 12, 30, 46), Second), local, None),
            Order::Newer(1)
        );
        assert_eq!(
            compare(&utc(at(2024, 5, 1, 12, 30, 0), Minute), local, None),
            Order::Same
        );
        assert_eq!(
            compare(&utc(at(2024, 5, 1, 12, 33, 0), Minute), local, None),
            Order::Newer(180)
        );
        assert_eq!(
            compare(&utc(at(2024, 5, 1, 12, 29, 0), Minute), local, None),
            Order::Older
        );
        assert_eq!(
            compare(&utc(at(2024, 5, 1, 0, 0, 0), Day), local, None),
            Order::Unsure
        );
        assert_eq!(
            compare(&utc(at(2024, 5, 3, 0, 0, 0), Day), local, None),
            Order::Newer(2 * 86_400)
        );
    }

    #[test]
    fn server_local_times_use_the_offset_or_stay_unsure() {
        let local = naive_secs(at(2024, 5, 1, 12, 30, 45));
        let listed = m(
            at(2024, 5, 1, 14, 30, 0),
            Precision::Minute,
            Zone::ServerLocal,
        );
        assert_eq!(compare(&listed, local, Some(7200)), Order::Same);
        assert_eq!(compare(&listed, local, Some(0)), Order::Newer(7200));
        assert_eq!(compare(&listed, local, None), Order::Unsure);
        let far = m(
            at(2024, 5, 4, 12, 0, 0),
            Precision::Minute,
            Zone::ServerLocal,
        );
        assert!(matches!(compare(&far, local, None), Order::Newer(_)));
    }

    #[test]
    fn listings_compare_at_the_coarser_precision() {
        let minute = m(
            at(2024, 5, 1, 12, 30, 0),
            Precision::Minute,
            Zone::ServerLocal,
        );
        let day = m(at(2024, 5, 1, 0, 0, 0), Precision::Day, Zone::ServerLocal);
        assert!(same_listed(&minute, &day, None));
        let next_day = m(at(2024, 5, 2, 0, 0, 0), Precision::Day, Zone::ServerLocal);
        assert!(!same_listed(&minute, &next_day, None));
        let exact = m(at(2024, 5, 1, 10, 30, 12), Precision::Second, Zone::Utc);
        assert!(same_listed(&minute, &exact, Some(7200)));
        assert!(!same_listed(&minute, &exact, Some(0)));
        assert!(same_listed(&minute, &exact, None));
    }

    #[test]
    fn durations() {
        assert_eq!(
            [45, 180, 7200, 3 * 86_400].map(human_duration),
            ["45s", "3m", "2h", "3d"]
        );
    }
}
