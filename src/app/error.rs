//! The program's error: what failed, in which step, and the exit code it maps to.

use crate::remote;
use std::fmt;
use std::process::ExitCode;

/// Exit codes, documented in `man/ftpmirror.1` (EXIT STATUS) and the README. Each means one
/// thing, so that a cron wrapper or a monitor can act on the number alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exit {
    Success = 0,
    /// Some files or directories failed; the rest was done.
    Partial = 1,
    /// Bad flags, URL or configuration: nothing was done.
    Usage = 2,
    /// Nothing was done: the server could not be reached, refused the login, or the source
    /// directory could not be listed.
    NothingDone = 3,
    /// Another run holds the target's lock.
    Locked = 4,
    /// Nothing was done: the target cannot be used (not a directory, a missing parent, not
    /// writable, its lock or state unreadable, no room for the plan).
    TargetUnusable = 5,
    /// Stopped by SIGINT (Ctrl-C): what was done is kept and saved.
    #[serde(rename = "interrupted")]
    Interrupted = 130,
    /// Stopped by SIGTERM (systemd's stop, a shutdown): what was done is kept and saved.
    #[serde(rename = "interrupted")]
    Terminated = 143,
}

impl Exit {
    /// From the mildest to the worst. A held lock is mildest: another run is doing the work.
    /// Part done is better than nothing done; a server that is down may come back by itself,
    /// a target that cannot be used needs someone on this machine, and a bad setting stops
    /// every run until the job is fixed.
    fn severity(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Locked => 1,
            Exit::Partial => 2,
            Exit::NothingDone => 3,
            Exit::TargetUnusable => 4,
            Exit::Usage => 5,
            // A run that was stopped says so above all: what it would have done is unknown.
            Exit::Interrupted => 6,
            Exit::Terminated => 7,
        }
    }

    /// The worst of `exits` (success for none): what `run` exits with.
    pub fn worst(exits: impl IntoIterator<Item = Exit>) -> Exit {
        exits
            .into_iter()
            .max_by_key(|e| e.severity())
            .unwrap_or(Exit::Success)
    }
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
        source: remote::Error,
    },
    /// The source directory itself could not be listed: there is nothing to mirror.
    SourceUnlisted(String),
    /// A step with the server failed; `context` says which.
    Remote {
        context: String,
        source: remote::Error,
    },
    /// The target cannot be used, found before anything was written to it.
    Target(String),
    /// A local file operation failed after the work was done (the summary file).
    Io {
        context: String,
        source: std::io::Error,
    },
    /// Another run holds the target's lock.
    Locked(String),
    /// What a dry run's plan would write does not fit on the target's filesystem.
    NoRoom(String),
}

impl Error {
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage(_) => Exit::Usage,
            Error::Connect { .. } | Error::SourceUnlisted(_) => Exit::NothingDone,
            Error::Remote { .. } | Error::Io { .. } => Exit::Partial,
            Error::Target(_) | Error::NoRoom(_) => Exit::TargetUnusable,
            Error::Locked(_) => Exit::Locked,
        }
    }

    /// A local I/O failure on the target, before anything was written to it.
    pub fn target(what: &str, path: &std::path::Path, e: std::io::Error) -> Error {
        Error::Target(format!("{what} {}: {e}", path.display()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Connect { server, source } => write!(f, "{server}: {source}"),
            Error::Remote { context, source } => write!(f, "{context}: {source}"),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Usage(m)
            | Error::SourceUnlisted(m)
            | Error::Target(m)
            | Error::Locked(m)
            | Error::NoRoom(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Connect { source, .. } | Error::Remote { source, .. } => Some(source),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_exits_with_the_worst_of_its_jobs() {
        use Exit::*;
        assert_eq!(Exit::worst([]), Success);
        assert_eq!(Exit::worst([Success, Locked]), Locked);
        assert_eq!(Exit::worst([Locked, Partial, Success]), Partial);
        assert_eq!(Exit::worst([Partial, NothingDone]), NothingDone);
        assert_eq!(Exit::worst([TargetUnusable, NothingDone]), TargetUnusable);
        assert_eq!(Exit::worst([Usage, TargetUnusable, Locked]), Usage);
    }
}
