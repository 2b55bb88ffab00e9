//! The session pool: N workers, each owning one session (a logged-in FTP control connection or
//! a keep-alive HTTP connection) that it reuses for every listing, probe and file it takes.
//!
//! All sessions are opened at once before anything else, so their logins overlap and a run
//! that cannot connect or log in stops with nothing done. Sessions the server refuses are left
//! out; a worker whose session cannot be reopened later bows out and the others carry on. A
//! transient failure drops the session, waits with exponential backoff, reconnects and tries
//! again.

use crate::net::pace::JobEnd;
use crate::remote::{Connector, Error, Session, Unconfirmed};
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// How often and how patiently to retry a transient failure.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts in all, the first included.
    pub tries: u32,
    pub first_delay: Duration,
}

impl Retry {
    /// Exponential, capped at a minute, with up to 50% jitter so workers do not retry in step.
    fn delay(&self, attempt: u32) -> Duration {
        let base = self
            .first_delay
            .saturating_mul(1 << attempt.min(16))
            .min(Duration::from_secs(60));
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .subsec_nanos();
        base + base.mul_f64(f64::from(nanos % 500) / 1000.0)
    }
}

/// Work that workers take one item at a time, and may add to (the march finds directories and
/// files). It ends when it is empty and no worker is busy, since only a busy worker can add
/// more.
///
/// Two lanes: urgent items ([`Queue::push_first`], last in first out: the march's listings,
/// so that the walk goes deep first and keeps few directories waiting) and the others
/// ([`Queue::push`], first in first out: the march's transfers). While both wait, up to `share`
/// workers at once take urgent items and the others take the rest, so that transfers start
/// with the first listing and listings keep coming; an idle worker takes whatever waits. When
/// more than `backlog` of the others wait, they go first, so that what waits stays bounded.
pub struct Queue<T> {
    state: Mutex<Lanes<T>>,
    changed: Condvar,
    backlog: usize,
    share: usize,
}

/// Which lane an item was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lane {
    First,
    Rest,
}

struct Lanes<T> {
    first: Vec<T>,
    rest: VecDeque<T>,
    /// Items taken and not done, all lanes.
    busy: usize,
    /// Of them, urgent ones.
    busy_first: usize,
    /// Workers waiting for an item.
    idle: usize,
}

impl<T> Lanes<T> {
    fn take(&mut self, backlog: usize, share: usize) -> Option<(T, Lane)> {
        let first = match (self.first.is_empty(), self.rest.is_empty()) {
            (true, true) => return None,
            (false, true) => true,
            (true, false) => false,
            (false, false) => self.rest.len() <= backlog && self.busy_first < share,
        };
        let (item, lane) = match first {
            true => (self.first.pop()?, Lane::First),
            false => (self.rest.pop_front()?, Lane::Rest),
        };
        self.busy += 1;
        self.busy_first += usize::from(lane == Lane::First);
        Some((item, lane))
    }

    fn is_empty(&self) -> bool {
        self.first.is_empty() && self.rest.is_empty()
    }
}

impl<T> Queue<T> {
    pub fn new(items: impl IntoIterator<Item = T>) -> Queue<T> {
        Queue::shared(items, usize::MAX, usize::MAX)
    }

    /// A queue whose urgent lane gets at most `share` workers while other items wait, and
    /// none while more than `backlog` of them wait.
    pub fn shared(items: impl IntoIterator<Item = T>, share: usize, backlog: usize) -> Queue<T> {
        let lanes = Lanes {
            first: Vec::new(),
            rest: items.into_iter().collect(),
            busy: 0,
            busy_first: 0,
            idle: 0,
        };
        Queue {
            state: Mutex::new(lanes),
            changed: Condvar::new(),
            backlog,
            share,
        }
    }

    pub fn push(&self, item: T) {
        self.state.lock().expect("queue lock").rest.push_back(item);
        self.changed.notify_one();
    }

    /// Adds an urgent item: taken before the others (the last one added first).
    pub fn push_first(&self, item: T) {
        self.state.lock().expect("queue lock").first.push(item);
        self.changed.notify_one();
    }

    /// The next item if one is there now.
    fn try_pop(&self) -> Option<(T, Lane)> {
        let mut state = self.state.lock().expect("queue lock");
        state.take(self.backlog, self.share)
    }

    /// The next item, waiting while other workers may still add some; `None` when all is done.
    fn pop(&self) -> Option<(T, Lane)> {
        let mut state = self.state.lock().expect("queue lock");
        loop {
            if let Some(item) = state.take(self.backlog, self.share) {
                return Some(item);
            }
            if state.busy == 0 {
                self.changed.notify_all();
                return None;
            }
            state.idle += 1;
            state = self.changed.wait(state).expect("queue lock");
            state.idle -= 1;
        }
    }

    /// Whether no urgent item waits or is being worked on: the march has listed every
    /// directory, so no more items come but those already waiting.
    pub fn urgent_done(&self) -> bool {
        let state = self.state.lock().expect("queue lock");
        state.first.is_empty() && state.busy_first == 0
    }

    /// Workers waiting for an item: one pushed now is taken at once.
    pub fn idle(&self) -> usize {
        self.state.lock().expect("queue lock").idle
    }

    /// The items no worker took (the job ran out of time).
    pub fn drain(&self) -> Vec<T> {
        let mut state = self.state.lock().expect("queue lock");
        let mut items: Vec<T> = state.first.drain(..).collect();
        items.extend(state.rest.drain(..));
        items
    }

    fn done(&self, lane: Lane) {
        let mut state = self.state.lock().expect("queue lock");
        state.busy -= 1;
        state.busy_first -= usize::from(lane == Lane::First);
        if state.busy == 0 && state.is_empty() {
            self.changed.notify_all();
        }
    }
}

/// The sessions of one run.
pub struct Pool {
    connector: Connector,
    retry: Retry,
    sessions: Vec<Option<Box<dyn Session>>>,
    /// Workers that could not open a session are not started again in later phases.
    refused: Vec<bool>,
    login_dir: String,
    /// No worker takes a new item after this (`--job-timeout`, a stopping signal).
    deadline: JobEnd,
    /// Fetches whose server never confirmed them, from every session.
    unconfirmed: Mutex<Vec<Unconfirmed>>,
}

impl Pool {
    /// Opens all sessions at once, so their logins overlap. Sessions the server refuses (a
    /// `421 Too many connections`) are left out and the run goes on with fewer; only when none
    /// opens is it an error.
    pub fn open(connector: Connector, size: usize, retry: Retry) -> Result<Pool, Error> {
        let opened: Vec<Result<Box<dyn Session>, Error>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..size.max(1))
                .map(|_| scope.spawn(|| connector.open()))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a login thread panicked"))
                .collect()
        });
        let mut sessions: Vec<Option<Box<dyn Session>>> = Vec::new();
        let mut refusal = None;
        for (index, result) in opened.into_iter().enumerate() {
            match result {
                Ok(session) => sessions.push(Some(session)),
                Err(e) if refusal.is_none() => refusal = Some((index, e)),
                Err(_) => {}
            }
        }
        let Some(first) = sessions.first().and_then(Option::as_ref) else {
            return Err(refusal.expect("no session means a refusal").1);
        };
        if let Some((index, e)) = refusal {
            log::warn!(
                "{}: connection {} refused ({e}); going on with {}",
                connector.source.host,
                index + 1,
                sessions.len()
            );
        }
        let login_dir = first.login_dir().to_string();
        Ok(Pool {
            connector,
            retry,
            refused: vec![false; sessions.len()],
            sessions,
            login_dir,
            deadline: JobEnd::default(),
            unconfirmed: Mutex::new(Vec::new()),
        })
    }

    pub fn set_deadline(&mut self, deadline: JobEnd) {
        self.deadline = deadline;
    }

    /// Fetches found unconfirmed and not taken by a worker yet.
    pub fn take_unconfirmed(&mut self) -> Vec<Unconfirmed> {
        std::mem::take(self.unconfirmed.get_mut().expect("unconfirmed lock"))
    }

    /// Workers that run: sessions not refused.
    pub fn workers(&self) -> usize {
        self.refused.iter().filter(|r| !**r).count()
    }

    /// The directory the first session was put in at login.
    pub fn login_dir(&self) -> &str {
        &self.login_dir
    }

    /// Runs `work` on every item of `queue`, on all workers at once; returns the results in the
    /// order they were finished.
    pub fn run<T: Send, R: Send>(
        &mut self,
        queue: &Queue<T>,
        work: &(dyn Fn(&mut Worker, T) -> R + Sync),
    ) -> Vec<R> {
        let results = Mutex::new(Vec::new());
        let (connector, retry, deadline) = (&self.connector, self.retry, self.deadline);
        let unconfirmed = &self.unconfirmed;
        let in_time = move || !deadline.over();
        std::thread::scope(|scope| {
            for (index, (slot, refused)) in
                self.sessions.iter_mut().zip(&mut self.refused).enumerate()
            {
                if *refused {
                    continue;
                }
                let results = &results;
                scope.spawn(move || {
                    let mut worker = Worker {
                        slot,
                        connector,
                        retry,
                        index,
                        unconfirmed,
                        deadline,
                    };
                    // The first worker stays to the end, so every item gets an answer even when
                    // no connection can be had any more.
                    if let Err(e) = worker.session().map(drop).or_else(|e| match index {
                        0 => Ok(()),
                        _ => Err(e),
                    }) {
                        log::warn!(
                            "{}: connection {} refused ({e}); going on with fewer",
                            connector.source.host,
                            index + 1
                        );
                        *refused = true;
                        return;
                    }
                    while in_time() {
                        // Before waiting for more work, the confirmations owed for finished
                        // transfers are read: the wait may outlast the job's time, and a
                        // confirmation read too late leaves a whole file unconfirmed.
                        let Some((item, lane)) = queue.try_pop().or_else(|| {
                            worker.collect();
                            queue.pop()
                        }) else {
                            break;
                        };
                        let result = work(&mut worker, item);
                        results.lock().expect("results lock").push(result);
                        // Another worker may take an urgent item now.
                        queue.done(lane);
                    }
                    worker.collect();
                });
            }
        });
        results.into_inner().expect("results lock")
    }

    /// Closes every session politely.
    pub fn close(self) {
        for session in self.sessions.into_iter().flatten() {
            session.quit();
        }
    }
}

/// One worker's view: its session, reopened as needed.
pub struct Worker<'a> {
    slot: &'a mut Option<Box<dyn Session>>,
    connector: &'a Connector,
    retry: Retry,
    pub index: usize,
    /// Fetches whose server never confirmed them, from every session.
    unconfirmed: &'a Mutex<Vec<Unconfirmed>>,
    /// No retry waits past this (`--job-timeout`, a stopping signal).
    deadline: JobEnd,
}

impl Worker<'_> {
    /// Keeps what the session knows of unconfirmed transfers, then drops it.
    fn drop_session(&mut self) {
        self.collect();
        *self.slot = None;
    }

    /// Reads the confirmations this worker's session still owes, and keeps what it found.
    fn collect(&mut self) {
        if let Some(session) = self.slot.as_mut() {
            session.settle();
        }
        self.gather();
    }

    fn gather(&mut self) {
        if let Some(session) = self.slot.as_mut() {
            let found = session.take_unconfirmed();
            let mut unconfirmed = self.unconfirmed.lock().expect("unconfirmed lock");
            unconfirmed.extend(found);
        }
    }

    /// The fetches found unconfirmed so far by any session, taken. A confirmation still owed
    /// is not waited for: it is read with the session's next command, which costs no round
    /// trip, or before the session waits for work, or at its end.
    pub fn take_unconfirmed(&mut self) -> Vec<Unconfirmed> {
        self.gather();
        std::mem::take(&mut *self.unconfirmed.lock().expect("unconfirmed lock"))
    }

    fn in_time(&self) -> bool {
        !self.deadline.over()
    }

    /// Whether the job's time is up.
    pub fn out_of_time(&self) -> bool {
        self.deadline.over()
    }

    /// This worker's session as it is, if it has one open: no connecting, no retries.
    pub fn current(&mut self) -> Option<&mut (dyn Session + 'static)> {
        self.slot.as_deref_mut()
    }

    fn session(&mut self) -> Result<&mut (dyn Session + 'static), Error> {
        if self.slot.is_none() {
            *self.slot = Some(self.connector.open()?);
        }
        Ok(self.slot.as_deref_mut().expect("just opened"))
    }

    /// Runs `step` once on this worker's session, with no retry: for a check whose failure
    /// costs only a guess (a retry per entry with backoff could cost hours).
    pub fn once<R>(
        &mut self,
        step: impl FnOnce(&mut (dyn Session + 'static)) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let result = self.session().and_then(step);
        if result.as_ref().is_err_and(Error::breaks_session) {
            self.drop_session();
        }
        result
    }

    /// Runs `step` on this worker's session. A transient failure (I/O, timeout, 4xx) drops the
    /// session, waits, reconnects and tries again, up to the retry limit; `what` names the step
    /// in messages.
    pub fn attempt<R>(
        &mut self,
        what: &str,
        mut step: impl FnMut(&mut (dyn Session + 'static)) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let mut attempt = 0;
        let mut stale_retried = false;
        loop {
            let result = self.session().and_then(&mut step);
            match result {
                Err(e) if e.is_stale() && !stale_retried => {
                    log::info!("{what}: {e}; again on a new session");
                    self.drop_session();
                    stale_retried = true;
                }
                Err(e) if e.is_transient() && attempt + 1 < self.retry.tries && self.in_time() => {
                    log::info!("{what}: {e}; retrying");
                    self.drop_session();
                    if !self.deadline.sleep(self.retry.delay(attempt)) {
                        return Err(e);
                    }
                    attempt += 1;
                }
                Err(e) => {
                    if e.breaks_session() {
                        self.drop_session();
                    }
                    return Err(e);
                }
                Ok(value) => return Ok(value),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_ends_only_when_empty_and_idle() {
        let queue = Queue::new([3u32]);
        let seen = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    while let Some((n, lane)) = queue.pop() {
                        if n > 0 {
                            queue.push(n - 1);
                            queue.push(n - 1);
                        }
                        seen.lock().unwrap().push(n);
                        queue.done(lane);
                    }
                });
            }
        });
        assert_eq!(seen.into_inner().unwrap().len(), 15);
    }

    #[test]
    fn urgent_items_get_their_share_of_workers_unless_the_others_pile_up() {
        let queue = Queue::shared([1, 2, 3, 4], 1, 3);
        queue.push_first(10);
        queue.push_first(11);
        let mut lanes = queue.state.lock().unwrap();
        let mut take = || lanes.take(3, 1).map(|(item, _)| item);
        // Four others wait, over the backlog of three: one of them first.
        assert_eq!(take(), Some(1));
        // Then one worker on the urgent lane (the last pushed first), the next on the rest.
        assert_eq!(take(), Some(11));
        assert_eq!(take(), Some(2));
        assert_eq!(take(), Some(3));
        lanes.busy_first = 0;
        let mut take = || lanes.take(3, 1).map(|(item, _)| item);
        assert_eq!(
            take(),
            Some(10),
            "its worker is done: the urgent lane's turn"
        );
        assert_eq!([take(), take()], [Some(4), None]);
    }

    #[test]
    fn urgent_work_is_done_only_when_none_waits_or_runs() {
        let queue = Queue::shared([1], 1, 8);
        assert!(queue.urgent_done());
        queue.push_first(2);
        assert!(!queue.urgent_done(), "one waits");
        let mut lanes = queue.state.lock().unwrap();
        assert_eq!(lanes.take(8, 1), Some((2, Lane::First)));
        drop(lanes);
        assert!(!queue.urgent_done(), "one runs");
        queue.done(Lane::First);
        assert!(queue.urgent_done());
    }

    #[test]
    fn workers_waiting_for_an_item_are_idle() {
        let queue = Queue::new([1]);
        let (item, lane) = queue.pop().unwrap();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| queue.pop().map(|(n, _)| n));
            while queue.idle() == 0 {
                std::thread::yield_now();
            }
            queue.push(item + 1);
            assert_eq!(waiter.join().unwrap(), Some(2));
        });
        assert_eq!(queue.idle(), 0);
        queue.done(lane);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let retry = Retry {
            tries: 3,
            first_delay: Duration::from_secs(1),
        };
        let d0 = retry.delay(0);
        assert!(d0 >= Duration::from_secs(1) && d0 < Duration::from_millis(1500));
        assert!(retry.delay(3) >= Duration::from_secs(8));
        assert!(retry.delay(30) <= Duration::from_secs(90));
    }
}
