//! A logged-in session ready for mirroring: the client plus what was learned about the server.
//!
//! Opening a session runs the whole preamble (greeting, AUTH TLS when asked for, login, PBSZ
//! and PROT in TLS, FEAT, `OPTS UTF8 ON`, TYPE I, PWD) once; a worker then reuses it for every listing and file. Listing picks the best command
//! the server offers (MLSD when FEAT names MLST, else LIST, else NLST with SIZE and MDTM per name)
//! and remembers a refusal so it is not asked again.

use super::client::{Client, Options, Shared};
use super::command::{Command, Prot};
use super::error::{Error, Result};
use super::list::{self, Listing, Truncated};
use super::reply::{Class, Code};
use super::transfer::{ListData, Prepared};
use crate::remote::tree::{Entry, Kind, Mtime, Precision, Zone};
use serde::{Deserialize, Serialize};

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

/// The command a listing came from, weakest first: each sees less than the one after it
/// (`LIST` without `-a` hides dot-files on vsftpd, NLST has names only), so a directory listed
/// with a weaker command than another was is not a reason to delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ListCommand {
    #[serde(rename = "NLST")]
    Nlst,
    #[serde(rename = "LIST")]
    List,
    #[serde(rename = "LIST -a")]
    ListAll,
    #[serde(rename = "MLSD")]
    Mlsd,
}

impl ListCommand {
    /// The next command to try when the server refuses this one.
    fn fallback(self) -> Option<ListCommand> {
        match self {
            ListCommand::Mlsd => Some(ListCommand::ListAll),
            ListCommand::ListAll => Some(ListCommand::List),
            ListCommand::List => Some(ListCommand::Nlst),
            ListCommand::Nlst => None,
        }
    }
}

impl std::fmt::Display for ListCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ListCommand::Mlsd => "MLSD",
            ListCommand::ListAll => "LIST -a",
            ListCommand::List => "LIST",
            ListCommand::Nlst => "NLST",
        })
    }
}

/// One listed directory: the command used, what it held, and whether the server cut it short.
#[derive(Debug, Clone)]
pub struct Listed {
    pub command: ListCommand,
    pub listing: Listing,
    pub truncated: Option<Truncated>,
}

/// A logged-in FTP session.
pub struct Session {
    pub client: Client,
    /// The directory the server put us in at login.
    pub login_dir: String,
    /// The command the next listing uses: the best one the server has not refused.
    list_command: ListCommand,
    /// A `LIST -a` answer showed entries: the server takes `-a`, even where it shows nothing.
    all_taken: bool,
    /// The directory the session is in, when known (see `paths.rs`).
    pub(super) here: Option<String>,
}

/// A listing that failed: because of the directory (its path was refused: the next directory
/// may do well with the same command), or because of the command itself.
enum Failure {
    Path(Error),
    Command(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Command(e)
    }
}

impl Session {
    pub fn open(
        host: &str,
        port: u16,
        login: &Login,
        options: Options,
        shared: Shared,
    ) -> Result<Session> {
        let mut client = Client::connect_shared(host, port, options, shared)?;
        client.login(&login.user, &login.password, login.account.as_deref())?;
        let login_dir = setup(&mut client)?;
        let list_command = match client.features().has("MLST") {
            true => ListCommand::Mlsd,
            false => ListCommand::ListAll,
        };
        client.enable_utf8()?;
        Ok(Session {
            client,
            here: Some(login_dir.clone()),
            login_dir,
            list_command,
            all_taken: false,
        })
    }

    /// Lists the directory at absolute `path` with the best command the server takes. A
    /// command the server does not implement (`500`, `502`, `504`) is not asked again; a
    /// refused path fails this listing only.
    pub fn list_dir(&mut self, path: &str) -> Result<Listed> {
        loop {
            let command = self.list_command;
            let result = match command {
                ListCommand::Mlsd => self.mlsd(path),
                ListCommand::ListAll | ListCommand::List => match self.list(path) {
                    // The `CWD` went in one write with LIST (a channel was open ahead) and was
                    // refused as too long: now paths go one component at a time.
                    Err(Failure::Path(e)) if self.refused_whole(&e) => self.list(path),
                    result => result,
                },
                ListCommand::Nlst => self.nlst(path),
            };
            let e = match result {
                Ok(listed) if listed.truncated.is_some() => return Ok(self.completed(path, listed)),
                Ok(listed) => return Ok(listed),
                Err(Failure::Path(e)) => return Err(e),
                Err(Failure::Command(e)) => e,
            };
            match command.fallback() {
                Some(next) if is_unsupported(&e) => {
                    log::info!("{command} refused ({e}); trying {next}");
                    self.list_command = next;
                }
                _ => return Err(e),
            }
        }
    }

    /// A listing cut short, completed from parts when the server allows (see `complete.rs`).
    fn completed(&mut self, path: &str, cut: Listed) -> Listed {
        let Some(listing) = self.complete(path, &cut) else {
            return cut;
        };
        log::info!(
            "{path}: the listing was cut short; {} entries listed in parts",
            listing.entries.len()
        );
        Listed {
            listing,
            truncated: None,
            ..cut
        }
    }

    fn mlsd(&mut self, path: &str) -> std::result::Result<Listed, Failure> {
        let data = match self.whole("MLSD", path) {
            true => self.client.list_data(&Command::Mlsd(Some(path)))?,
            false => {
                self.enter(path).map_err(Failure::Path)?;
                self.client.list_data(&Command::Mlsd(None))?
            }
        };
        Ok(listed(
            ListCommand::Mlsd,
            list::parse_mlsd(&data.data),
            &data,
        ))
    }

    /// CWD (in the same round trip as EPSV, or as LIST when the data channel was opened ahead),
    /// then LIST with no path: a path argument is globbed by some servers (vsftpd treats `[x]`
    /// as a pattern). `-a` first, so that servers that hide dot-files (vsftpd) show them: a
    /// mirror must not miss `.htaccess`, nor delete a local copy of a file the server has. A
    /// server that takes `-a` for a name answers with an error or nothing: then a plain LIST is
    /// asked, and kept for the session.
    fn list(&mut self, path: &str) -> std::result::Result<Listed, Failure> {
        let prepared = match self.whole("CWD", path) && self.here.as_deref() != Some(path) {
            true => self.cwd_along(path)?,
            false => {
                self.enter(path).map_err(Failure::Path)?;
                self.client.prepare(None)?.1
            }
        };
        let now = chrono::Utc::now().naive_utc();
        if self.list_command == ListCommand::List {
            let data = self.client.list_prepared(prepared, None).map_err(|e| {
                let failure = cwd_failure(e);
                if matches!(failure, Failure::Path(_)) {
                    self.moved(None);
                }
                failure
            })?;
            return Ok(listed(
                ListCommand::List,
                list::parse_list(&data.data, now),
                &data,
            ));
        }
        let all = match self.client.list_prepared(prepared, Some("-a")) {
            Ok(data) => Some(data),
            Err(e @ Error::Along(_)) => {
                self.moved(None);
                return Err(Failure::Path(e));
            }
            Err(e) if e.reply().is_some_and(|r| r.class() == Class::Permanent) => None,
            Err(e) => return Err(Failure::Command(e)),
        };
        // `.` and `..` in the answer prove `-a` was taken as an option, even in an empty
        // directory; so does any entry, on this session for good (Twisted never lists the
        // dots: its empty directories answer nothing to either form).
        if let Some(data) = all {
            let listing = list::parse_list(&data.data, now);
            let taken = lists_dot_entries(&data.data)
                || !listing.entries.is_empty()
                || !listing.unread.is_empty();
            self.all_taken |= taken;
            if taken || self.all_taken {
                return Ok(listed(ListCommand::ListAll, listing, &data));
            }
        }
        let data = self.client.list_data(&Command::List(None))?;
        let plain = list::parse_list(&data.data, now);
        if plain.entries.is_empty() {
            // Empty either way: nothing says `-a` was not taken.
            return Ok(listed(ListCommand::ListAll, plain, &data));
        }
        log::info!("the server does not take LIST -a; listing without it");
        self.list_command = ListCommand::List;
        Ok(listed(ListCommand::List, plain, &data))
    }

    /// The data channel for a listing of `path`, with its `CWD` sent in the same round trip
    /// (or, when a channel was opened ahead, in the same write as the listing command).
    fn cwd_along(&mut self, path: &str) -> std::result::Result<Prepared, Failure> {
        let (cwd, prepared) = self.client.prepare_along(&Command::Cwd(path))?;
        if let Some(reply) = cwd.filter(|r| r.class() != Class::Completion) {
            self.client.release(prepared);
            self.moved(None);
            let e = Error::from_reply(reply);
            if !self.refused_whole(&e) {
                return Err(Failure::Path(e));
            }
            self.enter(path).map_err(Failure::Path)?;
            return Ok(self.client.prepare(None)?.1);
        }
        // Sent along: where it went is known once the listing's answer comes.
        self.moved(Some(path));
        Ok(prepared)
    }

    /// NLST names, then SIZE and MDTM for each: the last resort, one round trip or more per name.
    fn nlst(&mut self, path: &str) -> std::result::Result<Listed, Failure> {
        self.enter(path).map_err(Failure::Path)?;
        let data = self.client.list_data(&Command::Nlst(None))?;
        let (names, unread) = list::parse_nlst(&data.data);
        let mut entries = Vec::with_capacity(names.len());
        for name in names {
            // Some servers answer NLST with paths; the entry is the last component.
            let name = name.rsplit('/').next().unwrap_or(&name).to_string();
            entries.push(self.probe(path, name)?);
        }
        let listing = Listing {
            dialect: None,
            entries,
            unread,
        };
        Ok(listed(ListCommand::Nlst, listing, &data))
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
                self.moved(None);
                self.enter(dir)?;
                Kind::Dir
            }
            Err(e) if e.is_transient() => return Err(e),
            Err(_) => Kind::Other,
        };
        Ok(Entry::new(name, kind))
    }
}

fn listed(command: ListCommand, listing: Listing, data: &ListData) -> Listed {
    Listed {
        command,
        listing,
        truncated: list::truncation(&data.end, &data.data),
    }
}

/// A LIST that failed because the `CWD` sent in its write was refused failed because of the
/// path, not of LIST.
fn cwd_failure(e: Error) -> Failure {
    match e {
        Error::Along(_) => Failure::Path(e),
        e => Failure::Command(e),
    }
}

/// Whether a LIST answer has `.` or `..` lines.
fn lists_dot_entries(data: &[u8]) -> bool {
    data.split(|&b| b == b'\n').any(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.ends_with(b" .") || line.ends_with(b" ..")
    })
}

/// The rest of the preamble in one round trip: PBSZ and PROT P when in TLS, FEAT, TYPE I, SYST,
/// PWD. An IBM i server (SYST `OS/400 ...`) is asked for path names and Unix-style listings
/// (`SITE NAMEFMT 1`, `SITE LISTFMT 1`, as WinSCP's documentation recommends and curl does for
/// the first), and where that puts us: one more round trip there only. On z/OS (`MVS is the
/// operating system of this server`) and OpenVMS (`VMS MultiNet V5.5`), whose paths are their
/// own, paths go one name at a time. Returns the login directory.
fn setup(client: &mut Client) -> Result<String> {
    let tls = client.in_tls();
    let mut commands = Vec::new();
    if tls {
        commands.extend([Command::Pbsz(0), Command::Prot(Prot::Private)]);
    }
    commands.extend([
        Command::Feat,
        Command::TypeImage,
        Command::Syst,
        Command::Pwd,
    ]);
    let mut replies = client.batch(&commands)?.into_iter();
    let mut next = || replies.next().expect("a reply per command");
    if tls {
        for reply in [next(), next()] {
            if reply.class() != Class::Completion {
                return Err(Error::from_reply(reply));
            }
        }
        client.set_protected();
    }
    client.take_features(next())?;
    let type_reply = next();
    if type_reply.class() != Class::Completion {
        return Err(Error::from_reply(type_reply));
    }
    let syst = next();
    let mut pwd = next();
    let system = match syst.class() {
        Class::Completion => syst.text.split_whitespace().next().unwrap_or(""),
        _ => "",
    };
    if matches!(system, "MVS" | "VMS") {
        client.shared().stepwise.native_paths(system);
    }
    if system == "OS/400" {
        let ibm = [
            Command::Site("NAMEFMT 1"),
            Command::Site("LISTFMT 1"),
            Command::Pwd,
        ];
        pwd = client.batch(&ibm)?.pop().expect("a reply per command");
    }
    pwd.quoted_path()
        .filter(|_| pwd.class() == Class::Completion)
        .ok_or_else(|| Error::Protocol(format!("no quoted path in PWD reply {pwd}")))
}

/// `500`/`502`/`504`: the command itself is not implemented, not a problem with the directory.
fn is_unsupported(e: &Error) -> bool {
    matches!(
        e.reply().map(|r| r.code),
        Some(Code::SYNTAX | Code::NOT_IMPLEMENTED | Code::NOT_IMPLEMENTED_PARAM)
    )
}
