//! Listing parsers: what an FTP server sends on a data connection for MLSD, LIST or NLST, turned
//! into [`Entry`] values.
//!
//! Everything here is a pure function over bytes: no socket, no clock (the current time is passed
//! in, for the year inference of `ls -l` lines). The invariant: a line becomes an entry only when a
//! parser read all of it. Anything else goes to [`Listing::unread`] as sent (`\xNN` for bytes that
//! are not UTF-8), so the caller can report it: a listing is never guessed into entries and never
//! fails as a whole. `.` and `..`, `total N`, headers and totals of the other dialects and MLSD
//! `cdir`/`pdir` lines are not content and are dropped silently.
//!
//! - MLSD (RFC 3659 section 7): [`parse_mlsd`], one fact line per entry ([`parse_mlsx_line`]).
//! - LIST: RFC 959 section 4.1.3 leaves the format to the server. [`parse_list`] reads the listing
//!   in each known dialect (Unix `ls -l`, MS-DOS/IIS, EPLF, IBM i, z/OS, OpenVMS, NetWare, OS/2)
//!   and keeps the one that reads the most, as lftp does; one dialect is chosen for the whole
//!   listing. Most dialects read each line alone; a dialect may also look at the whole listing
//!   (`Reader`), as Unix does for what one line cannot say and OpenVMS for entries of two lines.
//! - NLST: [`parse_nlst`], bare names.
//!
//! Lines end in LF with an optional CR before it: RFC 959 asks for CRLF, some servers send LF.

mod calendar;
mod dos;
mod eplf;
mod mlsx;
mod mvs;
mod netware;
mod os2;
mod os400;
mod truncated;
mod unix;
mod vms;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::remote::tree::Entry;

pub use mlsx::parse_mlsx_line;
pub use truncated::{count_lines, glob_failed, truncation, Truncated};

/// The format a listing was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// RFC 3659 MLSD fact lines.
    Mlsd,
    /// `ls -l` lines, as sent by vsftpd, ProFTPD, Pure-FTPd, pyftpdlib and most others.
    Unix,
    /// MS-DOS `dir` lines, as sent by IIS in its default "MS-DOS" listing style.
    Dos,
    /// D. J. Bernstein's Easily Parsed LIST Format (publicfile, anonftpd).
    Eplf,
    /// IBM i (OS/400) in its native format (`SITE LISTFMT 0`).
    Os400,
    /// z/OS data set and member lists.
    Mvs,
    /// OpenVMS (MultiNet, TCPIP Services, TCPware, CMU).
    Vms,
    /// Novell NetWare's FTP server and Hellsoft's.
    Netware,
    /// IBM TCP/IP for OS/2.
    Os2,
}

impl Dialect {
    /// Its name, as `ls` and the JSON outputs show it.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Mlsd => "mlsd",
            Dialect::Unix => "unix",
            Dialect::Dos => "dos",
            Dialect::Eplf => "eplf",
            Dialect::Os400 => "os400",
            Dialect::Mvs => "mvs",
            Dialect::Vms => "vms",
            Dialect::Netware => "netware",
            Dialect::Os2 => "os2",
        }
    }
}

impl Serialize for Dialect {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A parsed listing: the entries, and every line that could not be read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Listing {
    /// The dialect the lines were read in. For LIST, `None` when no line could be read in any
    /// dialect (or there were no lines); MLSD listings are always `Some(Mlsd)`.
    pub dialect: Option<Dialect>,
    /// The entries read, in listing order.
    pub entries: Vec<Entry>,
    /// Lines that were not read (not in the dialect, or not UTF-8), in listing order.
    pub unread: Vec<String>,
}

/// What one line says: `Ok(Some(_))` an entry, `Ok(None)` a line that is not content (`.`, `..`,
/// `total N`, `cdir`), `Err(())` a line this dialect cannot read.
pub(crate) type LineResult = Result<Option<Entry>, ()>;

/// One line of listing data, without its line ending.
#[derive(Clone, Copy)]
enum Line<'a> {
    Text(&'a str),
    /// Not UTF-8. Its name must be UTF-8 for it to become an entry, since a name we cannot
    /// represent faithfully would be mirrored under a different name (and compared wrongly on
    /// every later run); only Unix reads such lines, when the bytes that are not UTF-8 are in the
    /// date (an `ls` run under a legacy locale).
    Binary(&'a [u8]),
}

/// A line that is not UTF-8, with each invalid byte written `\xNN`, so the user can still tell
/// which name it was (a replacement character would hide it).
fn escaped(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out += chunk.valid();
        for byte in chunk.invalid() {
            out += &format!("\\x{byte:02X}");
        }
    }
    out
}

/// Splits listing data into non-empty lines, each without its LF or CRLF.
fn lines(data: &[u8]) -> impl Iterator<Item = Line<'_>> {
    data.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
        .map(|line| match std::str::from_utf8(line) {
            Ok(text) => Line::Text(text),
            Err(_) => Line::Binary(line),
        })
}

/// The outcome of reading every line of a listing in one dialect.
#[derive(Default)]
struct Reading {
    entries: Vec<Entry>,
    unread: Vec<String>,
    /// Lines the dialect read (entries and skipped lines alike).
    read: usize,
    /// Text lines the dialect could not read; unread binary lines count for no dialect.
    failures: usize,
}

impl Reading {
    /// Records what one line said (for VMS, one entry joined from two lines). A listed name
    /// holding `/` cannot be a directory's entry (an MLST reply names a path; a listing never
    /// does): such a line is junk.
    // Every line of every listing goes through here (bench/parsers.rs): inlined, MLSD reads
    // 5 % faster.
    #[inline(always)]
    fn take(&mut self, line: Line, read: LineResult) {
        match read {
            Ok(Some(entry)) if entry.name.contains('/') => self.leave(line),
            Ok(entry) => {
                self.read += 1;
                self.entries.extend(entry);
            }
            Err(()) => self.leave(line),
        }
    }

    fn leave(&mut self, line: Line) {
        match line {
            Line::Text(text) => {
                self.failures += 1;
                self.unread.push(text.to_owned());
            }
            Line::Binary(bytes) => self.unread.push(escaped(bytes)),
        }
    }
}

/// Reads each line alone with `parse`.
fn read_lines<'a>(
    lines: impl IntoIterator<Item = Line<'a>>,
    mut parse: impl FnMut(Line<'a>) -> LineResult,
) -> Reading {
    let lines = lines.into_iter();
    let mut reading = Reading::default();
    // About an entry per line: sized once rather than grown by copying (bench/parsers.rs).
    reading.entries.reserve(lines.size_hint().0);
    for line in lines {
        reading.take(line, parse(line));
    }
    reading
}

/// Reads each text line alone with `parse`; a line that is not UTF-8 is never an entry.
fn read_text_lines<'a>(
    lines: impl IntoIterator<Item = Line<'a>>,
    mut parse: impl FnMut(&str) -> LineResult,
) -> Reading {
    read_lines(lines, |line| match line {
        Line::Text(text) => parse(text),
        Line::Binary(_) => Err(()),
    })
}

/// How one dialect reads a whole listing. Most read each line alone ([`read_text_lines`]); a
/// dialect may also settle what one line cannot say from the rest of the listing (Unix: the
/// language of a month name, the padding after a year), join lines or fold entries together.
type Reader<'r> = &'r dyn for<'a> Fn(&[Line<'a>]) -> Reading;

/// Parses MLSD data (RFC 3659 section 7.2): one fact line per entry. `cdir` and `pdir` entries
/// are dropped: they name the listed directory and its parent, not its content.
pub fn parse_mlsd(data: &[u8]) -> Listing {
    let lines: Vec<Line> = lines(data).collect();
    let reading = read_text_lines(lines, parse_mlsx_line);
    Listing {
        dialect: Some(Dialect::Mlsd),
        entries: reading.entries,
        unread: reading.unread,
    }
}

/// Parses LIST data. The dialect is chosen for the whole listing: each dialect reads every line
/// and the one with the fewest unreadable lines wins (ties go to the first in the order of
/// [`Dialect`]), so a stray line that happens to look like another dialect cannot switch
/// parsers mid-listing.
///
/// `now` is the current time in the server's zone: `ls -l` gives no year for recent files, and
/// the year is the latest that does not put the date more than a day after `now` (the day of
/// slack absorbs clock skew and zone guesses, as FileZilla allows).
pub fn parse_list(data: &[u8], now: NaiveDateTime) -> Listing {
    let lines: Vec<Line> = lines(data).collect();
    let unix = |lines: &[Line]| unix::read(lines, now);
    let dos = |lines: &[Line]| read_text_lines(lines.iter().copied(), dos::parse_dos_line);
    let eplf = |lines: &[Line]| read_text_lines(lines.iter().copied(), eplf::parse_eplf_line);
    let netware = |lines: &[Line]| {
        read_text_lines(lines.iter().copied(), |l| {
            netware::parse_netware_line(l, now)
        })
    };
    let os2 = |lines: &[Line]| read_text_lines(lines.iter().copied(), os2::parse_os2_line);
    let os400 = |lines: &[Line]| os400::read(lines, now);
    let dialects: [(Dialect, Reader); 8] = [
        (Dialect::Unix, &unix),
        (Dialect::Dos, &dos),
        (Dialect::Eplf, &eplf),
        (Dialect::Os400, &os400),
        (Dialect::Mvs, &mvs::read),
        (Dialect::Vms, &vms::read),
        (Dialect::Netware, &netware),
        (Dialect::Os2, &os2),
    ];
    let mut best: Option<(Dialect, Reading)> = None;
    for (dialect, read) in dialects {
        let reading = read(&lines);
        let perfect = reading.failures == 0;
        if best
            .as_ref()
            .is_none_or(|(_, b)| reading.failures < b.failures)
        {
            best = Some((dialect, reading));
        }
        // Nothing can beat a dialect that read every line; skip the other passes.
        if perfect {
            break;
        }
    }
    let Some((dialect, reading)) = best else {
        return Listing::default();
    };
    Listing {
        dialect: (reading.read > 0).then_some(dialect),
        entries: reading.entries,
        unread: reading.unread,
    }
}

/// Parses NLST data: one name per line, returned as given (a server may prefix a directory;
/// that is for the caller to judge). Empty lines, `.` and `..` are skipped; lines that are not
/// UTF-8 are returned apart, lossily, as unread. Returns `(names, unread)`.
pub fn parse_nlst(data: &[u8]) -> (Vec<String>, Vec<String>) {
    let mut names = Vec::new();
    let mut unread = Vec::new();
    for line in lines(data) {
        match line {
            Line::Text(name) if is_dot_name(name) => {}
            Line::Text(name) => names.push(name.to_owned()),
            Line::Binary(bytes) => unread.push(escaped(bytes)),
        }
    }
    (names, unread)
}

/// `.` and `..` name the directory itself and its parent: never content.
fn is_dot_name(name: &str) -> bool {
    name == "." || name == ".."
}

/// A non-empty run of ASCII digits as a number; `str::parse` would also take a leading `+`.
fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Octal permission digits, as in MLSD `UNIX.mode` and EPLF `up`, keeping only the permission,
/// setuid, setgid and sticky bits (some servers include the file type bits).
fn octal_mode(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    u32::from_str_radix(text, 8).ok().map(|mode| mode & 0o7777)
}

#[cfg(test)]
mod tests;
