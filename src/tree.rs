//! The entry model shared by every listing source.
//!
//! A remote listing, whatever its dialect (MLSD facts, `ls -l` lines, MS-DOS lines, EPLF), becomes
//! a list of [`Entry`] values. An entry says only what the listing said: a size or a time the
//! server did not give is `None`, and a time carries the precision and zone it was given in, so
//! that later comparisons never pretend to know more than the server told.

use chrono::NaiveDateTime;
use serde::Serialize;

/// What kind of object a listed name is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Kind {
    File,
    Dir,
    /// A symbolic link; `target` is what the server said it points to, if it said.
    Symlink {
        target: Option<String>,
    },
    /// Devices, sockets, pipes, or a type the server named that we do not mirror.
    Other,
}

/// How finely a listed time was given. A comparison must not be finer than this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Second,
    Minute,
    Day,
}

/// The clock a listed time was read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Zone {
    /// MLSD `modify`, MDTM (RFC 3659 section 2.3) and HTTP dates.
    Utc,
    /// `LIST` output: the server's own local time, whose offset is unknown.
    ServerLocal,
}

/// A time as a listing gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Mtime {
    pub time: NaiveDateTime,
    pub precision: Precision,
    pub zone: Zone,
}

/// One listed name with what the listing told about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The name exactly as listed: not yet checked for use as a local path.
    pub name: String,
    pub kind: Kind,
    pub size: Option<u64>,
    pub mtime: Option<Mtime>,
    /// MLSD `unique` fact: changes when the file is replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique: Option<String>,
    /// Unix permission bits (from `UNIX.mode` or an `ls -l` mode string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
}

impl Entry {
    /// An entry with only a name and a kind known.
    pub fn new(name: impl Into<String>, kind: Kind) -> Entry {
        Entry {
            name: name.into(),
            kind,
            size: None,
            mtime: None,
            unique: None,
            mode: None,
        }
    }
}

/// Why a listed name cannot become a local path component.
pub fn unsafe_name(name: &str) -> Option<&'static str> {
    match name {
        "" => Some("empty name"),
        "." | ".." => Some("names the directory itself or its parent"),
        _ if name.contains(['/', '\\']) => Some("holds a path separator"),
        _ if name.chars().any(char::is_control) => Some("holds a control character"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names() {
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "/abs",
            "..\\x",
            "a\0",
            "a\nb",
            "a\rb",
            "\u{1b}[31m",
        ] {
            assert!(unsafe_name(bad).is_some(), "{bad:?}");
        }
        for good in [
            "...", ".hidden", " lead", "trail ", "-rf", "café", "[x]", "a%2Fb", "#",
        ] {
            assert_eq!(unsafe_name(good), None, "{good:?}");
        }
    }
}
