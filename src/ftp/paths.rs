//! How a path reaches the server: whole, in one command, while it is short; one component at a
//! time (relative `CWD`s, then the last name alone) once it is long, or for the rest of the run
//! once the server refused a whole one as too long.
//!
//! Servers read a command into a fixed buffer. inetutils ftpd reads 511 bytes (`ftpd/ftpcmd.y`,
//! `cbuf[512]`) and answers a longer line with one `500` per 511-byte piece, which puts every
//! later reply out of step (and after one syntax error it answers nothing at all); netkit ftpd
//! refuses a line over 508 characters with `500 Command too long.` (Debian's fix for
//! CVE-2008-4247). So no command line is ever longer than [`MAX_PATH_LINE`]. lftp always
//! steps, one component per `CWD`.

use super::error::{Error, Result};
use super::reply::Code;
use super::session::Session;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

/// The longest command line (without its CRLF) that carries a whole path.
pub const MAX_PATH_LINE: usize = 500;

/// Whether a server's paths go one component at a time, shared by a run's sessions: never while
/// whole paths work; for the rest of the run once one was refused as too long; always on a
/// server whose paths are not Unix paths.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stepwise(Arc<AtomicU8>);

/// The states of [`Stepwise`], in the order they are learned: a server's paths only ever go
/// from whole to stepwise.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Paths {
    /// Whole paths, while they fit in [`MAX_PATH_LINE`].
    Whole = 0,
    /// The server refused a whole path as too long: one component at a time.
    Refused = 1,
    /// The server's paths are not Unix paths: one name at a time from the login directory.
    Native = 2,
}

impl Paths {
    fn from_u8(value: u8) -> Paths {
        match value {
            0 => Paths::Whole,
            1 => Paths::Refused,
            _ => Paths::Native,
        }
    }
}

impl Stepwise {
    fn get(&self) -> Paths {
        Paths::from_u8(self.0.load(Ordering::Relaxed))
    }

    /// Moves to `to` unless already there or beyond; true when this call moved it.
    fn rise(&self, to: Paths) -> bool {
        Paths::from_u8(self.0.fetch_max(to as u8, Ordering::Relaxed)) < to
    }

    fn on(&self) -> bool {
        self.get() != Paths::Whole
    }

    fn native(&self) -> bool {
        self.get() == Paths::Native
    }

    fn learn(&self) {
        if self.rise(Paths::Refused) {
            log::info!("the server refused a whole path: paths go one component at a time");
        }
    }

    /// The server's own path syntax (z/OS `'USR001.PAYROLL'`, OpenVMS `DISK$USERS:[ANNA.SUB]`)
    /// has no `/`: every command names one component, relative to where the session is, and
    /// the login directory is reached by its own name (absolute there), never by `CWD /`.
    pub(super) fn native_paths(&self, system: &str) {
        if self.rise(Paths::Native) {
            log::info!("{system} server: paths go one name at a time from the login directory");
        }
    }
}

/// A path's components, without empty ones (`//`, a trailing `/`).
fn components(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|c| !c.is_empty())
}

/// Whether a refusal says the command line was too long (or not understood: inetutils), not
/// that the path is wrong (`550`).
fn too_long(e: &Error) -> bool {
    matches!(
        e.reply().map(|r| r.code),
        Some(Code::SYNTAX | Code::SYNTAX_ARGS)
    )
}

impl Session {
    /// Whether `verb path` goes in one command on this server.
    pub fn whole(&self, verb: &str, path: &str) -> bool {
        !self.client.shared().stepwise.on() && verb.len() + 1 + path.len() <= MAX_PATH_LINE
    }

    /// Goes to the absolute directory `dir`: in one `CWD` while it fits, else one component at
    /// a time from where the session is, or from `/`.
    pub fn enter(&mut self, dir: &str) -> Result<()> {
        if self.here.as_deref() == Some(dir) {
            return Ok(());
        }
        if self.whole("CWD", dir) {
            match self.client.cwd(dir) {
                Ok(()) => {
                    self.here = Some(dir.to_string());
                    return Ok(());
                }
                Err(e) if self.refused_whole(&e) => {}
                Err(e) => {
                    self.here = None;
                    return Err(e);
                }
            }
        }
        self.step(dir)
    }

    /// Whether the refusal of a whole path in a `CWD` says the line was too long (or not
    /// understood: inetutils): then paths go one component at a time for the rest of the run.
    pub(super) fn refused_whole(&self, e: &Error) -> bool {
        let refused = too_long(e);
        if refused {
            self.client.shared().stepwise.learn();
        }
        refused
    }

    /// `enter` one component at a time.
    fn step(&mut self, dir: &str) -> Result<()> {
        let from = self
            .here
            .as_deref()
            .filter(|here| components(dir).count() >= components(here).count())
            .filter(|here| components(here).zip(components(dir)).all(|(a, b)| a == b))
            .map(|here| components(here).count());
        let skip = match from {
            Some(depth) => depth,
            None => {
                self.here = None;
                if dir.starts_with('/') || !self.client.shared().stepwise.native() {
                    self.client.cwd("/")?;
                }
                0
            }
        };
        let mut at = self.here.clone().unwrap_or_else(|| "/".into());
        for name in components(dir).skip(skip) {
            if let Err(e) = self.client.cwd(name) {
                self.here = None;
                return Err(e);
            }
            at = format!("{}/{name}", at.trim_end_matches('/'));
            self.here = Some(at.clone());
        }
        self.here = Some(dir.to_string());
        Ok(())
    }

    /// What a command about the absolute file `path` names: the path itself while `verb path`
    /// fits in one command, else its last component, with the session in its directory.
    pub fn reach<'p>(&mut self, verb: &str, path: &'p str) -> Result<&'p str> {
        if self.whole(verb, path) {
            return Ok(path);
        }
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        self.enter(if dir.is_empty() { "/" } else { dir })?;
        Ok(name)
    }

    /// The session was moved by a command that did not go through [`Session::enter`] (a
    /// relative `CWD`, a `CWD` sent along with a listing): where it is now, if known.
    pub(super) fn moved(&mut self, to: Option<&str>) {
        self.here = to.map(str::to_string);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepwise_only_rises() {
        let stepwise = Stepwise::default();
        assert!(!stepwise.on());
        stepwise.learn();
        assert!(stepwise.on() && !stepwise.native());
        stepwise.native_paths("MVS");
        stepwise.learn();
        assert!(stepwise.native(), "a refusal does not undo native paths");
    }
}
