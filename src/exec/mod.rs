//! Carrying out a plan: replaced directories, then new directories, then files in parallel
//! over the pool's sessions, then links, then deletions (only when every transfer succeeded),
//! then directory times and the state file. The executor decides nothing: every choice is in the
//! plan. [`commit`] is the protocol-free half of a download, [`progress`] what a run shows,
//! [`rate`] the shared bandwidth cap.
//!
//! Invariant: it names no protocol; a crash never leaves a partial file under a final name; no
//! deletion unless every transfer succeeded.

pub mod commit;
pub mod failure;
pub mod progress;
pub mod rate;

use crate::local::partial_link;
use crate::local::space::{Shortage, Space};
use crate::local::state::{Recorder, State};
use crate::plan::render::human_bytes;
use crate::plan::time::Offset;
use crate::plan::{LocalObject, Plan, Reason};
use crate::remote::pool::{Pool, Queue};
use crate::remote::tree::RelPath;
use crate::remote::{Kind, Want};
use failure::{Failure, Kind as FailureKind};
use progress::Progress;
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, UNIX_EPOCH};

/// What the executor needs besides the plan.
pub struct Context<'a> {
    pub target: &'a Path,
    /// Where the state file goes.
    pub state_dir: &'a Path,
    /// Each file's record, written as the file is in place.
    pub recorder: &'a Recorder,
    /// The remote root, an absolute FTP path.
    pub root: &'a str,
    pub offset: Offset,
    /// Temp files found by the local scan.
    pub partials: &'a [RelPath],
    /// The state as loaded: records of files whose fetch fails stay as they were.
    pub state: &'a State,
    /// The shared bandwidth budget, with `--limit-rate`.
    pub limiter: Option<&'a rate::Limiter>,
    /// The strongest FTP listing command this run used, for the next run to compare with.
    pub listed_with: Option<crate::remote::ListedWith>,
    /// The target's filesystem.
    pub space: &'a Space,
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

/// Carries out `plan`; its `carried` records become the new state's start.
pub fn execute(plan: &mut Plan, pool: &mut Pool, ctx: &Context, progress: &Progress) -> Outcome {
    let mut outcome = Outcome::default();
    let mut state = State {
        files: std::mem::take(&mut plan.carried),
        listed_with: ctx.listed_with,
    };
    let plan = &*plan;
    prepare_dirs(plan, ctx, &mut outcome, progress);
    fetch_all(plan, false, pool, ctx, progress, &mut outcome, &mut state);
    make_links(plan, ctx, &mut outcome, progress);
    // Index files (`last`) only once everything they may name is here; deletions after them,
    // so a reader of the mirror never sees an index naming a missing file.
    let last = plan.fetches.iter().filter(|f| f.last).count();
    match outcome.errors.is_empty() {
        true => fetch_all(plan, true, pool, ctx, progress, &mut outcome, &mut state),
        false if last > 0 => outcome.job_failure(
            FailureKind::LastNotFetched,
            format!("{last} files marked last not fetched, since other transfers failed"),
        ),
        false => {}
    }
    match outcome.errors.is_empty() {
        true => {
            delete_all(plan, ctx, &mut outcome, progress);
            remove_stale_partials(ctx);
        }
        false if !plan.deletes.is_empty() => outcome.job_failure(
            FailureKind::DeletionsNotDone,
            format!(
                "{} deletions not done, since some transfers failed",
                plan.deletes.len()
            ),
        ),
        false => {}
    }
    for (dir, mtime) in &plan.dir_times {
        let time = crate::plan::time::to_utc(mtime, ctx.offset).max(0) as u64;
        let _ = commit::set_mtime(
            &dir.under(ctx.target),
            UNIX_EPOCH + Duration::from_secs(time),
        );
    }
    if let Err(e) = state.save_changes(ctx.state_dir, ctx.state) {
        let path = State::path(ctx.state_dir);
        let message = format!("saving the state file {}: {e}", path.display());
        log::error!("{message}");
        outcome.job_failure(FailureKind::State, message);
    }
    outcome
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

/// Removes directories that files or links replace, and makes the new directories (removing a
/// file or link that is in the way of one).
fn prepare_dirs(plan: &Plan, ctx: &Context, outcome: &mut Outcome, progress: &Progress) {
    for dir in &plan.replaced_dirs {
        if let Err(e) = remove_any(&dir.under(ctx.target)) {
            fail(
                outcome,
                dir,
                FailureKind::Local,
                "removing the local directory",
                e,
            );
        }
    }
    for dir in &plan.mkdirs {
        let path = dir.under(ctx.target);
        let made = check_parents(ctx.target, dir).and_then(|()| {
            match fs::symlink_metadata(&path) {
                Ok(meta) if !meta.is_dir() => fs::remove_file(&path)?,
                _ => {}
            }
            fs::create_dir(&path)
        });
        match made {
            Ok(()) => {
                outcome.made += 1;
                progress.say(&format!("+ {dir}/"));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => fail(outcome, dir, FailureKind::Local, "making the directory", e),
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

/// Fetches the files of the plan that are `last` (or not), in parallel.
#[allow(clippy::too_many_arguments)]
fn fetch_all(
    plan: &Plan,
    last: bool,
    pool: &mut Pool,
    ctx: &Context,
    progress: &Progress,
    outcome: &mut Outcome,
    state: &mut State,
) {
    let files = (plan.fetches.iter().enumerate())
        .filter(|(_, f)| f.last == last)
        .map(|(i, f)| (i, f.size_at_most()));
    let queue = Queue::new(batches(files, pool.workers(), MAX_PIPELINE));
    let done = AtomicUsize::new(0);
    let total = plan.fetches.len();
    let results = pool.run(&queue, &|worker, batch: Vec<usize>| {
        let jobs: Vec<_> = batch.iter().map(|&i| job(plan, i, ctx)).collect();
        let wants: Vec<_> = (jobs.iter().zip(&batch))
            .map(|(job, &index)| job.want(index))
            .collect();
        let mut results = Vec::new();
        for (k, (job, index)) in jobs.iter().zip(batch).enumerate() {
            if let Some(session) = worker.current() {
                session.ahead(&wants, k);
            }
            let f = job.fetch;
            if ctx.space.is_full() {
                results.push((index, Err(commit::Error::NotStarted)));
                continue;
            }
            progress.start(worker.index, f.path.as_str(), f.size_at_most());
            let result = check_parents(ctx.target, &f.path)
                .map_err(|e| commit::Error::Local("checking the directories".into(), e))
                .and_then(|()| fetch_with_retry(worker, job, &wants[k], ctx, progress));
            let mark = if f.reason == Reason::New { '+' } else { '*' };
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(fetched) = result.as_ref().ok().filter(|f| !f.not_modified) {
                ctx.recorder.record(&f.path, &fetched.record);
                progress.done(
                    n,
                    total,
                    &format!(
                        "{mark} {}  ({})",
                        f.path,
                        human_bytes(fetched.record.local.size)
                    ),
                );
            }
            results.push((index, result));
        }
        results
    });
    let results = results.into_iter().flatten();
    let mut unfit = Unfit::default();
    for index in queue.drain().into_iter().flatten() {
        unfit.late.push(plan.fetches[index].path.clone());
    }
    let late = pool.out_of_time();
    let unconfirmed: BTreeMap<usize, String> = (pool.take_unconfirmed().into_iter())
        .map(|u| (u.id, u.why))
        .collect();
    for (index, result) in results {
        let f = &plan.fetches[index];
        if let Err(e) = &result {
            if unfit.take(&f.path, e, late) {
                if let Some(old) = ctx.state.files.get(&f.path) {
                    state.files.insert(f.path.clone(), old.clone());
                }
                continue;
            }
        }
        match result {
            Ok(_) if unconfirmed.contains_key(&index) => {
                // Whole by its size, but the server did not stand by it: not kept.
                let why = &unconfirmed[&index];
                let _ = fs::remove_file(f.path.under(ctx.target));
                ctx.recorder.forget(&f.path);
                fail(
                    outcome,
                    &f.path,
                    FailureKind::Unconfirmed,
                    "fetch failed: the server did not confirm it",
                    why,
                );
            }
            Ok(fetched) if fetched.not_modified => {
                outcome.revalidated += 1;
                if let Some(old) = ctx.state.files.get(&f.path) {
                    state.files.insert(f.path.clone(), old.clone());
                }
            }
            Ok(fetched) => {
                outcome.fetched += 1;
                outcome.bytes += fetched.bytes;
                state.files.insert(f.path.clone(), fetched.record);
            }
            Err(e) => {
                fail(outcome, &f.path, e.kind(), "fetch failed", e);
                if let Some(old) = ctx.state.files.get(&f.path) {
                    state.files.insert(f.path.clone(), old.clone());
                }
            }
        }
    }
    unfit.report(ctx, outcome);
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

/// The order the workers take the files in (given as plan index and size, or the most a rounded
/// size can stand for), as batches fetched on one session. The largest files go first, so that
/// no worker is left with a long file at the end; files known to be small follow in the plan's
/// order, up to `depth` to a batch, but never so many that a worker would have fewer than four
/// batches.
fn batches(
    files: impl Iterator<Item = (usize, Option<u64>)>,
    workers: usize,
    depth: usize,
) -> Vec<Vec<usize>> {
    let (small, mut large): (Vec<_>, Vec<_>) =
        files.partition(|(_, size)| size.is_some_and(|s| s <= PIPELINED_SIZE));
    large.sort_by_key(|(_, size)| std::cmp::Reverse(size.unwrap_or(u64::MAX)));
    let size = small
        .len()
        .div_ceil(workers.max(1) * 4)
        .clamp(1, depth.max(1));
    let mut order: Vec<Vec<usize>> = large.into_iter().map(|(i, _)| vec![i]).collect();
    order.extend(
        small
            .chunks(size)
            .map(|chunk| chunk.iter().map(|(i, _)| *i).collect()),
    );
    order
}

fn job<'a>(plan: &'a Plan, index: usize, ctx: &Context<'a>) -> commit::Job<'a> {
    let f = &plan.fetches[index];
    let since = match f.reason {
        Reason::Revalidate => ctx.state.files.get(&f.path).and_then(|r| r.remote.mtime),
        _ => None,
    };
    commit::Job {
        fetch: f,
        space: ctx.space,
        remote_path: f.path.remote(ctx.root),
        local_path: f.path.under(ctx.target),
        offset: ctx.offset,
        since: since.map(|m| m.time),
    }
}

/// One fetch with the pool's retries: transient server errors reconnect and try again, resuming
/// from what the failed attempt wrote.
fn fetch_with_retry(
    worker: &mut crate::remote::pool::Worker,
    job: &commit::Job,
    want: &Want,
    ctx: &Context,
    progress: &Progress,
) -> Result<commit::Fetched, commit::Error> {
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

fn make_links(plan: &Plan, ctx: &Context, outcome: &mut Outcome, progress: &Progress) {
    for link in &plan.links {
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
                progress.say(&format!("+ {} -> {}", link.path, link.target));
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

fn delete_all(plan: &Plan, ctx: &Context, outcome: &mut Outcome, progress: &Progress) {
    for delete in &plan.deletes {
        let path = delete.path.under(ctx.target);
        let removed = check_parents(ctx.target, &delete.path).and_then(|()| match delete.kind {
            LocalObject::Directory => fs::remove_dir(&path),
            _ => fs::remove_file(&path),
        });
        match removed {
            Ok(()) => {
                outcome.deleted += 1;
                progress.say(&format!("- {}", delete.path));
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

/// After a run where every fetch succeeded, a temp file still there belongs to a version that is
/// gone (a successful fetch renamed its own). After failures they stay, to be resumed.
fn remove_stale_partials(ctx: &Context) {
    for partial in ctx.partials {
        let _ = fs::remove_file(partial.under(ctx.target));
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
        let order = batches(files.into_iter(), 2, 16);
        assert_eq!(order[..3], [vec![1], vec![0], vec![2]]);
        // 37 small files, 2 workers: batches of 5, so that each worker gets at least four.
        assert_eq!(order[3], (3..8).collect::<Vec<_>>());
        assert_eq!(order.len(), 3 + 8);
        assert_eq!(order.concat().len(), 40);
    }

    #[test]
    fn batches_never_exceed_the_depth() {
        let files = (0..1000).map(|i| (i, Some(10)));
        let order = batches(files, 8, 16);
        assert!(order.iter().all(|b| b.len() == 16 || b.len() == 1000 % 16));
        let one = batches((0..1000).map(|i| (i, Some(10))), 8, 1);
        assert_eq!(one.len(), 1000);
    }
}
