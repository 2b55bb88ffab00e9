//! FTP over TLS (RFC 4217): `AUTH TLS` on the control connection before any password, then
//! `PBSZ 0` and `PROT P` so every data connection is TLS too, each resuming the control
//! connection's TLS session as servers like vsftpd require.

use super::client::{session_config, Client, Security};
use super::command::Command;
use super::command::Prot;
use super::error::{Error, Result};
use super::reply::{Class, Code, Reply};
use crate::net::tls::Stream;
use std::net::TcpStream;

impl Client {
    /// `AUTH TLS` when `security` asks for it, from [`Client::connect`]: the one place TLS is
    /// decided. A server that refuses is an error when TLS is required, so no password goes out
    /// in clear.
    pub(super) fn secure(&mut self, security: Security) -> Result<()> {
        if !matches!(security, Security::Auto | Security::Required) {
            return Ok(());
        }
        let refused = match self.auth_tls() {
            Ok(_) => return Ok(()),
            Err(e) => match e.reply() {
                Some(reply) => reply.clone(),
                None => return Err(e),
            },
        };
        if security == Security::Required {
            return Err(Error::Tls(format!(
                "the server refused AUTH TLS ({refused}); not sending the password in clear"
            )));
        }
        crate::net::trace::warn_once!("{}: no TLS ({refused}); going on in clear text", self.host);
        Ok(())
    }

    /// `AUTH TLS` (RFC 4217 section 4): the control connection is in TLS afterwards, checked
    /// against [`Options::tls`](super::Options::tls). [`Client::connect`] sends it when
    /// [`Options::security`](super::Options::security) asks; a refusal is the reply as error.
    pub fn auth_tls(&mut self) -> Result<Reply> {
        let reply = self.command(&Command::Auth("TLS"))?;
        if reply.code != Code::AUTH_OK {
            return Err(Error::from_reply(reply));
        }
        if !self.ctrl.buffer().is_empty() {
            return Err(Error::Protocol(
                "the server sent more after 234 AUTH TLS".into(),
            ));
        }
        // Connected with `Security::Off`, the session has no TLS configuration of its own yet.
        let config = match &self.tls {
            Some(config) => config.clone(),
            None => session_config(self.options.tls.as_ref())?,
        };
        self.tls = Some(config.clone());
        let tcp = self.ctrl.get_ref().tcp().try_clone()?;
        *self.ctrl.get_mut() = Stream::tls(tcp, &config, &self.host, self.options.bounds())?;
        Ok(reply)
    }

    /// `PBSZ` (RFC 4217 section 8): `0` before `PROT` in TLS.
    pub fn pbsz(&mut self, size: u32) -> Result<()> {
        self.expect(&Command::Pbsz(size), Class::Completion)
            .map(drop)
    }

    /// `PROT` (RFC 4217 section 9): whether later data connections are in TLS too.
    pub fn prot(&mut self, level: Prot) -> Result<()> {
        self.expect(&Command::Prot(level), Class::Completion)?;
        self.protect_data = level == Prot::Private;
        Ok(())
    }

    /// Whether the control connection is in TLS.
    pub fn in_tls(&self) -> bool {
        self.ctrl.get_ref().is_tls()
    }

    /// Records that PBSZ and PROT P (sent in a batch by the mirror's session) were accepted.
    pub(super) fn set_protected(&mut self) {
        self.protect_data = true;
    }

    /// A data connection as the session's protection level wants it.
    pub(super) fn data_stream(&self, tcp: TcpStream) -> Result<Stream> {
        let config = match (&self.tls, self.protect_data) {
            (Some(config), true) => config,
            _ => return Ok(Stream::plain(tcp, self.options.bounds())?),
        };
        let stream = Stream::tls(tcp, config, &self.host, self.options.bounds())?;
        log::debug!(
            "{} data connection in TLS, session resumed: {}",
            self.id,
            stream.resumed()
        );
        Ok(stream)
    }
}
