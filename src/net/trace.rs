//! What the clients tell the log besides their errors: a name for each connection, so the
//! trace lines of connections at work at once can be told apart, and warnings said once per
//! run however many connections meet them.

use std::collections::BTreeSet;
use std::sync::Mutex;

/// A warning said once per run however many connections, files or jobs meet it: later ones
/// with the same message are dropped.
macro_rules! warn_once {
    ($($arg:tt)+) => {
        $crate::net::trace::say_once(&format!($($arg)+))
    };
}

pub(crate) use warn_once;

/// The name of one connection in the trace (`[c3]`): numbered in the order they were opened,
/// so the lines of connections that work at once can be told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnId(usize);

impl ConnId {
    pub fn next() -> ConnId {
        static OPENED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        ConnId(OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1)
    }
}

impl std::fmt::Display for ConnId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[c{}]", self.0)
    }
}

/// Logs `message` as a warning unless this run already did; see `warn_once!`.
pub fn say_once(message: &str) {
    static SAID: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    if SAID.lock().expect("said lock").insert(message.to_string()) {
        log::warn!("{message}");
    }
}
