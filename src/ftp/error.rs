//! The FTP client's error, classed as Python's ftplib classes them.

use super::reply::{Class, Reply};
use std::{fmt, io};

/// What went wrong in an FTP exchange.
#[derive(Debug)]
pub enum Error {
    /// The connection failed, was reset, or timed out. Worth a retry on a new connection.
    Io(io::Error),
    /// A 4xx reply: the server may accept the same command later (RFC 959 4.2.1).
    Transient(Reply),
    /// A 5xx reply: the same command will fail again (e.g. `550` for a missing file).
    Permanent(Reply),
    /// A reply of a class this step of the exchange does not allow (ftplib's `error_reply`).
    Unexpected(Reply),
    /// The server refused our credentials.
    Login(Reply),
    /// The command sent in the same write as a transfer command to go with it (the `CWD` of a
    /// listing) was refused: the transfer's place is at fault, not the transfer command.
    Along(Reply),
    /// The server broke the protocol: a malformed or overlong line, a bad passive address.
    Protocol(String),
    /// A command argument we refuse to send (CR, LF or NUL in it).
    BadArgument(String),
    /// An earlier transfer's final reply never came or came out of step: the session is
    /// unusable, through no fault of the command that found out.
    Stale(String),
    /// TLS failed or was refused: a bad certificate, a failed handshake, a server without TLS
    /// when TLS is required.
    Tls(String),
}

/// The result of an FTP call.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// True for failures a retry on a fresh session may cure: I/O errors, timeouts, 4xx replies.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Along(r) => r.class() == Class::Transient,
            _ => matches!(self, Error::Io(_) | Error::Transient(_) | Error::Stale(_)),
        }
    }

    /// The server's reply, when the error is one.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Error::Transient(r)
            | Error::Permanent(r)
            | Error::Unexpected(r)
            | Error::Login(r)
            | Error::Along(r) => Some(r),
            _ => None,
        }
    }

    /// Classes a reply that is not the one expected: by its first digit.
    pub fn from_reply(reply: Reply) -> Error {
        match reply.class() {
            Class::Transient => Error::Transient(reply),
            Class::Permanent => Error::Permanent(reply),
            _ => Error::Unexpected(reply),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) if e.kind() == io::ErrorKind::WouldBlock => {
                write!(f, "timed out waiting for the server")
            }
            Error::Io(e) => write!(f, "{e}"),
            Error::Transient(r) => write!(f, "server refused for now: {r}"),
            Error::Permanent(r) | Error::Along(r) => write!(f, "server refused: {r}"),
            Error::Unexpected(r) => write!(f, "unexpected reply: {r}"),
            Error::Login(r) => write!(f, "login failed: {r}"),
            Error::Protocol(m) => write!(f, "protocol error: {m}"),
            Error::BadArgument(m) => write!(f, "{m}"),
            Error::Tls(m) => write!(f, "TLS: {m}"),
            Error::Stale(m) => write!(f, "session out of step: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        let tls = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        match tls {
            Some(t) => Error::Tls(crate::net::tls::explain(t)),
            None => Error::Io(e),
        }
    }
}
