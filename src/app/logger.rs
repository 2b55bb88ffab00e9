//! Messages. On stderr: warnings always (with `-q` only those that need action, logged with
//! the target [`ACTION`]), notes with `-v`, the protocol trace with `-vv`. A warning that every
//! connection or file would meet is said once per run (`net::trace`). With `--log-file`,
//! also a timestamped line per note, warning, error and change, in the file, whatever the
//! console shows. The trace never shows a password: commands are masked before they are
//! logged. While a job of `ftpmirror run` runs, every line names it (`debian: ...`); in the
//! log file, the lines of `ftpmirror mirror` name it `mirror`.

use log::{Level, LevelFilter, Log, Metadata, Record};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

/// The log target of warnings that ask the operator to act (a corrupt state file, a password
/// that others can read): `-q` shows them, as cron should mail them.
pub const ACTION: &str = "ftpmirror::action";

struct Logger {
    console: LevelFilter,
    file: OnceLock<Mutex<File>>,
    job: Mutex<Option<Job>>,
}

/// The job that runs now.
struct Job {
    name: String,
    /// Whether console lines name it too: they need not when the run has one job.
    on_console: bool,
}

static LOGGER: OnceLock<Logger> = OnceLock::new();

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.target().starts_with("ftpmirror")
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let acts = record.level() == Level::Warn && record.target() == ACTION;
        if record.level() <= self.console || acts {
            let tag = self.console_tag();
            match record.level() {
                Level::Error => eprintln!("ftpmirror: error: {tag}{}", record.args()),
                Level::Warn => eprintln!("ftpmirror: warning: {tag}{}", record.args()),
                _ => eprintln!("{tag}{}", record.args()),
            }
        }
        if record.level() <= Level::Info {
            self.to_file(&format!(
                "{} {}{}",
                record.level(),
                self.file_tag(),
                record.args()
            ));
        }
    }

    fn flush(&self) {}
}

impl Logger {
    fn console_tag(&self) -> String {
        match &*self.job.lock().expect("job lock") {
            Some(job) if job.on_console => format!("{}: ", job.name),
            _ => String::new(),
        }
    }

    fn file_tag(&self) -> String {
        match &*self.job.lock().expect("job lock") {
            Some(job) => format!("{}: ", job.name),
            None => String::new(),
        }
    }

    fn to_file(&self, line: &str) {
        if let Some(file) = self.file.get() {
            let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
            let _ = writeln!(file.lock().expect("log file lock"), "{now} {line}");
        }
    }
}

/// Installs the logger for `-q` (errors and warnings that need action), default (warnings),
/// `-v` and `-vv`.
pub fn init(verbose: u8, quiet: bool) {
    let console = match (quiet, verbose) {
        (true, _) => LevelFilter::Error,
        (false, 0) => LevelFilter::Warn,
        (false, 1) => LevelFilter::Info,
        _ => LevelFilter::Debug,
    };
    let logger = LOGGER.get_or_init(|| Logger {
        console,
        file: OnceLock::new(),
        job: Mutex::new(None),
    });
    if log::set_logger(logger).is_ok() {
        log::set_max_level(console.max(LevelFilter::Warn));
    }
}

/// Appends every note, warning, error and change to `path` from now on.
pub fn open_file(path: &Path) -> std::io::Result<()> {
    let file = File::options().create(true).append(true).open(path)?;
    if let Some(logger) = LOGGER.get() {
        let _ = logger.file.set(Mutex::new(file));
        log::set_max_level(log::max_level().max(LevelFilter::Info));
    }
    Ok(())
}

/// A line for the log file only (the console got it some other way): a change, a summary.
pub fn note(line: &str) {
    if let Some(logger) = LOGGER.get() {
        logger.to_file(&format!("{}{line}", logger.file_tag()));
    }
}

/// Lines name the job `name` from now on; on the console too when `on_console`.
pub fn start_job(name: &str, on_console: bool) {
    if let Some(logger) = LOGGER.get() {
        *logger.job.lock().expect("job lock") = Some(Job {
            name: name.to_string(),
            on_console,
        });
    }
}

/// `job: ` for a line printed on the console while a job of `run` runs; else nothing.
pub fn console_tag() -> String {
    LOGGER.get().map(Logger::console_tag).unwrap_or_default()
}
