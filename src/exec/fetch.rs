//! One file from the server to its place: into a temp file beside the target, resumed only when
//! the temp file came from the same remote version, checked against the listed size, given the
//! remote time, then renamed over the target. A crash at any point leaves the target as it was.
//!
//! The temp file's name is derived from the remote version (size, exact time, unique id), as
//! rclone ties partial files to their source: a temp file of another version has another name,
//! so it is never appended to, and is cleaned up at the end of the run.

use crate::ftp::{self, Session};
use crate::local::partial_name;
use crate::plan::time::{to_utc, Offset};
use crate::plan::Fetch;
use crate::state::{LocalMeta, Record};
use crate::tree::{Precision, Zone};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where one fetch goes.
pub struct Job<'a> {
    pub fetch: &'a Fetch,
    pub remote_path: String,
    /// The final local path; its parent directories were checked to be real directories.
    pub local_path: PathBuf,
    pub offset: Offset,
}

/// A finished fetch.
pub struct Fetched {
    pub record: Record,
    pub bytes: u64,
    pub resumed_from: u64,
}

/// Why a fetch failed: the server's side, or ours (local disk), which retrying will not cure.
#[derive(Debug)]
pub enum Error {
    Ftp(ftp::Error),
    Local(String, io::Error),
    /// The server sent a different number of bytes than it listed.
    Size {
        listed: u64,
        got: u64,
    },
}

impl From<ftp::Error> for Error {
    fn from(e: ftp::Error) -> Error {
        Error::Ftp(e)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Ftp(e) => write!(f, "{e}"),
            Error::Local(what, e) => write!(f, "{what}: {e}"),
            Error::Size { listed, got } => {
                write!(
                    f,
                    "the server sent {got} bytes of a file it listed as {listed}"
                )
            }
        }
    }
}

pub fn fetch(
    session: &mut Session,
    job: &Job,
    progress: &mut dyn FnMut(u64),
) -> Result<Fetched, Error> {
    let mtime = exact_mtime(session, job)?;
    let version = format!("{:?}|{mtime}|{:?}", job.fetch.size, job.fetch.unique);
    let partial = partial_name(job.fetch.path.name(), &version);
    let dir = job
        .local_path
        .parent()
        .expect("a fetched path has a parent");
    let temp = dir.join(&partial);
    let resume_from = resumable(&temp, job.fetch.size)?;
    let got = download(session, job, &temp, resume_from, progress)?;
    if let Some(listed) = job.fetch.size.filter(|&listed| listed != got) {
        if got > listed {
            let _ = fs::remove_file(&temp);
        }
        return Err(Error::Size { listed, got });
    }
    let modified = UNIX_EPOCH + Duration::from_secs(mtime.max(0) as u64);
    set_mtime(&temp, modified).map_err(|e| local("setting the time of", &temp, e))?;
    fs::rename(&temp, &job.local_path).map_err(|e| local("renaming into", &job.local_path, e))?;
    Ok(Fetched {
        record: Record {
            remote: job.fetch.remote_meta(),
            local: LocalMeta { size: got, mtime },
        },
        bytes: got - resume_from,
        resumed_from: resume_from,
    })
}

fn local(what: &str, path: &Path, e: io::Error) -> Error {
    Error::Local(format!("{what} {}", path.display()), e)
}

/// The remote time to the second: from the listing when it is that precise, else one MDTM (the
/// listing's coarse time when the server has no MDTM).
fn exact_mtime(session: &mut Session, job: &Job) -> Result<i64, Error> {
    let listed = job.fetch.mtime;
    if let Some(m) = listed.filter(|m| m.precision == Precision::Second && m.zone == Zone::Utc) {
        return Ok(to_utc(&m, None));
    }
    match session.client.mdtm(&job.remote_path) {
        Ok(time) => Ok(time.and_utc().timestamp()),
        Err(e) if e.is_transient() => Err(e.into()),
        Err(_) => Ok(listed.map_or(0, |m| to_utc(&m, job.offset))),
    }
}

/// How much of a temp file can be kept: all of it, unless it is longer than the file (then it
/// is not this version after all).
fn resumable(temp: &Path, size: Option<u64>) -> Result<u64, Error> {
    let len = match fs::symlink_metadata(temp) {
        Ok(meta) if meta.is_file() => meta.len(),
        Ok(_) => {
            return Err(Error::Local(
                format!("{} is not a file", temp.display()),
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

/// RETR into the temp file from `from`; a server that refuses REST is asked for the whole file.
/// Returns the temp file's final length.
fn download(
    session: &mut Session,
    job: &Job,
    temp: &Path,
    from: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, Error> {
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(from == 0)
        .open(temp)
        .map_err(|e| local("creating", temp, e))?;
    file.set_len(from)
        .and_then(|()| file.seek(SeekFrom::Start(from)))
        .map_err(|e| local("preparing", temp, e))?;
    let mut out = BufWriter::with_capacity(256 * 1024, file);
    let result = session
        .client
        .retr(&job.remote_path, from, &mut out, progress);
    let written = match result {
        Ok(n) => from + n,
        Err(ftp::Error::Permanent(reply)) if from > 0 && reply.code != 550 => {
            log::info!(
                "{}: REST refused ({reply}); fetching it whole",
                job.remote_path
            );
            drop(out);
            return download(session, job, temp, 0, progress);
        }
        Err(e) => {
            // Bytes already received are kept for the next attempt; an empty temp file is
            // nothing worth keeping.
            if out.flush().is_err() || from + out.get_ref().metadata().map_or(0, |m| m.len()) == 0 {
                let _ = fs::remove_file(temp);
            }
            return Err(e.into());
        }
    };
    out.flush().map_err(|e| local("writing", temp, e))?;
    Ok(written)
}

/// Sets a file's or a directory's modification time (futimens needs ownership, not write
/// access, so a read-only handle does).
pub fn set_mtime(path: &Path, time: SystemTime) -> io::Result<()> {
    File::open(path)?.set_modified(time)
}
