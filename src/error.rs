//! The program's error: what failed, in which step, and the exit code it maps to.

use crate::session;
use std::fmt;
use std::process::ExitCode;

/// Exit codes, documented in `man/ftpmirror.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exit {
    Success = 0,
    /// Some files or directories failed; the rest was done.
    Partial = 1,
    /// Bad flags, URL or configuration.
    Usage = 2,
    /// Nothing was done: the server could not be reached or refused the login.
    NothingDone = 3,
    /// Another run holds the target's lock.
    Locked = 4,
    /// Stopped by SIGINT (Ctrl-C): what was done is kept and saved.
    #[serde(rename = "interrupted")]
    Interrupted = 130,
    /// Stopped by SIGTERM (systemd's stop, a shutdown): what was done is kept and saved.
    #[serde(rename = "interrupted")]
    Terminated = 143,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

#[derive(Debug)]
pub enum Error {
    /// A bad flag, URL or setting.
    Usage(String),
    /// Connecting or logging in failed.
    Connect {
        server: String,
        source: session::Error,
    },
    /// A step with the server failed; `context` says which.
    Remote {
        context: String,
        source: session::Error,
    },
    /// A local file operation failed.
    Io {
        context: String,
        source: std::io::Error,
    },
    /// Another run holds the target's lock.
    Locked(String),
    /// What the plan would write does not fit on the target's filesystem: nothing was written.
    NoRoom(String),
}

impl Error {
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage(_) => Exit::Usage,
            Error::Connect { .. } => Exit::NothingDone,
            Error::Remote { .. } | Error::Io { .. } | Error::NoRoom(_) => Exit::Partial,
            Error::Locked(_) => Exit::Locked,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) => write!(f, "{m}"),
            Error::Connect { server, source } => write!(f, "{server}: {source}"),
            Error::Remote { context, source } => write!(f, "{context}: {source}"),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Locked(m) | Error::NoRoom(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}
