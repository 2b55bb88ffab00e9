//! One file from the server to its place: into a temp file beside the target, resumed only when
//! the temp file came from the same remote version, checked against the listed size, given the
//! remote time, then renamed over the target. A crash at any point leaves the target as it was.
//!
//! The temp file's name is derived from the remote version (size, time, unique id), as rclone
//! ties partial files to their source: a temp file of another version has another name, so it
//! is never appended to, and is cleaned up at the end of the run. FTP resumes with REST after
//! an MDTM has pinned the version to the second; HTTP resumes with `Range` and `If-Range` on the
//! validator (strong ETag or Last-Modified) that the interrupted response carried, kept in a
//! file beside the temp file.

use crate::ftp;
use crate::http::client::Sink;
use crate::http::message::Head;
use crate::local::partial_name;
use crate::plan::time::{to_utc, Offset};
use crate::plan::Fetch;
use crate::session::{self, http_date, HttpSession, Session};
use crate::space::{self, Shortage, Space, Watched};
use crate::state::{LocalMeta, Record};
use crate::tree::{Mtime, Precision, Zone};
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
    /// For a revalidation: the HTTP date the local copy's version carries; the GET is
    /// conditional on a change since.
    pub since: Option<String>,
}

/// A finished fetch.
pub struct Fetched {
    pub record: Record,
    pub bytes: u64,
    pub resumed_from: u64,
    /// The server said the file has not changed (`304`): nothing was written.
    pub not_modified: bool,
}

/// Why a fetch failed: the server's side, or ours (local disk), which retrying will not cure.
#[derive(Debug)]
pub enum Error {
    Remote(session::Error),
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

impl From<session::Error> for Error {
    fn from(e: session::Error) -> Error {
        Error::Remote(e)
    }
}

impl From<ftp::Error> for Error {
    fn from(e: ftp::Error) -> Error {
        Error::Remote(e.into())
    }
}

impl From<crate::http::client::Error> for Error {
    fn from(e: crate::http::client::Error) -> Error {
        Error::Remote(e.into())
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

/// Fetches one file. `resumed` is told the bytes a download starts from (those a temp file kept
/// from an earlier attempt or run), before any arrive; `progress` each chunk's length after.
pub fn fetch(
    session: &mut Session,
    job: &Job,
    resumed: &mut dyn FnMut(u64),
    progress: &mut dyn FnMut(u64),
) -> Result<Fetched, Error> {
    match session {
        Session::Ftp(s) => fetch_ftp(s, job, resumed, progress),
        Session::Http(h) => fetch_http(h, job, resumed, progress),
    }
}

fn fetch_ftp(
    session: &mut ftp::Session,
    job: &Job,
    resumed: &mut dyn FnMut(u64),
    progress: &mut dyn FnMut(u64),
) -> Result<Fetched, Error> {
    // The whole path, or (when it is too long for one command) the name in its directory.
    let name = session.reach("RETR", &job.remote_path)?;
    let (exact, prepared) = exact_mtime(session, job, name)?;
    let f = job.fetch;
    let temp = temp_path(
        job,
        &format!("{:?}|{exact:?}|{:?}|{:?}", f.size, f.mtime, f.unique),
    );
    let from = resumable(&temp, f.size)?;
    resumed(from);
    let got = download_ftp(session, job, name, &temp, from, Some(prepared), progress)?;
    finish(job, &temp, from, got, exact)
}

/// The temp file of a download, written within the room the disk has (see `space.rs`) and
/// never past the listed size.
type TempFile<'a> = Capped<Watched<'a, BufWriter<File>>>;

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

/// A write error that is a shortage of space becomes one, and its temp file goes: bytes kept
/// for a resume would only hold the disk fuller. Other errors are given back.
fn space_error(e: io::Error, temp: &Path, space: &Space) -> Result<io::Error, Error> {
    if let Some(shortage) = space::shortage(&e) {
        discard(temp);
        return Err(Error::Space(shortage.clone()));
    }
    if space::is_full(&e) {
        discard(temp);
        space.set_full();
        return Err(Error::DiskFull(e));
    }
    Ok(e)
}

/// Flushes the temp file; a shortage of space is told as such.
fn flush(out: &mut impl Write, temp: &Path, space: &Space) -> Result<(), Error> {
    out.flush()
        .map_err(|e| space_error(e, temp, space).map_or_else(|e| e, |e| local("writing", temp, e)))
}

/// Removes a temp file and its validator.
fn discard(temp: &Path) {
    let _ = fs::remove_file(temp);
    let _ = fs::remove_file(validator_path(temp));
}

fn fetch_http(
    session: &mut HttpSession,
    job: &Job,
    resumed: &mut dyn FnMut(u64),
    progress: &mut dyn FnMut(u64),
) -> Result<Fetched, Error> {
    let f = job.fetch;
    let (temp, from, validator) = http_start(job)?;
    resumed(from);
    let sidecar = validator_path(&temp);
    let mut sink = TempSink {
        out: temp_file(job, &temp, from)?,
        sidecar: sidecar.clone(),
        size: f.size,
    };
    let url = session.url(&job.remote_path, false);
    let since = job.since.as_deref();
    let result =
        session
            .client
            .download(&url, from, validator.as_deref(), since, &mut sink, progress);
    let download = match result {
        Ok(download) => download,
        Err(crate::http::client::Error::Io(e)) if is_overflow(&e) => {
            return Err(overflow(job, &temp))
        }
        Err(crate::http::client::Error::Io(e)) => {
            let e = space_error(e, &temp, job.space)?;
            abandon(sink.out.inner.into_inner(), &temp);
            return Err(crate::http::client::Error::Io(e).into());
        }
        Err(e) => {
            abandon(sink.out.inner.into_inner(), &temp);
            return Err(e.into());
        }
    };
    if download.response.head.status == 304 {
        drop(sink);
        let _ = fs::remove_file(&temp);
        return Ok(Fetched {
            record: Record {
                remote: f.remote_meta(),
                local: LocalMeta { size: 0, mtime: 0 },
            },
            bytes: 0,
            resumed_from: 0,
            not_modified: true,
        });
    }
    flush(&mut sink.out, &temp, job.space)?;
    let _ = fs::remove_file(&sidecar);
    let got = download.start + download.bytes;
    if session::redirected_to_dir(&url, &download.response.url) {
        discard(&temp);
        let why = format!(
            "{url} is a directory (the server redirects it to {}); not saved as a file",
            download.response.url
        );
        return Err(crate::http::client::Error::Refused(why).into());
    }
    let exact = download
        .response
        .head
        .header("last-modified")
        .and_then(http_date)
        .map(|t| t.and_utc().timestamp());
    finish(job, &temp, download.start, got, exact)
}

/// Sends the GET that `fetch` will make for `job` ahead of its turn, when the session can
/// pipeline it; `false` when it did not go out.
pub fn announce(session: &mut HttpSession, job: &Job) -> bool {
    let Ok((_, from, validator)) = http_start(job) else {
        return false;
    };
    let url = session.url(&job.remote_path, false);
    session
        .client
        .download_ahead(&url, from, validator.as_deref(), job.since.as_deref())
}

/// The temp file of an HTTP fetch, where it resumes, and the validator it resumes on.
fn http_start(job: &Job) -> Result<(PathBuf, u64, Option<String>), Error> {
    let f = job.fetch;
    let temp = temp_path(job, &format!("{:?}|{:?}|{:?}", f.size, f.mtime, f.unique));
    let kept = resumable(&temp, f.size)?;
    let validator = fs::read_to_string(validator_path(&temp))
        .ok()
        .filter(|_| kept > 0);
    // Without the validator of the interrupted response, a resume could splice two versions.
    let from = if validator.is_some() { kept } else { 0 };
    Ok((temp, from, validator))
}

/// Size check, remote time, rename into place. `exact` is the remote time to the second when
/// the transfer told it (MDTM, `Last-Modified`); else the listed time is used. What the listing
/// did not tell, the state records from the transfer, so the next run can compare it.
fn finish(
    job: &Job,
    temp: &Path,
    from: u64,
    got: u64,
    exact: Option<i64>,
) -> Result<Fetched, Error> {
    if let Some(listed) = job.fetch.size.filter(|&listed| listed != got) {
        if got > listed {
            let _ = fs::remove_file(temp);
        }
        return Err(Error::Size { listed, got });
    }
    let listed = job.fetch.mtime.map(|m| to_utc(&m, job.offset));
    let mtime = exact.or(listed).unwrap_or(0);
    let modified = UNIX_EPOCH + Duration::from_secs(mtime.max(0) as u64);
    set_mtime(temp, modified).map_err(|e| local("setting the time of", temp, e))?;
    fs::rename(temp, &job.local_path).map_err(|e| local("renaming into", &job.local_path, e))?;
    let mut remote = job.fetch.remote_meta();
    remote.size = remote.size.or(Some(got));
    if remote.mtime.is_none() {
        remote.mtime = exact.map(exact_time);
    }
    Ok(Fetched {
        record: Record {
            remote,
            local: LocalMeta { size: got, mtime },
        },
        bytes: got - from,
        resumed_from: from,
        not_modified: false,
    })
}

fn temp_path(job: &Job, version: &str) -> PathBuf {
    let dir = job
        .local_path
        .parent()
        .expect("a fetched path has a parent");
    dir.join(partial_name(job.fetch.path.name(), version))
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

/// The remote time to the second: from the listing when it is that precise, else one MDTM
/// (`None` when the server has none), sent in the same round trip as the data channel's setup,
/// which is returned for the RETR.
fn exact_mtime(
    session: &mut ftp::Session,
    job: &Job,
    name: &str,
) -> Result<(Option<i64>, ftp::Prepared), Error> {
    if let Some(m) = listed_exact(job) {
        let (_, prepared) = session.client.prepare(None)?;
        return Ok((Some(to_utc(&m, None)), prepared));
    }
    let (reply, prepared) = session.client.prepare(Some(&ftp::Command::Mdtm(name)))?;
    let reply = reply.expect("prepare answers the command it was given");
    match reply.class() {
        ftp::Class::Completion => Ok((
            ftp::parse_mdtm(&reply)
                .ok()
                .map(|t| t.and_utc().timestamp()),
            prepared,
        )),
        ftp::Class::Transient => Err(ftp::Error::Transient(reply).into()),
        _ => Ok((None, prepared)),
    }
}

/// The listed time, when it is exact to the second.
fn listed_exact(job: &Job) -> Option<Mtime> {
    (job.fetch.mtime).filter(|m| m.precision == Precision::Second && m.zone == Zone::Utc)
}

/// Tells an FTP session which file it fetches next, so that the file's MDTM can go ahead with
/// the data channel's setup, behind the transfer before it.
pub fn announce_next(session: &mut ftp::Session, job: &Job) {
    let mdtm = ftp::Command::Mdtm(&job.remote_path);
    // A path too long for one command is reached step by step, after this transfer.
    let ahead = listed_exact(job).is_none() && session.whole("MDTM", &job.remote_path);
    let before = ahead.then_some(&mdtm);
    if let Err(e) = session.client.announce(before) {
        log::debug!("{}: {e}", job.remote_path);
    }
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

/// RETR into the temp file from `from` (over `prepared` when the data channel is set up
/// already); a server that refuses REST is asked for the whole file. Returns the temp file's
/// final length.
#[allow(clippy::too_many_arguments)]
fn download_ftp(
    session: &mut ftp::Session,
    job: &Job,
    name: &str,
    temp: &Path,
    from: u64,
    prepared: Option<ftp::Prepared>,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, Error> {
    let mut out = temp_file(job, temp, from)?;
    let client = &mut session.client;
    let result = match prepared {
        Some(prepared) => {
            let expect = job.fetch.size.map(|size| size.saturating_sub(from));
            client.retr_prepared(prepared, name, from, expect, &mut out, progress)
        }
        None => client.retr_into(name, from, &mut out, progress),
    };
    match result {
        Ok(n) => {
            flush(&mut out, temp, job.space)?;
            Ok(from + n)
        }
        Err(ftp::Error::Io(e)) if is_overflow(&e) => Err(overflow(job, temp)),
        Err(ftp::Error::Io(e)) => {
            let e = space_error(e, temp, job.space)?;
            abandon(out.inner.into_inner(), temp);
            Err(ftp::Error::Io(e).into())
        }
        Err(ftp::Error::Permanent(reply)) if from > 0 && reply.code != 550 => {
            log::info!(
                "{}: REST refused ({reply}); fetching it whole",
                job.remote_path
            );
            drop(out);
            download_ftp(session, job, name, temp, 0, None, progress)
        }
        Err(e) => {
            abandon(out.inner.into_inner(), temp);
            Err(e.into())
        }
    }
}

/// A server that sends more than it listed is broken or hostile: its bytes go, and the file is
/// not kept in any form.
fn overflow(job: &Job, temp: &Path) -> Error {
    discard(temp);
    let listed = job.fetch.size.unwrap_or(0);
    Error::Size {
        listed,
        got: listed + 1,
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

/// The temp file as an HTTP download's sink: truncated when the server starts from 0, and the
/// response's validator written beside it before the body, so a killed run can resume. Capped
/// at the listed size.
struct TempSink<'a> {
    out: TempFile<'a>,
    sidecar: PathBuf,
    size: Option<u64>,
}

impl Write for TempSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl Sink for TempSink<'_> {
    fn begin(&mut self, head: &Head, start: u64) -> io::Result<()> {
        self.out.room = self.size.map(|size| size.saturating_sub(start));
        // The server says how much is coming: it must fit before its first byte.
        if let Some(length) = head.header("content-length").and_then(|l| l.parse().ok()) {
            self.out.inner.expect(length).map_err(io::Error::other)?;
        }
        if start == 0 {
            let out = self.out.inner.get_mut();
            out.flush()?;
            cut(out.get_mut(), 0)?;
        }
        // RFC 9110 section 13.1.5: If-Range needs a strong validator.
        let strong_etag = head.header("etag").filter(|e| !e.starts_with("W/"));
        match strong_etag.or_else(|| head.header("last-modified")) {
            Some(validator) => fs::write(&self.sidecar, validator),
            None => fs::remove_file(&self.sidecar).or_else(|e| match e.kind() {
                io::ErrorKind::NotFound => Ok(()),
                _ => Err(e),
            }),
        }
    }
}

/// Sets a file's or a directory's modification time (futimens needs ownership, not write
/// access, so a read-only handle does).
pub fn set_mtime(path: &Path, time: SystemTime) -> io::Result<()> {
    File::open(path)?.set_modified(time)
}
