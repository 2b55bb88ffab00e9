//! Test trees on disk: the awkward tree every mirror test serves, deterministic file contents,
//! and a snapshot of a local tree to compare a mirror against.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    File,
    Dir,
    Symlink,
}

/// One entry of a tree, as [`awkward_tree`] made it or [`snapshot`] found it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExpectedEntry {
    /// Relative to the tree's root.
    pub path: PathBuf,
    pub kind: Kind,
    /// Bytes for a file, 0 for a dir, the target's length for a symlink (as lstat says).
    pub size: u64,
    /// Files only (whole seconds in [`awkward_tree`]); a dir's mtime moves as it's filled.
    pub mtime: Option<SystemTime>,
}

/// 2020-01-02 03:04:05 UTC: always older than six months, so LIST shows a year, not HH:MM.
pub fn old_mtime() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_577_934_245)
}

/// Two hours ago in whole seconds: LIST shows HH:MM (less than six months old).
pub fn recent_mtime() -> SystemTime {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    UNIX_EPOCH + Duration::from_secs(now - 2 * 3600)
}

/// Names that trip up listing parsers, URL handling and command lines.
pub fn long_name() -> String {
    format!("long-{}.bin", "abcdefghij".repeat(19)) // 199 bytes; NAME_MAX is 255
}

/// Fills `root` (which must exist) with the awkward tree and returns its entries, sorted by path.
///
/// Names: spaces (leading, trailing, doubled), unicode, `#`, `%20`, `[x]`, `;`, a leading `-`,
/// ~200 bytes; empty files and dirs; three levels of nesting; a relative symlink; mtimes older
/// and younger than six months; sizes from 0 to 300 KiB.
pub fn awkward_tree(root: &Path) -> Vec<ExpectedEntry> {
    let (old, recent) = (old_mtime(), recent_mtime());
    let files: &[(&str, usize, SystemTime)] = &[
        ("plain.txt", 300, recent),
        ("with space.txt", 1000, old),
        ("double  space.txt", 700, recent),
        (" leading space.txt", 500, old),
        ("trailing space ", 400, recent),
        ("café/日本語.txt", 2048, old),
        ("café/naïve résumé.txt", 900, recent),
        ("hash#name.txt", 333, old),
        ("percent%20name.txt", 444, recent),
        ("[x].txt", 555, old),
        ("semi;colon=1.txt", 666, recent),
        ("-rf", 777, old),
        ("empty.txt", 0, recent),
        ("big.bin", 256 * 1024, recent),
        ("a/top.bin", 10_000, old),
        ("a/b/mid.bin", 64 * 1024, recent),
        ("a/b/c/deep.bin", 300 * 1024, old),
        ("a/b/c/empty-deep.txt", 0, old),
    ];
    let mut entries = Vec::new();
    for dir in ["café", "a", "a/b", "a/b/c", "empty-dir", "a/empty dir"] {
        fs::create_dir_all(root.join(dir)).expect("create dir");
        entries.push(entry(dir, Kind::Dir, 0, None));
    }
    for &(path, len, mtime) in files {
        write_file(&root.join(path), len, mtime);
        entries.push(entry(path, Kind::File, len as u64, Some(mtime)));
    }
    let long = long_name();
    write_file(&root.join(&long), 1234, old);
    entries.push(entry(&long, Kind::File, 1234, Some(old)));
    std::os::unix::fs::symlink("plain.txt", root.join("link to plain")).expect("symlink");
    entries.push(entry(
        "link to plain",
        Kind::Symlink,
        "plain.txt".len() as u64,
        None,
    ));
    entries.sort();
    entries
}

fn entry(path: &str, kind: Kind, size: u64, mtime: Option<SystemTime>) -> ExpectedEntry {
    ExpectedEntry {
        path: PathBuf::from(path),
        kind,
        size,
        mtime,
    }
}

fn write_file(path: &Path, len: usize, mtime: SystemTime) {
    // Seeded by the name, so no two files share their content.
    let seed = path
        .to_string_lossy()
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
    fs::write(path, pattern(seed, len)).expect("write file");
    set_mtime(path, mtime);
}

/// `len` deterministic bytes at `path` (mtime: now). The bytes of a shorter call are a prefix
/// of a longer one, so a `sized_file(p, n)` is a valid partial download of `sized_file(q, m)`.
pub fn sized_file(path: &Path, len: usize) {
    fs::write(path, sized_content(len)).expect("write sized file");
}

/// The content [`sized_file`] writes.
pub fn sized_content(len: usize) -> Vec<u8> {
    pattern(0x5eed, len)
}

/// A 64-bit LCG (Knuth's MMIX constants); the high bits are the random ones.
pub fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 56) as u8
    };
    (0..len).map(|_| next()).collect()
}

pub fn set_mtime(path: &Path, mtime: SystemTime) {
    let file = fs::File::options()
        .write(true)
        .open(path)
        .expect("open for set_modified");
    file.set_modified(mtime).expect("set_modified");
}

/// Every entry under `root`, sorted by path; symlinks are not followed. A mirror's state
/// directory (`.ftpmirror` at the top) is not content and is left out.
pub fn snapshot(root: &Path) -> Vec<ExpectedEntry> {
    let mut entries = Vec::new();
    walk(root, Path::new(""), &mut entries);
    entries.sort();
    entries
}

fn walk(root: &Path, rel: &Path, entries: &mut Vec<ExpectedEntry>) {
    for item in fs::read_dir(root.join(rel)).expect("read_dir") {
        let name = item.expect("dir entry").file_name();
        if rel.as_os_str().is_empty() && name == ".ftpmirror" {
            continue;
        }
        let path = rel.join(name);
        let meta = fs::symlink_metadata(root.join(&path)).expect("lstat");
        let (kind, mtime) = match meta.file_type() {
            t if t.is_dir() => (Kind::Dir, None),
            t if t.is_symlink() => (Kind::Symlink, None),
            _ => (Kind::File, Some(meta.modified().expect("mtime"))),
        };
        let size = if kind == Kind::Dir { 0 } else { meta.len() };
        entries.push(ExpectedEntry {
            path: path.clone(),
            kind,
            size,
            mtime,
        });
        if kind == Kind::Dir {
            walk(root, &path, entries);
        }
    }
}

/// What differs between two trees by path, kind, size, file bytes and symlink target (not
/// mtimes: their precision depends on the protocol); empty when they match.
pub fn differences(expected: &Path, actual: &Path) -> Vec<String> {
    let (want, got) = (snapshot(expected), snapshot(actual));
    let mut out = Vec::new();
    for w in &want {
        match got.iter().find(|g| g.path == w.path) {
            None => out.push(format!("missing: {:?}", w.path)),
            Some(g) if (g.kind, g.size) != (w.kind, w.size) => out.push(format!(
                "{:?}: want {:?} of {} bytes, got {:?} of {}",
                w.path, w.kind, w.size, g.kind, g.size
            )),
            Some(_) if !same_content(&expected.join(&w.path), &actual.join(&w.path), w.kind) => {
                out.push(format!("{:?}: content differs", w.path))
            }
            Some(_) => {}
        }
    }
    let extra = got
        .iter()
        .filter(|g| !want.iter().any(|w| w.path == g.path));
    out.extend(extra.map(|g| format!("unexpected: {:?}", g.path)));
    out
}

fn same_content(a: &Path, b: &Path, kind: Kind) -> bool {
    match kind {
        Kind::File => fs::read(a).ok() == fs::read(b).ok(),
        Kind::Symlink => fs::read_link(a).ok() == fs::read_link(b).ok(),
        Kind::Dir => true,
    }
}

/// Files whose mtimes differ (to the second) between two trees of the same paths.
pub fn mtime_differences(expected: &Path, actual: &Path) -> Vec<String> {
    let secs = |t: SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_secs();
    let got = snapshot(actual);
    snapshot(expected)
        .iter()
        .filter_map(|w| {
            let g = got.iter().find(|g| g.path == w.path)?;
            let (a, b) = (w.mtime.map(secs), g.mtime.map(secs));
            (a != b).then(|| format!("{:?}: mtime {a:?} != {b:?}", w.path))
        })
        .collect()
}

/// A tree of `dirs` directories with `per_dir` small files each (0 to 4 KiB), half of them
/// older than six months. Returns the number of files.
pub fn bulk_tree(root: &Path, dirs: usize, per_dir: usize) -> usize {
    for d in 0..dirs {
        let dir = root.join(format!("bulk/d{d:03}"));
        fs::create_dir_all(&dir).expect("create dir");
        for f in 0..per_dir {
            let n = d * per_dir + f;
            let mtime = if n.is_multiple_of(2) {
                old_mtime()
            } else {
                recent_mtime()
            };
            let path = dir.join(format!("f{f:04}.dat"));
            fs::write(&path, pattern(n as u64, (n * 37) % 4096)).expect("write file");
            set_mtime(&path, mtime - Duration::from_secs(n as u64 * 61));
        }
    }
    dirs * per_dir
}

/// chmod -R: dirs 755, files 644 (symlinks untouched), so servers that drop root privileges
/// (vsftpd's `ftp` user, nginx's `nobody`) can read the tree.
pub fn make_world_readable(root: &Path) {
    let meta = fs::symlink_metadata(root).expect("lstat");
    if meta.file_type().is_symlink() {
        return;
    }
    let mode = if meta.is_dir() { 0o755 } else { 0o644 };
    fs::set_permissions(root, fs::Permissions::from_mode(mode)).expect("chmod");
    if meta.is_dir() {
        for item in fs::read_dir(root).expect("read_dir") {
            make_world_readable(&item.expect("dir entry").path());
        }
    }
}
