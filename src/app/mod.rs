//! The commands: each from resolved arguments to an exit code, and the pipeline's steps in order
//! for one job: lock, list, scan, diff, then render or execute, then report ([`report`]). Also
//! `ls` ([`ls`]), the exit codes and the program's error ([`error`]), the log ([`logger`]) and
//! the stopping signals ([`signal`]).
//!
//! Invariant: each exit code means one thing (ftpmirror(1), EXIT STATUS).

pub mod error;
pub mod logger;
pub mod ls;
pub mod report;
pub mod signal;

use crate::app::error::{Error, Exit};
use crate::exec::failure::Kind as FailureKind;
use crate::exec::march::{self, March, Sink};
use crate::exec::progress::{Mode, Progress};
use crate::exec::{self, rate::Limiter, Outcome};
use crate::job::cli::{Cli, Command, LsArgs, MirrorArgs, RunArgs, RunOptions};
use crate::job::config;
use crate::job::settings::Settings;
use crate::job::{self, Job};
use crate::local::space::Space;
use crate::local::state::{self, Store};
use crate::local::{lock, target};
use crate::net::pace::JobEnd;
use crate::plan::render::{human_bytes, Printer};
use crate::remote;
use crate::remote::pool::Pool;
use crate::remote::source::Source;
use crate::remote::tree::RelPath;
use crate::remote::walk;
use clap::Parser;
use report::JobReport;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// How much to say.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub verbose: u8,
    pub quiet: bool,
}

/// `ftpmirror ls`.
pub fn ls(args: LsArgs) -> Result<Exit, Error> {
    let source = Source::parse(&args.url).map_err(Error::Usage)?;
    let connector = job::connector(&source, &args.connection.settings())?;
    let mut session = connector.open().map_err(|e| connect_error(&source, e))?;
    let root = source.root(session.login_dir());
    let exit = ls::run(&mut *session, &root, args.recursive, args.format)?;
    session.quit();
    Ok(exit)
}

/// `ftpmirror mirror`: one job from the command line.
pub fn mirror(args: MirrorArgs, out: Output) -> Result<Exit, Error> {
    let run = args.run.clone();
    let job = Job::resolve("mirror", args.settings().map_err(Error::Usage)?, &run)?;
    run_jobs(vec![job], &run, out)
}

/// `ftpmirror run`: jobs from a job file. Every job is resolved before any runs, so a bad
/// setting in one stops the run before it touches anything.
pub fn run(args: RunArgs, out: Output) -> Result<Exit, Error> {
    let path = args
        .config
        .or_else(|| config::find(|k| std::env::var(k).ok(), Path::exists))
        .ok_or_else(|| {
            Error::Usage(
                "no job file: give -c FILE or create mirror.toml (see mirror.toml(5))".into(),
            )
        })?;
    let file = config::load(&path).map_err(Error::Usage)?;
    let selected = file.select(&args.jobs).map_err(Error::Usage)?;
    if args.check {
        return Ok(check(&path, selected, &args.run));
    }
    let jobs = selected
        .into_iter()
        .map(|(name, settings)| Job::resolve(&name, settings, &args.run))
        .collect::<Result<Vec<_>, _>>()?;
    distinct_targets(&jobs)?;
    run_jobs(jobs, &args.run, out)
}

/// Whether no two jobs share a target or a state directory: their locks, states and deletions
/// would collide.
fn distinct_targets(jobs: &[Job]) -> Result<(), Error> {
    for (i, job) in jobs.iter().enumerate() {
        let shared = |what: &str, path: &Path, other: &Job| {
            Error::Usage(format!(
                "jobs {} and {} share the {what} {}: each job needs its own",
                other.name,
                job.name,
                path.display()
            ))
        };
        if let Some(other) = jobs[..i].iter().find(|o| o.target == job.target) {
            return Err(shared("target", &job.target, other));
        }
        if let Some(other) = jobs[..i].iter().find(|o| o.state_dir == job.state_dir) {
            return Err(shared("state directory", &job.state_dir, other));
        }
    }
    Ok(())
}

/// `ftpmirror run --check`: every selected job resolved as a run would resolve it, and its
/// target looked at, connecting to nothing and changing nothing. Every job's problem is said,
/// not only the first.
fn check(path: &Path, selected: Vec<(String, Settings)>, run: &RunOptions) -> Exit {
    let mut jobs = Vec::new();
    let mut exits = Vec::new();
    for (name, settings) in selected {
        let job = Job::resolve(&name, settings, run)
            .and_then(|job| target::prepare(&job.target, job.mkdir, true).map(|()| job));
        match job {
            Ok(job) => {
                println!(
                    "{name}: ready: {} into {}",
                    job.source,
                    job.target.display()
                );
                jobs.push(job);
            }
            Err(e) => {
                log::error!("{name}: {e}");
                exits.push(e.exit());
            }
        }
    }
    if let Err(e) = distinct_targets(&jobs) {
        log::error!("{e}");
        exits.push(e.exit());
    }
    let exit = Exit::worst(exits);
    if exit == Exit::Success {
        println!("{}: every job is ready", path.display());
    }
    exit
}

/// Runs the jobs one after another; the exit code is the worst of theirs. After a stopping
/// signal no job starts, but each is reported, so a monitor sees what did not run.
fn run_jobs(jobs: Vec<Job>, run: &RunOptions, out: Output) -> Result<Exit, Error> {
    if let Some(path) = &run.log_file {
        crate::app::logger::open_file(path)
            .map_err(|e| Error::Usage(format!("cannot open log file {}: {e}", path.display())))?;
    }
    let reports: Vec<JobReport> = jobs.iter().map(|job| run_job(job, out)).collect();
    if let Some(path) = &run.summary_json {
        report::write_json(path, &reports).map_err(|source| Error::Io {
            context: format!("writing {}", path.display()),
            source,
        })?;
    }
    Ok(Exit::worst(reports.iter().map(|r| r.exit)))
}

fn run_job(job: &Job, out: Output) -> JobReport {
    let started_at = chrono::Utc::now();
    let started = Instant::now();
    let source = job.source.to_string();
    crate::app::logger::start_job(&job.name, job.name != "mirror");
    crate::app::logger::note(&format!(
        "start {source} -> {}{}",
        job.target.display(),
        if job.dry_run.is_some() {
            " (dry run)"
        } else {
            ""
        }
    ));
    let mut unchanged = 0;
    let result = match signal::stopped() {
        Some(stop) => Ok(Outcome::failed(
            FailureKind::Job,
            format!("not started: the run was stopped by {}", stop.name()),
        )),
        None => mirror_job(job, out, &mut unchanged),
    };
    let (mut exit, outcome) = match result {
        Ok(outcome) if outcome.errors.is_empty() => (Exit::Success, outcome),
        Ok(outcome) => (Exit::Partial, outcome),
        Err(e) => {
            log::error!("{e}");
            (e.exit(), Outcome::failed(FailureKind::Job, e.to_string()))
        }
    };
    // Whatever the job got to, a signal during it is what ended it.
    if let Some(stop) = signal::stopped() {
        exit = stop.exit();
    }
    let summary = report::summary(&outcome, unchanged + outcome.revalidated, started.elapsed());
    crate::app::logger::note(&format!(
        "end: {summary}; exit {} ({})",
        report::exit_name(exit),
        exit as u8
    ));
    let changed = outcome.fetched + outcome.made + outcome.deleted > 0;
    if job.dry_run.is_none() && !out.quiet && (changed || exit != Exit::Success || out.verbose > 0)
    {
        println!("{}{summary}", crate::app::logger::console_tag());
    }
    JobReport {
        name: job.name.clone(),
        source,
        target: job.target.display().to_string(),
        started: started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        duration_seconds: started.elapsed().as_secs_f64(),
        exit,
        exit_code: exit as u8,
        fetched: outcome.fetched,
        bytes: outcome.bytes,
        made: outcome.made,
        deleted: outcome.deleted,
        unchanged: unchanged + outcome.revalidated,
        errors: outcome.errors,
        failures: outcome.failures,
        incomplete: outcome.incomplete,
    }
}

/// One job: everything from the lock to the state file.
fn mirror_job(job: &Job, out: Output, unchanged: &mut usize) -> Result<Outcome, Error> {
    let deadline = job.job_timeout.map(|t| Instant::now() + t);
    let dry_run = job.dry_run.is_some();
    target::prepare(&job.target, job.mkdir, dry_run)?;
    let _lock = match dry_run {
        true => None,
        false => Some(lock::acquire(
            &job.state_dir,
            &job.target,
            (job.wait_lock).map(|w| JobEnd(deadline).bound(w).unwrap_or_default()),
        )?),
    };
    let store = match dry_run {
        true => Store::peek(&job.state_dir),
        false => Store::open(&job.state_dir),
    };
    let state_file = state::path(&job.state_dir);
    let store = store.map_err(|e| Error::target("cannot read the state file", &state_file, e))?;
    let space = Space::new(&job.target, job.min_free, job.max_size)
        .map_err(|e| Error::target("cannot read the free space of", &job.target, e))?;
    let connector = job.connector.clone().ending(JobEnd(deadline));
    let mut pool = Pool::open(connector, job.connections, job.retry)
        .map_err(|e| connect_error(&job.source, e))?;
    pool.set_deadline(JobEnd(deadline));
    let root = job.source.root(pool.login_dir());
    let target = job.target.as_path();
    let settled = |path: &RelPath| {
        store.holds(path)
            && std::fs::symlink_metadata(path.under(target)).is_ok_and(|m| m.is_file())
    };
    let scope = walk::Scope {
        root: &root,
        filter: &job.filter,
        settled: &settled,
    };
    let workers = pool.workers();
    let mut march = |sink: Sink| {
        let march = March {
            job,
            root: &root,
            store: &store,
            scope,
            sink,
        };
        march::run(&mut pool, &march).map_err(|root| Error::SourceUnlisted(root.message))
    };
    let marched = match job.dry_run {
        Some(format) => {
            let room = space
                .room()
                .map_err(|e| Error::target("cannot read the free space of", target, e))?;
            let header = job_header(job);
            let printer = Printer::new(format, &job.name, &header, out.verbose > 0, room).map_err(
                |source| Error::Io {
                    context: "making a temp file for the plan".into(),
                    source,
                },
            )?;
            let marched = march(Sink::Print(&printer));
            marched.and_then(|marched| fits(&printer, &space, target).map(|()| marched))
        }
        None => {
            // 0 is no cap, as for wget and rclone: a job can lift the defaults' cap.
            let limiter = job
                .limit_rate
                .filter(|rate| rate.0 > 0)
                .map(|rate| Limiter::new(rate.0));
            let mode = match (out.quiet, std::io::stderr().is_terminal()) {
                (true, _) => Mode::Quiet,
                (false, true) => Mode::Bars,
                (false, false) => Mode::Lines,
            };
            let progress = Progress::new(mode, workers);
            let ctx = exec::Context {
                target,
                store: &store,
                root: &root,
                limiter: limiter.as_ref(),
                space: &space,
                progress: &progress,
            };
            let marched = march(Sink::Carry(&ctx));
            progress.finish();
            marched
        }
    };
    pool.close();
    let marched = marched?;
    *unchanged = marched.unchanged;
    Ok(marched.outcome)
}

/// The line that names a job of `run` before its plan; nothing for `mirror`, whose one plan
/// needs no name.
fn job_header(job: &Job) -> String {
    match job.name.as_str() {
        "mirror" => String::new(),
        name => format!("{name}: plan for {}\n", job.target.display()),
    }
}

/// Whether a dry run's plan fits on the target's filesystem above the reserve. A real run
/// fetches what fits (each file claims its room before its first byte) and says what did not;
/// a file that cannot fit alone is left out of the sum, as the real run refuses only it. A
/// rounded size (`20K`) counts as the most it can stand for.
fn fits(printer: &Printer, space: &Space, target: &Path) -> Result<(), Error> {
    let (need, room) = printer.need();
    if need <= room {
        return Ok(());
    }
    Err(Error::NoRoom(format!(
        "the plan writes {} but the filesystem of {} has {} free above the {} kept free \
         (--min-free): a run would fetch what fits and stop",
        human_bytes(need),
        target.display(),
        human_bytes(room),
        human_bytes(space.reserve())
    )))
}

fn connect_error(source: &Source, e: remote::Error) -> Error {
    Error::Connect {
        server: format!("{}:{}", source.host, source.port),
        source: e,
    }
}

/// The `ftpmirror` command: parses the arguments, runs, returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    logger::init(cli.verbose, cli.quiet);
    if let Err(e) = signal::install() {
        log::warn!("cannot catch SIGTERM and SIGINT ({e}): a stop will not save the state");
    }
    let out = Output {
        verbose: cli.verbose,
        quiet: cli.quiet,
    };
    let result = match cli.command {
        Command::Mirror(args) => mirror(*args, out),
        Command::Run(args) => run(args, out),
        Command::Ls(args) => ls(args),
        Command::Completions(args) => {
            let mut cli = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cli, "ftpmirror", &mut std::io::stdout());
            Ok(Exit::Success)
        }
    };
    let exit = result.unwrap_or_else(|e| {
        log::error!("{e}");
        e.exit()
    });
    // A stop cut whatever the command was doing short: its code says so, not the cut's.
    signal::stopped().map_or(exit, |stop| stop.exit()).into()
}
