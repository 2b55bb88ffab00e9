//! The local side: what the target directory holds now ([`scan`], here), what each file was
//! fetched from ([`state`]), whether the target can be used at all ([`target`]), the room on
//! its filesystem ([`space`]), and the lock one run holds on it ([`lock`]).
//!
//! Invariant: `.ftpmirror/` and partial names are never content, and the state on disk is
//! always a whole document.
//!
//! [`scan`] walks the target without following symlinks and turns every name into a [`RelPath`],
//! the same checked type the remote side uses, so the planner compares like with like. Two kinds
//! of names are kept out of the content on purpose, at any depth and on both sides (see
//! [`is_reserved`]): the tool's own state directory ([`STATE_DIR`]) and its temp files
//! ([`PARTIAL_PREFIX`]), which are listed apart so they can be resumed or cleaned up. They are
//! never mirrored, compared or deleted as content. A name that cannot be a `RelPath` (not UTF-8,
//! or unsafe) is reported and left alone, never guessed at.

pub mod lock;
pub mod space;
pub mod state;
pub mod target;

use crate::remote::tree::{Precision, RelPath, RemoteVersion, Zone};
use std::collections::BTreeMap;
use std::fs::{self, Metadata};
use std::io;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};
use walkdir::WalkDir;

/// `TARGET/.ftpmirror/`: state and lock; never content.
pub const STATE_DIR: &str = ".ftpmirror";
/// Temp files are written beside their targets under a name with this prefix.
pub const PARTIAL_PREFIX: &str = ".ftpmirror-partial.";

/// Whether `name` is one ftpmirror keeps for itself: its state directory or a temp file, at any
/// depth. Never content, on either side: a remote `.ftpmirror/` (mirroring another ftpmirror's
/// target) must not replace our lock and state, and a nested one may be another mirror's own.
pub fn is_reserved(name: &str) -> bool {
    name == STATE_DIR || name.starts_with(PARTIAL_PREFIX)
}

/// What kind of object a local name is (as `lstat` sees it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalKind {
    File,
    Dir,
    /// A symbolic link with a UTF-8 target (a non-UTF-8 target makes it [`LocalKind::Other`]).
    Symlink {
        target: String,
    },
    /// Devices, sockets, pipes, and links whose target is not UTF-8 or cannot be read.
    Other,
}

/// One local name with what `lstat` told about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalEntry {
    pub kind: LocalKind,
    /// Length in bytes for files; 0 for every other kind (their sizes mean nothing to a mirror).
    pub size: u64,
    /// Modification time in unix seconds, UTC, rounded down; a symlink's own time.
    pub mtime: i64,
}

/// The result of [`scan`].
#[derive(Debug, Default)]
pub struct LocalTree {
    /// Every content entry below the root (the root itself excluded).
    pub entries: BTreeMap<RelPath, LocalEntry>,
    /// Our temp files (name starts with [`PARTIAL_PREFIX`]), at any depth.
    pub partials: Vec<RelPath>,
    /// Human-readable warnings: names not UTF-8 or unsafe, unreadable directories.
    pub skipped: Vec<String>,
}

/// Scans the subtree `under` of the target `target` without following symlinks (lstat); the
/// entries' paths are `under`'s joined with the names below it. A missing directory is an
/// empty tree (Ok). A [`STATE_DIR`] is never entered nor listed. Errors reading a subdirectory
/// are recorded in `skipped` and the scan goes on; only a failure to read `under` itself is Err.
pub fn scan_tree(target: &Path, under: &RelPath) -> io::Result<LocalTree> {
    let mut tree = LocalTree::default();
    let root = under.under(target);
    if !root_is_dir(&root)? {
        return Ok(tree);
    }
    // parents[d] is the RelPath of the directory being walked at depth d, so each entry costs
    // one join instead of re-checking every component of its path.
    let mut parents = vec![under.clone()];
    let mut walk = WalkDir::new(&root).into_iter();
    while let Some(item) = walk.next() {
        let dent = match item {
            Ok(dent) => dent,
            Err(e) if e.depth() == 0 || e.path() == Some(root.as_path()) => {
                return Err(e
                    .into_io_error()
                    .unwrap_or_else(|| io::Error::other("walk failed")));
            }
            Err(e) => {
                tree.skipped.push(format!("cannot read: {e}"));
                continue;
            }
        };
        if dent.depth() == 0 {
            continue;
        }
        parents.truncate(dent.depth());
        let meta = dent.metadata().map_err(io::Error::other);
        let parent = &parents[dent.depth() - 1];
        match visit(&mut tree, parent, dent.file_name(), dent.path(), meta) {
            Some(path) => parents.push(path),
            // skip_current_dir skips the last yielded directory, so call it only for one.
            None if dent.file_type().is_dir() => walk.skip_current_dir(),
            None => {}
        }
    }
    Ok(tree)
}

/// The names directly in the target's directory `dir`, as [`scan_tree`] records them: what the
/// march compares one remote directory with. A missing directory, or a non-directory at its
/// path, is empty (the parent's scan has what is there).
pub fn scan_dir(target: &Path, dir: &RelPath) -> io::Result<LocalTree> {
    let mut tree = LocalTree::default();
    let full = dir.under(target);
    let names = match fs::read_dir(&full) {
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(tree)
        }
        result => result?,
    };
    for dent in names {
        let dent = match dent {
            Ok(dent) => dent,
            Err(e) => {
                tree.skipped.push(format!("{}: {e}", full.display()));
                continue;
            }
        };
        // DirEntry::metadata does not follow a symlink.
        let meta = dent.metadata();
        visit(&mut tree, dir, &dent.file_name(), &dent.path(), meta);
    }
    Ok(tree)
}

/// Whether the root exists (false when missing); Err when it is not a directory. The root
/// itself may be a symlink (a target placed on a bigger disk): that one link is followed.
fn root_is_dir(root: &Path) -> io::Result<bool> {
    match fs::metadata(root) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
        Ok(meta) if meta.is_dir() => Ok(true),
        Ok(_) => Err(io::Error::other(format!(
            "{} is not a directory",
            root.display()
        ))),
    }
}

/// Records one name in `tree`. Returns the directory's path when a walk should go into it,
/// `None` otherwise.
fn visit(
    tree: &mut LocalTree,
    parent: &RelPath,
    name: &std::ffi::OsStr,
    full: &Path,
    meta: io::Result<Metadata>,
) -> Option<RelPath> {
    let Some(name) = name.to_str() else {
        tree.skipped
            .push(format!("{}: name is not UTF-8", full.display()));
        return None;
    };
    if name == STATE_DIR {
        return None;
    }
    let path = match parent.join(name) {
        Ok(path) => path,
        Err(why) => {
            tree.skipped.push(format!("{}: {why}", full.display()));
            return None;
        }
    };
    let meta = match meta {
        Ok(meta) => meta,
        // Removed between readdir and lstat, or no permission: not ours to judge.
        Err(e) => {
            tree.skipped.push(format!("{path}: {e}"));
            return None;
        }
    };
    if name.starts_with(PARTIAL_PREFIX) {
        match meta.is_file() {
            true => tree.partials.push(path),
            // Not something we wrote; yet a content name must never look like a temp file.
            false => tree
                .skipped
                .push(format!("{path}: reserved temp-file name")),
        }
        return None;
    }
    let entry = local_entry(tree, full, &meta);
    let is_dir = entry.kind == LocalKind::Dir;
    tree.entries.insert(path.clone(), entry);
    is_dir.then_some(path)
}

/// The entry for one name, from its `lstat` metadata; reads a symlink's target.
fn local_entry(tree: &mut LocalTree, full: &Path, meta: &Metadata) -> LocalEntry {
    let file_type = meta.file_type();
    let kind = if file_type.is_file() {
        LocalKind::File
    } else if file_type.is_dir() {
        LocalKind::Dir
    } else if file_type.is_symlink() {
        match fs::read_link(full) {
            Ok(target) => match target.into_os_string().into_string() {
                Ok(target) => LocalKind::Symlink { target },
                Err(_) => LocalKind::Other,
            },
            Err(e) => {
                tree.skipped
                    .push(format!("{}: reading link: {e}", full.display()));
                LocalKind::Other
            }
        }
    } else {
        LocalKind::Other
    };
    let size = if kind == LocalKind::File {
        meta.len()
    } else {
        0
    };
    let mtime = meta.modified().map(unix_seconds).unwrap_or(0);
    LocalEntry { kind, size, mtime }
}

/// Whole seconds since the epoch, rounded down (also before 1970, where truncation would
/// round up).
fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_secs() as i64,
        Err(before) => {
            let before = before.duration();
            -(before.as_secs() as i64) - i64::from(before.subsec_nanos() > 0)
        }
    }
}

/// The temp name of a download of the file `name`, tied to its remote version: the listed
/// size, time and unique id, and the time to the second the server pinned right before the
/// transfer (FTP's MDTM), so that a temp file of another version is never resumed into this
/// one. See [`partial_hash`] for the encoding, which must stay the same across releases.
pub fn partial_file(name: &str, version: &RemoteVersion, pin: Option<i64>) -> String {
    let mtime = version.mtime.map(|m| {
        let precision = match m.precision {
            Precision::Second => "second",
            Precision::Minute => "minute",
            Precision::Day => "day",
        };
        let zone = match m.zone {
            Zone::Utc => "utc",
            Zone::ServerLocal => "server-local",
        };
        let time = match m.time.and_utc().timestamp_subsec_nanos() {
            0 => m.time.format("%Y-%m-%dT%H:%M:%S"),
            _ => m.time.format("%Y-%m-%dT%H:%M:%S%.9f"),
        };
        format!("{time} {precision} {zone}")
    });
    let fields = [
        Some(name.to_string()),
        version.size.map(|s| s.to_string()),
        mtime,
        version.unique.clone(),
        pin.map(|p| p.to_string()),
    ];
    partial_hash(b'F', &fields)
}

/// The temp name of a symbolic link `name` to `target`, made beside it and renamed over it.
pub fn partial_link(name: &str, target: &str) -> String {
    partial_hash(b'L', &[Some(name.to_string()), Some(target.to_string())])
}

/// `.ftpmirror-partial.` and 16 lowercase hex digits of FNV-1a 64 (offset
/// `0xcbf29ce484222325`, prime `0x100000001b3`) over `ftpmirror-partial v2`, a NUL, the kind
/// (`F` a file, `L` a link) and each field: `0x00` when absent, else `0x01`, its length as a
/// big-endian u32, and its UTF-8 bytes. Fields of a file: name, size (decimal), time
/// (`YYYY-MM-DDTHH:MM:SS`, `.nnnnnnnnn` when the nanoseconds are not 0, then ` precision zone`
/// in the state's names), unique id, pin (decimal UTC seconds); of a link: name, target.
///
/// A fixed length (35 bytes) whatever the name's, so a 255-byte name still gets a valid temp
/// name. FNV-1a is written out here because std's `DefaultHasher` may change between Rust
/// releases. Temp files of the first encoding (before this one) keep the prefix, so they are
/// still never content; they are not resumed, and go at the end of the next run that fails
/// nothing, as temp files of other versions do.
fn partial_hash(kind: u8, fields: &[Option<String>]) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut bytes = b"ftpmirror-partial v2\0".to_vec();
    bytes.push(kind);
    for field in fields {
        match field {
            None => bytes.push(0),
            Some(text) => {
                bytes.push(1);
                bytes.extend((text.len() as u32).to_be_bytes());
                bytes.extend(text.bytes());
            }
        }
    }
    let hash = bytes.iter().fold(OFFSET, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    });
    format!("{PARTIAL_PREFIX}{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;

    fn rel(text: &str) -> RelPath {
        RelPath::parse(text).unwrap()
    }

    #[test]
    fn missing_root_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let tree = scan_tree(&dir.path().join("nope"), &RelPath::root()).unwrap();
        assert!(tree.entries.is_empty() && tree.partials.is_empty() && tree.skipped.is_empty());
    }

    #[test]
    fn root_that_is_a_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, b"x").unwrap();
        assert!(scan_tree(&file, &RelPath::root()).is_err());
    }

    #[test]
    fn one_directory_or_one_subtree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b/.ftpmirror")).unwrap();
        fs::write(root.join("a/b/x"), b"x").unwrap();
        fs::write(root.join("a/y"), b"y").unwrap();
        fs::write(root.join(format!("a/{PARTIAL_PREFIX}0")), b"").unwrap();
        let names = |tree: &LocalTree| {
            tree.entries
                .keys()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
        };
        let one = scan_dir(root, &rel("a")).unwrap();
        assert_eq!(names(&one), ["a/b", "a/y"]);
        assert_eq!(one.partials, [rel(&format!("a/{PARTIAL_PREFIX}0"))]);
        assert_eq!(names(&scan_tree(root, &rel("a/b")).unwrap()), ["a/b/x"]);
        assert!(scan_dir(root, &rel("a/y")).unwrap().entries.is_empty());
        assert!(scan_dir(root, &rel("none")).unwrap().entries.is_empty());
    }

    #[test]
    fn files_dirs_sizes_and_times() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/b/x.iso"), b"hello").unwrap();
        fs::write(root.join("top"), b"").unwrap();
        let when = UNIX_EPOCH + std::time::Duration::new(1_700_000_000, 900_000_000);
        File::options()
            .write(true)
            .open(root.join("a/b/x.iso"))
            .unwrap()
            .set_modified(when)
            .unwrap();

        let tree = scan_tree(root, &RelPath::root()).unwrap();
        let names: Vec<&str> = tree.entries.keys().map(RelPath::as_str).collect();
        assert_eq!(names, ["a", "a/b", "a/b/x.iso", "top"]);
        let file = &tree.entries[&rel("a/b/x.iso")];
        assert_eq!(
            (&file.kind, file.size, file.mtime),
            (&LocalKind::File, 5, 1_700_000_000)
        );
        assert_eq!(tree.entries[&rel("a")].kind, LocalKind::Dir);
        assert!(tree.skipped.is_empty());
    }

    #[test]
    fn state_dir_and_partials_are_not_content() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join(".ftpmirror")).unwrap();
        fs::write(root.join(".ftpmirror/state.json"), b"{}").unwrap();
        // A nested one is another mirror's own (or a remote one, never mirrored): not content.
        fs::create_dir_all(root.join("sub/.ftpmirror")).unwrap();
        fs::write(root.join("sub/.ftpmirror/lock"), b"1").unwrap();
        let temp = partial_file("x.iso", &RemoteVersion::default(), None);
        fs::write(root.join("sub").join(&temp), b"part").unwrap();
        fs::create_dir(root.join(PARTIAL_PREFIX.to_string() + "dir")).unwrap();

        let tree = scan_tree(root, &RelPath::root()).unwrap();
        let names: Vec<&str> = tree.entries.keys().map(RelPath::as_str).collect();
        assert_eq!(names, ["sub"]);
        assert_eq!(tree.partials, [rel("sub").join(&temp).unwrap()]);
        assert_eq!(tree.skipped.len(), 1, "{:?}", tree.skipped);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret"), b"s").unwrap();
        let root = dir.path();
        symlink(outside.path(), root.join("out")).unwrap();
        symlink("missing", root.join("dangling")).unwrap();

        let tree = scan_tree(root, &RelPath::root()).unwrap();
        let target = outside.path().to_str().unwrap().to_string();
        assert_eq!(
            tree.entries[&rel("out")].kind,
            LocalKind::Symlink { target }
        );
        let dangling = LocalKind::Symlink {
            target: "missing".into(),
        };
        assert_eq!(tree.entries[&rel("dangling")].kind, dangling);
        assert_eq!(tree.entries.len(), 2);
        // A root that is itself a link is followed: only links below it are not.
        let through = scan_tree(&root.join("out"), &RelPath::root()).unwrap();
        assert_eq!(through.entries.keys().collect::<Vec<_>>(), [&rel("secret")]);
    }

    #[cfg(unix)]
    #[test]
    fn bad_names_are_skipped_not_descended() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let latin1 = root.join(OsStr::from_bytes(b"caf\xe9"));
        fs::create_dir(&latin1).unwrap();
        fs::write(latin1.join("inner"), b"").unwrap();
        fs::write(root.join("back\\slash"), b"").unwrap();
        fs::write(root.join("bell\x07"), b"").unwrap();
        symlink(OsStr::from_bytes(b"\xff"), root.join("odd-link")).unwrap();

        let tree = scan_tree(root, &RelPath::root()).unwrap();
        let names: Vec<&str> = tree.entries.keys().map(RelPath::as_str).collect();
        assert_eq!(names, ["odd-link"]);
        assert_eq!(tree.entries[&rel("odd-link")].kind, LocalKind::Other);
        assert_eq!(tree.skipped.len(), 3, "{:?}", tree.skipped);
    }

    #[test]
    fn partial_names_are_short_stable_and_versioned() {
        let long = "n".repeat(250);
        let sized = |size| RemoteVersion {
            size: Some(size),
            ..RemoteVersion::default()
        };
        let name = partial_file(&long, &sized(1234), None);
        assert!(name.starts_with(PARTIAL_PREFIX));
        assert_eq!(name.len(), PARTIAL_PREFIX.len() + 16);
        assert_ne!(
            partial_file("a", &sized(1), None),
            partial_file("a", &sized(2), None)
        );
        // Length-prefixed fields keep ("ab", "c") and ("a", "bc") apart.
        assert_ne!(partial_link("ab", "c"), partial_link("a", "bc"));
        // Pinned (vectors from an independent implementation of the documented encoding): the
        // names must not change between releases, or partial files are orphaned.
        let at = |text: &str, precision, zone| crate::remote::tree::Mtime {
            time: chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").unwrap(),
            precision,
            zone,
        };
        let utc = at("2024-02-29T13:05:07", Precision::Second, Zone::Utc);
        let local = at("2024-05-01T12:30:00", Precision::Minute, Zone::ServerLocal);
        let iso = RemoteVersion {
            size: Some(1234),
            mtime: Some(utc),
            unique: Some("801U2A3".into()),
        };
        let page = RemoteVersion {
            mtime: Some(local),
            ..RemoteVersion::default()
        };
        let cases = [
            (
                partial_file("x.iso", &RemoteVersion::default(), None),
                "4c777a1c6140eaf3",
            ),
            (
                partial_file("x.iso", &iso, Some(1709211907)),
                "7727d3b61ec58ace",
            ),
            (partial_file("x.iso", &iso, None), "604d6bfb5cafa4ae"),
            (partial_file("index.html", &page, None), "423e4985a572c3c7"),
            (partial_link("latest", "x-1.2.tar.gz"), "9ef7aeb069de7595"),
        ];
        for (name, hex) in cases {
            assert_eq!(name, format!("{PARTIAL_PREFIX}{hex}"));
        }
    }
}
