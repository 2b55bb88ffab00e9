//! What both clients stand on: TLS ([`tls`]: a connection in clear or in TLS whose every wait
//! looks at the clock), the job's pace ([`pace`]: its end, bounded copies, stalls), and the
//! trace's vocabulary ([`trace`]: connection names, warnings said once), and the one way to
//! open a connection ([`connect`]).
//!
//! Invariant: every wait on a socket is bounded by the read timeout and the job's end.

pub mod connect;
pub mod pace;
pub mod tls;
pub mod trace;
