//! RFC 3659 section 2.3 `time-val`: `YYYYMMDDHHMMSS[.sss]`, always UTC. Used by MDTM and by the
//! MLSD `modify` fact. Fractions of a second are dropped: nothing downstream is finer than 1 s.

use chrono::{NaiveDate, NaiveDateTime};

pub fn parse(s: &str) -> Option<NaiveDateTime> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    if whole.len() != 14
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.is_empty()
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let n = |r: std::ops::Range<usize>| whole[r].parse::<u32>().ok();
    NaiveDate::from_ymd_opt(n(0..4)? as i32, n(4..6)?, n(6..8)?)?.and_hms_opt(
        n(8..10)?,
        n(10..12)?,
        n(12..14)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid() {
        let t = parse("20240229235959.123").unwrap();
        assert_eq!(t.to_string(), "2024-02-29 23:59:59");
        assert_eq!(parse("19700101000000").unwrap().and_utc().timestamp(), 0);
        for bad in [
            "",
            "2024",
            "20230229000000",
            "20240101246000",
            "2024010112000x",
            "20240101120000.",
            "20240101120000.x",
            "２0240101120000",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
