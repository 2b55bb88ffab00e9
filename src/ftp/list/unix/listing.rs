//! What a whole `ls -l` listing says, for the two things one line alone cannot:
//!
//! - A month name languages disagree on (`lis`): one server prints one language, so the
//!   language whose month names read the most lines of the listing decides. When languages that
//!   disagree read as many lines, the name stays unread: never guessed.
//! - The space after a year printed left-aligned in its five-column slot (`Feb 18 2005  old.txt`,
//!   IBM i with `SITE LISTFMT 1`, AIX, German and Polish GNU `ls`): padding, or the first
//!   character of the name? `ls` aligns its columns, so the other lines tell where names start:
//!   counted from the end of the size (sizes are right-aligned, and the date starts one space
//!   after), a name starts at the same column on every line whose start is not in doubt
//!   (unix-variants.md §3, "Recommended: learn the offset from the listing itself").

use super::super::Line;
use super::dates::Month;
use super::{legacy, months, scan, Raw};

/// Counts over the lines of a listing that could be read alone.
pub(super) struct Consensus {
    /// Per language of `months`: the lines whose month name it has.
    languages: [u32; months::COUNT],
    /// Per distance in characters from the end of the size to the name: the lines whose name
    /// certainly starts there.
    name_columns: Vec<(usize, u32)>,
}

impl Consensus {
    pub(super) fn of(lines: &[Line]) -> Consensus {
        let mut consensus = Consensus {
            languages: [0; months::COUNT],
            name_columns: Vec::new(),
        };
        for &line in lines {
            match line {
                Line::Text(text) => consensus.count(text),
                Line::Binary(bytes) => {
                    if let Some(text) = legacy::text(bytes) {
                        consensus.count(&text);
                    }
                }
            }
        }
        consensus
    }

    fn count(&mut self, line: &str) {
        let Ok(Some(raw)) = scan(line) else {
            return;
        };
        let name = match raw.date.month {
            Month::Named { start, end } => line.get(start..end),
            Month::Number(_) => month_name(line, &raw),
        };
        if let Some(name) = name {
            let set = months::languages(name);
            for (language, lines) in self.languages.iter_mut().enumerate() {
                *lines += (set >> language) & 1;
            }
        }
        if raw.pad.is_none() {
            let column = line[raw.size_end..raw.name_start].chars().count();
            match self.name_columns.iter_mut().find(|(c, _)| *c == column) {
                Some((_, lines)) => *lines += 1,
                None => self.name_columns.push((column, 1)),
            }
        }
    }

    /// The month a name that languages disagree on stands for in this listing.
    pub(super) fn month(&self, name: &str) -> Option<u32> {
        let set = months::languages(name);
        let best = (0..months::COUNT)
            .filter(|language| set >> language & 1 == 1)
            .map(|language| self.languages[language])
            .max()?;
        let mut meant = (0..months::COUNT)
            .filter(|&language| set >> language & 1 == 1 && self.languages[language] == best)
            .filter_map(|language| months::month_in(name, language));
        let month = meant.next()?;
        meant.all(|other| other == month).then_some(month)
    }

    /// Whether the space after a left-aligned year is padding, for a line whose name would start
    /// `column` characters after the size if it were not: `None` when the listing does not say.
    pub(super) fn padded(&self, column: usize) -> Option<bool> {
        let lines = |column| {
            self.name_columns
                .iter()
                .find(|(c, _)| *c == column)
                .map_or(0, |(_, lines)| *lines)
        };
        match (lines(column + 1) > 0, lines(column) > 0) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        }
    }
}

/// The month name of a line whose month needed no listing to read, if it was a name: the first
/// date field, or the second (day first).
fn month_name<'a>(line: &'a str, raw: &Raw) -> Option<&'a str> {
    let date = line.get(raw.size_end..raw.name_start)?;
    date.split(' ')
        .filter(|field| !field.is_empty())
        .take(2)
        .find(|field| field.starts_with(|c: char| c.is_alphabetic()))
}
