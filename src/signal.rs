//! SIGTERM and SIGINT (systemd's stop, a shutdown, Ctrl-C). The first one ends the run the way
//! `--job-timeout` does: [`crate::pace::JobEnd`] counts it as the job's end, so no new work
//! starts, waits in flight end after the grace, every file done is kept and the state saved;
//! the run then reports "interrupted" and exits 143 or 130 (128 + the signal, as shells do). A
//! second signal exits at once, as a user pressing Ctrl-C twice means.

use crate::error::Exit;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::sync::OnceLock;
use std::time::Instant;

/// Which signal stopped the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Term,
    Int,
}

impl Stop {
    pub fn exit(self) -> Exit {
        match self {
            Stop::Term => Exit::Terminated,
            Stop::Int => Exit::Interrupted,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stop::Term => "SIGTERM",
            Stop::Int => "SIGINT",
        }
    }
}

static STOP: OnceLock<(Stop, Instant)> = OnceLock::new();

/// Catches SIGTERM and SIGINT from now on, on a thread of their own.
pub fn install() -> std::io::Result<()> {
    let mut signals = Signals::new([SIGTERM, SIGINT])?;
    std::thread::spawn(move || {
        for number in signals.forever() {
            let stop = match number {
                SIGINT => Stop::Int,
                _ => Stop::Term,
            };
            if STOP.set((stop, Instant::now())).is_err() {
                std::process::exit(stop.exit() as i32);
            }
            log::warn!(
                "{}: stopping once the transfers in flight end; a second signal stops at once",
                stop.name()
            );
        }
    });
    Ok(())
}

/// The signal that stopped the run, if one came.
pub fn stopped() -> Option<Stop> {
    STOP.get().map(|(stop, _)| *stop)
}

/// When the run was told to stop, if it was.
pub fn stopped_at() -> Option<Instant> {
    STOP.get().map(|(_, at)| *at)
}
