//! SIGTERM and SIGINT (systemd's stop, a shutdown, Ctrl-C). The first one ends the run the way
//! `--job-timeout` does: [`crate::net::pace::JobEnd`] counts it as the job's end, so no new work
//! starts, waits in flight end after the grace, every file done is kept and the state saved;
//! the run then reports "interrupted" and exits 143 or 130 (128 + the signal, as shells do). A
//! second signal exits at once, as a user pressing Ctrl-C twice means.

use crate::app::error::Exit;
pub use crate::net::pace::stopped;
use crate::net::pace::{self, Stop};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

impl Stop {
    pub fn exit(self) -> Exit {
        match self {
            Stop::Term => Exit::Terminated,
            Stop::Int => Exit::Interrupted,
        }
    }
}

/// Catches SIGTERM and SIGINT from now on, on a thread of their own.
pub fn install() -> std::io::Result<()> {
    let mut signals = Signals::new([SIGTERM, SIGINT])?;
    std::thread::spawn(move || {
        for number in signals.forever() {
            let stop = match number {
                SIGINT => Stop::Int,
                _ => Stop::Term,
            };
            if !pace::stop(stop) {
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
