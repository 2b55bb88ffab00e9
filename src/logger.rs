//! Messages. On stderr: warnings always (unless `-q`), notes with `-v`, the protocol trace with
//! `-vv`. With `--log-file`, also a timestamped line per note, warning, error and change, in the
//! file, whatever the console shows. The trace never shows a password: commands are masked
//! before they are logged.

use log::{Level, LevelFilter, Log, Metadata, Record};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

struct Logger {
    console: LevelFilter,
    file: OnceLock<Mutex<File>>,
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
        if record.level() <= self.console {
            match record.level() {
                Level::Error => eprintln!("ftpmirror: error: {}", record.args()),
                Level::Warn => eprintln!("ftpmirror: warning: {}", record.args()),
                _ => eprintln!("{}", record.args()),
            }
        }
        if record.level() <= Level::Info {
            self.to_file(&format!("{} {}", record.level(), record.args()));
        }
    }

    fn flush(&self) {}
}

impl Logger {
    fn to_file(&self, line: &str) {
        if let Some(file) = self.file.get() {
            let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
            let _ = writeln!(file.lock().expect("log file lock"), "{now} {line}");
        }
    }
}

/// Installs the logger for `-q` (errors only), default (warnings), `-v` and `-vv`.
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
    });
    if log::set_logger(logger).is_ok() {
        log::set_max_level(console);
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
        logger.to_file(line);
    }
}
