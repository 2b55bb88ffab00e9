//! Completing a listing the server cut short by listing the directory in parts: `LIST -ad a*`,
//! `LIST -ad b*`, ..., one part per first character, a part still cut short split by its second
//! character, and so on. The union is used only when it can be trusted:
//!
//! - every part came whole (no truncation said, fewer lines than the cap the first listing hit);
//! - every line of every part was read, and every name matches its part's pattern (a server
//!   that lists a matching directory's content, as pure-ftpd does without `-d`, or matches case
//!   blindly, fails here);
//! - no part was refused or said its pattern failed (pure-ftpd's glob stops at the same cap as
//!   its listings and answers `226-Out of memory during globbing`: it cannot be completed);
//! - the union holds every name of the cut listing.
//!
//! Patterns use only what every glob knows: literal letters and digits and `*`, one bracket
//! expression `[!0-9A-Za-z]` (each character spelled out) for the other first characters, `.*` for dot-files (no glob
//! matches a leading dot otherwise), and `[c]` for a name equal to a prefix (a glob, so that
//! "no such name" is an empty listing rather than an error). A part of the "other" class that
//! is still cut short is not split: its second byte may be inside a multibyte character.
//! It works on ProFTPD (LIST capped by `ListOptions maxfiles`, silently); not on pure-ftpd.

use super::error::Result;
use super::list::{self, count_lines, truncation, Listing};
use super::session::{ListCommand, Listed, Session};
use crate::remote::tree::Entry;
use std::collections::{BTreeMap, VecDeque};

/// Most part listings one directory may cost.
const MAX_PARTS: usize = 2000;

/// One position of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// This ASCII letter or digit (written literally, or as `[c]` when last in an exact part).
    Char(char),
    /// Any character but an ASCII letter or digit (and, first, not a dot).
    Other,
    /// A leading dot.
    Dot,
}

/// A name pattern: these classes, then anything (`star`) or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    prefix: Vec<Class>,
    star: bool,
}

/// Every character but ASCII letters and digits, spelled out: a range (`a-z`) follows the
/// server's collation, which may put `é` inside it.
const OTHER: &str = "[!0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz]";

impl Pattern {
    /// What the server gets.
    fn glob(&self) -> String {
        let mut text = String::new();
        for (i, class) in self.prefix.iter().enumerate() {
            match class {
                Class::Char(c) if !self.star && i + 1 == self.prefix.len() => {
                    text += &format!("[{c}]")
                }
                Class::Char(c) => text.push(*c),
                Class::Other => text += OTHER,
                Class::Dot => text.push('.'),
            }
        }
        if self.star {
            text.push('*');
        }
        text
    }

    /// Whether `name` is one this pattern stands for, as a glob reads it.
    fn matches(&self, name: &str) -> bool {
        let mut chars = name.chars();
        for (i, class) in self.prefix.iter().enumerate() {
            let Some(c) = chars.next() else {
                return false;
            };
            let fits = match class {
                Class::Char(want) => c == *want,
                Class::Other => !c.is_ascii_alphanumeric() && (i > 0 || c != '.'),
                Class::Dot => c == '.',
            };
            if !fits {
                return false;
            }
        }
        self.star || chars.next().is_none()
    }

    /// The parts this one splits into: one per next character, and the name that is the
    /// prefix itself. `None` where it cannot be split safely.
    fn split(&self) -> Option<Vec<Pattern>> {
        if self.prefix.contains(&Class::Other) || !self.star {
            return None;
        }
        let mut parts = next_classes()
            .map(|class| Pattern {
                prefix: [self.prefix.clone(), vec![class]].concat(),
                star: true,
            })
            .collect::<Vec<_>>();
        // A lone dot is the directory itself, never content.
        if self.prefix != [Class::Dot] {
            parts.push(Pattern {
                prefix: self.prefix.clone(),
                star: false,
            });
        }
        Some(parts)
    }
}

fn next_classes() -> impl Iterator<Item = Class> {
    ('0'..='9')
        .chain('A'..='Z')
        .chain('a'..='z')
        .map(Class::Char)
        .chain([Class::Other])
}

/// The first parts: by first character, and the dot-files.
fn first_parts() -> VecDeque<Pattern> {
    next_classes()
        .chain([Class::Dot])
        .map(|class| Pattern {
            prefix: vec![class],
            star: true,
        })
        .collect()
}

impl Session {
    /// The whole directory at `path`, from parts, when the server can give it and the union
    /// can be trusted (see the module doc); `None` when it cannot, or when completing failed:
    /// the cut listing stands then, as what it is.
    pub(super) fn complete(&mut self, path: &str, cut: &Listed) -> Option<Listing> {
        self.try_complete(path, cut).unwrap_or_else(|e| {
            log::info!("{path}: completing the listing failed ({e})");
            None
        })
    }

    fn try_complete(&mut self, path: &str, cut: &Listed) -> Result<Option<Listing>> {
        let Some(truncated) = &cut.truncated else {
            return Ok(Some(cut.listing.clone()));
        };
        if !matches!(cut.command, ListCommand::Mlsd | ListCommand::ListAll) {
            return Ok(None);
        }
        self.enter(path)?;
        let cap = truncated.lines;
        let mut queue = first_parts();
        let mut found: BTreeMap<String, Entry> = BTreeMap::new();
        let mut parts = 0;
        let mut dialect = None;
        while let Some(pattern) = queue.pop_front() {
            parts += 1;
            if parts > MAX_PARTS {
                log::info!("{path}: more than {MAX_PARTS} parts; not completed");
                return Ok(None);
            }
            let glob = pattern.glob();
            let data = match self
                .client
                .list_data(&super::Command::List(Some(&format!("-ad {glob}"))))
            {
                Ok(data) => data,
                Err(e) if e.reply().is_some() => {
                    log::info!("{path}: LIST of part {glob} refused ({e}); not completed");
                    return Ok(None);
                }
                Err(e) => return Err(e),
            };
            if list::glob_failed(&data.end) {
                log::info!("{path}: part {glob} failed ({}); not completed", data.end);
                return Ok(None);
            }
            if truncation(&data.end, &data.data).is_some() || count_lines(&data.data) >= cap {
                match pattern.split() {
                    Some(more) => queue.extend(more),
                    None => {
                        log::info!("{path}: part {glob} is cut short too; not completed");
                        return Ok(None);
                    }
                }
                continue;
            }
            let now = chrono::Utc::now().naive_utc();
            let part = list::parse_list(&data.data, now);
            if !part.unread.is_empty() || part.entries.iter().any(|e| !pattern.matches(&e.name)) {
                log::info!("{path}: part {glob} lists what it was not asked for; not completed");
                return Ok(None);
            }
            dialect = dialect.or(part.dialect);
            for entry in part.entries {
                found.entry(entry.name.clone()).or_insert(entry);
            }
        }
        Ok(merge(cut, found, path).map(|entries| Listing {
            dialect: cut.listing.dialect.or(dialect),
            entries,
            unread: cut.listing.unread.clone(),
        }))
    }
}

/// The completed entries: the cut listing's own (MLSD facts are finer than LIST's) and the
/// parts' for the rest; `None` when the parts miss a name the cut listing has.
fn merge(cut: &Listed, mut found: BTreeMap<String, Entry>, path: &str) -> Option<Vec<Entry>> {
    if let Some(missing) = cut
        .listing
        .entries
        .iter()
        .find(|e| !found.contains_key(&e.name))
    {
        log::info!(
            "{path}: the parts do not show {:?}; not completed",
            missing.name
        );
        return None;
    }
    for entry in &cut.listing.entries {
        found.insert(entry.name.clone(), entry.clone());
    }
    Some(found.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(glob_prefix: &[Class], star: bool) -> Pattern {
        Pattern {
            prefix: glob_prefix.to_vec(),
            star,
        }
    }

    #[test]
    fn first_parts_cover_every_name_once() {
        let parts = first_parts();
        assert_eq!(parts.len(), 64);
        for name in [
            "a", "Zeta", "0.tar", "_x", "-rf", "é", ".hidden", "..x", "[x]", " lead",
        ] {
            let covering: Vec<_> = parts.iter().filter(|p| p.matches(name)).collect();
            assert_eq!(covering.len(), 1, "{name:?}: {covering:?}");
        }
        let globs: Vec<String> = parts.iter().map(Pattern::glob).collect();
        assert!(globs.contains(&"a*".to_string()) && globs.contains(&".*".to_string()));
        assert!(globs.contains(&format!("{OTHER}*")));
    }

    #[test]
    fn a_split_covers_its_pattern_once_and_exact_names_are_globs() {
        let f = pattern(&[Class::Char('f')], true);
        let parts = f.split().unwrap();
        assert_eq!(parts.len(), 64);
        for name in ["f", "f0", "fz", "f_", "f.tar", "fé"] {
            let covering: Vec<_> = parts.iter().filter(|p| p.matches(name)).collect();
            assert_eq!(covering.len(), 1, "{name:?}");
        }
        assert!(parts.iter().all(|p| !p.matches("g")));
        let exact = parts.iter().find(|p| !p.star).unwrap();
        assert_eq!(exact.glob(), "[f]");
        assert_eq!(parts[0].glob(), "f0*");
        assert_eq!(parts[62].glob(), format!("f{OTHER}*"));
        // The other class is never split; a dot-file split has no lone dot.
        assert_eq!(parts[62].split(), None);
        let dots = pattern(&[Class::Dot], true).split().unwrap();
        assert!(dots.iter().all(|p| p.star) && dots.len() == 63);
    }

    #[test]
    fn matching_is_a_glob_s() {
        let other = pattern(&[Class::Other], true);
        assert!(other.matches("_a") && other.matches("é") && !other.matches(".a"));
        assert!(!other.matches("a_"));
        let exact = pattern(&[Class::Char('a'), Class::Char('b')], false);
        assert!(exact.matches("ab") && !exact.matches("abc") && !exact.matches("a"));
        assert_eq!(exact.glob(), "a[b]");
    }
}
