//! The remote walk: every directory under the root listed over the pool's sessions, in
//! parallel, into one tree keyed by checked paths.
//!
//! A name that cannot be a local path is skipped with a warning naming it. A directory that was
//! not fully listed (its listing failed or was cut short, it lies too deep, the job ran out of
//! time, or it was read with a weaker command than another directory) is recorded with why, so
//! the planner never deletes below it. After the walk, one MDTM calibrates the server's clock
//! when the listing gave server-local times.

use crate::job::filter::Filter;
use crate::local::is_reserved;
use crate::plan::time::Offset;
use crate::remote::pool::{Pool, Queue, Worker};
use crate::remote::tree::{Entry, Kind, Mtime, Precision, RelPath, Zone};
use crate::remote::DirListing;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Deeper than any real archive; a server that nests further is looping.
pub const MAX_DEPTH: usize = 64;

/// What the walk found.
#[derive(Debug, Default)]
pub struct RemoteTree {
    pub entries: BTreeMap<RelPath, Entry>,
    /// Directories not fully listed: nothing below them is a reason to delete.
    pub incomplete: BTreeMap<RelPath, Incomplete>,
    /// The command each FTP directory was listed with (HTTP pages are not kept).
    listed_with: BTreeMap<RelPath, crate::remote::ListedWith>,
    /// The server's clock offset, when LIST times could be calibrated.
    pub offset: Offset,
    /// Remote names reserved for ftpmirror's own bookkeeping, left out: how many, and one.
    reserved: (usize, Option<String>),
    /// The lines each directory's listing held that no parser read: a local file they may
    /// stand for is not deleted.
    pub unread: BTreeMap<RelPath, Vec<String>>,
}

/// A directory the walk could not list whole, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incomplete {
    /// The remote path.
    pub path: String,
    pub gap: Gap,
    /// The remote path and the cause, for the user.
    pub message: String,
}

/// How much of a directory is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gap {
    /// Its listing failed: nothing in it is known.
    Failed,
    /// Not listed: deeper than [`MAX_DEPTH`], or the job ran out of time first.
    NotListed,
    /// The server cut the listing short: what it holds is real, but not all there is.
    Truncated,
    /// Listed with a weaker command than another directory of this run or the last run was
    /// (`LIST` after `MLSD`, `NLST` after `LIST`): it may miss what the stronger one showed.
    Weaker,
}

impl Incomplete {
    /// Whether any of the directory's entries are known (and so it may be made locally).
    pub fn listed(&self) -> bool {
        matches!(self.gap, Gap::Truncated | Gap::Weaker)
    }
}

impl RemoteTree {
    /// The source directory itself, when none of it could be listed: nothing can be mirrored.
    pub fn unlisted_root(&self) -> Option<&Incomplete> {
        self.incomplete
            .get(&RelPath::root())
            .filter(|root| !root.listed())
    }

    fn gap(&mut self, dir: RelPath, path: String, gap: Gap, message: String) {
        self.incomplete
            .entry(dir)
            .or_insert(Incomplete { path, gap, message });
    }

    /// The strongest FTP listing command the walk used.
    pub fn best_command(&self) -> Option<crate::remote::ListedWith> {
        self.listed_with.values().max().copied()
    }

    /// Marks the directories listed with a weaker command than the best of this walk and of
    /// `before` (the last run's): a server that fell back to a weaker command may show less.
    pub fn mark_weaker(&mut self, root: &str, before: Option<crate::remote::ListedWith>) {
        let Some(best) = self.best_command().max(before) else {
            return;
        };
        let weaker: Vec<_> = (self.listed_with.iter())
            .filter(|(_, &c)| c < best)
            .map(|(d, &c)| (d.clone(), c))
            .collect();
        for (dir, command) in weaker {
            let path = dir.remote(root);
            let message = format!(
                "{path}: listed with {command}, which may show less than the {best} that listed \
                 other directories (or the last run); nothing below it is deleted"
            );
            self.gap(dir, path, Gap::Weaker, message);
        }
    }
}

/// What a walk lists, and what it knows already.
pub struct Scope<'a> {
    /// The absolute remote path of the mirror's root.
    pub root: &'a str,
    pub filter: &'a Filter,
    /// Whether a path listed as a file is known to be one (it was fetched as a file before, and
    /// is a file locally): only the others are checked where a listing does not mark
    /// directories.
    pub settled: &'a (dyn Fn(&RelPath) -> bool + Sync),
}

/// Lists everything below `scope.root`.
pub fn walk(pool: &mut Pool, scope: &Scope) -> RemoteTree {
    let root = scope.root;
    let tree = Mutex::new(RemoteTree::default());
    let queue = Queue::new([RelPath::root()]);
    pool.run(&queue, &|worker, dir| {
        list_into(worker, &queue, &tree, scope, dir)
    });
    let mut tree = tree.into_inner().expect("tree lock");
    for dir in queue.drain() {
        let path = dir.remote(root);
        let message = format!("cannot list {path}: the job ran out of time");
        tree.gap(dir, path, Gap::NotListed, message);
    }
    tree.offset = calibrate(pool, root, &tree.entries);
    if let (n, Some(example)) = &tree.reserved {
        // Normal when mirroring another ftpmirror's target: a note, once per run.
        log::info!(
            "left out {n} remote names reserved for ftpmirror's own state and temp files \
             (such as {example})"
        );
    }
    tree
}

fn list_into(
    worker: &mut Worker,
    queue: &Queue<RelPath>,
    tree: &Mutex<RemoteTree>,
    scope: &Scope,
    dir: RelPath,
) {
    let (root, filter) = (scope.root, scope.filter);
    let remote = dir.remote(root);
    let listing = match worker.attempt(&format!("listing {remote}"), |s| s.list_dir(&remote)) {
        Ok(listing) => listing,
        Err(e) => {
            let message = format!("cannot list {remote}: {e}");
            let mut tree = tree.lock().expect("tree lock");
            tree.gap(dir, remote, Gap::Failed, message);
            return;
        }
    };
    warn_unread(&remote, &listing.unread);
    record_listing(
        &mut tree.lock().expect("tree lock"),
        &dir,
        &remote,
        &listing,
    );
    let mut found = Vec::with_capacity(listing.entries.len());
    let mut too_deep = Vec::new();
    let mut reserved = Vec::new();
    for mut entry in listing.entries {
        if is_reserved(&entry.name) {
            reserved.push(entry.name);
            continue;
        }
        let path = match dir.join(&entry.name) {
            Ok(path) => path,
            Err(why) => {
                log::warn!("{remote}: skipping remote name {why}");
                continue;
            }
        };
        if entry.kind == Kind::File && !listing.marks_dirs && !(scope.settled)(&path) {
            entry.kind = kind_of(worker, &path.remote(root));
        }
        if !filter.allows(&path, entry.kind == Kind::Dir) {
            continue;
        }
        if entry.kind == Kind::Dir {
            match path.depth() > MAX_DEPTH {
                true => too_deep.push(path.clone()),
                false => queue.push(path.clone()),
            }
        }
        found.push((path, entry));
    }
    let mut tree = tree.lock().expect("tree lock");
    if let Some(name) = reserved.first() {
        tree.reserved.0 += reserved.len();
        let example = format!("{}/{name}", remote.trim_end_matches('/'));
        tree.reserved.1.get_or_insert(example);
    }
    // What lies deeper is missing from the mirror: an error, and no deletions below.
    for path in too_deep {
        let remote = path.remote(root);
        let message = format!("{remote}: not descending deeper than {MAX_DEPTH} levels");
        tree.gap(path, remote, Gap::NotListed, message);
    }
    for (path, mut entry) in found {
        if tree.entries.contains_key(&path) {
            log::warn!(
                "{remote}: {:?} is listed twice; keeping the first",
                entry.name
            );
            continue;
        }
        // The key holds the name: a large tree need not hold it twice.
        entry.name = String::new();
        tree.entries.insert(path, entry);
    }
}

/// What a path listed as a file on a page that does not mark directories is: a directory
/// when the server says so (see `Session::is_dir`); a file otherwise, or when it cannot tell
/// (the download checks again).
fn kind_of(worker: &mut Worker, remote: &str) -> Kind {
    match worker.once(|s| s.is_dir(remote)) {
        Ok(true) => {
            log::info!("{remote}: listed without a trailing /, but a directory");
            Kind::Dir
        }
        Ok(false) => Kind::File,
        Err(e) => {
            log::info!("{remote}: cannot tell whether it is a directory ({e})");
            Kind::File
        }
    }
}

/// Keeps the command a directory was listed with and the lines no parser read, and records a
/// listing cut short.
fn record_listing(tree: &mut RemoteTree, dir: &RelPath, remote: &str, listing: &DirListing) {
    if !listing.unread.is_empty() {
        tree.unread.insert(dir.clone(), listing.unread.clone());
    }
    if let Some(command) = listing.command.ranked() {
        tree.listed_with.insert(dir.clone(), command);
    }
    if let Some(cut) = &listing.truncated {
        let message = format!(
            "{remote}: the server cut the listing short at {} lines ({}); nothing below it is \
             deleted",
            cut.lines, cut.why
        );
        tree.gap(dir.clone(), remote.to_string(), Gap::Truncated, message);
    }
}

/// Every line or link the listing did not yield an entry for, named (up to a bound).
fn warn_unread(dir: &str, unread: &[String]) {
    const SHOWN: usize = 20;
    for line in unread.iter().take(SHOWN) {
        log::warn!("{dir}: not understood, skipped: {line:?}");
    }
    if unread.len() > SHOWN {
        log::warn!("{dir}: {} more lines not understood", unread.len() - SHOWN);
    }
}

/// The server's clock offset, from one file whose server-local time has minutes or seconds (a
/// LIST line; lighttpd's and Nexus's index pages): its MDTM or Last-Modified (UTC) against its
/// listed time, rounded to the quarter hour that every time zone is a multiple of.
fn calibrate(pool: &mut Pool, root: &str, entries: &BTreeMap<RelPath, Entry>) -> Offset {
    let (path, listed) = entries.iter().find_map(|(path, e)| match e.mtime {
        Some(m)
            if e.kind == Kind::File
                && m.zone == Zone::ServerLocal
                && matches!(m.precision, Precision::Minute | Precision::Second) =>
        {
            Some((path.remote(root), m.time.and_utc().timestamp()))
        }
        _ => None,
    })?;
    let queue = Queue::new([path]);
    let answers = pool.run(&queue, &|worker, path| {
        worker.attempt("calibrating the server clock", |s| s.probe(&path))
    });
    let utc = answers
        .into_iter()
        .next()?
        .ok()?
        .mtime?
        .and_utc()
        .timestamp();
    let offset = ((listed - utc) as f64 / 900.0).round() as i64 * 900;
    log::info!("server clock: listed times are UTC{:+}s", offset);
    (offset.abs() <= 15 * 3600).then_some(offset)
}

/// Probes (MDTM, or HEAD) each path the planner could not decide, and puts what they tell into
/// the entries: an exact time replaces the listed one, a size fills a missing one.
pub fn probe(
    pool: &mut Pool,
    root: &str,
    paths: &[RelPath],
    entries: &mut BTreeMap<RelPath, Entry>,
) {
    let queue = Queue::new(paths.iter().cloned());
    let answers = pool.run(&queue, &|worker, path: RelPath| {
        let remote = path.remote(root);
        let answer = worker.attempt(&format!("probing {remote}"), |s| s.probe(&remote));
        (path, answer)
    });
    for (path, answer) in answers {
        let (Some(entry), Ok(probe)) = (entries.get_mut(&path), answer) else {
            continue;
        };
        entry.size = entry.size.or(probe.size);
        if let Some(time) = probe.mtime {
            entry.mtime = Some(Mtime {
                time,
                precision: Precision::Second,
                zone: Zone::Utc,
            });
        }
    }
}
