//! A logged-in session ready for mirroring: the client plus what was learned about the server.
//!
//! Opening a session runs the whole preamble (greeting, AUTH TLS when asked for, login, PBSZ
//! and PROT in TLS, FEAT, `OPTS UTF8 ON`, TYPE I, PWD) once; a worker then reuses it for every listing and file. Listing picks the best command
//! the server offers (MLSD when FEAT names MLST, else LIST, else NLST with SIZE and MDTM per name)
//! and remembers a refusal so it is not asked again.

use super::client::{Client, Options};
use super::command::Command;
use super::error::{Error, Result};
use super::list::{self, Listing};
use crate::tree::{Entry, Kind, Mtime, Precision, Zone};
use serde::Serialize;

/// Who to log in as.
#[derive(Clone)]
pub struct Login {
    pub user: String,
    pub password: String,
    pub account: Option<String>,
}

impl Login {
    /// The anonymous login of RFC 1635, with the password ftplib sends.
    pub fn anonymous() -> Login {
        Login {
            user: "anonymous".into(),
            password: "anonymous@".into(),
            account: None,
        }
    }
}

/// The command a listing came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ListCommand {
    Mlsd,
    List,
    Nlst,
}

/// A logged-in FTP session.
pub struct Session {
    pub client: Client,
    /// The directory the server put us in at login.
    pub login_dir: String,
    list_command: ListCommand,
    /// Whether LIST takes `-a` on this server.
    list_all: bool,
}

impl Session {
    pub fn open(host: &str, port: u16, login: &Login, options: Options) -> Result<Session> {
        let security = options.security;
        let mut client = Client::connect(host, port, options)?;
        client.secure(security)?;
        client.login(&login.user, &login.password, login.account.as_deref())?;
        let login_dir = setup(&mut client)?;
        let list_command = match client.features().has("MLST") {
            true => ListCommand::Mlsd,
            false => ListCommand::List,
        };
        client.enable_utf8()?;
        Ok(Session {
            client,
            login_dir,
            list_command,
            list_all: true,
        })
    }

    /// The command the next listing will use.
    pub fn list_command(&self) -> ListCommand {
        self.list_command
    }

    /// Lists the directory at absolute `path`.
    pub fn list_dir(&mut self, path: &str) -> Result<(ListCommand, Listing)> {
        loop {
            let command = self.list_command;
            let result = match command {
                ListCommand::Mlsd => self.client.mlsd(Some(path)).map(|d| list::parse_mlsd(&d)),
                ListCommand::List => self.list(path),
                ListCommand::Nlst => self.nlst(path),
            };
            match (command, result) {
                (ListCommand::Nlst, result) => return result.map(|l| (command, l)),
                (_, Err(e)) if is_unsupported(&e) => {
                    log::info!("{command:?} refused ({e}); trying the next listing command");
                    self.list_command = match command {
                        ListCommand::Mlsd => ListCommand::List,
                        _ => ListCommand::Nlst,
                    };
                }
                (_, result) => return result.map(|l| (command, l)),
            }
        }
    }

    /// CWD (in the same round trip as EPSV, or as LIST when the data channel was opened ahead),
    /// then LIST with no path: a path argument is globbed by some servers (vsftpd treats `[x]`
    /// as a pattern). `-a`, so that servers that hide
    /// dot-files (vsftpd) show them: a mirror must not miss `.htaccess`, nor delete a local copy
    /// of a file the server has. A server that takes `-a` for a name answers with an error or
    /// nothing: then a plain LIST is asked, and kept for the session.
    fn list(&mut self, path: &str) -> Result<Listing> {
        let (cwd, prepared) = self.client.prepare_along(&Command::Cwd(path))?;
        let along = cwd.is_none();
        if let Some(reply) = cwd.filter(|r| r.class() != 2) {
            return Err(Error::from_reply(reply));
        }
        let now = chrono::Utc::now().naive_utc();
        if !self.list_all {
            return Ok(list::parse_list(
                &self.client.list_prepared(prepared, None)?,
                now,
            ));
        }
        let all = match self.client.list_prepared(prepared, Some("-a")) {
            Ok(data) => Some((lists_dot_entries(&data), list::parse_list(&data, now))),
            Err(e) if e.reply().is_some_and(|r| r.class() == 5) => None,
            Err(e) => return Err(e),
        };
        // `.` and `..` in the answer prove `-a` was taken as an option, even in an empty
        // directory.
        let taken =
            |(dots, l): &(bool, Listing)| *dots || !l.entries.is_empty() || !l.unread.is_empty();
        if let Some((_, listing)) = all.filter(taken) {
            return Ok(listing);
        }
        if along {
            // The refusal may have been the CWD's: the plain LIST must not list another place.
            self.client.cwd(path)?;
        }
        let plain = list::parse_list(&self.client.list(None)?, now);
        if !plain.entries.is_empty() {
            log::info!("the server does not take LIST -a; listing without it");
            self.list_all = false;
        }
        Ok(plain)
    }

    /// NLST names, then SIZE and MDTM for each: the last resort, one round trip or more per name.
    fn nlst(&mut self, path: &str) -> Result<Listing> {
        self.client.cwd(path)?;
        let (names, unread) = list::parse_nlst(&self.client.nlst(None)?);
        let mut entries = Vec::with_capacity(names.len());
        for name in names {
            // Some servers answer NLST with paths; the entry is the last component.
            let name = name.rsplit('/').next().unwrap_or(&name).to_string();
            entries.push(self.probe(path, name)?);
        }
        Ok(Listing {
            dialect: None,
            entries,
            unread,
        })
    }

    /// Tells a file (SIZE answers) from a directory (CWD succeeds) for a name NLST gave.
    fn probe(&mut self, dir: &str, name: String) -> Result<Entry> {
        if let Ok(size) = self.client.size(&name) {
            let mut entry = Entry::new(name, Kind::File);
            entry.size = Some(size);
            entry.mtime = self.client.mdtm(&entry.name).ok().map(|time| Mtime {
                time,
                precision: Precision::Second,
                zone: Zone::Utc,
            });
            return Ok(entry);
        }
        let kind = match self.client.cwd(&name) {
            Ok(()) => {
                self.client.cwd(dir)?;
                Kind::Dir
            }
            Err(e) if e.is_transient() => return Err(e),
            Err(_) => Kind::Other,
        };
        Ok(Entry::new(name, kind))
    }
}

/// Whether a LIST answer has `.` or `..` lines.
fn lists_dot_entries(data: &[u8]) -> bool {
    data.split(|&b| b == b'\n').any(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.ends_with(b" .") || line.ends_with(b" ..")
    })
}

/// The rest of the preamble in one round trip: PBSZ and PROT P when in TLS, FEAT, TYPE I, PWD.
/// Returns the login directory.
fn setup(client: &mut Client) -> Result<String> {
    let tls = client.in_tls();
    let mut commands = Vec::new();
    if tls {
        commands.extend([Command::Raw("PBSZ 0"), Command::Raw("PROT P")]);
    }
    commands.extend([Command::Feat, Command::TypeImage, Command::Pwd]);
    let mut replies = client.batch(&commands)?.into_iter();
    let mut next = || replies.next().expect("a reply per command");
    if tls {
        for reply in [next(), next()] {
            if reply.class() != 2 {
                return Err(Error::from_reply(reply));
            }
        }
        client.set_protected();
    }
    client.take_features(next())?;
    let type_reply = next();
    if type_reply.class() != 2 {
        return Err(Error::from_reply(type_reply));
    }
    let pwd = next();
    pwd.quoted_path()
        .filter(|_| pwd.class() == 2)
        .ok_or_else(|| Error::Protocol(format!("no quoted path in PWD reply {pwd}")))
}

/// `500`/`502`/`504`: the command itself is not implemented, not a problem with the directory.
fn is_unsupported(e: &Error) -> bool {
    matches!(e.reply().map(|r| r.code), Some(500 | 502 | 504))
}
