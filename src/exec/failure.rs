//! What failed in a run, one entry per path (or per cause for the job as a whole), typed so that
//! the summary JSON can say which path and what kind of failure, beside the lines logged.

use serde::Serialize;

/// One failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Relative to the target (files, links, directories), or the remote directory (listings);
    /// absent for what concerns the job as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub kind: Kind,
    pub message: String,
}

/// What kind of failure, as the summary JSON names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A remote directory not fully listed: failed, cut short, not reached, or read with a
    /// weaker command.
    Listing,
    /// The server failed or refused the transfer.
    Fetch,
    /// Whole by its size, but the server did not confirm the transfer: not kept.
    Unconfirmed,
    /// The server sent another number of bytes than it listed.
    Size,
    /// No room for it above the reserve (`--min-free`), or over `--max-size`.
    NoRoom,
    /// The disk filled up during or before it.
    DiskFull,
    /// The job's time ran out (`--job-timeout`, a stopping signal).
    OutOfTime,
    /// A local file operation failed (a directory, a link, a deletion, a rename).
    Local,
    /// Files marked `last` not fetched, since other transfers failed.
    LastNotFetched,
    /// Deletions not done, since some transfers failed.
    DeletionsNotDone,
    /// More deletions planned than `--max-delete` allows: none done.
    MaxDelete,
    /// The state file could not be saved.
    State,
    /// The job stopped before any transfer (see its exit).
    Job,
}

impl Failure {
    pub fn of(path: impl ToString, kind: Kind, message: String) -> Failure {
        Failure {
            path: Some(path.to_string()),
            kind,
            message,
        }
    }

    pub fn job(kind: Kind, message: String) -> Failure {
        Failure {
            path: None,
            kind,
            message,
        }
    }
}
