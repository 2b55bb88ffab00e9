//! Data connections and the commands that use them: listings, RETR, STOR, APPE, ABOR.
//!
//! An exchange is: open the data channel (EPSV/PASV connect, or EPRT/PORT listen), send the
//! command, read its preliminary `1xx`, move the bytes, close the data connection, then read the
//! final `2xx` on the control connection (RFC 959 section 5.4 state diagram for RETR/STOR/LIST).

use super::client::{connect_any, Client, DataMode};
use super::command::Command;
use super::error::{Error, Result};
use super::passive;
use super::pipeline::{queued_error, Due, Event, Next, Tag};
use super::reply::{Class, Code, Reply};
use crate::net::tls::Stream;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::Instant;

/// Largest listing we hold in memory; a server that sends more is broken or hostile.
pub const MAX_LISTING: u64 = 64 * 1024 * 1024;

/// A data channel set up for the next command: the server's passive address, or our
/// listening socket (active mode); with the line of a command to send in the same write as the
/// transfer command, before it (see [`Client::prepare_along`]), and whether the channel was
/// opened ahead, behind the transfer before.
pub(crate) struct Prepared(Channel, Option<String>, bool);

enum Channel {
    Passive(SocketAddr),
    Listening(TcpListener),
}

/// What sending a transfer command led to: a data connection, or a completion reply at once
/// with no data (some servers answer so for an empty listing).
enum Started {
    Data(Stream),
    Done(Reply),
}

/// A listing as the server sent it: the raw bytes, and the reply that ended the transfer,
/// whose text may say that the server cut the listing short (pure-ftpd's `226 Output
/// truncated to 10000 matches`).
#[derive(Debug, Clone)]
pub struct ListData {
    /// The listing's bytes.
    pub data: Vec<u8>,
    /// The reply that ended the transfer (226 or 250).
    pub end: Reply,
}

impl Client {
    /// LIST of `path` (or of the current directory), its lines.
    pub fn list(&mut self, path: Option<&str>) -> Result<Vec<String>> {
        Ok(lines(&self.list_data(&Command::List(path))?.data))
    }

    /// LIST over a channel from [`Client::prepare`], with `args` (such as `-a`) when given.
    pub(crate) fn list_prepared(
        &mut self,
        prepared: Prepared,
        args: Option<&str>,
    ) -> Result<ListData> {
        self.read_all_prepared(prepared, &Command::List(args))
    }

    /// NLST of `path` (or of the current directory): the names, one a line.
    pub fn nlst(&mut self, path: Option<&str>) -> Result<Vec<String>> {
        Ok(lines(&self.list_data(&Command::Nlst(path))?.data))
    }

    /// MLSD of `path` (or of the current directory) (RFC 3659 section 7): a fact line per entry.
    pub fn mlsd(&mut self, path: Option<&str>) -> Result<Vec<String>> {
        Ok(lines(&self.list_data(&Command::Mlsd(path))?.data))
    }

    /// A listing command (`LIST`, `NLST`, `MLSD`) with the bytes as sent and the final reply,
    /// whose text may say the listing was cut short.
    pub fn list_data(&mut self, command: &Command) -> Result<ListData> {
        let (_, prepared) = self.prepare(None)?;
        self.read_all_prepared(prepared, command)
    }

    /// MLST: the facts of one path, sent on the control connection (RFC 3659 section 7.2).
    pub fn mlst(&mut self, path: Option<&str>) -> Result<String> {
        let reply = self.expect(&Command::Mlst(path), Class::Completion)?;
        let lines: Vec<&str> = reply.lines().collect();
        match lines.get(1..lines.len().saturating_sub(1)) {
            Some([facts]) => Ok(facts.strip_prefix(' ').unwrap_or(facts).to_string()),
            _ => Err(Error::Protocol(format!(
                "MLST reply without one fact line: {reply}"
            ))),
        }
    }

    /// Downloads `path` from byte `offset` (REST, RFC 3659 section 5) into `out`, calling
    /// `progress` with each chunk's length. Returns the number of bytes written.
    pub fn retr_into(
        &mut self,
        path: &str,
        offset: u64,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64> {
        let (_, prepared) = self.prepare(None)?;
        self.retr_prepared(prepared, path, None, offset, None, out, progress)
    }

    /// Sets up the data channel for the next transfer (EPSV or PASV; EPRT or PORT), sending
    /// `before` in the same round trip when the mode allows, and returns its reply. A per-file
    /// MDTM costs no round trip of its own that way. A channel opened ahead is taken when there
    /// is one, with `before`'s reply if it was sent ahead too (see [`Client::announce`]).
    pub(crate) fn prepare(
        &mut self,
        before: Option<&Command>,
    ) -> Result<(Option<Reply>, Prepared)> {
        if self.options.data_mode == DataMode::Active {
            let reply = before.map(|c| self.command(c)).transpose()?;
            let listening = Channel::Listening(self.active()?);
            return Ok((reply, Prepared(listening, None, false)));
        }
        if let Some((addr, ahead)) = self.take_armed()? {
            let reply = match (before, ahead) {
                (Some(c), Some((line, reply))) if c.wire().is_ok_and(|w| w == line) => Some(reply),
                (Some(c), _) => Some(self.command(c)?),
                (None, _) => None,
            };
            return Ok((reply, Prepared(Channel::Passive(addr), None, true)));
        }
        let (reply, addr) = self.passive(before)?;
        Ok((reply, Prepared(Channel::Passive(addr), None, false)))
    }

    /// Like [`Client::prepare`] with `along` as `before`, except when a data channel was opened
    /// ahead: then nothing is waited for, `along` goes in the same write as the transfer
    /// command, and its reply is `None` here. If it then fails, the transfer command ran where
    /// `along` would have changed (a `CWD`): its data is read and dropped, and `along`'s error
    /// is the transfer's.
    pub(crate) fn prepare_along(&mut self, along: &Command) -> Result<(Option<Reply>, Prepared)> {
        if self.options.data_mode == DataMode::Passive {
            if let Some((addr, _)) = self.take_armed()? {
                let line = along.wire().map_err(Error::BadArgument)?;
                log::debug!("{} > {}", self.id, along.traced());
                return Ok((None, Prepared(Channel::Passive(addr), Some(line), true)));
            }
        }
        self.prepare(Some(along))
    }

    /// Gives back a data channel that will not be used: it is closed before the next command
    /// (see `Client::disarm`), as servers that wait for its connection (Twisted) need.
    pub(crate) fn release(&mut self, prepared: Prepared) {
        if let Prepared(Channel::Passive(addr), _, _) = prepared {
            self.pipe.step(Event::Release(addr));
        }
    }

    /// RETR over a channel from [`Client::prepare`]. When `expect` bytes arrive, exactly, the
    /// final reply is not waited for: servers send it only once they see the data connection
    /// closed, a round trip later, and the byte count already proves the file whole. It is read
    /// behind the session's next command instead (see `Client::send`). Not with commands queued
    /// behind the transfer: their answers come right behind it, and a transfer the server ended
    /// because of them must be told at once, to be tried again.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn retr_prepared(
        &mut self,
        prepared: Prepared,
        path: &str,
        confirm: Option<Tag>,
        offset: u64,
        expect: Option<u64>,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64> {
        if offset > 0 {
            self.expect(&Command::Rest(offset), Class::Intermediate)?;
        }
        let Started::Data(mut data) = self.start(prepared, &Command::Retr(path), true)? else {
            return Ok(0);
        };
        match self.copy(&mut data, out, u64::MAX, progress) {
            Ok(n) => {
                drop(data);
                let whole = expect == Some(n);
                if let Next::ReadFinal = self.pipe.step(Event::DataEnded { whole, confirm }) {
                    self.finish()?;
                }
                Ok(n)
            }
            Err(e) => {
                drop(data);
                self.abort_transfer();
                Err(e)
            }
        }
    }

    /// RETR of `path`: its bytes as a reader, read in lockstep (nothing sent behind it). Call
    /// [`Retr::finish`] for the final reply; dropped before that, the transfer is aborted.
    pub fn retr(&mut self, path: &str) -> Result<Retr<'_>> {
        self.retr_from(path, 0)
    }

    /// RETR of `path` from byte `offset` (REST, RFC 3659 section 5).
    pub fn retr_from(&mut self, path: &str, offset: u64) -> Result<Retr<'_>> {
        if offset > 0 {
            self.expect(&Command::Rest(offset), Class::Intermediate)?;
        }
        let running = self.stream(&Command::Retr(path))?;
        Ok(Retr(running))
    }

    /// STOR to `path`: a writer whose bytes become the file. Call [`Stor::finish`] for the
    /// final reply; dropped before that, the transfer is aborted.
    pub fn stor(&mut self, path: &str) -> Result<Stor<'_>> {
        Ok(Stor(self.stream(&Command::Stor(path))?))
    }

    /// APPE: like [`Client::stor`], the bytes appended to `path`.
    pub fn appe(&mut self, path: &str) -> Result<Stor<'_>> {
        Ok(Stor(self.stream(&Command::Appe(path))?))
    }

    /// ABOR outside a transfer; `225` or `226` is success.
    pub fn abor(&mut self) -> Result<()> {
        self.expect(&Command::Abor, Class::Completion).map(drop)
    }

    fn read_all_prepared(&mut self, prepared: Prepared, command: &Command) -> Result<ListData> {
        let mut buf = Vec::new();
        let mut data = match self.start(prepared, command, true)? {
            Started::Data(data) => data,
            Started::Done(end) => return Ok(ListData { data: buf, end }),
        };
        let n = self.copy(&mut data, &mut buf, MAX_LISTING, &mut |_| {})?;
        drop(data);
        if n >= MAX_LISTING {
            self.abort_transfer();
            return Err(Error::Protocol(format!(
                "listing larger than {MAX_LISTING} bytes"
            )));
        }
        let end = self.finish()?;
        Ok(ListData { data: buf, end })
    }

    /// A transfer in lockstep for a caller that streams it: no command goes behind it, so
    /// that an early end (ABOR) leaves the replies in step.
    fn stream(&mut self, command: &Command) -> Result<Running<'_>> {
        let (_, prepared) = self.prepare(None)?;
        let (data, end) = match self.start(prepared, command, false)? {
            Started::Data(data) => (Some(data), None),
            Started::Done(reply) => (None, Some(reply)),
        };
        Ok(Running {
            client: self,
            data,
            end,
        })
    }

    /// Sends `command` and connects the data channel. In passive mode the command goes first and
    /// the connection is made while the server reads it: one round trip for both.
    fn start(&mut self, prepared: Prepared, command: &Command, queue: bool) -> Result<Started> {
        let Prepared(channel, along, opened_ahead) = prepared;
        let mut lines = along.clone().unwrap_or_default();
        lines += &command.wire().map_err(Error::BadArgument)?;
        log::debug!("{} > {}", self.id, command.traced());
        let passive = matches!(channel, Channel::Passive(_));
        let behind = self.pipe.behind(passive && queue, !self.skip_extended);
        for line in behind.iter().flat_map(|(_, lines)| lines) {
            log::debug!("{} > {}", self.id, line.trim_end());
            lines.push_str(line);
        }
        self.write(&lines)?;
        let behind = behind.map(|(due, _)| due);
        let armed = matches!(behind, Some(Due::Setup { .. }));
        self.pipe.step(Event::Sent(behind));
        let connected = match &channel {
            Channel::Passive(addr) => Some(
                self.options
                    .end()
                    .bound(self.options.connect_timeout)
                    .map_err(Error::from)
                    .and_then(|wait| connect_any(*addr, wait)),
            ),
            Channel::Listening(_) => None,
        };
        // vsftpd sends the final reply only once it sees our end of the data connection
        // closed: closing it now, not after the last byte, lets that reply (and the next data
        // channel's, queued behind it) come with the data instead of a round trip later. Only
        // where commands are queued behind, so a server that minds it stops that too.
        if let (true, false, Some(Ok(stream))) =
            (armed && receives(command), self.protect_data, &connected)
        {
            stream.shutdown(Shutdown::Write)?;
        }
        let along = along.map(|_| self.read_reply()).transpose()?;
        let reply = self.transfer_reply()?;
        if let Some(refused) = along.filter(|r| r.class() != Class::Completion) {
            if let Err(e) = self.drop_transfer(reply, channel, connected) {
                let why = format!("the transfer after a refused {refused}: {e}");
                self.pipe.step(Event::OutOfStep(why));
            }
            return Err(Error::Along(refused));
        }
        let ahead = opened_ahead || armed;
        if ahead && refuses_ahead(&reply) {
            // What lockstep would not have caused: a sequence error (Twisted answers `503 must
            // send PORT or PASV` once a data connection it cannot half-close was shut for
            // writing), a data connection that did not come, or the answer to a command queued
            // behind. From now on this server is spoken to in lockstep; the transfer is tried
            // again on a new session.
            let why = format!("{reply} where a transfer's first reply was due");
            self.pipe.step(Event::RefusedAhead(why));
            return Err(queued_error(&reply));
        }
        if reply.class() == Class::Completion
            && !matches!(reply.code, Code::CLOSING_DATA | Code::FILE_OK)
        {
            let why = format!("{reply} where a transfer's first reply was due");
            self.pipe.step(Event::OutOfStep(why.clone()));
            return Err(Error::Protocol(why));
        }
        if reply.class() != Class::Preliminary {
            self.pipe.step(Event::NoData);
            return match reply.class() {
                Class::Completion => Ok(Started::Done(reply)),
                _ => Err(Error::from_reply(reply)),
            };
        }
        self.data_channel(channel, connected).map(Started::Data)
    }

    /// The data connection of a transfer whose preliminary reply came, TLS and timeouts set.
    fn data_channel(
        &mut self,
        channel: Channel,
        connected: Option<Result<TcpStream>>,
    ) -> Result<Stream> {
        let stream = match (channel, connected) {
            (Channel::Listening(listener), _) => self.accept(listener)?,
            (_, Some(connected)) => connected?,
            (Channel::Passive(_), None) => unreachable!("a passive channel was connected above"),
        };
        // In TLS, the handshake comes after the preliminary reply: servers (vsftpd) start it
        // only once the command is accepted.
        self.data_stream(stream)
    }

    /// Reads and drops the data of a transfer nobody wants, and its final reply.
    fn drop_transfer(
        &mut self,
        reply: Reply,
        channel: Channel,
        connected: Option<Result<TcpStream>>,
    ) -> Result<()> {
        if reply.class() != Class::Preliminary {
            self.pipe.step(Event::NoData);
            return Ok(());
        }
        let mut data = self.data_channel(channel, connected)?;
        self.copy(&mut data, &mut io::sink(), MAX_LISTING, &mut |_| {})?;
        drop(data);
        self.finish().map(drop).or_else(|e| match e {
            Error::Transient(_) | Error::Permanent(_) => Ok(()),
            e => Err(e),
        })
    }

    /// Reads the final reply of a transfer, and returns it (see `Pipeline::ended` for what
    /// makes it an error).
    fn finish(&mut self) -> Result<Reply> {
        let reply = self.transfer_reply()?;
        match self.pipe.step(Event::Final(&reply)) {
            Next::Fail(e) => Err(e),
            _ => Ok(reply),
        }
    }

    /// After a failed transfer: ABOR and swallow the replies (RFC 959 4.1.3: a `426` for the
    /// aborted transfer, then `226`), so the session stays usable. Errors here only mean the
    /// session is gone, which the next command will report. With commands queued behind the
    /// transfer, the replies could not be told apart: the session is given up instead.
    fn abort_transfer(&mut self) {
        let Next::Abort = self.pipe.step(Event::DataFailed) else {
            return;
        };
        if self.send(&Command::Abor).is_err() {
            return;
        }
        // RFC 959 4.1.3: a transfer still running ends with 426 (or 451) and ABOR's own 226; a
        // transfer the server had completed already sent its 226, and ABOR gets one more reply
        // (vsftpd's 225). Either way the replies read end with ABOR's.
        let mut ended = false;
        while let Ok(reply) = self.read_reply() {
            match reply.code {
                Code::ABORTED | Code::LOCAL_ERROR => ended = true,
                _ if reply.class() == Class::Preliminary => {}
                Code::CLOSING_DATA | Code::FILE_OK if !ended => ended = true,
                _ => break,
            }
        }
    }

    fn copy(
        &self,
        from: &mut dyn Read,
        to: &mut dyn Write,
        limit: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64> {
        Ok(crate::net::pace::copy(
            from,
            to,
            limit,
            self.options.read_timeout,
            progress,
        )?)
    }

    /// The server's passive address: EPSV, or PASV when EPSV is off or refused. `before` goes
    /// in the same write as the first of them, and its reply is returned.
    fn passive(&mut self, before: Option<&Command>) -> Result<(Option<Reply>, SocketAddr)> {
        let mut before_reply = None;
        if !self.skip_extended {
            let reply = match before {
                Some(first) => {
                    self.send_both(first, &Command::Epsv)?;
                    before_reply = Some(self.read_reply()?);
                    self.read_reply()?
                }
                None => self.command(&Command::Epsv)?,
            };
            match reply.class() {
                Class::Completion => return Ok((before_reply, self.passive_addr(&reply, true)?)),
                Class::Permanent => self.skip_extended = true,
                _ => return Err(Error::from_reply(reply)),
            }
        }
        if let (Some(first), None) = (before, &before_reply) {
            before_reply = Some(self.command(first)?);
        }
        let reply = self.expect(&Command::Pasv, Class::Completion)?;
        Ok((before_reply, self.passive_addr(&reply, false)?))
    }

    /// The address in an EPSV (`extended`) or PASV reply.
    pub(super) fn passive_addr(&self, reply: &Reply, extended: bool) -> Result<SocketAddr> {
        if extended {
            let port = passive::epsv_port(&reply.text)
                .ok_or_else(|| Error::Protocol(format!("bad EPSV reply {reply}")))?;
            return Ok(SocketAddr::new(self.peer.ip(), port));
        }
        let addr = passive::pasv_addr(&reply.text)
            .ok_or_else(|| Error::Protocol(format!("bad PASV reply {reply}")))?;
        let ip = match self.options.trust_pasv_host {
            true => (*addr.ip()).into(),
            false => self.peer.ip(),
        };
        Ok(SocketAddr::new(ip, addr.port()))
    }

    fn active(&mut self) -> Result<TcpListener> {
        let listener = TcpListener::bind(SocketAddr::new(self.local.ip(), 0))?;
        let addr = listener.local_addr()?;
        if !self.skip_extended {
            let reply = self.command(&Command::Eprt(addr))?;
            match reply.class() {
                Class::Completion => return Ok(listener),
                Class::Permanent if addr.is_ipv4() => self.skip_extended = true,
                _ => return Err(Error::from_reply(reply)),
            }
        }
        self.expect(&Command::Port(addr), Class::Completion)?;
        Ok(listener)
    }

    /// Accepts the server's data connection; only from the control connection's peer, so no
    /// third party can feed us data (RFC 2577 section 5).
    fn accept(&self, listener: TcpListener) -> Result<TcpStream> {
        listener.set_nonblocking(true)?;
        let deadline = Instant::now() + self.options.end().bound(self.options.connect_timeout)?;
        loop {
            match listener.accept() {
                Ok((stream, from)) if from.ip() == self.peer.ip() => {
                    stream.set_nonblocking(false)?;
                    return Ok(stream);
                }
                Ok((_, from)) => log::warn!("ignored data connection from {from}"),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if Instant::now() > deadline {
                        return Err(Error::Io(io::ErrorKind::TimedOut.into()));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Whether a transfer command's first reply, with commands or a data channel sent ahead, is a
/// sign that the server does not take them: a bad sequence (503), a data connection that did
/// not work (425, 426), or a completion reply that cannot be this command's.
fn refuses_ahead(reply: &Reply) -> bool {
    matches!(
        reply.code,
        Code::CANT_OPEN_DATA | Code::ABORTED | Code::BAD_SEQUENCE
    ) || reply.class() == Class::Completion
        && !matches!(reply.code, Code::CLOSING_DATA | Code::FILE_OK)
}

/// The command brings data to us: our side of its data connection never writes.
fn receives(command: &Command) -> bool {
    matches!(
        command,
        Command::Retr(_) | Command::List(_) | Command::Nlst(_) | Command::Mlsd(_)
    )
}

/// The lines of a listing, without their CR LF; bytes that are not UTF-8 replaced.
fn lines(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data)
        .lines()
        .map(|line| line.trim_end_matches('\r').to_string())
        .collect()
}

/// A transfer whose data the caller moves: the data connection (`None` when the server
/// answered at once, with `end`).
struct Running<'c> {
    client: &'c mut Client,
    data: Option<Stream>,
    end: Option<Reply>,
}

impl Running<'_> {
    /// Closes the data connection and reads the final reply.
    fn finish(&mut self) -> Result<Reply> {
        if let Some(end) = self.end.take() {
            return Ok(end);
        }
        self.data = None;
        let reply = self.client.finish()?;
        self.end = Some(reply.clone());
        Ok(reply)
    }
}

impl Drop for Running<'_> {
    /// Unfinished: the data connection is closed and the one final reply read, as Python's
    /// ftplib does. Not ABOR: its replies differ by server and timing (vsftpd answers `226`
    /// then `225 No transfer to ABOR` to a transfer already sent whole; pyftpdlib one reply to
    /// an upload cut short), so they could not be kept in step.
    fn drop(&mut self) {
        if self.end.is_none() {
            let _ = self.finish();
        }
    }
}

/// The bytes of a file being downloaded (see [`Client::retr`]).
pub struct Retr<'c>(Running<'c>);

impl Retr<'_> {
    /// Reads the transfer's final reply (`226` or `250`) once the data is read: an error reply
    /// says the bytes are not the whole file.
    pub fn finish(mut self) -> Result<Reply> {
        self.0.finish()
    }
}

impl Read for Retr<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.0.data {
            Some(data) => data.read(buf),
            None => Ok(0),
        }
    }
}

/// A file being uploaded (see [`Client::stor`]).
pub struct Stor<'c>(Running<'c>);

impl Stor<'_> {
    /// Ends the upload: TLS `close_notify` tells the server it ended rather than was cut (RFC
    /// 4217 section 12.6); then the final reply.
    pub fn finish(mut self) -> Result<Reply> {
        if let Some(data) = &mut self.0.data {
            data.flush()?;
            data.finish()?;
        }
        self.0.finish()
    }
}

impl Write for Stor<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.0.data {
            Some(data) => data.write(buf),
            None => Err(io::ErrorKind::BrokenPipe.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.0.data {
            Some(data) => data.flush(),
            None => Ok(()),
        }
    }
}
