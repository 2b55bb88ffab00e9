//! The plan: what a run will do in one directory, decided from its listing, its local entries
//! and its state records, without any I/O ([`diff`]).
//!
//! Named sets, as lftp's mirror keeps them: directories to make, files to fetch (each with its
//! reason), symbolic links to make, paths to delete (deepest first), files kept as they are, and
//! entries skipped with a warning. The march plans each directory as its listing arrives;
//! `--dry-run` renders the plans ([`render`]), a real run carries them out and nothing else.
//!
//! Invariant: no I/O; the same inputs give the same plan.

mod diff;
pub mod render;
pub mod time;

pub use diff::{diff, Inputs};

use crate::local::state::Record;
use crate::remote::tree::RemoteVersion;
use crate::remote::tree::{Mtime, Precision, RelPath, SizeRange};
use serde::Serialize;

/// Why a file is fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Reason {
    /// No local copy.
    New,
    /// No state for it, and the sizes differ.
    Size { local: u64, remote: u64 },
    /// No state for it, and the local size is not one the rounded listed size stands for.
    SizeOutside { local: u64, min: u64, max: u64 },
    /// No state for it, same size, and the remote time is later than the local copy's.
    Newer {
        by_seconds: i64,
        precision: Precision,
    },
    /// The remote file changed since the local copy was fetched (per the state).
    RemoteChanged { detail: String },
    /// The local copy was changed or truncated since it was fetched.
    LocalChanged,
    /// Something that is not a file is at its path locally (a link, a directory, a device).
    Replaces { local: LocalObject },
    /// The listing tells neither size nor time (python's http.server): a conditional GET
    /// fetches it only if it changed since the time the state recorded.
    Revalidate,
}

/// A file to download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fetch {
    pub path: RelPath,
    pub size: Option<u64>,
    /// The sizes a rounded listed size stands for, where no exact one was listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_range: Option<SizeRange>,
    pub mtime: Option<Mtime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique: Option<String>,
    pub reason: Reason,
    /// Fetched only after every other file (a `last` pattern: index files).
    pub last: bool,
}

impl Fetch {
    /// The most bytes it may take: its size, or the top of its rounded size's range.
    pub fn size_at_most(&self) -> Option<u64> {
        self.size.or(self.size_range.map(|r| r.max))
    }

    /// The version it fetches: what the state records once the fetch succeeds.
    pub fn version(&self) -> RemoteVersion {
        RemoteVersion {
            size: self.size,
            mtime: self.mtime,
            unique: self.unique.clone(),
        }
    }
}

/// A symbolic link to make (or to replace what is at its path with).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub path: RelPath,
    pub target: String,
}

/// A local path to remove.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delete {
    pub path: RelPath,
    pub kind: LocalObject,
}

/// What a local path holds, as a deletion or a replacement names it (in the words the plan's
/// text and JSON use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LocalObject {
    #[serde(rename = "file")]
    File,
    #[serde(rename = "directory")]
    Directory,
    #[serde(rename = "symlink")]
    Symlink,
    #[serde(rename = "special file")]
    Special,
}

impl From<&crate::local::LocalKind> for LocalObject {
    fn from(kind: &crate::local::LocalKind) -> LocalObject {
        use crate::local::LocalKind;
        match kind {
            LocalKind::File => LocalObject::File,
            LocalKind::Dir => LocalObject::Directory,
            LocalKind::Symlink { .. } => LocalObject::Symlink,
            LocalKind::Other => LocalObject::Special,
        }
    }
}

impl std::fmt::Display for LocalObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LocalObject::File => "file",
            LocalObject::Directory => "directory",
            LocalObject::Symlink => "symlink",
            LocalObject::Special => "special file",
        })
    }
}

/// A remote entry left alone, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skip {
    pub path: String,
    pub reason: String,
}

/// Deletions not done because there were more than allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Withheld {
    pub deletes: usize,
    pub limit: u64,
}

/// Everything a run will do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub mkdirs: Vec<RelPath>,
    pub fetches: Vec<Fetch>,
    pub links: Vec<Link>,
    /// Children before their parents.
    pub deletes: Vec<Delete>,
    /// Files kept as they are, listed only when asked for (dry runs): a large mirror would
    /// otherwise hold every path once more.
    pub keeps: Vec<RelPath>,
    /// How many files are kept, listed or not.
    #[serde(skip)]
    pub unchanged: usize,
    pub skipped: Vec<Skip>,
    /// Local paths that must go before the action at the same path can happen (a directory where
    /// a file now is). Only with `--delete`, since it removes a whole subtree.
    pub replaced_dirs: Vec<RelPath>,
    /// Set when the deletions were over `--max-delete`: then `deletes` is empty.
    pub withheld: Option<Withheld>,
    /// Files whose change the listing cannot decide (a day-precision time on the same day):
    /// one MDTM each, then plan again.
    #[serde(skip)]
    pub probes: Vec<RelPath>,
    /// The records of kept files whose listing says more, or other, than the state did.
    #[serde(skip)]
    pub records: Vec<(RelPath, Record)>,
    /// Files the state records that are gone: their records go.
    #[serde(skip)]
    pub gone: Vec<RelPath>,
}

/// Orders deletions children before their parents.
pub fn deepest_first(deletes: &mut [Delete]) {
    deletes.sort_by(|a, b| {
        b.path
            .depth()
            .cmp(&a.path.depth())
            .then(a.path.cmp(&b.path))
    });
}

/// `--max-delete` is all or nothing over the whole run: over the limit, no deletion is done.
pub fn withhold(deletes: &mut Vec<Delete>, limit: Option<u64>) -> Option<Withheld> {
    let limit = limit.filter(|&limit| deletes.len() as u64 > limit)?;
    let withheld = Withheld {
        deletes: deletes.len(),
        limit,
    };
    deletes.clear();
    Some(withheld)
}

/// Totals for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub bytes: u64,
    pub mkdirs: usize,
    pub links: usize,
    pub deletes: usize,
    pub skipped: usize,
}

impl Totals {
    /// Adds another directory's totals.
    pub fn add(&mut self, other: &Totals) {
        self.new += other.new;
        self.changed += other.changed;
        self.unchanged += other.unchanged;
        self.bytes += other.bytes;
        self.mkdirs += other.mkdirs;
        self.links += other.links;
        self.deletes += other.deletes;
        self.skipped += other.skipped;
    }
}

impl Plan {
    pub fn totals(&self) -> Totals {
        let new = self
            .fetches
            .iter()
            .filter(|f| f.reason == Reason::New)
            .count();
        Totals {
            new,
            changed: self.fetches.len() - new,
            unchanged: self.unchanged,
            bytes: self.fetches.iter().filter_map(|f| f.size).sum(),
            mkdirs: self.mkdirs.len(),
            links: self.links.len(),
            deletes: self.deletes.len(),
            skipped: self.skipped.len(),
        }
    }
}
