//! OpenVMS LIST output, from MultiNet, TCPIP Services (UCX), TCPware and CMU servers (vms.md:
//! Mozilla ParseFTPList `SUPPORT_VMS`, FileZilla `ParseAsVms`, commons-net VMSFTPEntryParser and
//! VMSVersioningFTPEntryParser, FluentFTP VMSParser, HP's OpenVMS System Manager's Manual):
//!
//! ```text
//! Directory DISK$USERS:[ANNA]
//!
//! BUDGET.XLSX;3            42/45     28-NOV-2026 14:05:09  [STAFF,ANNA]      (RWED,RWED,RE,)
//! QUARTERLY_SUMMARY_FOR_THE_BOARD.PDF;1
//!                        2286/2288    5-JAN-2026 08:00:00  [STAFF,ANNA]      (RWED,RWED,R,)
//!
//! Total of 2 files, 2328/2333 blocks.
//! ```
//!
//! A file `NAME.TYPE;VERSION`, its size in 512-byte blocks (`used/allocated`, or `9KB`), its
//! date, maybe a time, maybe an owner in brackets and the protection in parentheses, last; the
//! size, date and owner come in either order. A name too long for its column ends its line and
//! the rest follows on the next, indented: the two lines are one entry. `Directory`, `Total of`
//! and `Grand total of` lines are not content; a file the server could not read
//! (`%RMS-E-PRV`) is unread, reported.
//!
//! Several versions of a file may be listed; RETR of the name without a version fetches the
//! highest, so only the highest is an entry, named without `;VERSION`. `NAME.DIR;1` is the
//! directory `NAME`. A size in blocks bounds the bytes a transfer gives only from above: a file of
//! variable-length records loses its record headers on the way.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::calendar::{clock, digits, english_month, local_day, local_time, Clock};
use super::{Line, LineResult, Reading};
use crate::remote::tree::{Entry, Kind, SizeRange};

/// Reads a listing in OpenVMS lines, joining two-line entries and keeping the highest version of
/// each file.
pub(super) fn read(lines: &[Line]) -> Reading {
    let mut reading = Reading::default();
    let mut rest = lines;
    while let Some((&line, after)) = rest.split_first() {
        rest = after;
        if let (Line::Text(name), Some(&Line::Text(more))) = (line, rest.first()) {
            if is_lone_name(name) && more.starts_with([' ', '\t']) {
                let joined = format!("{} {}", name.trim_end(), more.trim_start());
                if let Ok(entry) = parse_vms_line(&joined) {
                    reading.take(Line::Text(&joined), Ok(entry));
                    rest = &rest[1..];
                    continue;
                }
            }
        }
        let read = match line {
            Line::Text(text) => parse_vms_line(text),
            Line::Binary(_) => Err(()),
        };
        reading.take(line, read);
    }
    reading.entries = highest_versions(std::mem::take(&mut reading.entries));
    reading
}

/// Parses one entry (its two lines joined, if it had two): an entry named `NAME.TYPE;VERSION`.
/// Directory and total lines are `Ok(None)`.
fn parse_vms_line(line: &str) -> LineResult {
    let mut words = line.split_whitespace();
    let first = words.next().ok_or(())?;
    if is_not_content(line, first, words.clone()) {
        return Ok(None);
    }
    let name = file_spec(first).ok_or(())?;
    let mut columns = Columns::default();
    for word in words {
        columns.add(word).ok_or(())?;
    }
    let (Some(size), Some(date)) = (columns.size, columns.date) else {
        return Err(());
    };
    let mtime = match columns.clock {
        Some(clock) => local_time(date, clock),
        None => local_day(date.year(), date.month(), date.day()),
    };
    let mut entry = Entry::new(name, Kind::File);
    entry.size_range = Some(size);
    entry.mtime = Some(mtime.ok_or(())?);
    Ok(Some(entry))
}

/// `Directory DISK$USERS:[ANNA]` (or the directory alone), `Total of 6 files, ...` and
/// `Grand total of 2 directories, ...`.
fn is_not_content<'a>(line: &str, first: &str, mut rest: impl Iterator<Item = &'a str>) -> bool {
    let total = ["Total of ", "Grand total of "].iter().any(|start| {
        line.strip_prefix(start)
            .is_some_and(|count| count.starts_with(|c: char| c.is_ascii_digit()))
    });
    let directory = match first {
        "Directory" => rest.next().is_some_and(is_directory) && rest.next().is_none(),
        _ => is_directory(first) && rest.next().is_none(),
    };
    total || directory
}

/// `DEVICE:[DIRECTORY]`.
fn is_directory(word: &str) -> bool {
    word.split_once(":[")
        .is_some_and(|(device, directory)| !device.is_empty() && directory.ends_with(']'))
}

/// A line that is a file name and nothing else: the first line of a two-line entry.
fn is_lone_name(line: &str) -> bool {
    let mut words = line.split_whitespace();
    words.next().and_then(file_spec).is_some() && words.next().is_none() && !line.starts_with(' ')
}

/// `NAME.TYPE;VERSION`, after a directory CMU servers put first (`[ANNA.WORK]PLAN.TXT;7`): the
/// name with its version.
fn file_spec(word: &str) -> Option<&str> {
    let spec = match word.strip_prefix('[') {
        Some(directory) => directory.split_once(']')?.1,
        None => word,
    };
    let (name, version) = spec.split_once(';')?;
    let valid = digits(version, 1..=5).is_some_and(|v| (1..=32767).contains(&v))
        && name.contains('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"$_-.^~".contains(&b));
    valid.then_some(spec)
}

/// The columns after the name, each at most once.
#[derive(Default)]
struct Columns {
    size: Option<SizeRange>,
    date: Option<NaiveDate>,
    clock: Option<Clock>,
    owner: bool,
    protection: bool,
    /// The last column read was the date: only then may the time come.
    after_date: bool,
}

impl Columns {
    /// Reads one more column, if it is one this entry does not have yet.
    fn add(&mut self, word: &str) -> Option<()> {
        let after_date = std::mem::take(&mut self.after_date);
        if self.protection {
            return None;
        }
        if after_date && self.clock.is_none() {
            if let Some(clock) = clock(word) {
                self.clock = Some(clock);
                return Some(());
            }
        }
        if word.starts_with('[') && word.ends_with(']') && !self.owner {
            self.owner = true;
        } else if is_protection(word) {
            self.protection = true;
        } else if let Some(date) = vms_date(word).filter(|_| self.date.is_none()) {
            self.date = Some(date);
            self.after_date = true;
        } else {
            self.size = Some(blocks(word).filter(|_| self.size.is_none())?);
        }
        Some(())
    }
}

/// `(RWED,RWED,RE,)`: system, owner, group and world access, each a subset of `RWED`.
fn is_protection(word: &str) -> bool {
    let Some(inner) = word.strip_prefix('(').and_then(|w| w.strip_suffix(')')) else {
        return false;
    };
    let classes: Vec<&str> = inner.split(',').collect();
    classes.len() == 4
        && classes
            .iter()
            .all(|class| class.bytes().all(|b| b"RWED".contains(&b)))
}

/// `5-JAN-2026`, `28-NOV-2026`: a day that exists.
fn vms_date(word: &str) -> Option<NaiveDate> {
    let mut parts = word.split('-');
    let day = digits(parts.next()?, 1..=2)?;
    let month = english_month(parts.next()?)?;
    let year = i32::try_from(digits(parts.next()?, 4..=4)?).ok()?;
    parts.next().is_none().then_some(())?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The bytes a size can stand for: `42` or `42/45` blocks of 512 bytes used (and allocated), or
/// `9KB`, `3MB` (FileZilla `ParseAsVms`), rounded in a way no source says, so to one unit more.
fn blocks(word: &str) -> Option<SizeRange> {
    let (count, unit) = match word.find(|c: char| !c.is_ascii_digit()) {
        None => (word, 512),
        Some(end) => match &word[end..] {
            "KB" => (&word[..end], 1 << 10),
            "MB" => (&word[..end], 1 << 20),
            "GB" => (&word[..end], 1 << 30),
            allocated => {
                let allocated = allocated.strip_prefix('/')?;
                digits(allocated, 1..=10)?;
                (&word[..end], 512)
            }
        },
    };
    let count = u64::from(digits(count, 1..=10)?);
    let max = match unit {
        512 => count.checked_mul(512)?,
        unit => (count + 1).checked_mul(unit)? - 1,
    };
    Some(SizeRange { min: 0, max })
}

/// One entry per file, from its highest version, named without the version; `NAME.DIR;1` is the
/// directory `NAME`. Entries keep the order of the first version listed.
fn highest_versions(entries: Vec<Entry>) -> Vec<Entry> {
    let mut kept: Vec<(u32, Entry)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for mut entry in entries {
        let (name, version) = match entry.name.rsplit_once(';') {
            Some((name, version)) => (name.to_owned(), version.parse().unwrap_or(0)),
            None => (entry.name.clone(), 0),
        };
        entry.name.clone_from(&name);
        match index.get(&name) {
            Some(&i) if kept[i].0 < version => kept[i] = (version, entry),
            Some(_) => {}
            None => {
                index.insert(name, kept.len());
                kept.push((version, entry));
            }
        }
    }
    kept.into_iter()
        .map(|(version, mut entry)| {
            if let Some(stem) = directory_name(&entry.name).filter(|_| version == 1) {
                entry.name = stem.to_owned();
                entry.kind = Kind::Dir;
                entry.size_range = None;
            }
            entry
        })
        .collect()
}

/// `NAME` of `NAME.DIR`, in any case.
fn directory_name(name: &str) -> Option<&str> {
    let at = name.len().checked_sub(4)?;
    let (stem, kind) = (name.get(..at)?, name.get(at..)?);
    (!stem.is_empty() && kind.eq_ignore_ascii_case(".DIR")).then_some(stem)
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

    fn time(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: Option<u32>) -> Option<Mtime> {
        let time = NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_opt(h, mi, s.unwrap_or(0))?;
        let precision = s.map_or(Precision::Minute, |_| Precision::Second);
        Some(server_local(time, precision))
    }

    fn up_to(max: u64) -> Option<SizeRange> {
        Some(SizeRange { min: 0, max })
    }

    type Summary<'a> = (&'a str, Kind, Option<SizeRange>, Option<Mtime>);

    fn summary(reading: &Reading) -> Vec<Summary<'_>> {
        let entries = reading.entries.iter();
        entries
            .map(|e| (e.name.as_str(), e.kind.clone(), e.size_range, e.mtime))
            .collect()
    }

    #[test]
    fn ucx_listing_with_a_two_line_entry() {
        // vms.md §1 (TCPIP Services layout, HP's DIRECTORY header and trailer).
        let reading = listing(
            "Directory DISK$USERS:[ANNA]\n\
             \n\
             BUDGET.XLSX;3            42/45     28-NOV-2026 14:05:09  [STAFF,ANNA]      (RWED,RWED,RE,)\n\
             BUDGET.XLSX;2            40/45     27-NOV-2026 09:12:44  [STAFF,ANNA]      (RWED,RWED,RE,)\n\
             DATA.DIR;1                1/3       2-DEC-2026 09:36:00  [STAFF,ANNA]      (RWE,RWE,RE,E)\n\
             QUARTERLY_SUMMARY_FOR_THE_BOARD.PDF;1\n                       \
             2286/2288    5-JAN-2026 08:00:00  [STAFF,ANNA]      (RWED,RWED,R,)\n\
             NOTES.TXT;1               2/3      14-OCT-2020 16:00:00  [STAFF,ANNA]      (RWED,RWED,,)\n\
             SECRET.DAT;1        %RMS-E-PRV, insufficient privilege or file protection violation\n\
             \n\
             Total of 6 files, 2371/2384 blocks.\n",
        );
        assert_eq!(
            summary(&reading),
            [
                (
                    "BUDGET.XLSX",
                    Kind::File,
                    up_to(21504),
                    time(2026, 11, 28, 14, 5, Some(9))
                ),
                ("DATA", Kind::Dir, None, time(2026, 12, 2, 9, 36, Some(0))),
                (
                    "QUARTERLY_SUMMARY_FOR_THE_BOARD.PDF",
                    Kind::File,
                    up_to(1_170_432),
                    time(2026, 1, 5, 8, 0, Some(0))
                ),
                (
                    "NOTES.TXT",
                    Kind::File,
                    up_to(1024),
                    time(2020, 10, 14, 16, 0, Some(0))
                ),
            ]
        );
        assert_eq!(
            reading.unread,
            ["SECRET.DAT;1        %RMS-E-PRV, insufficient privilege or file protection violation"]
        );
        assert_eq!(reading.failures, 1);
        assert!(reading.entries.iter().all(|e| e.size.is_none()));
    }

    #[test]
    fn multinet_listing() {
        // vms.md §2: blocks only, minute times, one owner.
        let reading = listing(
            "SETUP.COM;4                 2   3-MAR-2024 10:15 [ANNA] (RWED,RWED,,)\n\
             ARCHIVE.DIR;1               1  12-APR-2019 13:13 [ANNA] (RWE,RWE,RE,RE)\n\
             PICTURE.JPG;1             417   8-SEP-2025 21:02 [ANNA] (RWED,RWED,,)\n",
        );
        assert_eq!(
            summary(&reading),
            [
                (
                    "SETUP.COM",
                    Kind::File,
                    up_to(1024),
                    time(2024, 3, 3, 10, 15, None)
                ),
                ("ARCHIVE", Kind::Dir, None, time(2019, 4, 12, 13, 13, None)),
                (
                    "PICTURE.JPG",
                    Kind::File,
                    up_to(213_504),
                    time(2025, 9, 8, 21, 2, None)
                ),
            ]
        );
    }

    #[test]
    fn other_servers_and_field_orders() {
        // vms.md §3: TCPware hundredths, a CMU directory prefix, the owner before the size, the
        // date before the size, a size in KB, no time.
        let reading = listing(
            "PLAN.TXT;7 12 5-NOV-2026 11:47:30.56\n\
             [ANNA.WORK]PLAN.TXT;7 12/15 5-NOV-2026 11:47\n\
             REPORT.LIS;2   [ANNA]    3/6    19-MAY-2025 06:40  (RWE,RWE,RE,)\n\
             REPORT.LIS;1        4-FEB-2019 22:10:05     880/882     (RWED,RWED,R,)\n\
             BIGLOG.TXT;1 9KB 11-JUL-2025 03:21:44.08\n\
             OLD.TXT;1    3/9   19-MAR-2001    [ANNA]   (RWED,RWED,RE,)\n",
        );
        assert!(reading.unread.is_empty(), "{:?}", reading.unread);
        assert_eq!(
            summary(&reading),
            [
                (
                    "PLAN.TXT",
                    Kind::File,
                    up_to(6144),
                    time(2026, 11, 5, 11, 47, Some(30))
                ),
                (
                    "REPORT.LIS",
                    Kind::File,
                    up_to(1536),
                    time(2025, 5, 19, 6, 40, None)
                ),
                (
                    "BIGLOG.TXT",
                    Kind::File,
                    up_to(10239),
                    time(2025, 7, 11, 3, 21, Some(44))
                ),
                ("OLD.TXT", Kind::File, up_to(1536), local_day(2001, 3, 19)),
            ]
        );
    }

    #[test]
    fn junk_and_lines_that_are_no_content() {
        // vms.md §4: headers and totals are skipped; Feb 29 of 2025, a name with no version and
        // a lone name with nothing after it are unread.
        let reading = listing(
            "Directory DISK$USERS:[ANNA.DATA]\n\
             DISK$USERS:[ANNA.DATA]\n\
             Total of 3 files, 12/18 blocks.\n\
             Grand total of 2 directories, 9 files, 2383/2402 blocks.\n\
             FEB29.TXT;1               1/3      29-FEB-2025 10:00:00  [ANNA]  (RWED,RWED,,)\n\
             NOVERSION.TXT             1/3      02-DEC-2026 10:00:00  [ANNA]  (RWED,RWED,,)\n\
             LONELY_NAME_WITHOUT_CONTINUATION.TXT;1\n",
        );
        assert!(reading.entries.is_empty(), "{:?}", reading.entries);
        assert_eq!((reading.read, reading.failures), (4, 3));
        // impossible-dates.md; a month no VMS prints; a time not right after the date; two
        // sizes; a protection that is not last or not RWED; a version 0.
        for line in [
            "BAD.TXT;1               1/3      31-NOV-2026 10:00:00  [ANNA]  (RWED,RWED,,)",
            "JUI.TXT;1 1 14-JUI-2026 10:00",
            "LATE.TXT;1 14-NOV-2026 1 10:00",
            "TWO.TXT;1 1 2 14-NOV-2026",
            "PROT.TXT;1 1 (RWED,RWED,,) 14-NOV-2026",
            "PROT.TXT;1 1 14-NOV-2026 (RWXD,RWED,,)",
            "ZERO.TXT;0 1 14-NOV-2026",
            "HOUR.TXT;1 1 14-NOV-2026 24:00",
            "-rw-r--r--    1 0        0            1234 Jun 05  2019 name",
            "04-27-00  09:09PM       <DIR>          licensed",
        ] {
            assert_eq!(parse_vms_line(line), Err(()), "{line}");
        }
    }

    #[test]
    fn a_lone_name_joins_only_an_indented_line_that_completes_it() {
        let reading = listing(
            "LONG_NAME.TXT;1\n\
             OTHER.TXT;1 1 14-NOV-2026\n",
        );
        let names: Vec<_> = reading.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!((names, reading.unread.len()), (vec!["OTHER.TXT"], 1));
    }
}
