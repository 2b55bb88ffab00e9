//! `--limit-rate`: one budget of bytes per second shared by every connection. Each chunk a
//! worker receives is counted; a worker that is ahead of the budget sleeps until it is not.

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Limiter {
    bytes_per_second: u64,
    /// When counting started, and the bytes counted since.
    counted: Mutex<(Instant, u64)>,
}

impl Limiter {
    pub fn new(bytes_per_second: u64) -> Limiter {
        Limiter {
            bytes_per_second: bytes_per_second.max(1),
            counted: Mutex::new((Instant::now(), 0)),
        }
    }

    /// Counts `n` bytes and sleeps while the total is ahead of the rate.
    pub fn take(&self, n: u64) {
        let wait = {
            let mut counted = self.counted.lock().expect("limiter lock");
            counted.1 += n;
            let due = Duration::from_secs_f64(counted.1 as f64 / self.bytes_per_second as f64);
            due.saturating_sub(counted.0.elapsed())
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_ahead_of_the_budget_waits() {
        let limiter = Limiter::new(1000);
        let started = Instant::now();
        limiter.take(100);
        assert!(started.elapsed() >= Duration::from_millis(90));
    }
}
