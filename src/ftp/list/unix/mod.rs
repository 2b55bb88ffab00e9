//! `ls -l` lines: the LIST output of vsftpd, ProFTPD, Pure-FTPd, pyftpdlib and most other servers.
//!
//! ```text
//! -rw-r--r--    1 0        0            1234 Jun 05  2019 name
//! mode        links owner  group        size date         name (verbatim, may hold spaces)
//! ```
//!
//! The format is not specified anywhere; servers differ in the columns before the date (no group,
//! no link count, numeric ids, owners and groups of several words, a link count glued to an ACL
//! mark), in the date (`Mon DD HH:MM`, ISO forms, and whatever `ls` prints under a locale: see
//! [`dates`]) and in the size (`9.0M` from `ls -h`). So the date is located by its shape, at the
//! usual positions, with the size right before it, and the name starts right after the single
//! space that follows the date: leading, trailing and repeated spaces in names are kept.
//!
//! Two things one line cannot always say, the listing as a whole settles ([`listing`]): which
//! language a month name is in when languages disagree on it (`lis`), and whether the space after
//! a left-aligned year is padding or the start of the name. A line whose date bytes are not UTF-8
//! (`ls` under a legacy locale) is read when its name is UTF-8 ([`legacy`]).

mod dates;
mod legacy;
mod listing;
mod months;
mod sizes;
#[cfg(test)]
mod tests;

use std::cell::OnceCell;

use chrono::NaiveDateTime;

use super::{is_dot_name, read_lines, Line, LineResult, Reading};
use crate::remote::tree::{Entry, Kind};
use dates::{LsDate, Month};
use listing::Consensus;
use sizes::Size;

/// Reads a listing in `ls -l` lines. `now` is the current time in the server's zone (for the year
/// of recent dates). The listing is consulted only when a line needs it.
pub(super) fn read(lines: &[Line], now: NaiveDateTime) -> Reading {
    let consensus = OnceCell::new();
    let listing = || consensus.get_or_init(|| Consensus::of(lines));
    read_lines(lines.iter().copied(), |line| match line {
        Line::Text(text) => parse_text(text, 0, now, &listing),
        Line::Binary(bytes) => legacy::read(bytes, |text, name_from| {
            parse_text(text, name_from, now, &listing)
        }),
    })
}

/// Parses one `ls -l` line as a listing of its own. `total N` and `.`/`..` lines are `Ok(None)`.
#[cfg(test)]
pub(crate) fn parse_unix_line(line: &str, now: NaiveDateTime) -> LineResult {
    let mut reading = read(&[Line::Text(line)], now);
    match (reading.read, reading.entries.pop()) {
        (1, entry) => Ok(entry),
        _ => Err(()),
    }
}

/// Parses a text line whose name must start at byte `name_from` or later (the bytes before it
/// were decoded from a legacy encoding and are no name).
fn parse_text<'a>(
    line: &str,
    name_from: usize,
    now: NaiveDateTime,
    listing: &dyn Fn() -> &'a Consensus,
) -> LineResult {
    match scan(line)? {
        Some(raw) => raw.entry(line, name_from, now, listing),
        None => Ok(None),
    }
}

/// What a line says on its own: `Ok(None)` for a `total` line.
fn scan(line: &str) -> Result<Option<Raw>, ()> {
    // `ls` starts every line with the mode; an indented line is some other dialect.
    if line.starts_with(' ') {
        return Err(());
    }
    let fields = Fields::new(line);
    let Some((file_type, mode)) = fields.get(0).and_then(mode_string) else {
        return match sizes::is_total(line) {
            true => Ok(None),
            false => Err(()),
        };
    };
    let (index, size, located) = locate_date(&fields, file_type).ok_or(())?;
    let last = index + located.tokens - 1;
    let name_start = fields.end(last) + 1;
    if name_start >= line.len() {
        return Err(());
    }
    // A year left-aligned in its five-column slot (IBM i, AIX, German and Polish GNU ls) is
    // followed by a padding space: `Feb 18 2005  name`. Which it is, the listing tells.
    let pad = (located.year_last
        && !line[..fields.start(last) - 1].ends_with(' ')
        && line[name_start..].starts_with(' '))
    .then(|| Pad {
        full_width: (index..last).all(|i| !is_unpadded_digit(&fields, i)),
    });
    Ok(Some(Raw {
        file_type,
        mode,
        size,
        date: located.date,
        size_end: fields.end(index - 1),
        name_start,
        pad,
    }))
}

/// A one-digit day printed without the padding space `ls` aligns it with (`Oct 2 2008`).
fn is_unpadded_digit(fields: &Fields, i: usize) -> bool {
    let digit = fields.get(i).map(|f| f.trim_end_matches('.'));
    digit.is_some_and(|d| d.len() == 1) && !fields.line[..fields.start(i) - 1].ends_with(' ')
}

/// One `ls -l` line as read alone.
struct Raw {
    file_type: FileType,
    mode: u32,
    size: Size,
    date: LsDate,
    /// Byte offsets: just after the size field, and where the name starts if exactly one space
    /// separates it from the date.
    size_end: usize,
    name_start: usize,
    /// The name may start one space later, after a year's padding.
    pad: Option<Pad>,
}

/// A left-aligned year's padding space that may be the first character of the name.
#[derive(Clone, Copy)]
struct Pad {
    /// Every other date field is padded as `ls` aligns it: alone, the line reads as the IBM i and
    /// AIX layout (Mozilla's ParseFTPList, lftp `parse_ls_line`), where the space is padding.
    full_width: bool,
}

impl Raw {
    fn entry<'a>(
        self,
        line: &str,
        name_from: usize,
        now: NaiveDateTime,
        listing: &dyn Fn() -> &'a Consensus,
    ) -> LineResult {
        let name_start = match self.pad {
            None => self.name_start,
            Some(pad) => {
                let offset = line[self.size_end..self.name_start].chars().count();
                let padded = listing().padded(offset).unwrap_or(pad.full_width);
                self.name_start + usize::from(padded)
            }
        };
        if name_start < name_from {
            return Err(());
        }
        let rest = line.get(name_start..).filter(|r| !r.is_empty()).ok_or(())?;
        let (name, kind) = name_and_kind(rest, self.file_type);
        if name.is_empty() {
            return Err(());
        }
        if is_dot_name(name) {
            return Ok(None);
        }
        let month = match self.date.month {
            Month::Number(month) => month,
            Month::Named { start, end } => listing().month(&line[start..end]).ok_or(())?,
        };
        let mut entry = Entry::new(name, kind);
        match self.size {
            Size::Exact(bytes) => entry.size = Some(bytes),
            Size::Rounded(range) => entry.size_range = Some(range),
            Size::Device => {}
        }
        entry.mode = Some(self.mode);
        // A date that does not exist (`Nov 31`) makes the line junk, not an entry without a time.
        entry.mtime = Some(self.date.mtime(month, now).ok_or(())?);
        Ok(Some(entry))
    }
}

/// Where the month field may be, most likely first: after `mode links owner group size` (5),
/// with no group or no link count (4), with a Windows `group domain user` owner (6), with neither
/// owner nor group (3, NetPresenz), with owner and group of four or five words (7, 8: `Domain
/// Users`, unix-variants.md §C). Trying the usual position first keeps an owner named like a
/// month, or a name that looks like a date, from being taken for the date.
const DATE_POSITIONS: [usize; 6] = [5, 4, 6, 3, 7, 8];

/// The first position in [`DATE_POSITIONS`] where a size is followed by a date: the date's first
/// field index, the size, and the date.
fn locate_date(fields: &Fields, file_type: FileType) -> Option<(usize, Size, dates::Located)> {
    DATE_POSITIONS.iter().find_map(|&i| {
        let size = size(file_type, fields.get(i - 1)?)?;
        Some((i, size, dates::date_at(fields, i)?))
    })
}

/// Enough fields for the longest date (4 fields) at the last position in [`DATE_POSITIONS`].
const MAX_FIELDS: usize = 13;

/// The first space-separated fields of a line, with their byte spans.
struct Fields<'a> {
    line: &'a str,
    spans: [(usize, usize); MAX_FIELDS],
    len: usize,
}

impl<'a> Fields<'a> {
    fn new(line: &'a str) -> Fields<'a> {
        let bytes = line.as_bytes();
        let mut fields = Fields {
            line,
            spans: [(0, 0); MAX_FIELDS],
            len: 0,
        };
        let mut pos = 0;
        while fields.len < MAX_FIELDS {
            while bytes.get(pos) == Some(&b' ') {
                pos += 1;
            }
            if pos == bytes.len() {
                break;
            }
            let start = pos;
            while pos < bytes.len() && bytes[pos] != b' ' {
                pos += 1;
            }
            fields.spans[fields.len] = (start, pos);
            fields.len += 1;
        }
        fields
    }

    /// Field `i`; the spans start and end at ASCII spaces or the line ends, so slicing is safe.
    fn get(&self, i: usize) -> Option<&'a str> {
        let (start, end) = *self.spans[..self.len].get(i)?;
        self.line.get(start..end)
    }

    /// The byte offset of field `i` (only called for fields that exist).
    fn start(&self, i: usize) -> usize {
        self.spans[i].0
    }

    /// The byte offset just after field `i` (only called for fields that exist).
    fn end(&self, i: usize) -> usize {
        self.spans[i].1
    }
}

/// The file type letter of a mode string, as far as mirroring cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileType {
    File,
    Dir,
    Symlink,
    /// `b`/`c`: the size column holds `major, minor` instead of a size.
    Device,
    /// `p` fifo, `s` socket, `D` Solaris door.
    Other,
}

/// Reads `drwxr-sr-t+`-style mode strings into the file type and the permission bits, including
/// setuid, setgid and sticky. An 11th character marks an ACL (`+`), extended attributes (`@`,
/// macOS) or an SELinux context (`.`), and is ignored. After it, a link count of four digits or
/// more may follow with no space (`drwxr-x---+1290`: commons-net's UnixFTPEntryParser allows it,
/// unix-variants.md §1 and §B); it is ignored like any link count.
fn mode_string(field: &str) -> Option<(FileType, u32)> {
    let (&type_letter, rest) = field.as_bytes().split_first()?;
    let (perms, mark) = rest.split_at_checked(9)?;
    match mark {
        [] => {}
        [b'+' | b'@' | b'.', links @ ..] if links.iter().all(u8::is_ascii_digit) => {}
        _ => return None,
    }
    let file_type = match type_letter {
        b'-' => FileType::File,
        b'd' => FileType::Dir,
        b'l' => FileType::Symlink,
        b'b' | b'c' => FileType::Device,
        b'p' | b's' | b'D' => FileType::Other,
        _ => return None,
    };
    Some((file_type, permission_bits(perms)?))
}

/// `rwxrwxrwx` to bits. The execute position of each triple also shows setuid (`s`/`S`), setgid
/// (`s`/`S`) and sticky (`t`/`T`); upper case means the execute bit itself is off.
fn permission_bits(perms: &[u8]) -> Option<u32> {
    let mut mode = 0;
    for (i, &letter) in perms.iter().enumerate() {
        let bit = 1 << (8 - i);
        let special = [0o4000, 0o2000, 0o1000][i / 3];
        let other = i / 3 == 2;
        mode |= match (i % 3, letter) {
            (_, b'-') => 0,
            (0, b'r') | (1, b'w') | (2, b'x') => bit,
            (2, b's') if !other => bit | special,
            (2, b'S') if !other => special,
            (2, b't') if other => bit | special,
            (2, b'T') if other => special,
            // Solaris shows setgid without group execute (mandatory locking) as `l`.
            (2, b'l' | b'L') if i == 5 => special,
            _ => return None,
        };
    }
    Some(mode)
}

/// The size column. A device shows `major, minor` there, split over two fields, or as one
/// `major,minor` field: not a size, but it must still look like numbers for the line to be `ls`.
fn size(file_type: FileType, field: &str) -> Option<Size> {
    if file_type == FileType::Device {
        let numeric = !field.is_empty() && field.bytes().all(|b| b.is_ascii_digit() || b == b',');
        return numeric.then_some(Size::Device);
    }
    sizes::size(field)
}

/// The entry name and kind from the text after the date. Only links carry ` -> target`: in any
/// other entry the arrow is part of the name. A link whose name holds ` -> ` cannot be told apart
/// from its target; the first arrow is taken, as other clients do.
fn name_and_kind(rest: &str, file_type: FileType) -> (&str, Kind) {
    match file_type {
        FileType::File => (rest, Kind::File),
        FileType::Dir => (rest, Kind::Dir),
        FileType::Device | FileType::Other => (rest, Kind::Other),
        FileType::Symlink => match rest.split_once(" -> ") {
            Some((name, target)) if !target.is_empty() => (
                name,
                Kind::Symlink {
                    target: Some(target.to_owned()),
                },
            ),
            Some((name, _)) => (name, Kind::Symlink { target: None }),
            None => (rest, Kind::Symlink { target: None }),
        },
    }
}
