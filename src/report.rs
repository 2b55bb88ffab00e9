//! The end-of-run summary line.

use crate::exec::Outcome;
use crate::plan::render::human_bytes;
use std::time::Duration;

pub fn summary(outcome: &Outcome, unchanged: usize, elapsed: Duration) -> String {
    let mut line = format!(
        "{} files fetched ({}), {} made, {} deleted, {unchanged} unchanged in {:.1}s",
        outcome.fetched,
        human_bytes(outcome.bytes),
        outcome.made,
        outcome.deleted,
        elapsed.as_secs_f64()
    );
    if !outcome.errors.is_empty() {
        line += &format!("; {} errors", outcome.errors.len());
    }
    line
}
