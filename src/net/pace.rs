//! Bounds on slow servers and on the job. A socket's read timeout ends a silent server, but not
//! one that sends a byte every few hundred milliseconds: [`Deadline`] bounds the time to read a
//! whole reply or head, and [`Pace`] ends a transfer that moves less than [`MIN_BYTES`] in a
//! whole timeout. [`JobEnd`] bounds every wait by the time left to the job (`--job-timeout`, or
//! a SIGTERM or SIGINT: see [`stop`]).

use std::io::{self, BufRead, Read, Write};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// When the job must be over (`--job-timeout`), if ever; a stopping signal ends it then too,
/// whatever the timeout. Every wait in flight is bounded by the time left to it: a connect, a
/// socket read or write (see `tls::Stream`). Waits get [`GRACE`] more, so that a transfer's
/// confirmation already on its way is still read: a file renamed into place whose `226` is lost
/// would be removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobEnd(pub Option<Instant>);

/// How long past the job's end a wait in flight may still take.
pub const GRACE: Duration = Duration::from_secs(2);

impl JobEnd {
    /// The job's end: its timeout's or the stopping signal's, whichever came first.
    pub fn end(&self) -> Option<Instant> {
        match (self.0, stopped_at()) {
            (Some(timeout), Some(signal)) => Some(timeout.min(signal)),
            (timeout, signal) => timeout.or(signal),
        }
    }

    /// Whether the job's end has come: no new work starts.
    pub fn over(&self) -> bool {
        self.end().is_some_and(|end| Instant::now() >= end)
    }

    /// Sleeps for `wait`; `false`, and no longer, when the job ends before the wait is over.
    pub fn sleep(&self, wait: Duration) -> bool {
        // A signal comes unannounced: the sleep looks for it every tenth of a second.
        const LOOK: Duration = Duration::from_millis(100);
        let until = Instant::now() + wait;
        loop {
            if self.end().is_some_and(|end| end <= until) {
                return false;
            }
            match until.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => std::thread::sleep(left.min(LOOK)),
                _ => return true,
            }
        }
    }

    /// The time a wait may still take, `None` without an end; `TimedOut` once it is over.
    pub fn left(&self) -> io::Result<Option<Duration>> {
        let Some(end) = self.end() else {
            return Ok(None);
        };
        match (end + GRACE).checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => Ok(Some(left)),
            _ => Err(out_of_time()),
        }
    }

    /// `wait`, or the time left if that is shorter; `TimedOut` once the end has passed.
    pub fn bound(&self, wait: Duration) -> io::Result<Duration> {
        Ok(self.left()?.map_or(wait, |left| left.min(wait)))
    }
}

/// What bounds a connection's waits: the socket timeout its reads and writes were given
/// (`--timeout`), and the job's end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bounds {
    pub idle: Duration,
    pub end: JobEnd,
}

/// The error of a wait cut by the job's end.
pub fn out_of_time() -> io::Error {
    let why = match stopped() {
        Some(stop) => format!("interrupted by {}", stop.name()),
        None => "the job ran out of time".into(),
    };
    io::Error::new(io::ErrorKind::TimedOut, why)
}

/// Less than this in one timeout period is a stalled transfer, however steadily it drips.
pub const MIN_BYTES: u64 = 1024;

/// Whether a failed wait ran out of time: a socket timeout reads as `WouldBlock` on Unix,
/// `TimedOut` elsewhere and from [`JobEnd`].
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A reader that fails with `TimedOut` once `until` has passed.
pub struct Deadline<R> {
    inner: R,
    until: Instant,
}

impl<R> Deadline<R> {
    pub fn new(inner: R, within: Duration) -> Deadline<R> {
        Deadline {
            inner,
            until: Instant::now() + within,
        }
    }

    fn check(&self) -> io::Result<()> {
        match Instant::now() > self.until {
            true => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the server answers too slowly",
            )),
            false => Ok(()),
        }
    }
}

impl<R: Read> Read for Deadline<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.check()?;
        self.inner.read(buf)
    }
}

impl<R: BufRead> BufRead for Deadline<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.check()?;
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount)
    }
}

/// Counts a transfer's bytes per period of `timeout`; a period with less than [`MIN_BYTES`]
/// ends it.
pub struct Pace {
    period: Duration,
    started: Instant,
    bytes: u64,
}

impl Pace {
    pub fn new(period: Duration) -> Pace {
        Pace {
            period,
            started: Instant::now(),
            bytes: 0,
        }
    }

    /// Counts `n` more bytes; an error when the period that just ended moved too little.
    pub fn moved(&mut self, n: u64) -> io::Result<()> {
        self.bytes += n;
        if self.started.elapsed() < self.period {
            return Ok(());
        }
        if self.bytes < MIN_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "transfer stalled: {} bytes in {}s",
                    self.bytes,
                    self.period.as_secs()
                ),
            ));
        }
        *self = Pace::new(self.period);
        Ok(())
    }
}

/// Copies at most `limit` bytes, reporting each chunk to `progress`, and fails a transfer that
/// moves less than [`MIN_BYTES`] in a `period`. Stops at `limit`, so the caller can tell an
/// oversized stream (it returned `limit`) from a complete one.
pub fn copy(
    from: &mut dyn Read,
    to: &mut dyn Write,
    limit: u64,
    period: Duration,
    progress: &mut dyn FnMut(u64),
) -> io::Result<u64> {
    let mut buf = vec![0; 256 * 1024];
    let mut pace = Pace::new(period);
    let mut total = 0u64;
    while total < limit {
        let room = usize::try_from(limit - total)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = match from.read(&mut buf[..room]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&buf[..n])?;
        total += n as u64;
        pace.moved(n as u64)?;
        progress(n as u64);
    }
    Ok(total)
}

/// Which signal stopped the run (see `app/signal.rs`, which catches them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Term,
    Int,
}

impl Stop {
    pub fn name(self) -> &'static str {
        match self {
            Stop::Term => "SIGTERM",
            Stop::Int => "SIGINT",
        }
    }
}

static STOP: OnceLock<(Stop, Instant)> = OnceLock::new();

/// The run is told to stop now; `false` when it was already.
pub fn stop(stop: Stop) -> bool {
    STOP.set((stop, Instant::now())).is_ok()
}

/// The signal that stopped the run, if one came.
pub fn stopped() -> Option<Stop> {
    STOP.get().map(|(stop, _)| *stop)
}

/// When the run was told to stop, if it was.
pub fn stopped_at() -> Option<Instant> {
    STOP.get().map(|(_, at)| *at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_stops_at_the_limit() {
        let mut out = Vec::new();
        let mut seen = 0;
        let n = copy(
            &mut &b"abcdef"[..],
            &mut out,
            4,
            Duration::from_secs(60),
            &mut |k| seen += k,
        )
        .unwrap();
        assert_eq!((n, seen, out.as_slice()), (4, 4, &b"abcd"[..]));
    }

    #[test]
    fn a_passed_deadline_fails_reads() {
        let mut late = Deadline::new(&b"data"[..], Duration::ZERO);
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(late.fill_buf().unwrap_err().kind(), io::ErrorKind::TimedOut);
        let mut early = Deadline::new(&b"data"[..], Duration::from_secs(60));
        assert_eq!(early.fill_buf().unwrap(), b"data");
    }

    #[test]
    fn a_job_end_bounds_every_wait() {
        let none = JobEnd(None);
        assert_eq!(
            none.bound(Duration::from_secs(60)).unwrap(),
            Duration::from_secs(60)
        );
        let soon = JobEnd(Some(Instant::now() + Duration::from_secs(5)));
        assert!(soon.bound(Duration::from_secs(60)).unwrap() <= Duration::from_secs(5) + GRACE);
        assert_eq!(
            soon.bound(Duration::from_secs(1)).unwrap(),
            Duration::from_secs(1)
        );
        let past = JobEnd(Some(Instant::now() - GRACE));
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(past.left().unwrap_err().kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn a_dripping_transfer_stalls_and_a_steady_one_does_not() {
        let mut drip = Pace::new(Duration::from_millis(20));
        drip.moved(1).unwrap();
        std::thread::sleep(Duration::from_millis(25));
        assert!(drip.moved(1).is_err());
        let mut steady = Pace::new(Duration::from_millis(20));
        std::thread::sleep(Duration::from_millis(25));
        steady.moved(MIN_BYTES).unwrap();
    }
}
