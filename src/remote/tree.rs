//! The entry model shared by every listing source.
//!
//! A remote listing, whatever its dialect (MLSD facts, `ls -l` lines, MS-DOS lines, EPLF, IBM i,
//! z/OS, OpenVMS, NetWare, OS/2), becomes
//! a list of [`Entry`] values. An entry says only what the listing said: a size or a time the
//! server did not give is `None`, and a time carries the precision and zone it was given in, so
//! that later comparisons never pretend to know more than the server told.
#![warn(missing_docs)]

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of object a listed name is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink {
        /// What the server said it points to, if it said.
        target: Option<String>,
    },
    /// Devices, sockets, pipes, or a type the server named that we do not mirror.
    Other,
}

/// How finely a listed time was given. A comparison must not be finer than this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// To the second (MLSD, MDTM, HTTP dates).
    Second,
    /// To the minute (`ls -l` lines of the last six months).
    Minute,
    /// To the day (`ls -l` lines with a year).
    Day,
}

/// The clock a listed time was read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Zone {
    /// MLSD `modify`, MDTM (RFC 3659 section 2.3) and HTTP dates.
    Utc,
    /// `LIST` output: the server's own local time, whose offset is unknown.
    ServerLocal,
}

/// A time as a listing gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mtime {
    /// The time as given, on the clock `zone` names.
    pub time: NaiveDateTime,
    /// How finely it was given.
    pub precision: Precision,
    /// The clock it was read on.
    pub zone: Zone,
}

impl Mtime {
    /// Exact to the second, in UTC: nothing left to ask the server.
    pub fn is_exact(&self) -> bool {
        self.precision == Precision::Second && self.zone == Zone::Utc
    }
}

/// What identifies one version of a remote file: as listed, or as a probe or the transfer
/// completed it. The plan fetches it, the state records it (by these names),
/// the partial file's name is made from it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteVersion {
    /// The size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The modification time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtime: Option<Mtime>,
    /// MLSD `unique` fact or HTTP ETag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique: Option<String>,
}

/// One listed name with what the listing told about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The name exactly as listed: not yet checked for use as a local path.
    pub name: String,
    /// What kind of object it is.
    pub kind: Kind,
    /// The size in bytes, when listed exactly.
    pub size: Option<u64>,
    /// Where the listing rounds sizes for display (`1.2K`), the bytes it can stand for: a local
    /// size outside it is a change; inside it tells nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_range: Option<SizeRange>,
    /// The modification time, as precise as listed.
    pub mtime: Option<Mtime>,
    /// MLSD `unique` fact: changes when the file is replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique: Option<String>,
    /// Unix permission bits (from `UNIX.mode` or an `ls -l` mode string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
}

impl Entry {
    /// The version it lists.
    pub fn version(&self) -> RemoteVersion {
        RemoteVersion {
            size: self.size,
            mtime: self.mtime,
            unique: self.unique.clone(),
        }
    }

    /// An entry with only a name and a kind known.
    pub fn new(name: impl Into<String>, kind: Kind) -> Entry {
        Entry {
            name: name.into(),
            kind,
            size: None,
            size_range: None,
            mtime: None,
            unique: None,
            mode: None,
        }
    }
}

/// The sizes a rounded size (`1.5K`, `20M`) stands for, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SizeRange {
    /// The fewest bytes.
    pub min: u64,
    /// The most bytes.
    pub max: u64,
}

impl SizeRange {
    /// Whether `size` is one the rounded size stands for.
    pub fn contains(&self, size: u64) -> bool {
        (self.min..=self.max).contains(&size)
    }
}

/// A checked path relative to the mirror's root: every component passed [`unsafe_name`], so it
/// can never name anything outside the root. Components are joined by `/`; the root is `""`.
/// This is the only way a remote name becomes a local path.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RelPath(Box<str>);

impl RelPath {
    /// The mirror's root.
    pub fn root() -> RelPath {
        RelPath(Box::default())
    }

    /// This path with one more component, if `name` is safe.
    pub fn join(&self, name: &str) -> Result<RelPath, String> {
        if let Some(why) = unsafe_name(name) {
            return Err(format!("{name:?} {why}"));
        }
        Ok(match self.0.is_empty() {
            true => RelPath(name.into()),
            false => RelPath(format!("{}/{name}", self.0).into()),
        })
    }

    /// Checks every `/`-separated component of `text`.
    pub fn parse(text: &str) -> Result<RelPath, String> {
        if text.is_empty() {
            return Ok(RelPath::root());
        }
        text.split('/')
            .try_fold(RelPath::root(), |path, name| path.join(name))
    }

    /// The path, components joined by `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is the root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The last component (`""` for the root).
    pub fn name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or("")
    }

    /// The parent directory; `None` for the root.
    pub fn parent(&self) -> Option<RelPath> {
        match self.0.rsplit_once('/') {
            _ if self.0.is_empty() => None,
            Some((parent, _)) => Some(RelPath(parent.into())),
            None => Some(RelPath::root()),
        }
    }

    /// Number of components: 0 for the root.
    pub fn depth(&self) -> usize {
        match self.0.is_empty() {
            true => 0,
            false => self.0.split('/').count(),
        }
    }

    /// Whether `self` is `other` or lies below it.
    pub fn starts_with(&self, other: &RelPath) -> bool {
        other.0.is_empty()
            || self.0 == other.0
            || (self.0.starts_with(&*other.0)
                && self.0.as_bytes().get(other.0.len()) == Some(&b'/'))
    }

    /// The local path under `root`.
    pub fn under(&self, root: &Path) -> PathBuf {
        match self.0.is_empty() {
            true => root.to_path_buf(),
            false => root.join(&*self.0),
        }
    }

    /// The remote path under the remote root `base` (an absolute FTP path).
    pub fn remote(&self, base: &str) -> String {
        let base = base.trim_end_matches('/');
        match self.0.is_empty() {
            true if base.is_empty() => "/".to_string(),
            true => base.to_string(),
            false => format!("{base}/{}", self.0),
        }
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.chars().any(char::is_control) {
            true => write!(f, "{:?}", self.0),
            false => f.write_str(&self.0),
        }
    }
}

/// Lets maps keyed by paths be searched by string ranges (e.g. everything below `a/`); the
/// order is the string's, as the derived `Ord` is.
impl std::borrow::Borrow<str> for RelPath {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RelPath {
    type Error = String;
    fn try_from(text: String) -> Result<RelPath, String> {
        RelPath::parse(&text)
    }
}

impl From<RelPath> for String {
    fn from(path: RelPath) -> String {
        path.0.into()
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
    fn rel_paths() {
        let p = RelPath::root().join("a b").unwrap().join("c").unwrap();
        assert_eq!(p.as_str(), "a b/c");
        assert_eq!((p.name(), p.depth()), ("c", 2));
        assert_eq!(p.parent().unwrap().as_str(), "a b");
        assert_eq!(p.parent().unwrap().parent(), Some(RelPath::root()));
        assert_eq!(RelPath::root().parent(), None);
        assert_eq!(RelPath::parse("a b/c").unwrap(), p);
        assert!(p.starts_with(&RelPath::parse("a b").unwrap()));
        assert!(!RelPath::parse("a bc")
            .unwrap()
            .starts_with(&RelPath::parse("a b").unwrap()));
        assert!(p.starts_with(&RelPath::root()));
        assert_eq!(p.under(Path::new("/t")), Path::new("/t/a b/c"));
        assert_eq!(p.remote("/pub/"), "/pub/a b/c");
        assert_eq!(RelPath::root().remote("/"), "/");
        for bad in ["/abs", "a//b", "a/../b", "..", "a/", "x\\y"] {
            assert!(RelPath::parse(bad).is_err(), "{bad:?}");
        }
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<RelPath>(&json).unwrap(), p);
        assert!(serde_json::from_str::<RelPath>("\"../x\"").is_err());
    }

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
