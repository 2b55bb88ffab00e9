//! FTP behind the mirror's seam ([`crate::remote::Session`]): listings, MDTM probes, and
//! downloads resumed with REST only after an MDTM has pinned the version to the second, that
//! MDTM sent in the round trip that sets up the data channel, and the next file's MDTM and
//! data channel asked for behind the transfer before it.

use super::pipeline::Tag;
use super::{parse_mdtm, Class, Command, Error, Login, Options, Prepared, Session, Shared};
use crate::net::pace::JobEnd;
use crate::plan::time::to_utc;
use crate::remote::{
    self, io_kind, DirListing, Got, Kind, Landing, ListFormat, ListedWith, Pin, Probe, Unconfirmed,
    Want,
};

/// Opens logged-in FTP sessions to one server.
pub struct Dial {
    pub host: String,
    pub port: u16,
    pub login: Login,
    pub options: Options,
    /// What the job's sessions learn of the server together.
    pub shared: Shared,
}

impl remote::Dial for Dial {
    fn open(&self, end: JobEnd) -> Result<Box<dyn remote::Session>, remote::Error> {
        let options = Options {
            deadline: end.0,
            ..self.options.clone()
        };
        let shared = self.shared.clone();
        let session = Session::open(&self.host, self.port, &self.login, options, shared)?;
        Ok(Box::new(session))
    }
}

impl From<Error> for remote::Error {
    fn from(e: Error) -> remote::Error {
        let kind = match &e {
            Error::Io(io) => io_kind(io),
            Error::Stale(_) => Kind::Stale,
            Error::Protocol(_) => Kind::Protocol,
            e if e.is_transient() => Kind::Busy,
            _ => Kind::Refused,
        };
        remote::Error::new(kind, e)
    }
}

impl remote::Session for Session {
    fn login_dir(&self) -> &str {
        &self.login_dir
    }

    fn list_dir(&mut self, path: &str) -> Result<DirListing, remote::Error> {
        let listed = Session::list_dir(self, path)?;
        Ok(DirListing {
            command: ListedWith::Ftp(listed.command),
            format: listed.listing.dialect.map(ListFormat::Dialect),
            entries: listed.listing.entries,
            unread: listed.listing.unread,
            truncated: listed.truncated,
            marks_dirs: true,
        })
    }

    fn probe(&mut self, path: &str) -> Result<Probe, remote::Error> {
        let name = self.reach("MDTM", path)?;
        Ok(Probe {
            size: None,
            mtime: Some(self.client.mdtm(name)?),
        })
    }

    /// The next file's MDTM goes ahead with the data channel's setup, behind this transfer.
    fn ahead(&mut self, batch: &[Want], at: usize) {
        let Some(next) = batch.get(at + 1) else {
            return;
        };
        let mdtm = Command::Mdtm(next.path);
        // A path too long for one command is reached step by step, after this transfer.
        let ahead = next.exact_mtime().is_none() && self.whole("MDTM", next.path);
        if let Err(e) = self.client.announce(ahead.then_some(&mdtm)) {
            log::debug!("{}: {e}", next.path);
        }
    }

    fn fetch(
        &mut self,
        want: &Want,
        landing: &mut dyn Landing,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Got, remote::Error> {
        // The whole path, or (when it is too long for one command) the name in its directory.
        let name = self.reach("RETR", want.path)?.to_string();
        let (exact, prepared) = exact_mtime(self, want, &name)?;
        let from = landing.kept(Pin::Exact(exact))?;
        landing.open(from)?;
        let (start, bytes) = retr(self, want, &name, from, Some(prepared), landing, progress)?;
        Ok(Got::Body {
            start,
            end: start + bytes,
            exact,
        })
    }

    fn take_unconfirmed(&mut self) -> Vec<Unconfirmed> {
        let found = self.client.take_unconfirmed().into_iter();
        found
            .map(|(Tag(id), why)| Unconfirmed { id, why })
            .collect()
    }

    fn settle(&mut self) {
        // A session that cannot settle is out of step for good: its next command says so.
        let _ = self.client.settle();
    }

    fn quit(self: Box<Self>) {
        self.client.quit();
    }
}

/// The remote time to the second: from the listing when it is that precise, else one MDTM
/// (`None` when the server has none), sent in the same round trip as the data channel's setup,
/// which is returned for the RETR.
fn exact_mtime(
    session: &mut Session,
    want: &Want,
    name: &str,
) -> Result<(Option<i64>, Prepared), Error> {
    if let Some(m) = want.exact_mtime() {
        let (_, prepared) = session.client.prepare(None)?;
        return Ok((Some(to_utc(&m, None)), prepared));
    }
    let (reply, prepared) = session.client.prepare(Some(&Command::Mdtm(name)))?;
    let reply = reply.expect("prepare answers the command it was given");
    match reply.class() {
        Class::Completion => Ok((
            parse_mdtm(&reply).ok().map(|t| t.and_utc().timestamp()),
            prepared,
        )),
        Class::Transient => Err(Error::Transient(reply)),
        _ => Ok((None, prepared)),
    }
}

/// RETR into the landing from `from` (over `prepared` when the data channel is set up
/// already); a server that refuses REST is asked for the whole file. Returns where the body
/// started and the bytes received.
fn retr(
    session: &mut Session,
    want: &Want,
    name: &str,
    from: u64,
    prepared: Option<Prepared>,
    landing: &mut dyn Landing,
    progress: &mut dyn FnMut(u64),
) -> Result<(u64, u64), remote::Error> {
    let client = &mut session.client;
    let result = match prepared {
        Some(prepared) => {
            let expect = want.size.map(|size| size.saturating_sub(from));
            let confirm = Some(Tag(want.id));
            client.retr_prepared(prepared, name, confirm, from, expect, landing, progress)
        }
        None => client.retr_into(name, from, landing, progress),
    };
    match result {
        Ok(bytes) => Ok((from, bytes)),
        Err(Error::Permanent(reply)) if from > 0 && reply.code != 550 => {
            log::info!("{}: REST refused ({reply}); fetching it whole", want.path);
            landing.open(0)?;
            retr(session, want, name, 0, None, landing, progress)
        }
        Err(e) => Err(match landing.failed() {
            Some(refused) => refused.into(),
            None => e.into(),
        }),
    }
}
