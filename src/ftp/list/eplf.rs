//! EPLF, D. J. Bernstein's Easily Parsed LIST Format (<https://cr.yp.to/ftp/list/eplf.html>),
//! sent by publicfile and anonftpd:
//!
//! ```text
//! +i8388621.29609,m824255902,/,\tdev
//! +i8388621.44468,m839956783,r,s10376,\tRFCEPLF
//! ```
//!
//! A `+`, facts each ended by `,`, a TAB, and the name verbatim. Facts: `r` (RETR may work: a
//! file), `/` (CWD may work: a directory), `s` size in bytes, `m` modification time in seconds
//! since the Unix epoch (so UTC), `i` an identifier that is the same for the same file, `up`
//! permission bits in octal. Unknown facts are ignored, as the format asks.

use chrono::DateTime;

use super::{decimal, is_dot_name, octal_mode, LineResult};
use crate::remote::tree::{Entry, Kind, Mtime, Precision, Zone};

/// Parses one EPLF line; `.` and `..` are `Ok(None)`. An entry that is neither retrievable nor
/// listable is `Kind::Other`: the server says there is no point in asking for it.
pub(crate) fn parse_eplf_line(line: &str) -> LineResult {
    let (facts, name) = line
        .strip_prefix('+')
        .and_then(|rest| rest.split_once('\t'))
        .ok_or(())?;
    if name.is_empty() {
        return Err(());
    }
    let mut entry = Entry::new(name, Kind::Other);
    let (mut listable, mut retrievable) = (false, false);
    for fact in facts.split(',') {
        if fact == "/" {
            listable = true;
        } else if fact == "r" {
            retrievable = true;
        } else if let Some(size) = fact.strip_prefix('s') {
            entry.size = decimal(size);
        } else if let Some(seconds) = fact.strip_prefix('m') {
            entry.mtime = epoch_time(seconds);
        } else if let Some(id) = fact.strip_prefix('i').filter(|id| !id.is_empty()) {
            entry.unique = Some(id.to_owned());
        } else if let Some(mode) = fact.strip_prefix("up") {
            entry.mode = octal_mode(mode);
        }
    }
    // A name that is both (a link to a directory, say) is listed as a directory: CWD is what
    // a mirror would do with it.
    entry.kind = match (listable, retrievable) {
        (true, _) => Kind::Dir,
        (false, true) => Kind::File,
        (false, false) => Kind::Other,
    };
    Ok((!is_dot_name(name)).then_some(entry))
}

/// An `m` fact: seconds since 1970-01-01 00:00:00 UTC.
fn epoch_time(seconds: &str) -> Option<Mtime> {
    let seconds = i64::try_from(decimal(seconds)?).ok()?;
    let time = DateTime::from_timestamp(seconds, 0)?.naive_utc();
    Some(Mtime {
        time,
        precision: Precision::Second,
        zone: Zone::Utc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn entry(line: &str) -> Entry {
        match parse_eplf_line(line) {
            Ok(Some(entry)) => entry,
            other => panic!("{line:?} gave {other:?}"),
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Mtime> {
        let time = NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_opt(h, mi, s)?;
        Some(Mtime {
            time,
            precision: Precision::Second,
            zone: Zone::Utc,
        })
    }

    #[test]
    fn samples_from_the_format_description() {
        let e = entry("+i8388621.29609,m824255902,/,\tdev");
        assert_eq!(
            (e.name.as_str(), e.kind.clone(), e.size),
            ("dev", Kind::Dir, None)
        );
        assert_eq!(e.unique.as_deref(), Some("8388621.29609"));
        assert_eq!(e.mtime, utc(1996, 2, 13, 23, 58, 22));
        let e = entry("+i8388621.44468,m839956783,r,s10376,\tRFCEPLF");
        assert_eq!(
            (e.name.as_str(), e.kind.clone(), e.size),
            ("RFCEPLF", Kind::File, Some(10376))
        );
        assert_eq!(e.mtime, utc(1996, 8, 13, 17, 19, 43));
    }

    #[test]
    fn permissions_fact() {
        // FileZilla parser test 14.
        let e = entry("+i8388621.48594,m825718503,r,s280,up755\t14-eplf file");
        assert_eq!((e.name.as_str(), e.mode), ("14-eplf file", Some(0o755)));
        assert_eq!(e.mtime, utc(1996, 3, 1, 22, 15, 3));
    }

    #[test]
    fn names_are_verbatim() {
        assert_eq!(entry("+r,\t spaced  name ").name, " spaced  name ");
        assert_eq!(entry("+r,\ttab\tinside").name, "tab\tinside");
        assert_eq!(entry("+r,\tünïcödé 名前").name, "ünïcödé 名前");
    }

    #[test]
    fn kinds() {
        assert_eq!(entry("+/,\td").kind, Kind::Dir);
        assert_eq!(entry("+r,/,\tboth").kind, Kind::Dir);
        assert_eq!(entry("+s5,\tneither").kind, Kind::Other);
        assert_eq!(entry("+\tno facts").kind, Kind::Other);
    }

    #[test]
    fn bad_fact_values_are_dropped() {
        let e = entry("+r,sfive,m-1,i,upx,zzz,\tx");
        assert_eq!(
            (e.size, e.mtime, e.unique, e.mode),
            (None, None, None, None)
        );
        assert_eq!(entry("+r,m99999999999999999,\tx").mtime, None);
    }

    #[test]
    fn dot_entries_are_skipped() {
        assert_eq!(parse_eplf_line("+/,\t."), Ok(None));
        assert_eq!(parse_eplf_line("+/,\t.."), Ok(None));
    }

    #[test]
    fn unreadable_lines() {
        for line in [
            "",
            "+",
            "+r,",
            "+r, name",
            "+r,\t",
            "r,\tname",
            "-rw-r--r-- 1 u g 0 Jan 1 2020 x",
        ] {
            assert_eq!(parse_eplf_line(line), Err(()), "{line:?}");
        }
    }
}
