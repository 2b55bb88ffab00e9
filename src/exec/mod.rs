//! Carrying out the plans: [`march`] walks the tree and carries out each directory's plan as
//! it comes (replaced directories, new directories, links, then its files in parallel over the
//! pool's sessions), then the deletions (only when every transfer succeeded), directory times
//! and the state. Here are the steps it takes for one file or one path; none decides anything:
//! every choice is in the plan. [`commit`] is the protocol-free half of a download, [`progress`]
//! what a run shows, [`rate`] the shared bandwidth cap.
//!
//! Invariant: it names no protocol; a crash never leaves a partial file under a final name; no
//! deletion unless every transfer succeeded.

pub mod commit;
pub mod failure;
pub mod march;
pub mod progress;
pub mod rate;

use crate::local::partial_link;
use crate::local::space::{Shortage, Space};
use crate::local::state::Store;
use crate::plan::render::human_bytes;
use crate::plan::time::Offset;
use crate::plan::{Delete, Fetch, Link, LocalObject, Reason};
use crate::remote::pool::Worker;
use crate::remote::tree::RelPath;
use crate::remote::{Kind, Want};
use chrono::NaiveDateTime;
use failure::{Failure, Kind as FailureKind};
use progress::Progress;
use std::fs;
use std::io;
use std::path::Path;
use std::sync::Mutex;

/// What a real run needs besides the plans.
pub struct Context<'a> {
    pub target: &'a Path,
    /// Each file's record, written as the file is in place.
    pub store: &'a Store,
    /// The remote root, an absolute FTP path.
    pub root: &'a str,
    /// The shared bandwidth budget, with `--limit-rate`.
    pub limiter: Option<&'a rate::Limiter>,
    /// The target's filesystem.
    pub space: &'a Space,
    pub progress: &'a Progress,
}

impl<'a> Context<'a> {
    /// Where one fetch goes.
    fn job(&self, f: &'a Fetch, since: Option<NaiveDateTime>, offset: Offset) -> commit::Job<'a> {
        commit::Job {
            fetch: f,
            space: self.space,
            remote_path: f.path.remote(self.root),
            local_path: f.path.under(self.target),
            offset,
            since,
        }
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub fetched: usize,
    pub bytes: u64,
    pub made: usize,
    pub deleted: usize,
    /// Files a conditional GET found unchanged.
    pub revalidated: usize,
    /// The lines logged as errors, causes said once for many files included.
    pub errors: Vec<String>,
    /// What failed, one entry per path.
    pub failures: Vec<Failure>,
    /// Remote directories that were not fully listed.
    pub incomplete: Vec<crate::remote::walk::Incomplete>,
}

impl Outcome {
    /// A job that failed as a whole, its message already logged.
    pub fn failed(kind: FailureKind, message: String) -> Outcome {
        let mut outcome = Outcome::default();
        outcome.job_failure(kind, message);
        outcome
    }

    /// A failure of the job as a whole, its message already logged.
    pub fn job_failure(&mut self, kind: FailureKind, message: String) {
        self.errors.push(message.clone());
        self.failures.push(Failure::job(kind, message));
    }

    /// Adds what `other` counted and failed.
    pub fn append(&mut self, mut other: Outcome) {
        self.fetched += other.fetched;
        self.bytes += other.bytes;
        self.made += other.made;
        self.deleted += other.deleted;
        self.revalidated += other.revalidated;
        self.errors.append(&mut other.errors);
        self.failures.append(&mut other.failures);
        self.incomplete.append(&mut other.incomplete);
    }
}

fn fail(
    outcome: &mut Outcome,
    path: &RelPath,
    kind: FailureKind,
    what: &str,
    e: impl std::fmt::Display,
) {
    let message = format!("{what}: {e}");
    log::error!("{path}: {message}");
    outcome.errors.push(format!("{path}: {message}"));
    outcome.failures.push(Failure::of(path, kind, message));
}

/// Removes local directories that files or links replace (only with `--delete`: the planner
/// decided so).
fn replace_dirs(dirs: &[RelPath], ctx: &Context, outcome: &mut Outcome) {
    for dir in dirs {
        let removed =
            check_parents(ctx.target, dir).and_then(|()| remove_any(&dir.under(ctx.target)));
        if let Err(e) = removed {
            let what = "removing the local directory";
            fail(outcome, dir, FailureKind::Local, what, e);
        }
    }
}

/// Every directory between the target and `path`'s parent must be a real directory: a symlink
/// planted there could point out of the target, and nothing is ever written through it.
fn check_parents(target: &Path, path: &RelPath) -> io::Result<()> {
    let mut dir = path.parent();
    while let Some(d) = dir.filter(|d| !d.is_root()) {
        let meta = fs::symlink_metadata(d.under(target))?;
        if !meta.is_dir() {
            return Err(io::Error::other(format!(
                "{d} is not a directory (a symlink?); not writing through it"
            )));
        }
        dir = d.parent();
    }
    Ok(())
}

/// Fetches one file on the worker's session (with the pool's retries), records it in the
/// state the moment it is in place, and says so.
fn fetch_one(
    worker: &mut Worker,
    job: &commit::Job,
    want: &Want,
    ctx: &Context,
) -> Result<commit::Fetched, commit::Error> {
    let f = job.fetch;
    if ctx.space.is_full() {
        return Err(commit::Error::NotStarted);
    }
    ctx.progress
        .start(worker.index, f.path.as_str(), f.size_at_most());
    let result = check_parents(ctx.target, &f.path)
        .map_err(|e| commit::Error::Local("checking the directories".into(), e))
        .and_then(|()| fetch_with_retry(worker, job, want, ctx));
    if let Some(fetched) = result.as_ref().ok().filter(|f| !f.not_modified) {
        ctx.store.record(&f.path, &fetched.record);
        let mark = if f.reason == Reason::New { '+' } else { '*' };
        let size = human_bytes(fetched.record.local.size);
        ctx.progress.done(&format!("{mark} {}  ({size})", f.path));
    }
    result
}

/// Files not fetched for want of room or of time: said once for each cause, not once per file
/// (a full disk or a job out of time would otherwise fill the log with a line per file).
#[derive(Default)]
struct Unfit {
    /// Refused before their first byte: no room above the reserve.
    no_room: Vec<RelPath>,
    /// Failed when the disk filled up, or not started after that.
    stopped: Vec<RelPath>,
    /// The write error that filled the disk.
    full: Option<String>,
    /// Not fetched, or cut, because the job ran out of time.
    late: Vec<RelPath>,
}

impl Unfit {
    /// Whether nothing was left unfetched.
    fn is_empty(&self) -> bool {
        self.no_room.is_empty() && self.stopped.is_empty() && self.late.is_empty()
    }

    /// Whether `e` is a shortage of room or of time (`late`: the job's time is up), now recorded.
    fn take(&mut self, path: &RelPath, e: &commit::Error, late: bool) -> bool {
        match e {
            commit::Error::Space(Shortage::NoRoom { .. }) => self.no_room.push(path.clone()),
            commit::Error::DiskFull(cause) => {
                self.full.get_or_insert_with(|| cause.to_string());
                self.stopped.push(path.clone());
            }
            commit::Error::NotStarted => self.stopped.push(path.clone()),
            e if late && e.timed_out() => self.late.push(path.clone()),
            _ => return false,
        }
        log::info!("{path}: {e}");
        true
    }

    fn report(self, ctx: &Context, outcome: &mut Outcome) {
        let target = ctx.target.display();
        let free = ctx.space.free().map_or("unknown".into(), human_bytes);
        let reserve = human_bytes(ctx.space.reserve());
        for (paths, kind, why) in [
            (
                &self.no_room,
                FailureKind::NoRoom,
                "no room for it above --min-free",
            ),
            (&self.stopped, FailureKind::DiskFull, "the disk filled up"),
            (
                &self.late,
                FailureKind::OutOfTime,
                "the job ran out of time",
            ),
        ] {
            let each = paths
                .iter()
                .map(|p| Failure::of(p, kind, format!("not fetched: {why}")));
            outcome.failures.extend(each);
        }
        let mut say = |message: String| {
            log::error!("{message}");
            outcome.errors.push(message);
        };
        if let Some(first) = self.no_room.first() {
            say(format!(
                "{} files not fetched: they do not fit on the filesystem of {target} ({free} \
                 free, {reserve} kept free by --min-free); the first is {first}",
                self.no_room.len()
            ));
        }
        if let Some(first) = self.stopped.first() {
            let cause = self.full.unwrap_or_default();
            say(format!(
                "the filesystem of {target} is full ({cause}; {free} free now): stopped, {} \
                 files not fetched (the first is {first}); every file fetched before is kept, \
                 and the state",
                self.stopped.len()
            ));
        }
        if !self.late.is_empty() {
            say(format!(
                "{}: {} files not fetched ({}); every file fetched before is kept, and the state",
                crate::net::pace::out_of_time(),
                self.late.len(),
                named(&self.late)
            ));
        }
    }
}

/// Up to ten paths, and how many more.
fn named(paths: &[RelPath]) -> String {
    const SHOWN: usize = 10;
    let mut text = (paths.iter().take(SHOWN))
        .map(RelPath::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        text += &format!(" and {} more", paths.len() - SHOWN);
    }
    text
}

/// The most files taken as one batch by a worker: over HTTP their requests go out together,
/// over FTP each file's data channel is asked for behind the transfer before it.
const MAX_PIPELINE: usize = 16;
/// Files up to this size are pipelined; a larger one would hold up the files queued behind it.
const PIPELINED_SIZE: u64 = 1024 * 1024;

/// The order the workers take one directory's files in (given as index and size, or the most a
/// rounded size can stand for), as batches fetched on one session. The largest files go first,
/// each alone, so that no worker is left with a long file at the end; files known to be small
/// follow in the listing's order, `depth` to a batch: at a distance, a batch of small files
/// costs one round trip whatever its length, and the other directories keep the other
/// sessions busy.
fn batches(files: impl Iterator<Item = (usize, Option<u64>)>, depth: usize) -> Vec<Vec<usize>> {
    let (small, mut large): (Vec<_>, Vec<_>) =
        files.partition(|(_, size)| size.is_some_and(|s| s <= PIPELINED_SIZE));
    large.sort_by_key(|(_, size)| std::cmp::Reverse(size.unwrap_or(u64::MAX)));
    let size = depth.max(1);
    let mut order: Vec<Vec<usize>> = large.into_iter().map(|(i, _)| vec![i]).collect();
    order.extend(
        small
            .chunks(size)
            .map(|chunk| chunk.iter().map(|(i, _)| *i).collect()),
    );
    order
}

/// One fetch with the pool's retries: transient server errors reconnect and try again, resuming
/// from what the failed attempt wrote.
fn fetch_with_retry(
    worker: &mut Worker,
    job: &commit::Job,
    want: &Want,
    ctx: &Context,
) -> Result<commit::Fetched, commit::Error> {
    let progress = ctx.progress;
    let worker_index = worker.index;
    // Bytes of this file shown so far. An attempt starts from what its temp file holds: bytes
    // an earlier run left (shown as done), the bytes a failed attempt counted, or none when
    // the server cannot resume (taken back).
    let shown = std::cell::Cell::new(0u64);
    let mut resumed = |from: u64| {
        progress.resumed(worker_index, shown.get(), from);
        shown.set(from);
    };
    let mut counted = |n| {
        shown.set(shown.get() + n);
        progress.bytes(worker_index, n);
        if let Some(limiter) = ctx.limiter {
            limiter.take(n);
        }
    };
    let local_error = Mutex::new(None);
    let result = worker.attempt(&format!("fetching {}", job.remote_path), |session| {
        let mut landing = commit::TempLanding::new(job, &mut resumed);
        let local = match session.fetch(want, &mut landing, &mut counted) {
            Ok(got) => match commit::finish(job, landing, got) {
                Ok(fetched) => return Ok(Some(fetched)),
                Err(e) => e,
            },
            Err(e) if e.kind() == Kind::Local => landing.failure(),
            Err(e) => return Err(e),
        };
        *local_error.lock().expect("lock") = Some(local);
        Ok(None)
    });
    match (result, local_error.into_inner().expect("lock")) {
        (Ok(Some(fetched)), _) => Ok(fetched),
        (Ok(None), Some(e)) => Err(e),
        (Ok(None), None) => unreachable!("a fetch without result records its error"),
        (Err(e), _) => Err(commit::Error::Remote(e)),
    }
}

/// Makes symbolic links, each beside its place under a temp name and renamed over it.
fn make_links(links: &[Link], ctx: &Context, outcome: &mut Outcome) {
    for link in links {
        let path = link.path.under(ctx.target);
        let temp = path.with_file_name(partial_link(link.path.name(), &link.target));
        let made = check_parents(ctx.target, &link.path)
            .and_then(|()| match fs::remove_file(&temp) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => std::os::unix::fs::symlink(&link.target, &temp),
            })
            .and_then(|()| fs::rename(&temp, &path));
        match made {
            Ok(()) => {
                outcome.made += 1;
                ctx.progress
                    .say(&format!("+ {} -> {}", link.path, link.target));
            }
            Err(e) => fail(
                outcome,
                &link.path,
                FailureKind::Local,
                "making the link",
                e,
            ),
        }
    }
}

/// Deletes the paths, children before their parents.
fn delete_all(deletes: &[Delete], ctx: &Context, outcome: &mut Outcome) {
    for delete in deletes {
        let path = delete.path.under(ctx.target);
        let removed = check_parents(ctx.target, &delete.path).and_then(|()| match delete.kind {
            LocalObject::Directory => fs::remove_dir(&path),
            _ => fs::remove_file(&path),
        });
        match removed {
            Ok(()) => {
                outcome.deleted += 1;
                ctx.progress.say(&format!("- {}", delete.path));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => fail(outcome, &delete.path, FailureKind::Local, "deleting", e),
        }
    }
}

/// Removes a file, a link, or a whole directory tree, never following a link.
fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path)?.is_dir() {
        true => fs::remove_dir_all(path),
        false => fs::remove_file(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_files_first_then_small_ones_in_batches() {
        const MIB: u64 = 1024 * 1024;
        let mut files = vec![(0, Some(5 * MIB)), (1, None), (2, Some(2 * MIB))];
        files.extend((3..40).map(|i| (i, Some(100))));
        let order = batches(files.into_iter(), 16);
        assert_eq!(order[..3], [vec![1], vec![0], vec![2]]);
        // 37 small files: batches of 16.
        assert_eq!(order[3], (3..19).collect::<Vec<_>>());
        assert_eq!(order.len(), 3 + 3);
        assert_eq!(order.concat().len(), 40);
    }

    #[test]
    fn batches_never_exceed_the_depth() {
        let files = (0..1000).map(|i| (i, Some(10)));
        let order = batches(files, 16);
        assert!(order.iter().all(|b| b.len() == 16 || b.len() == 1000 % 16));
        let one = batches((0..1000).map(|i| (i, Some(10))), 1);
        assert_eq!(one.len(), 1000);
    }
}
