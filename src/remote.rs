//! The remote walk: every directory under the root listed over the pool's sessions, in
//! parallel, into one tree keyed by checked paths.
//!
//! A name that cannot be a local path is skipped with a warning naming it; a directory whose
//! listing failed is recorded, so the planner never deletes below it. After the walk, one MDTM
//! calibrates the server's clock when the listing gave server-local times.

use crate::filter::Filter;
use crate::plan::time::Offset;
use crate::pool::{Pool, Queue, Worker};
use crate::tree::{Entry, Kind, Mtime, Precision, RelPath, Zone};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// Deeper than any real archive; a server that nests further is looping.
pub const MAX_DEPTH: usize = 64;

/// What the walk found.
#[derive(Debug, Default)]
pub struct RemoteTree {
    pub entries: BTreeMap<RelPath, Entry>,
    /// Directories whose listing failed.
    pub failed: BTreeSet<RelPath>,
    /// One message per failed listing.
    pub errors: Vec<String>,
    /// The server's clock offset, when LIST times could be calibrated.
    pub offset: Offset,
}

/// Lists everything below the absolute remote path `root`.
pub fn walk(pool: &mut Pool, root: &str, filter: &Filter) -> RemoteTree {
    let tree = Mutex::new(RemoteTree::default());
    let queue = Queue::new([RelPath::root()]);
    pool.run(&queue, &|worker, dir| {
        list_into(worker, &queue, &tree, filter, root, dir)
    });
    let mut tree = tree.into_inner().expect("tree lock");
    for dir in queue.drain() {
        let remote = dir.remote(root);
        tree.errors
            .push(format!("cannot list {remote}: the job ran out of time"));
        tree.failed.insert(dir);
    }
    tree.offset = calibrate(pool, root, &tree.entries);
    tree
}

fn list_into(
    worker: &mut Worker,
    queue: &Queue<RelPath>,
    tree: &Mutex<RemoteTree>,
    filter: &Filter,
    root: &str,
    dir: RelPath,
) {
    let remote = dir.remote(root);
    let listing = match worker.attempt(&format!("listing {remote}"), |s| s.list_dir(&remote)) {
        Ok(listing) => listing,
        Err(e) => {
            let mut tree = tree.lock().expect("tree lock");
            tree.errors.push(format!("cannot list {remote}: {e}"));
            tree.failed.insert(dir);
            return;
        }
    };
    warn_unread(&remote, &listing.unread);
    let mut found = Vec::with_capacity(listing.entries.len());
    let mut too_deep = Vec::new();
    for entry in listing.entries {
        let path = match dir.join(&entry.name) {
            Ok(path) => path,
            Err(why) => {
                log::warn!("{remote}: skipping remote name {why}");
                continue;
            }
        };
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
    // What lies deeper is missing from the mirror: an error, and no deletions below.
    for path in too_deep {
        tree.errors.push(format!(
            "{}: not descending deeper than {MAX_DEPTH} levels",
            path.remote(root)
        ));
        tree.failed.insert(path);
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

/// The server's clock offset, from one file whose LIST time has minutes: its MDTM (UTC) against
/// its listed time, rounded to the quarter hour that every time zone is a multiple of.
fn calibrate(pool: &mut Pool, root: &str, entries: &BTreeMap<RelPath, Entry>) -> Offset {
    let (path, listed) = entries.iter().find_map(|(path, e)| match e.mtime {
        Some(m)
            if e.kind == Kind::File
                && m.zone == Zone::ServerLocal
                && m.precision == Precision::Minute =>
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
