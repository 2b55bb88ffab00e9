//! What a run tells at its end: a summary line per job (only when something changed or failed,
//! or with `-v`), and with `--summary-json` one JSON document for monitoring.

use crate::app::error::Exit;
use crate::exec::Outcome;
use crate::plan::render::human_bytes;
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// One job's result.
#[derive(Debug, Serialize)]
pub struct JobReport {
    pub name: String,
    /// The source URL, password removed.
    pub source: String,
    pub target: String,
    /// When the job started, RFC 3339 UTC.
    pub started: String,
    pub duration_seconds: f64,
    pub exit: Exit,
    pub exit_code: u8,
    pub fetched: usize,
    pub bytes: u64,
    pub made: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub errors: Vec<String>,
    /// What failed, one entry per path (or per cause for the job as a whole), typed.
    pub failures: Vec<crate::exec::failure::Failure>,
    /// Remote directories that were not fully listed (failed, cut short by the server, read
    /// with a weaker command): nothing below them was deleted.
    pub incomplete: Vec<crate::remote::walk::Incomplete>,
}

pub fn summary(outcome: &Outcome, unchanged: usize, elapsed: Duration) -> String {
    let mut line = format!(
        "{} files fetched ({}), {} made, {} deleted, {unchanged} unchanged in {:.1}s",
        outcome.fetched,
        human_bytes(outcome.bytes),
        outcome.made,
        outcome.deleted,
        elapsed.as_secs_f64()
    );
    match outcome.errors.len() {
        0 => {}
        1 => line += "; 1 error",
        n => line += &format!("; {n} errors"),
    }
    line
}

/// The exit's name as the JSON summary gives it (`partial`, `interrupted`, ...).
pub fn exit_name(exit: Exit) -> String {
    match serde_json::to_value(exit) {
        Ok(serde_json::Value::String(name)) => name,
        _ => unreachable!("an exit serializes as its name"),
    }
}

/// Writes the reports as `{"jobs": [...]}` through a temp file and a rename, so a monitor never
/// reads half a document.
pub fn write_json(path: &Path, jobs: &[JobReport]) -> std::io::Result<()> {
    #[derive(Serialize)]
    struct Document<'a> {
        jobs: &'a [JobReport],
    }
    let text = serde_json::to_string_pretty(&Document { jobs }).expect("plain data serializes");
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    std::fs::write(&temp, text + "\n")?;
    std::fs::rename(&temp, path)
}
