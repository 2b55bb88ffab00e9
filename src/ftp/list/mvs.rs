//! z/OS (MVS) LIST output (mvs.md: commons-net MVSFTPEntryParser, FluentFTP IBMzOSParser,
//! FileZilla `ParseAsIBM_MVS*`, IBM's z/OS Communications Server documentation). Three lists,
//! each opened by a header line that says which it is (commons-net `preParse` decides the same
//! way); without a header no line is read, so no other dialect's listing can be taken for one.
//!
//! - Data sets under the working prefix: `USR001 3390   2026/11/30  1   15  FB      80 27920 PS
//!   PAYROLL.DATA`. A sequential data set (`PS`) is a file, a partitioned one (`PO`, `PO-E`) a
//!   directory of members, `Pseudo Directory` lines (DIRECTORYMODE) directories; VSAM, migrated,
//!   archived and tape data sets, and other organizations, are Other: not fetched (a tape would
//!   be mounted, a migrated data set recalled). No column is a byte count (tracks, record
//!   lengths), and the date is when the data set was last *read* (our own RETR changes it): there
//!   is no size and no time.
//! - Members of a partitioned data set with ISPF statistics: `PAYCALC   01.07 2019/03/04
//!   2026/11/27 16:42  1204   980    57 ANNA`: files changed at that minute; the sizes are line
//!   counts, no byte counts. A member without statistics is its name alone.
//! - Members of a load library: name, hexadecimal module size (not what a transfer gives), TTR,
//!   alias, attributes, modes: files with no size and no time.
//!
//! A second header is unread: it may be a second listing run into this one.

use chrono::NaiveDate;

use super::calendar::{clock, digits, local_time, two_digit_year};
use super::{read_text_lines, Line, LineResult, Reading};
use crate::remote::tree::{Entry, Kind};

/// Reads a listing in z/OS lines: its first line must be the header of one of the lists.
pub(super) fn read(lines: &[Line]) -> Reading {
    let list = match lines.first() {
        Some(Line::Text(first)) => header(first),
        _ => None,
    };
    let mut first = true;
    read_text_lines(lines.iter().copied(), |line| {
        if std::mem::take(&mut first) && list.is_some() {
            return Ok(None);
        }
        match (list, header(line)) {
            (_, Some(_)) | (None, None) => Err(()),
            (Some(List::DataSets { unit }), None) => data_set(line, unit),
            (Some(List::Members), None) => member(line),
            (Some(List::LoadModules), None) => load_module(line),
        }
    })
}

/// What a listing lists, as its header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    /// Data sets; LISTLEVEL 2 has no `Unit` column.
    DataSets {
        unit: bool,
    },
    Members,
    LoadModules,
}

/// The list a header line opens, if it is one: LISTLEVEL 0 and 1, LISTLEVEL 2, the older
/// `Date` header, PDS members, load library members (mvs.md, "Data set list grammar", §4, §5).
fn header(line: &str) -> Option<List> {
    const DATA_SETS: [&str; 7] = ["Ext", "Used", "Recfm", "Lrecl", "BlkSz", "Dsorg", "Dsname"];
    let words: Vec<&str> = line.split_whitespace().collect();
    match words[..] {
        ["Volume", "Unit", "Referred" | "Date", ref rest @ ..] if rest == DATA_SETS => {
            Some(List::DataSets { unit: true })
        }
        ["Volume", "Referred", ref rest @ ..] if rest == DATA_SETS => {
            Some(List::DataSets { unit: false })
        }
        ["Name", "VV.MM", "Created", "Changed", "Size", "Init", "Mod", "Id"] => Some(List::Members),
        ["Name", "Size", "TTR", "Alias-of", .., "Amode", "Rmode"] => Some(List::LoadModules),
        _ => None,
    }
}

/// One line of a data set list.
fn data_set(line: &str, unit: bool) -> LineResult {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (name, kind) = match words[..] {
        ["Pseudo", "Directory", name] => (name, Kind::Dir),
        ["Migrated", name] => (name, Kind::Other),
        [volume, "Not", "Direct", "Access", "Device", name] if is_volume(volume) => {
            (name, Kind::Other)
        }
        [volume, "Tape", name] if is_volume(volume) => (name, Kind::Other),
        [volume, device, "VSAM", name] if unit && is_volume(volume) && is_unit(device) => {
            (name, Kind::Other)
        }
        [volume, ref rest @ ..] if is_volume(volume) => stored(rest, unit).ok_or(())?,
        _ => return Err(()),
    };
    match is_data_set_name(name) {
        true => Ok(Some(Entry::new(name, kind))),
        false => Err(()),
    }
}

/// A data set on disk: the columns after the volume. Its name and kind.
fn stored<'a>(columns: &[&'a str], unit: bool) -> Option<(&'a str, Kind)> {
    let columns = match unit {
        true => columns.split_first().filter(|(u, _)| is_unit(u))?.1,
        false => columns,
    };
    let [referred, ref space @ .., recfm, lrecl, blksize, dsorg, name] = *columns else {
        return None;
    };
    let space_ok = match *space {
        [extents, used] => digits(extents, 1..=5).is_some() && is_used(used),
        // A used count too wide for its column runs into the extents (commons-net NET-639), or
        // overflows as `+++++` right after them.
        [both] => both.starts_with(|c: char| c.is_ascii_digit()) && is_used(both),
        _ => false,
    };
    let ok = space_ok
        && (referred == "**NONE**" || referred_date(referred).is_some())
        && (1..=4).contains(&recfm.len())
        && recfm.bytes().all(|b| b"FVUBSATMD".contains(&b))
        && digits(lrecl, 1..=5).is_some()
        && digits(blksize, 1..=5).is_some();
    let kind = match dsorg {
        "PS" => Kind::File,
        "PO" | "PO-E" => Kind::Dir,
        _ if is_dsorg(dsorg) => Kind::Other,
        _ => return None,
    };
    ok.then_some((name, kind))
}

/// A used-tracks count, or its overflow marks (`+++++`, `????`).
fn is_used(field: &str) -> bool {
    let digits_end = field.bytes().take_while(u8::is_ascii_digit).count();
    let marks = &field[digits_end..];
    !field.is_empty() && (marks.bytes().all(|b| b == b'+') || marks.bytes().all(|b| b == b'?'))
}

/// `YYYY/MM/DD`, or `MM/DD/YY` on older releases: a day that exists.
fn referred_date(field: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = field.split('/').collect();
    let (year, month, day) = match parts[..] {
        [y, m, d] if y.len() == 4 => (digits(y, 4..=4)?, m, d),
        [m, d, y] => (two_digit_year(digits(y, 2..=2)?), m, d),
        _ => return None,
    };
    let year = i32::try_from(year).ok()?;
    NaiveDate::from_ymd_opt(year, digits(month, 2..=2)?, digits(day, 2..=2)?)
}

/// A volume serial: one to six letters, digits or national characters.
fn is_volume(field: &str) -> bool {
    (1..=6).contains(&field.len()) && field.bytes().all(is_national_or_alnum)
}

/// A device type: `3390`, `3380D`.
fn is_unit(field: &str) -> bool {
    (3..=8).contains(&field.len()) && field.bytes().all(is_national_or_alnum)
}

/// A data set organization: `PS`, `PO-E`, `HFS`, `VS`.
fn is_dsorg(field: &str) -> bool {
    let base = field.strip_suffix("-E").unwrap_or(field);
    (2..=3).contains(&base.len()) && base.bytes().all(|b| b.is_ascii_uppercase())
}

fn is_national_or_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b"@#$".contains(&b)
}

/// A name of one to eight upper-case letters, digits and `@ # $`, not starting with a digit:
/// a member name, or one qualifier of a data set name (which may also hold `-`).
fn is_qualifier(name: &str, hyphen: bool) -> bool {
    (1..=8).contains(&name.len())
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .bytes()
            .all(|b| is_national_or_alnum(b) || (hyphen && b == b'-'))
}

/// A data set name relative to the prefix: qualifiers joined by `.`, at most 44 characters.
fn is_data_set_name(name: &str) -> bool {
    name.len() <= 44 && name.split('.').all(|q| is_qualifier(q, true))
}

/// One line of a partitioned data set's member list.
fn member(line: &str) -> LineResult {
    let words: Vec<&str> = line.split_whitespace().collect();
    let (name, mtime) = match words[..] {
        [name] => (name, None),
        [name, version, created, changed, time, size, init, modified, _id] => {
            let counts = [size, init, modified];
            let ok = is_version(version)
                && ymd(created).is_some()
                && counts.iter().all(|count| digits(count, 1..=9).is_some());
            let clock = clock(time).ok_or(())?;
            let mtime = ymd(changed).and_then(|date| local_time(date, clock));
            (name, Some(mtime.filter(|_| ok).ok_or(())?))
        }
        _ => return Err(()),
    };
    if !is_qualifier(name, false) {
        return Err(());
    }
    let mut entry = Entry::new(name, Kind::File);
    entry.mtime = mtime;
    Ok(Some(entry))
}

/// ISPF's version and modification level, `01.07`.
fn is_version(field: &str) -> bool {
    field
        .split_once('.')
        .is_some_and(|(v, m)| digits(v, 2..=2).is_some() && digits(m, 2..=2).is_some())
}

/// `YYYY/MM/DD`: a day that exists.
fn ymd(field: &str) -> Option<NaiveDate> {
    let mut parts = field.split('/');
    let year = i32::try_from(digits(parts.next()?, 4..=4)?).ok()?;
    let month = digits(parts.next()?, 2..=2)?;
    let day = digits(parts.next()?, 2..=2)?;
    parts.next().is_none().then_some(())?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// One line of a load library's member list.
fn load_module(line: &str) -> LineResult {
    let words: Vec<&str> = line.split_whitespace().collect();
    let [name, size, ttr, ref rest @ .., amode, rmode] = words[..] else {
        return Err(());
    };
    let hex = |field: &str, len| field.len() == len && field.bytes().all(|b| b.is_ascii_hexdigit());
    let rest = match rest.split_first() {
        Some((alias, after)) if !hex(alias, 2) && is_qualifier(alias, false) => after,
        _ => rest,
    };
    let ok = is_qualifier(name, false)
        && hex(size, 6)
        && hex(ttr, 6)
        && rest.first().is_some_and(|ac| hex(ac, 2))
        && rest[1..]
            .iter()
            .all(|a| (1..=2).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_uppercase()))
        && ["24", "31", "64", "ANY"].contains(&amode)
        && ["24", "31", "ANY"].contains(&rmode);
    ok.then(|| Some(Entry::new(name, Kind::File))).ok_or(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ftp::list::calendar::server_local;
    use crate::remote::tree::{Mtime, Precision};

    fn listing(data: &str) -> Reading {
        let lines: Vec<Line> = super::super::lines(data.as_bytes()).collect();
        read(&lines)
    }

    fn summary(reading: &Reading) -> Vec<(&str, Kind, Option<u64>, Option<Mtime>)> {
        let entries = reading.entries.iter();
        entries
            .map(|e| (e.name.as_str(), e.kind.clone(), e.size, e.mtime))
            .collect()
    }

    fn minute(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> Option<Mtime> {
        let time = NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_opt(h, mi, 0)?;
        Some(server_local(time, Precision::Minute))
    }

    #[test]
    fn data_sets_listlevel_0_and_1() {
        // mvs.md §1 (FluentFTP column offsets; FileZilla's `VSAM` shape).
        let reading = listing(
            "Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname\n\
             USR001 3390   2026/11/30  1   15  FB      80 27920 PS   PAYROLL.DATA\n\
             USR002 3390   2026/12/01  3   45  FB      80 27920 PO   SRC.COBOL\n\
             USR001 3390   2026/10/02  1    9  U        0 32760 PO-E LOADLIB\n\
             USR003 3390   2025/07/14  4+++++  VB    1028 27998 PS   BIG.EXTRACT\n\
             USR002 3390   **NONE**    1    1  FB      80  3120 PS   NEVER.READ\n\
             Migrated                                                OLD.REPORT\n\
             ARCIVE Not Direct Access Device                         ARCHIVED.LOG\n\
             USR004 3390   VSAM CUST.KSDS\n\
             T00417 Tape                                             BACKUP.G0003V00\n",
        );
        assert!(reading.unread.is_empty(), "{:?}", reading.unread);
        assert_eq!(
            summary(&reading),
            [
                ("PAYROLL.DATA", Kind::File, None, None),
                ("SRC.COBOL", Kind::Dir, None, None),
                ("LOADLIB", Kind::Dir, None, None),
                ("BIG.EXTRACT", Kind::File, None, None),
                ("NEVER.READ", Kind::File, None, None),
                ("OLD.REPORT", Kind::Other, None, None),
                ("ARCHIVED.LOG", Kind::Other, None, None),
                ("CUST.KSDS", Kind::Other, None, None),
                ("BACKUP.G0003V00", Kind::Other, None, None),
            ]
        );
    }

    #[test]
    fn data_sets_listlevel_2_and_directory_mode() {
        // mvs.md §2 and §3.
        let reading = listing(
            "Volume Referred      Ext      Used Recfm Lrecl BlkSz Dsorg Dsname\n\
             USR001 2026/11/30      1        15  FB      80 27920 PS    PAYROLL.DATA\n\
             USR003 2025/07/14      4    327674  VB    1028 27998 PS    BIG.EXTRACT\n\
             USR002 2026/12/01      3        45  FB      80 27920 PO-E  SRC.COBOL\n",
        );
        assert!(reading.unread.is_empty(), "{:?}", reading.unread);
        let kinds: Vec<_> = reading.entries.iter().map(|e| e.kind.clone()).collect();
        assert_eq!(kinds, [Kind::File, Kind::File, Kind::Dir]);
        let reading = listing(
            "Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname\n\
             Pseudo Directory                                        PAYROLL\n\
             Pseudo Directory                                        SRC\n\
             USR002 3390   2026/12/01  1    2  FB      80 27920 PS   NOTES\n",
        );
        assert_eq!(
            summary(&reading),
            [
                ("PAYROLL", Kind::Dir, None, None),
                ("SRC", Kind::Dir, None, None),
                ("NOTES", Kind::File, None, None),
            ]
        );
        // The older header, with `MM/DD/YY` dates and a 3380D unit (IBM's DIR documentation).
        let reading = listing(
            "Volume Unit    Date  Ext Used Recfm Lrecl BlkSz Dsorg Dsname\n\
             WORK01 3380D  11/30/26  1   15  FB      80 27920 PS   OLD.STYLE\n",
        );
        assert_eq!(summary(&reading), [("OLD.STYLE", Kind::File, None, None)]);
    }

    #[test]
    fn pds_members() {
        // mvs.md §4 (FluentFTP columns): the changed time is the entry's; sizes are lines.
        let reading = listing(
            " Name     VV.MM   Created       Changed      Size  Init   Mod   Id\n\
             PAYCALC   01.07 2019/03/04 2026/11/27 16:42  1204   980    57 ANNA\n\
             PAYRPT    01.00 2024/02/29 2024/02/29 08:01   311   311     0 BOB2\n\
             README\n\
             TAXTBL    02.13 2021/01/15 2026/12/03 23:59 99999 88000  1500 ANNA\n",
        );
        assert!(reading.unread.is_empty(), "{:?}", reading.unread);
        assert_eq!(
            summary(&reading),
            [
                ("PAYCALC", Kind::File, None, minute(2026, 11, 27, 16, 42)),
                ("PAYRPT", Kind::File, None, minute(2024, 2, 29, 8, 1)),
                ("README", Kind::File, None, None),
                ("TAXTBL", Kind::File, None, minute(2026, 12, 3, 23, 59)),
            ]
        );
    }

    #[test]
    fn load_library_members() {
        // mvs.md §5 (FileZilla `ParseAsIBM_MVS_PDS2`, FluentFTP): no size a transfer gives.
        let reading = listing(
            " Name      Size     TTR   Alias-of AC--------- Attributes--------- Amode Rmode\n\
             PAYCALC   01A4C0   00002F          00 FO             RN RU            31    ANY\n\
             PAYENTRY  01A4C0   00002F PAYCALC  00 FO             RN RU            31    ANY\n",
        );
        assert!(reading.unread.is_empty(), "{:?}", reading.unread);
        assert_eq!(
            summary(&reading),
            [
                ("PAYCALC", Kind::File, None, None),
                ("PAYENTRY", Kind::File, None, None)
            ]
        );
    }

    #[test]
    fn junk() {
        // mvs.md §7: month 13, no name, a nameless pseudo directory, a second header, hour 25,
        // an invalid member name; and lines of lists with no header at all.
        let reading = listing(
            "Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname\n\
             USR001 3390   2026/13/30  1   15  FB      80 27920 PS   BAD.MONTH\n\
             USR001 3390   2026/11/30  1   15  FB      80 27920 PS\n\
             Pseudo Directory\n\
             Volume Unit    Referred Ext Used Recfm Lrecl BlkSz Dsorg Dsname\n\
             USR001 3390   2026/11/30  1   15  fb      80 27920 PS   LOWER.RECFM\n\
             USR001 3390   2026/11/30  1   15  FB      80 27920 PS   lower.name\n\
             USR001 3390   2026/11/30  1   15  FB      80 27920 PS   TOOLONGQUALIFIER.X\n",
        );
        assert!(reading.entries.is_empty(), "{:?}", reading.entries);
        assert_eq!((reading.read, reading.failures), (1, 7));
        let reading = listing(
            " Name     VV.MM   Created       Changed      Size  Init   Mod   Id\n\
             PAYCALC   01.07 2019/03/04 2026/11/27 25:42  1204   980    57 ANNA\n\
             PAYCALC   01.07 2019/02/30 2026/11/27 12:42  1204   980    57 ANNA\n\
             lower-case-name\n\
             1NUMERIC\n",
        );
        assert_eq!((reading.read, reading.failures), (1, 4));
        for data in [
            "PAYCALC   01.07 2019/03/04 2026/11/27 16:42  1204   980    57 ANNA\n",
            "USR001 3390   2026/11/30  1   15  FB      80 27920 PS   PAYROLL.DATA\n",
            "README\n",
            "-rw-r--r--    1 0        0            1234 Jun 05  2019 name\n",
        ] {
            let reading = listing(data);
            assert_eq!((reading.read, reading.failures), (0, 1), "{data}");
        }
    }
}
