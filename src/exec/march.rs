//! The march, modelled on rclone's `fs/march`: the remote tree walked one directory at a time
//! over the pool's sessions, each directory planned the moment its listing arrives (against
//! its local directory, scanned then, and its state rows, read then), its files queued to the
//! same sessions at once and its subdirectories queued for listing. Listings go before
//! transfers, so the transfers never run dry, unless many transfers wait: then those go first,
//! so that what waits stays bounded. Memory holds the directories and files in flight, the
//! queues, and a few things per directory; never the tree.
//!
//! What must wait for the whole tree waits: deletions run last and only if every transfer and
//! listing succeeded, all or none under `--max-delete`; files marked `last` after all others;
//! directory times once everything in them is written; and a directory found to be listed with
//! a weaker command than another (only known at the end) deletes nothing.
//!
//! Invariant: nothing in or below a directory that was not fully listed is a reason to delete;
//! a dry run writes nothing.

use super::{batches, check_parents, commit, fail, Context, Outcome, Unfit, MAX_PIPELINE};
use crate::exec::failure::{Failure, Kind as FailureKind};
use crate::job::Job;
use crate::local::state::{Record, Store};
use crate::local::{self, LocalKind};
use crate::plan::render::Printer;
use crate::plan::time::Offset;
use crate::plan::{self, Delete, Fetch, Inputs, Plan, Reason};
use crate::remote::pool::{Pool, Queue, Worker};
use crate::remote::tree::{Mtime, RelPath};
use crate::remote::walk::{self, Gap, Incomplete, Listed, Scope};
use crate::remote::ListedWith;
use chrono::NaiveDateTime;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, UNIX_EPOCH};

/// Fetch batches that may wait before workers take them ahead of listings.
const BACKLOG: usize = 256;
/// The files a worker put in place last, whose confirmation may still be owed: FTP's final
/// reply to a transfer is read with its session's next command, so it is known by the time the
/// worker has fetched a batch more (or settled its session before waiting, or at the end).
const LANDED: usize = 2 * MAX_PIPELINE;

/// One march: the job, where its root is, its state, and where each directory's plan goes.
pub struct March<'a> {
    pub job: &'a Job,
    /// The absolute remote path of the mirror's root.
    pub root: &'a str,
    pub store: &'a Store,
    pub scope: Scope<'a>,
    pub sink: Sink<'a>,
}

/// Where each directory's plan goes.
pub enum Sink<'a> {
    /// A dry run: printed.
    Print(&'a Printer),
    /// A real run: carried out.
    Carry(&'a Context<'a>),
}

/// What a march did.
pub struct Marched {
    pub outcome: Outcome,
    /// Files kept as they are.
    pub unchanged: usize,
}

/// A directory to list.
struct Dir {
    path: RelPath,
    /// Its time as its parent listed it.
    mtime: Option<Mtime>,
    /// Nothing in it or below it is a reason to delete.
    guarded: bool,
}

/// A file to fetch, with what its fetch needs from the plan.
struct Planned {
    fetch: Fetch,
    /// For a revalidation, the time the local copy's version carries.
    since: Option<NaiveDateTime>,
    /// Its name for the session (unconfirmed transfers are named back by it).
    id: usize,
}

enum Work {
    List(Dir),
    Fetch(Vec<Planned>),
}

/// A file put in place, until its confirmation can no longer be owed.
struct Landed {
    id: usize,
    path: RelPath,
    bytes: u64,
}

/// What the march gathers for the end of the run: a few things per directory, and the
/// deletions and `last` files (few, and needed whole at the end).
#[derive(Default)]
struct Tally {
    /// Directories not fully listed.
    gaps: BTreeMap<RelPath, Incomplete>,
    /// The command each FTP directory was listed with.
    listed_with: BTreeMap<RelPath, ListedWith>,
    /// Directories listed: state rows of directories not among them (and not below a gap)
    /// belong to files that are gone.
    visited: HashSet<RelPath>,
    /// Local directories known to be there (made by this run, or found).
    known: HashSet<RelPath>,
    deletes: Vec<Delete>,
    last: Vec<Planned>,
    dir_times: Vec<(RelPath, Mtime)>,
    /// Our temp files found on the way.
    partials: Vec<RelPath>,
    /// Local files seen, for a `--max-delete` given in percent.
    local_files: usize,
    unchanged: usize,
    /// Remote names reserved for ftpmirror's own bookkeeping, left out: how many, and one.
    reserved: (usize, Option<String>),
}

impl Tally {
    fn gap(&mut self, dir: RelPath, gap: Incomplete) {
        self.gaps.entry(dir).or_insert(gap);
    }

    /// The strongest FTP listing command this run used.
    fn best(&self) -> Option<ListedWith> {
        self.listed_with.values().max().copied()
    }

    /// Whether `path` is a directory not fully listed or lies below one.
    fn in_gap(&self, path: &RelPath) -> bool {
        let mut dir = Some(path.clone());
        while let Some(d) = dir {
            if self.gaps.contains_key(&d) {
                return true;
            }
            dir = d.parent();
        }
        false
    }
}

/// One run of the march: what its workers share.
struct Run<'a> {
    m: &'a March<'a>,
    queue: Queue<Work>,
    /// The server's clock offset, found at the first listing with server-local times.
    offset: OnceLock<Offset>,
    tally: Mutex<Tally>,
    outcome: Mutex<Outcome>,
    unfit: Mutex<Unfit>,
    ids: AtomicUsize,
    /// Files queued and not taken yet.
    waiting: AtomicUsize,
    workers: usize,
    /// Per worker, the last files it put in place (at most [`LANDED`]).
    landed: Mutex<Vec<VecDeque<Landed>>>,
}

/// Marches over the tree below `m.root`. `Err` when the root itself could not be listed:
/// then nothing was done.
pub fn run(pool: &mut Pool, m: &March) -> Result<Marched, Incomplete> {
    let root = Dir {
        path: RelPath::root(),
        mtime: None,
        guarded: false,
    };
    let run = Run {
        m,
        // While files wait, half the sessions list and the others fetch (a lone session lists
        // only when no file waits).
        queue: Queue::shared([Work::List(root)], pool.workers() / 2, BACKLOG),
        offset: OnceLock::new(),
        tally: Mutex::default(),
        outcome: Mutex::default(),
        unfit: Mutex::default(),
        ids: AtomicUsize::new(0),
        waiting: AtomicUsize::new(0),
        workers: pool.workers(),
        landed: Mutex::default(),
    };
    pool.run(&run.queue, &|worker, work| {
        run.work(worker, run.share(work))
    });
    run.unconfirmed(pool.take_unconfirmed());
    run.drained(&run.queue);
    if let Some(root) = (run.tally().gaps.get(&RelPath::root())).filter(|gap| !gap.listed()) {
        return Err(root.clone());
    }
    run.weaker();
    if let Sink::Carry(ctx) = m.sink {
        run.last_files(pool, ctx);
    }
    let offset = run.offset.get().copied().flatten();
    let tally = run.tally.into_inner().expect("tally lock");
    let mut done = run.outcome.into_inner().expect("outcome lock");
    if let Sink::Carry(ctx) = m.sink {
        run.unfit
            .into_inner()
            .expect("unfit lock")
            .report(ctx, &mut done);
    }
    let mut outcome = listing_failures(&tally);
    let unchanged = tally.unchanged;
    finish(m, tally, offset, &mut done, &mut outcome);
    outcome.append(done);
    Ok(Marched { outcome, unchanged })
}

impl Run<'_> {
    fn tally(&self) -> MutexGuard<'_, Tally> {
        self.tally.lock().expect("tally lock")
    }

    fn outcome(&self) -> MutexGuard<'_, Outcome> {
        self.outcome.lock().expect("outcome lock")
    }

    fn work(&self, worker: &mut Worker, work: Work) {
        match work {
            Work::List(dir) => self.list(worker, dir),
            Work::Fetch(batch) => match self.m.sink {
                Sink::Carry(ctx) => self.fetch(worker, ctx, batch),
                Sink::Print(_) => unreachable!("a dry run queues no fetch"),
            },
        }
    }

    /// Lists one directory, queues its subdirectories, and plans it.
    fn list(&self, worker: &mut Worker, dir: Dir) {
        let listed = match walk::list(worker, &self.m.scope, &dir.path) {
            Ok(listed) => listed,
            Err(gap) => return self.tally().gap(dir.path, gap),
        };
        let guarded = self.take_listing(&dir, &listed);
        // Pushed last first: the first subdirectory is listed next.
        for sub in listed.subdirs.iter().rev() {
            let mtime = listed.entries.get(sub).and_then(|e| e.mtime);
            let path = sub.clone();
            self.queue.push_first(Work::List(Dir {
                path,
                mtime,
                guarded,
            }));
        }
        self.plan(worker, &dir, listed, guarded);
    }

    /// Records what a listing says of the run's trust in it; whether nothing in it is a reason
    /// to delete.
    fn take_listing(&self, dir: &Dir, listed: &Listed) -> bool {
        let mut tally = self.tally();
        let mut guarded = dir.guarded || listed.truncated(&dir.path);
        tally.visited.insert(dir.path.clone());
        for (path, gap) in &listed.gaps {
            tally.gap(path.clone(), gap.clone());
        }
        if let Some(name) = listed.reserved.first() {
            tally.reserved.0 += listed.reserved.len();
            let remote = dir.path.remote(self.m.root);
            let example = format!("{}/{name}", remote.trim_end_matches('/'));
            tally.reserved.1.get_or_insert(example);
        }
        if let Some(command) = listed.command {
            tally.listed_with.insert(dir.path.clone(), command);
            let best = tally.best().max(self.m.store.listed_with());
            if let Some(best) = best.filter(|&best| command < best) {
                let remote = dir.path.remote(self.m.root);
                tally.gap(dir.path.clone(), Incomplete::weaker(remote, command, best));
                guarded = true;
            }
        }
        guarded
    }

    /// Plans one listed directory against its local directory and its state, and carries the
    /// plan out or prints it.
    fn plan(&self, worker: &mut Worker, dir: &Dir, listed: Listed, guarded: bool) {
        let (m, job) = (self.m, self.m.job);
        let target = job.target.as_path();
        let mut local = match local::scan_dir(target, &dir.path) {
            Ok(local) => local,
            Err(e) => {
                let what = "reading the local directory";
                return fail(&mut self.outcome(), &dir.path, FailureKind::Local, what, e);
            }
        };
        // Everything below a local directory that is gone from the server goes with it.
        if job.delete && !guarded {
            let gone: Vec<RelPath> = (local.entries.iter())
                .filter(|(p, e)| e.kind == LocalKind::Dir && !listed.entries.contains_key(*p))
                .map(|(p, _)| p.clone())
                .collect();
            for path in gone {
                match local::scan_tree(target, &path) {
                    Ok(below) => {
                        local.entries.extend(below.entries);
                        local.partials.extend(below.partials);
                        local.skipped.extend(below.skipped);
                    }
                    Err(e) => local.skipped.push(format!("{path}: {e}")),
                }
            }
        }
        for warning in &local.skipped {
            log::warn!("{warning}");
        }
        let state = m.store.records(&dir.path).unwrap_or_else(|e| {
            log::warn!("{}: reading its state: {e}", dir.path);
            BTreeMap::new()
        });
        // Once known, the offset is not looked for again in every listing.
        if self.offset.get().is_none() && walk::needs_calibration(&listed.entries) {
            self.offset
                .get_or_init(|| walk::calibrate(worker, m.root, &listed.entries));
        }
        let offset = self.offset.get().copied().flatten();
        let held = || m.store.holds_below(&dir.path);
        let mut entries = listed.entries;
        let plan_with = |entries: &BTreeMap<RelPath, crate::remote::tree::Entry>| {
            plan::diff(&Inputs {
                dir: &dir.path,
                remote: entries,
                guarded,
                unread: &listed.unread,
                offset,
                local: &local.entries,
                state: &state,
                held_files: &held,
                filter: &job.filter,
                last: job.last.as_ref(),
                delete: job.delete,
                allow_empty: job.allow_empty,
                list_keeps: matches!(m.sink, Sink::Print(_)),
                // A conditional GET costs what a HEAD does and saves the second request for a
                // changed file; a dry run must not fetch, so it probes instead.
                revalidate: matches!(m.sink, Sink::Carry(_)) && job.connector.revalidates(),
                max_size: job.max_size,
            })
        };
        let mut plan = plan_with(&entries);
        if !plan.probes.is_empty() {
            walk::probe(worker, m.root, &plan.probes, &mut entries);
            plan = plan_with(&entries);
        }
        let files = local.entries.values();
        let files = files.filter(|e| e.kind == LocalKind::File).count();
        {
            let mut tally = self.tally();
            tally.partials.append(&mut local.partials);
            tally.local_files += files;
            tally.unchanged += plan.unchanged;
            tally.deletes.append(&mut plan.deletes);
        }
        // With include patterns a directory is made only when something is put in it.
        if !job.filter.selects() || !plan.fetches.is_empty() || !plan.links.is_empty() {
            plan.mkdirs = self.ensure(&dir.path);
        }
        // Set at the end on the directory if it is there by then (made for a file below it).
        if let Some(mtime) = dir.mtime {
            self.tally().dir_times.push((dir.path.clone(), mtime));
        }
        match m.sink {
            Sink::Print(printer) => printer.dir(&plan),
            Sink::Carry(ctx) => self.carry(ctx, plan, &state),
        }
    }

    /// Makes `dir` and any parent of it that is missing; returns those it made (for a dry run,
    /// those it would make). A file or link in the way of one is replaced. The tally stays
    /// locked throughout, so that two workers never both make (and count) one directory.
    fn ensure(&self, dir: &RelPath) -> Vec<RelPath> {
        let mut tally = self.tally();
        let mut missing = Vec::new();
        let mut at = Some(dir.clone());
        while let Some(d) = at.filter(|d| !d.is_root() && !tally.known.contains(d)) {
            at = d.parent();
            missing.push(d);
        }
        let target = self.m.job.target.as_path();
        let mut made = Vec::new();
        for d in missing.into_iter().rev() {
            let there = std::fs::symlink_metadata(d.under(target)).is_ok_and(|m| m.is_dir());
            if !there {
                if let Sink::Carry(ctx) = self.m.sink {
                    if let Err(e) = make_dir(target, &d) {
                        let what = "making the directory";
                        fail(&mut self.outcome(), &d, FailureKind::Local, what, e);
                        return made;
                    }
                    self.outcome().made += 1;
                    ctx.progress.say(&format!("+ {d}/"));
                }
                made.push(d.clone());
            }
            tally.known.insert(d);
        }
        made
    }

    /// Carries out one directory's plan: what is local now, the rest queued.
    fn carry(&self, ctx: &Context, plan: Plan, state: &BTreeMap<RelPath, Record>) {
        let mut outcome = Outcome::default();
        super::replace_dirs(&plan.replaced_dirs, ctx, &mut outcome);
        super::make_links(&plan.links, ctx, &mut outcome);
        for skip in &plan.skipped {
            log::warn!("skipping {}: {}", skip.path, skip.reason);
        }
        if let Err(e) = self.m.store.update(&plan.records, &plan.gone) {
            log::warn!("updating the state: {e}");
        }
        self.outcome().append(outcome);
        let planned: Vec<Planned> = (plan.fetches.into_iter())
            .map(|fetch| {
                let since = match fetch.reason {
                    Reason::Revalidate => state.get(&fetch.path).and_then(|r| r.remote.mtime),
                    _ => None,
                };
                Planned {
                    fetch,
                    since: since.map(|m| m.time),
                    id: self.ids.fetch_add(1, Ordering::Relaxed),
                }
            })
            .collect();
        let (last, now): (Vec<_>, Vec<_>) = planned.into_iter().partition(|p| p.fetch.last);
        let bytes = now.iter().filter_map(|p| p.fetch.size).sum();
        ctx.progress.planned(now.len(), bytes);
        self.tally().last.extend(last);
        for batch in into_batches(now) {
            self.waiting.fetch_add(batch.len(), Ordering::Relaxed);
            self.queue.push(Work::Fetch(batch));
        }
    }

    /// The part of a batch a worker takes; the rest goes back to the queue. Batches are made
    /// per directory as listings come, so the sessions take their last ones out of step: each
    /// would end up to a full batch apart. Once every directory is listed, no file comes but
    /// those waiting, and a worker takes no more than its share of them (guided
    /// self-scheduling), so that the sessions end together. Before that, a batch is shared
    /// with the workers that wait for work (they have nothing else to do: a run that fetches
    /// a few files while it lists would otherwise fetch a directory's files one after another).
    fn share(&self, work: Work) -> Work {
        let Work::Fetch(mut batch) = work else {
            return work;
        };
        let waiting = self.waiting.fetch_sub(batch.len(), Ordering::Relaxed);
        let share = match self.queue.urgent_done() {
            true => share_of(waiting, self.workers),
            false => batch.len().div_ceil(self.queue.idle() + 1),
        };
        if batch.len() > share {
            let rest = batch.split_off(share);
            self.waiting.fetch_add(rest.len(), Ordering::Relaxed);
            self.queue.push(Work::Fetch(rest));
        }
        Work::Fetch(batch)
    }

    /// Fetches one batch of files on the worker's session.
    fn fetch(&self, worker: &mut Worker, ctx: &Context, batch: Vec<Planned>) {
        let offset = self.offset.get().copied().flatten();
        let jobs: Vec<commit::Job> = (batch.iter())
            .map(|p| ctx.job(&p.fetch, p.since, offset))
            .collect();
        let wants: Vec<_> = (jobs.iter().zip(&batch))
            .map(|(job, p)| job.want(p.id))
            .collect();
        let mut results = Vec::with_capacity(batch.len());
        for (k, job) in jobs.iter().enumerate() {
            if let Some(session) = worker.current() {
                session.ahead(&wants, k);
            }
            results.push(super::fetch_one(worker, job, &wants[k], ctx));
        }
        // A confirmation still owed comes with the session's next command (see `unconfirmed`).
        let late = worker.out_of_time();
        let mut landed = Vec::new();
        for ((planned, job), result) in batch.iter().zip(&jobs).zip(results) {
            if let Some(bytes) = self.settle(job, result, late) {
                let (id, path) = (planned.id, planned.fetch.path.clone());
                landed.push(Landed { id, path, bytes });
            }
        }
        {
            let mut rings = self.landed.lock().expect("landed lock");
            if rings.len() <= worker.index {
                rings.resize_with(worker.index + 1, VecDeque::new);
            }
            let ring = &mut rings[worker.index];
            ring.extend(landed);
            let over = ring.len().saturating_sub(LANDED);
            ring.drain(..over);
        }
        self.unconfirmed(worker.take_unconfirmed());
    }

    /// Takes back the files whose server did not stand by them after all: whole by their size,
    /// but not kept.
    fn unconfirmed(&self, found: Vec<crate::remote::Unconfirmed>) {
        let Sink::Carry(ctx) = self.m.sink else {
            return;
        };
        for u in found {
            let landed = {
                let mut rings = self.landed.lock().expect("landed lock");
                rings.iter_mut().find_map(|ring| {
                    let at = ring.iter().position(|l| l.id == u.id)?;
                    ring.remove(at)
                })
            };
            let Some(landed) = landed else {
                log::warn!("a transfer the server did not confirm: {}", u.why);
                continue;
            };
            let _ = std::fs::remove_file(landed.path.under(ctx.target));
            ctx.store.forget(&landed.path);
            let mut outcome = self.outcome();
            outcome.fetched -= 1;
            outcome.bytes -= landed.bytes;
            let what = "fetch failed: the server did not confirm it";
            fail(
                &mut outcome,
                &landed.path,
                FailureKind::Unconfirmed,
                what,
                u.why,
            );
        }
    }

    /// What one fetch came to, in the outcome; the bytes of a file put in place.
    fn settle(
        &self,
        job: &commit::Job,
        result: Result<commit::Fetched, commit::Error>,
        late: bool,
    ) -> Option<u64> {
        let f = job.fetch;
        if let Err(e) = &result {
            let mut unfit = self.unfit.lock().expect("unfit lock");
            if unfit.take(&f.path, e, late) {
                return None;
            }
        }
        let mut outcome = self.outcome();
        match result {
            Ok(fetched) if fetched.not_modified => outcome.revalidated += 1,
            Ok(fetched) => {
                outcome.fetched += 1;
                outcome.bytes += fetched.bytes;
                return Some(fetched.bytes);
            }
            Err(e) => fail(&mut outcome, &f.path, e.kind(), "fetch failed", e),
        }
        None
    }

    /// Items no worker took from `queue`: the job ran out of time.
    fn drained(&self, queue: &Queue<Work>) {
        let mut unfit = self.unfit.lock().expect("unfit lock");
        for work in queue.drain() {
            match work {
                Work::List(dir) => {
                    let path = dir.path.remote(self.m.root);
                    let message = format!("cannot list {path}: the job ran out of time");
                    let gap = Incomplete::new(path, Gap::NotListed, message);
                    self.tally().gap(dir.path, gap);
                }
                Work::Fetch(batch) => unfit.late.extend(batch.into_iter().map(|p| p.fetch.path)),
            }
        }
    }

    /// Marks the directories listed with a weaker command than the best of this run and of the
    /// last, which only the end of the run knows, and takes back the deletions below them.
    fn weaker(&self) {
        let mut tally = self.tally();
        let Some(best) = tally.best().max(self.m.store.listed_with()) else {
            return;
        };
        let weaker: Vec<_> = (tally.listed_with.iter())
            .filter(|(_, &command)| command < best)
            .map(|(dir, &command)| (dir.clone(), command))
            .collect();
        for (dir, command) in weaker {
            let remote = dir.remote(self.m.root);
            tally.gap(dir, Incomplete::weaker(remote, command, best));
        }
        let deletes = std::mem::take(&mut tally.deletes);
        tally.deletes = deletes
            .into_iter()
            .filter(|d| !tally.in_gap(&d.path))
            .collect();
    }

    /// Index files (`last`) only once everything they may name is here.
    fn last_files(&self, pool: &mut Pool, ctx: &Context) {
        let last = std::mem::take(&mut self.tally().last);
        if last.is_empty() {
            return;
        }
        let unfit = !self.unfit.lock().expect("unfit lock").is_empty();
        if unfit || !self.outcome().errors.is_empty() {
            let message = format!(
                "{} files marked last not fetched, since other transfers failed",
                last.len()
            );
            log::error!("{message}");
            return self
                .outcome()
                .job_failure(FailureKind::LastNotFetched, message);
        }
        let bytes = last.iter().filter_map(|p| p.fetch.size).sum();
        ctx.progress.planned(last.len(), bytes);
        let queue = Queue::new(into_batches(last).into_iter().map(Work::Fetch));
        pool.run(&queue, &|worker, work| self.work(worker, work));
        self.unconfirmed(pool.take_unconfirmed());
        self.drained(&queue);
    }
}

/// The directories not fully listed, each said once, as failures.
fn listing_failures(tally: &Tally) -> Outcome {
    let mut outcome = Outcome::default();
    for gap in tally.gaps.values() {
        log::error!("{}", gap.message);
        outcome.errors.push(gap.message.clone());
        let failure = Failure::of(&gap.path, FailureKind::Listing, gap.message.clone());
        outcome.failures.push(failure);
        outcome.incomplete.push(gap.clone());
    }
    outcome
}

/// The end of a run: deletions (all or none, and only when every transfer succeeded: `done`
/// holds the transfers' outcome), stale temp files, directory times, the state's rows of
/// directories that are gone, the listing command for the next run; or for a dry run, the
/// deletions printed.
fn finish(m: &March, mut tally: Tally, offset: Offset, done: &mut Outcome, out: &mut Outcome) {
    let limit = m.job.max_delete.map(|max| max.limit(tally.local_files));
    let planned = tally.deletes.len();
    let withheld = plan::withhold(&mut tally.deletes, limit);
    if let Some(withheld) = withheld {
        let none = match m.sink {
            Sink::Print(_) => "a run would do none",
            Sink::Carry(_) => "none done",
        };
        let message = format!(
            "{} deletions planned, over --max-delete {}: {none}",
            withheld.deletes, withheld.limit
        );
        log::error!("{message}");
        out.job_failure(FailureKind::MaxDelete, message);
    }
    plan::deepest_first(&mut tally.deletes);
    if let (n, Some(example)) = &tally.reserved {
        // Normal when mirroring another ftpmirror's target: a note, once per run.
        log::info!(
            "left out {n} remote names reserved for ftpmirror's own state and temp files \
             (such as {example})"
        );
    }
    let ctx = match m.sink {
        Sink::Print(printer) => return printer.finish(&tally.deletes, withheld),
        Sink::Carry(ctx) => ctx,
    };
    match done.errors.is_empty() {
        true => {
            super::delete_all(&tally.deletes, ctx, done);
            for partial in &tally.partials {
                let _ = std::fs::remove_file(partial.under(ctx.target));
            }
        }
        false if !tally.deletes.is_empty() => {
            let message = format!("{planned} deletions not done, since some transfers failed");
            log::error!("{message}");
            done.job_failure(FailureKind::DeletionsNotDone, message);
        }
        false => {}
    }
    for (dir, mtime) in &tally.dir_times {
        let time = crate::plan::time::to_utc(mtime, offset).max(0) as u64;
        let _ = commit::set_mtime(
            &dir.under(ctx.target),
            UNIX_EPOCH + Duration::from_secs(time),
        );
    }
    if let Err(e) = forget_gone_dirs(m.store, &tally) {
        let message = format!("updating the state file: {e}");
        log::error!("{message}");
        done.job_failure(FailureKind::State, message);
    }
    let best = tally.best().or(m.store.listed_with());
    if let Err(e) = m.store.set_listed_with(best) {
        log::warn!("saving the listing command in the state: {e}");
    }
}

/// Forgets the rows of directories the march did not list and nothing kept it from listing:
/// they are gone from the server, or left out by the filter.
fn forget_gone_dirs(store: &Store, tally: &Tally) -> std::io::Result<()> {
    let gone: Vec<String> = (store.dirs()?.into_iter())
        .filter(|dir| match RelPath::parse(dir) {
            Ok(dir) => !tally.visited.contains(&dir) && !tally.in_gap(&dir),
            Err(_) => true,
        })
        .collect();
    store.forget_dirs(&gone)
}

/// A directory the march makes: never through a planted symlink, and replacing a file or link
/// in the way.
fn make_dir(target: &std::path::Path, dir: &RelPath) -> std::io::Result<()> {
    let path = dir.under(target);
    check_parents(target, dir)?;
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if !meta.is_dir() => std::fs::remove_file(&path)?,
        _ => {}
    }
    match std::fs::create_dir(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        result => result,
    }
}

/// The most files of `waiting` (all that wait, the batch taken among them) one of `workers`
/// takes when no more will come: what is left shrinks by a share each time, so the last
/// batches are short and the sessions end close together.
fn share_of(waiting: usize, workers: usize) -> usize {
    waiting.div_ceil(workers.max(1)).max(1)
}

/// One directory's files as batches for the workers (see [`batches`]).
fn into_batches(files: Vec<Planned>) -> Vec<Vec<Planned>> {
    let sizes = files.iter().enumerate();
    let order = batches(
        sizes.map(|(i, p)| (i, p.fetch.size_at_most())),
        MAX_PIPELINE,
    );
    let mut slots: Vec<Option<Planned>> = files.into_iter().map(Some).collect();
    (order.into_iter())
        .map(|batch| batch.into_iter().filter_map(|i| slots[i].take()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::share_of;
    use std::collections::VecDeque;

    /// Workers that start at different times (as when some were listing) take batches of 16
    /// from one queue, a file costing one tick: cut to their share, they end within two ticks
    /// of one another; taken whole, up to a batch apart.
    #[test]
    fn shares_make_the_sessions_end_together() {
        let ends = |cut: bool| {
            let mut queue: VecDeque<usize> = std::iter::repeat_n(16, 12).collect();
            let mut free: Vec<usize> = (0..8).map(|w| w * 5).collect();
            while let Some(mut batch) = queue.pop_front() {
                let waiting = batch + queue.iter().sum::<usize>();
                if cut && batch > share_of(waiting, 8) {
                    queue.push_back(batch - share_of(waiting, 8));
                    batch = share_of(waiting, 8);
                }
                let worker = (0..8).min_by_key(|&w| free[w]).unwrap();
                free[worker] += batch;
            }
            free.iter().max().unwrap() - free.iter().min().unwrap()
        };
        assert!(
            ends(false) >= 10,
            "the whole batches end {} apart",
            ends(false)
        );
        assert!(ends(true) <= 2, "the shares end {} apart", ends(true));
    }

    #[test]
    fn a_share_is_never_empty() {
        assert_eq!(share_of(200, 8), 25);
        assert_eq!(share_of(20, 8), 3);
        assert_eq!(share_of(1, 8), 1);
        assert_eq!(share_of(0, 0), 1);
    }
}
