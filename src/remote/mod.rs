//! The seam between the mirror and the protocols: one logged-in connection to the source behind
//! one interface, whatever the protocol. The march (listings, probes, fetches) sees only what
//! the protocols share: list a directory, tell a file's exact time, fetch a file into the temp
//! file the executor hands over, and send what a batch will need ahead of its turn. Each
//! protocol implements it beside its client (`ftp/adapter.rs`, `http/adapter.rs`); nothing here
//! or in its callers names a protocol but [`ListedWith`], the listing vocabulary the state keeps.
//!
//! Beside the seam: the source URL ([`source`]), the pool of sessions and its workers' retries
//! ([`pool`]), one step of the walk of the remote tree and the probes ([`walk`]), and the entry model a
//! listing becomes ([`tree`]).
//!
//! Invariant: outside `ftp/` and `http/`, only `job::connector` picks a protocol; a remote
//! name becomes a local path only through [`tree::RelPath`].

pub mod pool;
pub mod source;
pub mod tree;
pub mod walk;

use crate::ftp;
use crate::ftp::list::Truncated;
use crate::net::pace::JobEnd;
use crate::remote::source::Source;
use crate::remote::tree::Mtime;
use chrono::NaiveDateTime;
use std::io::{self, Write};
use std::sync::Arc;

/// One listed directory, from whichever protocol.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DirListing {
    pub command: ListedWith,
    /// The listing dialect or index style, when one was recognized.
    pub format: Option<ListFormat>,
    pub entries: Vec<crate::remote::tree::Entry>,
    /// Lines no parser read, or links refused, with the reason.
    pub unread: Vec<String>,
    /// Set when the server cut the listing short: the entries are real, but not all there are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<Truncated>,
    /// Whether a directory is always listed as one. Not so on an index page of no known style:
    /// mini_httpd and hand-made pages link directories without a trailing `/`, so a "file"
    /// there may be a directory (see [`Session::is_dir`]).
    #[serde(skip)]
    pub marks_dirs: bool,
}

/// The command a directory was listed with. Listings of one server rank by how much they show
/// (see [`ListedWith::ranked`]); the state keeps the best one a run used, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ListedWith {
    Ftp(ftp::ListCommand),
    /// An HTTP index page.
    Get,
}

impl ListedWith {
    /// The command, when listings of one server can be ranked by how much they show (an index
    /// page is the only one its server has).
    pub fn ranked(self) -> Option<ListedWith> {
        match self {
            ListedWith::Ftp(_) => Some(self),
            ListedWith::Get => None,
        }
    }
}

impl std::fmt::Display for ListedWith {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListedWith::Ftp(command) => command.fmt(f),
            ListedWith::Get => f.write_str("GET"),
        }
    }
}

impl serde::Serialize for ListedWith {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ListedWith {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ListedWith, D::Error> {
        let name = String::deserialize(d)?;
        let commands = [
            ftp::ListCommand::Nlst,
            ftp::ListCommand::List,
            ftp::ListCommand::ListAll,
            ftp::ListCommand::Mlsd,
        ];
        let known = (commands.into_iter().map(ListedWith::Ftp)).chain([ListedWith::Get]);
        let mut known = known.filter(|listed| listed.to_string() == name);
        known
            .next()
            .ok_or_else(|| serde::de::Error::custom(format!("unknown listing command {name:?}")))
    }
}

/// The format a listing was read in: an FTP listing dialect (`mlsd`, `unix`, `dos`, `eplf`,
/// `os400`, `mvs`, `vms`, `netware`, `os2`) or an index page's style (`nginx`, `apache`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Dialect(ftp::list::Dialect),
    Style(crate::http::index::Style),
}

impl ListFormat {
    pub fn name(self) -> &'static str {
        match self {
            ListFormat::Dialect(dialect) => dialect.name(),
            ListFormat::Style(style) => style.name(),
        }
    }
}

impl serde::Serialize for ListFormat {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A probe's answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Probe {
    pub size: Option<u64>,
    /// UTC, to the second.
    pub mtime: Option<NaiveDateTime>,
}

/// One file to fetch, as the executor hands it to a session.
#[derive(Debug, Clone)]
pub struct Want<'a> {
    /// The march's number for it, unique in the run: how an unconfirmed transfer is
    /// named back ([`Unconfirmed`]).
    pub id: usize,
    /// The absolute remote path.
    pub path: &'a str,
    /// As listed (or completed by a probe).
    pub size: Option<u64>,
    pub mtime: Option<Mtime>,
    /// A revalidation: fetch only if changed since this time (UTC), else [`Got::NotModified`].
    pub since: Option<NaiveDateTime>,
    /// What the temp file of the listed version holds, for a request sent ahead of its turn.
    pub resume: Resume,
}

impl Want<'_> {
    /// The listed time, when it is exact to the second.
    pub fn exact_mtime(&self) -> Option<Mtime> {
        self.mtime.filter(Mtime::is_exact)
    }
}

/// A fetch that brought the whole file, by its size, whose transfer the server then did not
/// confirm (a final reply that was an error, out of step, or never came): it must not be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unconfirmed {
    /// [`Want::id`].
    pub id: usize,
    pub why: String,
}

/// What a temp file kept of an earlier attempt: its length, and the validator of the response
/// it came from (an HTTP resume needs it, or it could splice two versions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resume {
    pub kept: u64,
    pub validator: Option<String>,
}

/// What a fetch brought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Got {
    /// The temp file holds the file: `start` bytes it had kept, `end` bytes in all. `exact` is
    /// the remote time to the second (UTC) when the transfer told it (FTP's MDTM,
    /// `Last-Modified`).
    Body {
        start: u64,
        end: u64,
        exact: Option<i64>,
    },
    /// Unchanged since [`Want::since`] (HTTP 304): nothing written.
    NotModified,
}

/// Which version a temp file's name stands for: the listed one, or the listed one pinned to
/// the exact time the server gave right before the transfer (FTP's MDTM; `None` when it had
/// none), so that a resume never appends another version's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin {
    Listed,
    Exact(Option<i64>),
}

/// The landing refused: the cause (no room, over the listed size, the disk full, a local
/// file error) is held by the landing, which the executor reads.
#[derive(Debug)]
pub struct Refused;

/// The executor's side of one download: the temp file beside the target. A protocol writes the
/// body into it and tells where the body starts; the executor checks, times and renames it.
pub trait Landing: Write {
    /// How many bytes the temp file of this version holds: what a resume may start from.
    fn kept(&mut self, pin: Pin) -> Result<u64, Refused>;
    /// The validator kept beside a temp file that holds bytes (see [`Resume`]).
    fn validator(&self) -> Option<String>;
    /// Opens the temp file for bytes from `from`, cutting it there and claiming room for the
    /// rest. Called again to start over from 0 (a server that refuses a resume).
    fn open(&mut self, from: u64) -> Result<(), Refused>;
    /// The answer is in, before its body: the body starts at `start` (0: what the file held
    /// goes), `length` more bytes are announced, `validator` is kept for a later resume.
    fn begin(&mut self, start: u64, length: Option<u64>, validator: Option<&str>)
        -> io::Result<()>;
    /// After a failed transfer: `Refused` when the landing itself was the cause (it keeps it);
    /// otherwise the bytes received are kept for a resume.
    fn failed(&mut self) -> Option<Refused>;
    /// The bytes are not this file's: the temp file and its validator go.
    fn discard(&mut self);
}

/// One logged-in connection to the source, owned by one worker of the pool and reused for every
/// listing, probe and file it takes.
pub trait Session: Send {
    /// The directory relative source paths start from (FTP: where the login put us).
    fn login_dir(&self) -> &str {
        "/"
    }

    /// The entries of the directory at absolute `path`, and the lines or links not understood.
    fn list_dir(&mut self, path: &str) -> Result<DirListing, Error>;

    /// What one round trip tells of a file the listing left unclear: its time to the second
    /// and, where the protocol says, its size.
    fn probe(&mut self, path: &str) -> Result<Probe, Error>;

    /// Whether the path at absolute `path`, listed as a file by a listing that does not mark
    /// directories ([`DirListing::marks_dirs`]), is a directory.
    fn is_dir(&mut self, _path: &str) -> Result<bool, Error> {
        Ok(false)
    }

    /// Before the `at`-th of `paths` is asked with [`Session::is_dir`] on this session: the
    /// later ones' questions may go out ahead of their turn. A hint, as [`Session::ahead`].
    fn kinds_ahead(&mut self, _paths: &[String], _at: usize) {}

    /// Before the `at`-th file of `batch` is fetched on this session: what later files of the
    /// batch need may go out ahead of their turn. A hint: what fails is done in turn instead.
    fn ahead(&mut self, _batch: &[Want], _at: usize) {}

    /// Downloads `want` into `landing`, telling `progress` each chunk's length.
    fn fetch(
        &mut self,
        want: &Want,
        landing: &mut dyn Landing,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Got, Error>;

    /// Fetches found unconfirmed so far. A confirmation still owed is not waited for: it is
    /// read with the next command, or by [`Session::settle`].
    fn take_unconfirmed(&mut self) -> Vec<Unconfirmed> {
        Vec::new()
    }

    /// Reads the confirmations still owed (a session about to wait, or to close).
    fn settle(&mut self) {}

    /// Closes politely.
    fn quit(self: Box<Self>) {}
}

/// How to open one more session to a source: one per protocol, beside its client.
pub trait Dial: Send + Sync {
    fn open(&self, end: JobEnd) -> Result<Box<dyn Session>, Error>;

    /// A file the listing tells nothing of is fetched with a conditional request rather than
    /// probed first (it costs what a probe does, and saves a second request when it changed).
    fn revalidates(&self) -> bool {
        false
    }
}

/// Everything needed to open one more session.
#[derive(Clone)]
pub struct Connector {
    pub source: Source,
    dial: Arc<dyn Dial>,
    end: JobEnd,
}

impl Connector {
    pub fn new(source: Source, dial: Arc<dyn Dial>) -> Connector {
        Connector {
            source,
            dial,
            end: JobEnd::default(),
        }
    }

    /// These settings, with every wait of every session bounded by the job's `end`.
    pub fn ending(mut self, end: JobEnd) -> Connector {
        self.end = end;
        self
    }

    pub fn open(&self) -> Result<Box<dyn Session>, Error> {
        self.dial.open(self.end)
    }

    /// See [`Dial::revalidates`].
    pub fn revalidates(&self) -> bool {
        self.dial.revalidates()
    }
}

/// How a step with the server failed, as the pool and the executor act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A reset, an end of stream or a timeout: worth a retry, the connection is gone.
    Io { timed_out: bool },
    /// The server is busy or failed for now (FTP 4xx, HTTP 408, 429, 5xx): worth a retry.
    Busy,
    /// The server refused (a permanent reply, a certificate): not retried.
    Refused,
    /// The server broke the protocol: not retried, the connection is gone.
    Protocol,
    /// The session was already unusable before the step: trying it again on a new session does
    /// not count as another attempt.
    Stale,
    /// The landing refused (see [`Refused`]): the cause is the executor's, never retried.
    Local,
}

/// A failure of a step with the server, whichever the protocol.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl Error {
    pub fn new(kind: Kind, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
        Error {
            kind,
            source: source.into(),
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Worth a retry on a fresh connection.
    pub fn is_transient(&self) -> bool {
        matches!(self.kind, Kind::Io { .. } | Kind::Busy | Kind::Stale)
    }

    /// See [`Kind::Stale`].
    pub fn is_stale(&self) -> bool {
        self.kind == Kind::Stale
    }

    /// The connection is no longer usable after it.
    pub fn breaks_session(&self) -> bool {
        matches!(self.kind, Kind::Io { .. } | Kind::Protocol | Kind::Stale)
    }

    /// A wait ran out (as the job's end makes waits in flight do).
    pub fn timed_out(&self) -> bool {
        self.kind == (Kind::Io { timed_out: true })
    }
}

impl From<Refused> for Error {
    fn from(_: Refused) -> Error {
        Error::new(Kind::Local, "the local temp file refused the download")
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.source.fmt(f)
    }
}

/// The message is the protocol error's own, so its cause is that error's cause.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.source()
    }
}

/// An I/O error's kind at the seam.
pub fn io_kind(e: &io::Error) -> Kind {
    Kind::Io {
        timed_out: crate::net::pace::is_timeout(e),
    }
}
