//! One file from the server to its place, the protocol-free half of a download: the temp file
//! beside the target (the [`Landing`] a session writes into), resumed only when it came from
//! the same remote version, capped at the listed size and within the room the disk has; then
//! checked against the listed size, given the remote time, and renamed over the target. A crash
//! at any point leaves the target as it was.
//!
//! The temp file's name is derived from the remote version (size, time, unique id), as rclone
//! ties partial files to their source: a temp file of another version has another name, so it
//! is never appended to, and is cleaned up at the end of the run. A session may pin the version
//! further (FTP's MDTM right before the transfer), and keep a validator beside the temp file
//! (HTTP's strong ETag or Last-Modified) to resume on.

use crate::local::partial_file;
use crate::local::space::{self, Shortage, Space, Watched};
use crate::local::state::{LocalMeta, Record};
use crate::plan::time::{to_utc, Offset};
use crate::plan::Fetch;
use crate::remote::tree::{Mtime, Precision, Zone};
use crate::remote::{self, Got, Landing, Pin, Refused, Resume};
use chrono::NaiveDateTime;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where one fetch goes.
pub struct Job<'a> {
    pub fetch: &'a Fetch,
    /// The target's filesystem: what the download may take of it.
    pub space: &'a Space,
    pub remote_path: String,
    /// The final local path; its parent directories were checked to be real directories.
    pub local_path: PathBuf,
    pub offset: Offset,
    /// For a revalidation: the time (UTC) the local copy's version carries; the fetch is
    /// conditional on a change since.
    pub since: Option<NaiveDateTime>,
}

impl<'a> Job<'a> {
    /// The file as a session is asked for it; `id` names it back (see [`remote::Want::id`]).
    pub fn want(&self, id: usize) -> remote::Want<'_> {
        let f = self.fetch;
        remote::Want {
            id,
            path: &self.remote_path,
            size: f.size,
            mtime: f.mtime,
            since: self.since,
            resume: self.resume(),
        }
    }

    /// What the temp file of the listed version holds, and the validator kept beside it.
    fn resume(&self) -> Resume {
        let temp = temp_path(self, Pin::Listed);
        let kept = resumable(&temp, self.fetch.size).unwrap_or(0);
        let validator = (kept > 0)
            .then(|| fs::read_to_string(validator_path(&temp)).ok())
            .flatten();
        Resume { kept, validator }
    }
}

/// A finished fetch.
pub struct Fetched {
    pub record: Record,
    pub bytes: u64,
    /// The server said the file has not changed (`304`): nothing was written.
    pub not_modified: bool,
}

/// Why a fetch failed: the server's side, or ours (local disk), which retrying will not cure.
#[derive(Debug)]
pub enum Error {
    Remote(remote::Error),
    Local(String, io::Error),
    /// The server sent a different number of bytes than it listed.
    Size {
        listed: u64,
        got: u64,
    },
    /// Not written: over `--max-size`, or no room for it above the reserve.
    Space(Shortage),
    /// A write failed for want of space (ENOSPC): no new transfer starts.
    DiskFull(io::Error),
    /// Not started: the disk had filled up.
    NotStarted,
}

impl Error {
    /// Its kind, as the summary JSON names it.
    pub fn kind(&self) -> super::failure::Kind {
        use super::failure::Kind;
        match self {
            Error::Remote(_) => Kind::Fetch,
            Error::Local(..) => Kind::Local,
            Error::Size { .. } => Kind::Size,
            Error::Space(_) => Kind::NoRoom,
            Error::DiskFull(_) | Error::NotStarted => Kind::DiskFull,
        }
    }

    /// Whether a wait ran out, as the job's end makes waits in flight do.
    pub fn timed_out(&self) -> bool {
        match self {
            Error::Remote(e) => e.timed_out(),
            Error::Local(_, e) => crate::net::pace::is_timeout(e),
            _ => false,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Remote(e) => write!(f, "{e}"),
            Error::Local(what, e) => write!(f, "{what}: {e}"),
            Error::Size { listed, got } => {
                write!(
                    f,
                    "the server sent {got} bytes of a file it listed as {listed}"
                )
            }
            Error::Space(shortage) => write!(f, "not written: {shortage}"),
            Error::DiskFull(e) => write!(f, "the disk is full: {e}"),
            Error::NotStarted => write!(f, "not started: the disk had filled up"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Remote(e) => e.source(),
            Error::Local(_, e) | Error::DiskFull(e) => Some(e),
            _ => None,
        }
    }
}

/// The temp file of a download, written within the room the disk has (see `space.rs`) and
/// never past the listed size.
type TempFile<'a> = Capped<Watched<'a, BufWriter<File>>>;

/// The temp file of one attempt at one file, as a session writes into it. What refuses the
/// download (no room, over the listed size, the disk full, a file error) is kept here, with
/// its temp file gone where its bytes are worthless.
pub struct TempLanding<'a, 'r> {
    job: &'a Job<'a>,
    temp: PathBuf,
    out: Option<TempFile<'a>>,
    /// Told the bytes the download starts from, at its first opening.
    resumed: Option<&'r mut dyn FnMut(u64)>,
    failure: Option<Error>,
}

impl<'a, 'r> TempLanding<'a, 'r> {
    pub fn new(job: &'a Job<'a>, resumed: &'r mut dyn FnMut(u64)) -> TempLanding<'a, 'r> {
        TempLanding {
            job,
            temp: temp_path(job, Pin::Listed),
            out: None,
            resumed: Some(resumed),
            failure: None,
        }
    }

    /// Why the landing refused.
    pub fn failure(&mut self) -> Error {
        (self.failure.take())
            .unwrap_or_else(|| local("writing", &self.temp, io::ErrorKind::Other.into()))
    }

    fn refuse(&mut self, e: Error) -> Refused {
        self.failure = Some(e);
        Refused
    }

    /// A write error that is the landing's own (over the listed size, a shortage of space) is
    /// recorded, and its temp file goes: bytes kept for a resume would only hold the disk
    /// fuller. Other errors are the transfer's.
    fn classify(&mut self, e: io::Error) -> io::Error {
        if is_overflow(&e) {
            discard(&self.temp);
            let listed = self.job.fetch.size.unwrap_or(0);
            self.failure = Some(Error::Size {
                listed,
                got: listed + 1,
            });
        } else if let Some(shortage) = space::shortage(&e) {
            discard(&self.temp);
            self.failure = Some(Error::Space(shortage.clone()));
        } else if space::is_full(&e) {
            discard(&self.temp);
            self.job.space.set_full();
            self.failure = Some(Error::DiskFull(io::Error::new(e.kind(), e.to_string())));
        }
        e
    }

    fn out(&mut self) -> io::Result<&mut TempFile<'a>> {
        (self.out.as_mut()).ok_or_else(|| io::Error::other("the temp file is not open"))
    }
}

impl Write for TempLanding<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.out()?.write(buf);
        written.map_err(|e| self.classify(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = self.out()?.flush();
        flushed.map_err(|e| self.classify(e))
    }
}

impl Landing for TempLanding<'_, '_> {
    fn kept(&mut self, pin: Pin) -> Result<u64, Refused> {
        self.temp = temp_path(self.job, pin);
        resumable(&self.temp, self.job.fetch.size).map_err(|e| self.refuse(e))
    }

    fn validator(&self) -> Option<String> {
        fs::read_to_string(validator_path(&self.temp)).ok()
    }

    fn open(&mut self, from: u64) -> Result<(), Refused> {
        self.out = None;
        if let Some(resumed) = self.resumed.take() {
            resumed(from);
        }
        let out = temp_file(self.job, &self.temp, from).map_err(|e| self.refuse(e))?;
        self.out = Some(out);
        Ok(())
    }

    fn begin(
        &mut self,
        start: u64,
        length: Option<u64>,
        validator: Option<&str>,
    ) -> io::Result<()> {
        let size = self.job.fetch.size;
        let out = self.out()?;
        out.room = size.map(|size| size.saturating_sub(start));
        // The server says how much is coming: it must fit before its first byte.
        if let Some(length) = length {
            if let Err(shortage) = out.inner.expect(length) {
                discard(&self.temp);
                self.failure = Some(Error::Space(shortage.clone()));
                return Err(io::Error::other(shortage));
            }
        }
        if start == 0 {
            let file = out.inner.get_mut();
            if let Err(e) = file.flush().and_then(|()| cut(file.get_mut(), 0)) {
                return Err(self.classify(e));
            }
        }
        let sidecar = validator_path(&self.temp);
        match validator {
            Some(validator) => fs::write(&sidecar, validator),
            None => fs::remove_file(&sidecar).or_else(|e| match e.kind() {
                io::ErrorKind::NotFound => Ok(()),
                _ => Err(e),
            }),
        }
    }

    fn failed(&mut self) -> Option<Refused> {
        if self.failure.is_some() {
            return Some(Refused);
        }
        if let Some(out) = self.out.take() {
            abandon(out.inner.into_inner(), &self.temp);
        }
        None
    }

    fn discard(&mut self) {
        self.out = None;
        discard(&self.temp);
    }
}

/// Opens the temp file for bytes from `from`, claiming room for those still to come.
fn temp_file<'a>(job: &Job<'a>, temp: &Path, from: u64) -> Result<TempFile<'a>, Error> {
    let size = job.fetch.size;
    let rest = size.map(|s| s.saturating_sub(from));
    let watched =
        Watched::new(open_temp(temp, from)?, job.space, from, rest).map_err(|shortage| {
            discard(temp);
            Error::Space(shortage)
        })?;
    Ok(Capped::new(watched, size, from))
}

/// Removes a temp file and its validator.
fn discard(temp: &Path) {
    let _ = fs::remove_file(temp);
    let _ = fs::remove_file(validator_path(temp));
}

/// After a session brought the file: flushed, size check, remote time, rename into place.
/// `exact` is the remote time to the second when the transfer told it (MDTM,
/// `Last-Modified`); else the listed time is used. What the listing did not tell, the state
/// records from the transfer, so the next run can compare it.
pub fn finish(job: &Job, mut landing: TempLanding, got: Got) -> Result<Fetched, Error> {
    let Got::Body { start, end, exact } = got else {
        return Ok(Fetched {
            record: Record {
                remote: job.fetch.version(),
                local: LocalMeta { size: 0, mtime: 0 },
            },
            bytes: 0,
            not_modified: true,
        });
    };
    if let Err(e) = landing.flush() {
        let temp = landing.temp.clone();
        return Err((landing.failure.take()).unwrap_or_else(|| local("writing", &temp, e)));
    }
    let temp = std::mem::take(&mut landing.temp);
    drop(landing);
    let _ = fs::remove_file(validator_path(&temp));
    if let Some(listed) = job.fetch.size.filter(|&listed| listed != end) {
        if end > listed {
            let _ = fs::remove_file(&temp);
        }
        return Err(Error::Size { listed, got: end });
    }
    let listed = job.fetch.mtime.map(|m| to_utc(&m, job.offset));
    let mtime = exact.or(listed).unwrap_or(0);
    let modified = UNIX_EPOCH + Duration::from_secs(mtime.max(0) as u64);
    set_mtime(&temp, modified).map_err(|e| local("setting the time of", &temp, e))?;
    fs::rename(&temp, &job.local_path).map_err(|e| local("renaming into", &job.local_path, e))?;
    let mut remote = job.fetch.version();
    remote.size = remote.size.or(Some(end));
    if remote.mtime.is_none() {
        remote.mtime = exact.map(exact_time);
    }
    Ok(Fetched {
        record: Record {
            remote,
            local: LocalMeta { size: end, mtime },
        },
        bytes: end - start,
        not_modified: false,
    })
}

/// The temp file of the version `pin` names.
fn temp_path(job: &Job, pin: Pin) -> PathBuf {
    let f = job.fetch;
    let pin = match pin {
        Pin::Listed => None,
        Pin::Exact(exact) => exact,
    };
    let name = partial_file(f.path.name(), &f.version(), pin);
    let dir = job
        .local_path
        .parent()
        .expect("a fetched path has a parent");
    dir.join(name)
}

/// Beside the temp file, with the same reserved prefix, so it is never content either.
fn validator_path(temp: &Path) -> PathBuf {
    let mut name = temp.file_name().unwrap_or_default().to_os_string();
    name.push(".validator");
    temp.with_file_name(name)
}

fn local(what: &str, path: &Path, e: io::Error) -> Error {
    Error::Local(format!("{what} {}", path.display()), e)
}

fn exact_time(utc: i64) -> Mtime {
    Mtime {
        time: chrono::DateTime::from_timestamp(utc, 0)
            .unwrap_or_default()
            .naive_utc(),
        precision: Precision::Second,
        zone: Zone::Utc,
    }
}

/// How much of a temp file can be kept: all of it, unless it is longer than the file (then it
/// is not this version after all).
fn resumable(temp: &Path, size: Option<u64>) -> Result<u64, Error> {
    let len = match fs::symlink_metadata(temp) {
        Ok(meta) if meta.is_file() => meta.len(),
        Ok(_) => {
            return Err(local(
                "not a regular file:",
                temp,
                io::ErrorKind::AlreadyExists.into(),
            ))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
        Err(e) => return Err(local("reading", temp, e)),
    };
    Ok(match size {
        Some(size) if len > size => 0,
        _ => len,
    })
}

/// The temp file, cut to `from` bytes and positioned there.
fn open_temp(temp: &Path, from: u64) -> Result<BufWriter<File>, Error> {
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(temp)
        .map_err(|e| local("creating", temp, e))?;
    cut(&mut file, from).map_err(|e| local("preparing", temp, e))?;
    Ok(BufWriter::with_capacity(256 * 1024, file))
}

/// Cuts a temp file to `len` bytes and goes there. Only when it is longer: on ext4 a
/// truncation to zero makes the final close wait for the whole file's writeback
/// (`auto_da_alloc`), which halved the speed of large downloads.
fn cut(file: &mut File, len: u64) -> io::Result<()> {
    if file.metadata()?.len() != len {
        file.set_len(len)?;
    }
    file.seek(SeekFrom::Start(len)).map(drop)
}

/// After a failed transfer: bytes already received are kept for the next attempt; an empty
/// temp file is nothing worth keeping.
fn abandon(mut out: BufWriter<File>, temp: &Path) {
    let held = out.get_ref().metadata().map_or(0, |m| m.len()) + out.buffer().len() as u64;
    if out.flush().is_err() || held == 0 {
        discard(temp);
    }
}

/// A writer that refuses to hold more than the listed size, so an endless body cannot fill the
/// disk.
struct Capped<W> {
    inner: W,
    /// Bytes the file may still take; `None` when the listing gave no size.
    room: Option<u64>,
}

impl<W: Write> Capped<W> {
    fn new(inner: W, size: Option<u64>, from: u64) -> Capped<W> {
        Capped {
            inner,
            room: size.map(|s| s.saturating_sub(from)),
        }
    }
}

fn is_overflow(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::FileTooLarge
}

impl<W: Write> Write for Capped<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(room) = &mut self.room {
            if buf.len() as u64 > *room {
                return Err(io::Error::new(
                    io::ErrorKind::FileTooLarge,
                    "more bytes than the listing said",
                ));
            }
            *room -= buf.len() as u64;
        }
        self.inner.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Sets a file's or a directory's modification time (futimens needs ownership, not write
/// access, so a read-only handle does).
pub fn set_mtime(path: &Path, time: SystemTime) -> io::Result<()> {
    File::open(path)?.set_modified(time)
}
