//! The control connection: connect, log in, send commands, read replies.
//!
//! One [`Client`] is one logged-in session. Every command goes through [`Client::command`], which
//! refuses unsafe arguments and traces the exchange at debug level with secrets masked. Data
//! transfers (listings, RETR, STOR) are in `transfer.rs`.

use super::command::Command;
use super::error::{Error, Result};
use super::features::Features;
use super::paths::Stepwise;
use super::pipeline::{Ahead, Answer, Due, Event, Next, Pipeline, Tag};
use super::reply::{Class, Code, Reply, ReplyReader};
use crate::net::pace::{Bounds, Deadline, JobEnd};
use crate::net::tls::Stream;
use crate::net::trace::ConnId;
use chrono::NaiveDateTime;
use rustls::ClientConfig;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest control line we read; longer is a protocol error, not a reason to grow memory.
pub const MAX_LINE: usize = 64 * 1024;

/// How data connections are opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DataMode {
    /// EPSV, falling back to PASV: the client connects to the server.
    #[default]
    Passive,
    /// EPRT, falling back to PORT: the server connects to the client.
    Active,
}

/// When to speak TLS (RFC 4217).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// Clear text.
    #[default]
    Off,
    /// AUTH TLS; a server that refuses it is used in clear.
    Auto,
    /// AUTH TLS, and no password is sent to a server that refuses it (`ftpes://`).
    Required,
    /// TLS from the first byte (`ftps://`, port 990).
    Implicit,
}

/// Connection settings.
#[derive(Clone)]
pub struct Options {
    /// Longest wait for a TCP connection.
    pub connect_timeout: Duration,
    /// Longest wait for any reply or data byte.
    pub read_timeout: Duration,
    /// How data connections are opened.
    pub data_mode: DataMode,
    /// Connect to the host a PASV reply names instead of the control connection's peer.
    pub trust_pasv_host: bool,
    /// Try EPSV/EPRT (RFC 2428) before PASV/PORT. Off for NAT boxes that mangle them.
    pub extended: bool,
    /// When to speak TLS: the one switch, acted on by [`Client::connect`].
    pub security: Security,
    /// The TLS configuration when `security` is not `Off`; `None`: certificates checked against
    /// the system's roots.
    pub tls: Option<Arc<ClientConfig>>,
    /// When everything must be over: every connect, read and write is bounded by the time
    /// left; `None`: only by the timeouts.
    pub deadline: Option<Instant>,
}

/// What a run's sessions learn of their server together: whether commands may be sent during a
/// transfer, and whether paths must go one component at a time.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shared {
    pub overlap: Overlap,
    pub stepwise: Stepwise,
}

/// What a server does with commands that arrive while a transfer runs, learned from a `NOOP`
/// sent behind the first transfer command and shared by a run's sessions.
///
/// A server that leaves them until the transfer is over (vsftpd) answers an `EPSV` sent behind
/// a `RETR` together with the `226`: the next data channel costs no round trip. A server that
/// answers them at once (pyftpdlib) would end the running transfer for a new `EPSV`, so it never
/// gets one early.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overlap(Arc<AtomicU8>);

/// The states of [`Overlap`], in the order they are learned: a server's overlap only ever rises.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum During {
    /// Nothing seen yet: a `NOOP` goes behind the next transfer command to find out.
    Unknown = 0,
    /// The server read the `NOOP` only once the transfer was over.
    Queued = 1,
    /// The server answered during a transfer, or a transfer with commands behind it failed.
    Answered = 2,
}

impl During {
    fn from_u8(value: u8) -> During {
        match value {
            0 => During::Unknown,
            1 => During::Queued,
            _ => During::Answered,
        }
    }
}

impl Overlap {
    pub(super) fn get(&self) -> During {
        During::from_u8(self.0.load(Ordering::Relaxed))
    }

    /// Records what was seen; true when it is news. The value only rises, so `Answered` wins
    /// over `Queued`: one sign that commands are not safe during a transfer is enough.
    pub(super) fn learn(&self, during: During) -> bool {
        During::from_u8(self.0.fetch_max(during as u8, Ordering::Relaxed)) < during
    }
}

impl Options {
    /// What bounds each wait of a connection made with these options.
    pub(crate) fn bounds(&self) -> Bounds {
        Bounds {
            idle: self.read_timeout,
            end: self.end(),
        }
    }

    /// The deadline, as the waits read it.
    pub(crate) fn end(&self) -> JobEnd {
        JobEnd(self.deadline)
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            data_mode: DataMode::Passive,
            trust_pasv_host: false,
            extended: true,
            security: Security::Off,
            tls: None,
            deadline: None,
        }
    }
}

/// One FTP session.
pub struct Client {
    /// This control connection's name in the trace.
    pub(super) id: ConnId,
    pub(super) ctrl: BufReader<Stream>,
    /// The name the server's certificate must carry.
    pub(super) host: String,
    /// This session's own TLS configuration: its session cache holds only this control
    /// connection's sessions, which its data connections must resume (vsftpd's
    /// `require_ssl_reuse`; the server process of another session cannot resume them).
    pub(super) tls: Option<Arc<ClientConfig>>,
    /// PROT P is in force: data connections are TLS too.
    pub(super) protect_data: bool,
    /// Replies still to come and the data channel opened ahead (see `pipeline.rs`).
    pub(super) pipe: Pipeline,
    pub(super) peer: SocketAddr,
    pub(super) local: SocketAddr,
    pub(super) options: Options,
    shared: Shared,
    welcome: String,
    features: Features,
    /// Set when EPSV or EPRT is off or was refused: later transfers go straight to PASV or PORT.
    pub(super) skip_extended: bool,
}

/// Whether PASV and PORT can serve this connection. They carry IPv4 addresses only (RFC 2428
/// section 1), so on IPv6 EPSV and EPRT are used even when turned off, as curl does; said
/// once, since the run works and only the setting is wrong for this server.
fn pasv_serves(peer: SocketAddr, host: &str) -> bool {
    if peer.is_ipv4() {
        return true;
    }
    crate::net::trace::warn_once!(
        "--no-epsv (no_epsv) is ignored for {host}, reached over IPv6: PASV and PORT cannot \
         carry IPv6 addresses (RFC 2428), so EPSV and EPRT are used; drop the setting for this \
         server"
    );
    false
}

impl Client {
    /// Connects to `host:port`, reads the greeting, and speaks TLS as `options.security` says:
    /// from the first byte when `Implicit`, after `AUTH TLS` when `Auto` or `Required`.
    ///
    /// ```no_run
    /// use ftpmirror::ftp::{Client, Options, Security};
    /// use std::io::Read;
    ///
    /// let options = Options { security: Security::Auto, ..Options::default() };
    /// let mut ftp = Client::connect("ftp.example.org", 21, options)?;
    /// ftp.login("anonymous", "anonymous@", None)?;
    /// ftp.type_image()?;
    /// let mut readme = Vec::new();
    /// let mut retr = ftp.retr("/pub/README")?;
    /// retr.read_to_end(&mut readme)?;
    /// let end = retr.finish()?; // the 226 that says the whole file came
    /// println!("{} bytes: {end}", readme.len());
    /// ftp.quit();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn connect(host: &str, port: u16, options: Options) -> Result<Client> {
        Client::connect_shared(host, port, options, Shared::default())
    }

    /// [`Client::connect`], learning with the other sessions of a run through `shared`.
    pub(crate) fn connect_shared(
        host: &str,
        port: u16,
        options: Options,
        shared: Shared,
    ) -> Result<Client> {
        let tcp = connect_any((host, port), options.end().bound(options.connect_timeout)?)?;
        tcp.set_nodelay(true)?;
        let (peer, local) = (tcp.peer_addr()?, tcp.local_addr()?);
        let tls = match options.security {
            Security::Off => None,
            _ => Some(session_config(options.tls.as_ref())?),
        };
        let stream = match (&tls, options.security) {
            (Some(config), Security::Implicit) => Stream::tls(tcp, config, host, options.bounds())?,
            _ => Stream::plain(tcp, options.bounds())?,
        };
        let id = ConnId::next();
        let mut client = Client {
            pipe: Pipeline::new(id.to_string(), shared.overlap.clone()),
            shared,
            id,
            ctrl: BufReader::with_capacity(16 * 1024, stream),
            host: host.to_string(),
            tls,
            protect_data: false,
            peer,
            local,
            welcome: String::new(),
            features: Features::default(),
            skip_extended: !options.extended && pasv_serves(peer, host),
            options,
        };
        let mut greeting = client.read_reply()?;
        // RFC 959 5.4: 120 "service ready in nnn minutes" precedes the real greeting.
        while greeting.code == Code::READY_IN {
            greeting = client.read_reply()?;
        }
        if greeting.code != Code::READY {
            return Err(Error::from_reply(greeting));
        }
        client.welcome = greeting.text;
        client.secure(client.options.security)?;
        Ok(client)
    }

    /// The settings this client was made with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// What this session learns with the others of its run.
    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The greeting's text.
    pub fn welcome(&self) -> &str {
        &self.welcome
    }

    /// The server's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// USER, PASS and ACCT as the server asks for them (RFC 959 section 5.4).
    ///
    /// USER and PASS go in one write, a round trip less: a server that wants no password
    /// (vsftpd's anonymous login) answers the PASS with a harmless 230 or 503.
    pub fn login(&mut self, user: &str, password: &str, account: Option<&str>) -> Result<()> {
        self.send_both(&Command::User(user), &Command::Pass(password))?;
        let mut reply = self.read_reply()?;
        let pass = self.read_reply();
        if reply.code == Code::NEED_PASSWORD {
            reply = pass?;
        }
        if reply.code == Code::NEED_ACCOUNT {
            let account = account.ok_or_else(|| Error::Login(reply.clone()))?;
            reply = self.command(&Command::Acct(account))?;
        }
        match reply.class() {
            Class::Completion => Ok(()),
            Class::Transient => Err(Error::Transient(reply)),
            _ => Err(Error::Login(reply)),
        }
    }

    /// FEAT, kept for [`Client::features`]; a server without FEAT has no features.
    pub fn feat(&mut self) -> Result<&Features> {
        let reply = self.command(&Command::Feat)?;
        self.take_features(reply)
    }

    pub(super) fn take_features(&mut self, reply: Reply) -> Result<&Features> {
        self.features = match reply.code {
            Code::FEATURES => Features::parse(&reply),
            _ if reply.class() == Class::Permanent => Features::default(),
            _ => return Err(Error::from_reply(reply)),
        };
        Ok(&self.features)
    }

    /// Sends `commands` in one write and reads their replies, in order: one round trip for
    /// commands that do not depend on each other's answers.
    pub fn batch(&mut self, commands: &[Command]) -> Result<Vec<Reply>> {
        let mut lines = String::new();
        for command in commands {
            lines += &command.wire().map_err(Error::BadArgument)?;
            log::debug!("{} > {}", self.id, command.traced());
        }
        self.write(&lines)?;
        commands.iter().map(|_| self.read_reply()).collect()
    }

    /// The features of the last [`Client::feat`]; none before it.
    pub fn features(&self) -> &Features {
        &self.features
    }

    /// `OPTS UTF8 ON` when FEAT advertised UTF8, its reply read behind the next command: a
    /// server that refuses it changes nothing, so no round trip waits for it.
    pub(crate) fn enable_utf8(&mut self) -> Result<()> {
        if self.features.has("UTF8") {
            self.send(&Command::Opts("UTF8 ON"))?;
            self.pipe.step(Event::Deferred(Due::Ignored));
        }
        Ok(())
    }

    /// SYST: the server's system type, e.g. `UNIX Type: L8`.
    pub fn syst(&mut self) -> Result<String> {
        Ok(self.expect(&Command::Syst, Class::Completion)?.text)
    }

    /// TYPE I: every transfer is binary, so sizes and REST offsets are byte counts.
    pub fn type_image(&mut self) -> Result<()> {
        self.expect(&Command::TypeImage, Class::Completion)
            .map(drop)
    }

    /// PWD: the working directory.
    pub fn pwd(&mut self) -> Result<String> {
        let reply = self.expect(&Command::Pwd, Class::Completion)?;
        reply
            .quoted_path()
            .ok_or_else(|| Error::Protocol(format!("no quoted path in PWD reply {reply}")))
    }

    /// CWD: change the working directory.
    pub fn cwd(&mut self, path: &str) -> Result<()> {
        self.expect(&Command::Cwd(path), Class::Completion)
            .map(drop)
    }

    /// CDUP: to the parent directory.
    pub fn cdup(&mut self) -> Result<()> {
        self.expect(&Command::Cdup, Class::Completion).map(drop)
    }

    /// SITE with a server-specific command; the reply whatever its class, since what it means
    /// is the server's own (ftplib's `sendcmd`).
    pub fn site(&mut self, args: &str) -> Result<Reply> {
        self.command(&Command::Site(args))
    }

    /// SIZE (RFC 3659 section 4), in bytes since the session is in TYPE I.
    pub fn size(&mut self, path: &str) -> Result<u64> {
        let reply = self.expect(&Command::Size(path), Class::Completion)?;
        reply
            .text
            .trim()
            .parse()
            .map_err(|_| Error::Protocol(format!("bad SIZE reply {reply}")))
    }

    /// MDTM (RFC 3659 section 3): the modification time, UTC.
    pub fn mdtm(&mut self, path: &str) -> Result<NaiveDateTime> {
        parse_mdtm(&self.expect(&Command::Mdtm(path), Class::Completion)?)
    }

    /// NOOP: nothing, but a reply; keeps an idle session alive.
    pub fn noop(&mut self) -> Result<()> {
        self.expect(&Command::Noop, Class::Completion).map(drop)
    }

    /// DELE: delete a file.
    pub fn dele(&mut self, path: &str) -> Result<()> {
        self.expect(&Command::Dele(path), Class::Completion)
            .map(drop)
    }

    /// MKD; returns the created path when the server names it.
    pub fn mkd(&mut self, path: &str) -> Result<Option<String>> {
        Ok(self
            .expect(&Command::Mkd(path), Class::Completion)?
            .quoted_path())
    }

    /// RMD: remove an empty directory.
    pub fn rmd(&mut self, path: &str) -> Result<()> {
        self.expect(&Command::Rmd(path), Class::Completion)
            .map(drop)
    }

    /// RNFR then RNTO.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<()> {
        self.expect(&Command::Rnfr(from), Class::Intermediate)?;
        self.expect(&Command::Rnto(to), Class::Completion).map(drop)
    }

    /// QUIT without waiting for the reply: the session ends either way, and a run's sessions
    /// then close in one go instead of one round trip each.
    pub fn quit(mut self) {
        self.pipe.step(Event::Quit);
        let _ = self.send(&Command::Quit);
    }

    /// Reads the replies still owed for earlier commands. A transfer's final reply that is an
    /// error marks it unconfirmed; one that never comes does too, and leaves the session
    /// unusable (the error is returned).
    pub(crate) fn settle(&mut self) -> Result<()> {
        loop {
            let (along, channel) = match self.pipe.step(Event::Settle) {
                Next::Read { along, channel } => (along, channel),
                Next::Fail(e) => return Err(e),
                _ => return Ok(()),
            };
            let event = match self.read_owed(along, channel) {
                Ok(answer) => Event::Owed(answer),
                Err(e) => Event::OwedFailed(e.to_string()),
            };
            if let Next::Fail(e) = self.pipe.step(event) {
                return Err(e);
            }
        }
    }

    /// The replies of an owed [`Due`]: the announced command's first when `along`, and the
    /// address of the data channel a 2xx to a setup names.
    fn read_owed(&mut self, along: bool, channel: Option<bool>) -> Result<Answer> {
        let along = along.then(|| self.read_reply()).transpose()?;
        let reply = self.read_reply()?;
        let channel = match channel {
            Some(extended) if reply.class() == Class::Completion => {
                Some(self.passive_addr(&reply, extended)?)
            }
            _ => None,
        };
        Ok(Answer {
            along,
            reply,
            channel,
        })
    }

    /// A reply where a transfer's first or final reply is due. A `200` first is the answer to
    /// the probe behind the transfer command: the server answers commands while a transfer
    /// runs.
    pub(super) fn transfer_reply(&mut self) -> Result<Reply> {
        let reply = self.read_reply()?;
        match self.pipe.step(Event::Replied(&reply)) {
            Next::Skip => self.read_reply(),
            _ => Ok(reply),
        }
    }

    /// The data channel opened ahead, with the command sent along and its reply; the replies
    /// owed before it are read first.
    pub(super) fn take_armed(&mut self) -> Result<Option<(SocketAddr, Option<Ahead>)>> {
        loop {
            match self.pipe.step(Event::WantChannel) {
                Next::Settle => self.settle()?,
                Next::Use(addr, along) => return Ok(Some((addr, along))),
                _ => return Ok(None),
            }
        }
    }

    /// Says which command the next data channel's setup will carry (`None`: none), so that it
    /// can be sent ahead with the setup, behind the transfer before.
    pub(crate) fn announce(&mut self, before: Option<&Command>) -> Result<()> {
        let line = before
            .map(|c| c.wire().map_err(Error::BadArgument))
            .transpose()?;
        self.pipe.announce(line);
        Ok(())
    }

    /// The transfers found unconfirmed so far, taken.
    pub(crate) fn take_unconfirmed(&mut self) -> Vec<(Tag, String)> {
        self.pipe.take_unconfirmed()
    }

    /// Sends any command line and returns the reply, whatever its code.
    pub fn raw(&mut self, line: &str) -> Result<Reply> {
        self.command(&Command::Raw(line))
    }

    /// Sends a command and returns its reply if it is of class `class`, else the reply as error.
    pub(super) fn expect(&mut self, command: &Command, class: Class) -> Result<Reply> {
        let reply = self.command(command)?;
        if reply.class() == class {
            Ok(reply)
        } else {
            Err(Error::from_reply(reply))
        }
    }

    /// Sends one command and reads one reply.
    pub fn command(&mut self, command: &Command) -> Result<Reply> {
        self.disarm()?;
        self.send(command)?;
        self.read_reply()
    }

    /// Before a command that is not a transfer: a data channel opened ahead and not used is
    /// connected and closed at once. A server that reads no command after an EPSV until its
    /// data port is connected (Twisted) would otherwise answer the next commands ten seconds
    /// late, each in the slot of the one after it.
    fn disarm(&mut self) -> Result<()> {
        loop {
            match self.pipe.step(Event::Disarm) {
                Next::Settle => self.settle()?,
                Next::Close(addr) => {
                    let wait = self.options.end().bound(self.options.connect_timeout)?;
                    drop(connect_any(addr, wait));
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }
    }

    /// Two commands in one write: the server answers them in order (RFC 959 does not forbid
    /// it, and it saves a round trip).
    pub(super) fn send_both(&mut self, first: &Command, second: &Command) -> Result<()> {
        let lines = first.wire().map_err(Error::BadArgument)?
            + &second.wire().map_err(Error::BadArgument)?;
        log::debug!("{} > {}", self.id, first.traced());
        log::debug!("{} > {}", self.id, second.traced());
        self.write(&lines)
    }

    pub(super) fn send(&mut self, command: &Command) -> Result<()> {
        let line = command.wire().map_err(Error::BadArgument)?;
        log::debug!("{} > {}", self.id, command.traced());
        self.write(&line)
    }

    /// Writes command lines, then reads the final replies still owed for earlier transfers:
    /// they come first, and the commands travel meanwhile instead of a round trip later.
    pub(super) fn write(&mut self, lines: &str) -> Result<()> {
        let stream = self.ctrl.get_mut();
        stream.write_all(lines.as_bytes())?;
        stream.flush()?;
        self.settle()
    }

    /// One reply, which must arrive whole within the read timeout: a server dripping a byte at a
    /// time never trips the socket's idle timeout.
    pub(super) fn read_reply(&mut self) -> Result<Reply> {
        let mut replies = ReplyReader::default();
        let mut reader = Deadline::new(&mut self.ctrl, self.options.read_timeout);
        loop {
            let line = read_line(&mut reader)?;
            log::debug!("{} < {line}", self.id);
            if let Some(reply) = replies.push(&line).map_err(Error::Protocol)? {
                return Ok(reply);
            }
        }
    }
}

fn read_line(reader: &mut impl BufRead) -> Result<String> {
    let mut buf = Vec::new();
    let limit = MAX_LINE as u64 + 1;
    let n = reader.take(limit).read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Err(Error::Io(std::io::ErrorKind::UnexpectedEof.into()));
    }
    if buf.last() != Some(&b'\n') {
        if buf.len() > MAX_LINE {
            return Err(Error::Protocol(format!(
                "reply line longer than {MAX_LINE} bytes"
            )));
        }
        return Err(Error::Io(std::io::ErrorKind::UnexpectedEof.into()));
    }
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// The time in a `213` MDTM reply.
pub fn parse_mdtm(reply: &Reply) -> Result<NaiveDateTime> {
    super::timeval::parse(reply.text.trim())
        .ok_or_else(|| Error::Protocol(format!("bad MDTM reply {reply}")))
}

/// A copy of the given TLS configuration (without one, the system's roots) with a session
/// cache of its own.
pub(super) fn session_config(base: Option<&Arc<ClientConfig>>) -> Result<Arc<ClientConfig>> {
    let base = match base {
        Some(base) => base.clone(),
        None => crate::net::tls::system().map_err(Error::Tls)?,
    };
    let mut config = (*base).clone();
    config.resumption = rustls::client::Resumption::in_memory_sessions(32);
    Ok(Arc::new(config))
}

/// See [`crate::net::connect::connect`].
pub(super) fn connect_any(addr: impl ToSocketAddrs, timeout: Duration) -> Result<TcpStream> {
    crate::net::connect::connect(addr, || Ok(timeout)).map_err(Error::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_only_rises() {
        let overlap = Overlap::default();
        assert_eq!(overlap.get(), During::Unknown);
        overlap.learn(During::Queued);
        assert_eq!(overlap.get(), During::Queued);
        overlap.learn(During::Answered);
        overlap.learn(During::Queued);
        overlap.learn(During::Unknown);
        assert_eq!(overlap.get(), During::Answered, "Answered wins over Queued");
    }
}
