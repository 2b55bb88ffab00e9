//! One step of the remote walk: a directory listed on a worker's session into entries keyed
//! by checked paths, with what the march needs to trust it or not ([`list`]); the probes that
//! complete a listing ([`probe`], [`calibrate`]).
//!
//! A name that cannot be a local path is skipped with a warning naming it. A directory that was
//! not fully listed (its listing failed or was cut short, it lies too deep, the job ran out of
//! time, or it was read with a weaker command than another directory) is recorded with why, so
//! the planner never deletes below it.

use crate::job::filter::Filter;
use crate::local::is_reserved;
use crate::plan::time::Offset;
use crate::remote::pool::Worker;
use crate::remote::tree::{Entry, Kind, Mtime, Precision, RelPath, Zone};
use crate::remote::ListedWith;
use serde::Serialize;
use std::collections::BTreeMap;

/// Deeper than any real archive; a server that nests further is looping.
pub const MAX_DEPTH: usize = 64;

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

    /// A directory not fully listed, with the message for the user.
    pub fn new(path: String, gap: Gap, message: String) -> Incomplete {
        Incomplete { path, gap, message }
    }

    /// `dir`, listed with `command` where `best` showed more: a gap of kind [`Gap::Weaker`].
    pub fn weaker(dir: String, command: ListedWith, best: ListedWith) -> Incomplete {
        let message = format!(
            "{dir}: listed with {command}, which may show less than the {best} that listed \
             other directories (or the last run); nothing below it is deleted"
        );
        Incomplete::new(dir, Gap::Weaker, message)
    }
}

/// What a walk lists, and what it knows already.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// The absolute remote path of the mirror's root.
    pub root: &'a str,
    pub filter: &'a Filter,
    /// Whether a path listed as a file is known to be one (it was fetched as a file before, and
    /// is a file locally): only the others are checked where a listing does not mark
    /// directories.
    pub settled: &'a (dyn Fn(&RelPath) -> bool + Sync),
}

/// One directory as listed.
#[derive(Debug, Default)]
pub struct Listed {
    /// Its entries that the filter allows, by path (subdirectories included).
    pub entries: BTreeMap<RelPath, Entry>,
    /// Subdirectories to list in turn (those not too deep).
    pub subdirs: Vec<RelPath>,
    /// Subdirectories too deep to list, and the directory itself when its listing was cut short.
    pub gaps: Vec<(RelPath, Incomplete)>,
    /// The command it was listed with (FTP; HTTP pages have none).
    pub command: Option<ListedWith>,
    /// The lines no parser read.
    pub unread: Vec<String>,
    /// Names reserved for ftpmirror's own state and temp files, left out.
    pub reserved: Vec<String>,
}

impl Listed {
    /// Whether its listing was cut short (and so nothing in it is a reason to delete).
    pub fn truncated(&self, dir: &RelPath) -> bool {
        self.gaps.iter().any(|(path, _)| path == dir)
    }
}

/// Lists the directory `dir` on the worker's session; `Err` when that failed, with why.
pub fn list(worker: &mut Worker, scope: &Scope, dir: &RelPath) -> Result<Listed, Incomplete> {
    let (root, filter) = (scope.root, scope.filter);
    let remote = dir.remote(root);
    let listing = match worker.attempt(&format!("listing {remote}"), |s| s.list_dir(&remote)) {
        Ok(listing) => listing,
        Err(e) => {
            let message = format!("cannot list {remote}: {e}");
            return Err(Incomplete::new(remote, Gap::Failed, message));
        }
    };
    warn_unread(&remote, &listing.unread);
    let mut listed = Listed {
        command: listing.command.ranked(),
        unread: listing.unread,
        ..Listed::default()
    };
    if let Some(cut) = &listing.truncated {
        let message = format!(
            "{remote}: the server cut the listing short at {} lines ({}); nothing below it is \
             deleted",
            cut.lines, cut.why
        );
        let gap = Incomplete::new(remote.clone(), Gap::Truncated, message);
        listed.gaps.push((dir.clone(), gap));
    }
    let mut named = Vec::with_capacity(listing.entries.len());
    for entry in listing.entries {
        if is_reserved(&entry.name) {
            listed.reserved.push(entry.name);
            continue;
        }
        match dir.join(&entry.name) {
            Ok(path) => {
                // It may be a directory linked like a file.
                let unsure =
                    entry.kind == Kind::File && !listing.marks_dirs && !(scope.settled)(&path);
                named.push((path, entry, unsure));
            }
            Err(why) => log::warn!("{remote}: skipping remote name {why}"),
        }
    }
    // Those are asked in turn; the session may send the next ones' questions ahead.
    let unsure: Vec<String> = (named.iter())
        .filter(|(_, _, unsure)| *unsure)
        .map(|(path, _, _)| path.remote(root))
        .collect();
    let mut asked = 0;
    for (path, mut entry, is_unsure) in named {
        if is_unsure {
            if let Some(session) = worker.current() {
                session.kinds_ahead(&unsure, asked);
            }
            entry.kind = kind_of(worker, &unsure[asked]);
            asked += 1;
        }
        if !filter.allows(&path, entry.kind == Kind::Dir) {
            continue;
        }
        if listed.entries.contains_key(&path) {
            log::warn!(
                "{remote}: {:?} is listed twice; keeping the first",
                entry.name
            );
            continue;
        }
        if entry.kind == Kind::Dir {
            match path.depth() > MAX_DEPTH {
                // What lies deeper is missing from the mirror: an error, and no deletions below.
                true => {
                    let remote = path.remote(root);
                    let message =
                        format!("{remote}: not descending deeper than {MAX_DEPTH} levels");
                    let gap = Incomplete::new(remote, Gap::NotListed, message);
                    listed.gaps.push((path.clone(), gap));
                }
                false => listed.subdirs.push(path.clone()),
            }
        }
        // The key holds the name: a large directory need not hold it twice.
        entry.name = String::new();
        listed.entries.insert(path, entry);
    }
    Ok(listed)
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

/// Whether a listing gives server-local times precise enough to calibrate the clock with.
pub fn needs_calibration(entries: &BTreeMap<RelPath, Entry>) -> bool {
    calibration_file(entries).is_some()
}

fn calibration_file(entries: &BTreeMap<RelPath, Entry>) -> Option<(&RelPath, i64)> {
    entries.iter().find_map(|(path, e)| match e.mtime {
        Some(m)
            if e.kind == Kind::File
                && m.zone == Zone::ServerLocal
                && matches!(m.precision, Precision::Minute | Precision::Second) =>
        {
            Some((path, m.time.and_utc().timestamp()))
        }
        _ => None,
    })
}

/// The server's clock offset, from one file whose server-local time has minutes or seconds (a
/// LIST line; lighttpd's and Nexus's index pages): its MDTM or Last-Modified (UTC) against its
/// listed time, rounded to the quarter hour that every time zone is a multiple of.
pub fn calibrate(worker: &mut Worker, root: &str, entries: &BTreeMap<RelPath, Entry>) -> Offset {
    let (path, listed) = calibration_file(entries)?;
    let path = path.remote(root);
    let probe = worker.attempt("calibrating the server clock", |s| s.probe(&path));
    let utc = probe.ok()?.mtime?.and_utc().timestamp();
    let offset = ((listed - utc) as f64 / 900.0).round() as i64 * 900;
    log::info!("server clock: listed times are UTC{:+}s", offset);
    (offset.abs() <= 15 * 3600).then_some(offset)
}

/// Probes (MDTM, or HEAD) each path the planner could not decide, and puts what they tell into
/// the entries: an exact time replaces the listed one, a size fills a missing one.
pub fn probe(
    worker: &mut Worker,
    root: &str,
    paths: &[RelPath],
    entries: &mut BTreeMap<RelPath, Entry>,
) {
    for path in paths {
        let remote = path.remote(root);
        let answer = worker.attempt(&format!("probing {remote}"), |s| s.probe(&remote));
        let (Some(entry), Ok(probe)) = (entries.get_mut(path), answer) else {
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
