//! FTP over TLS (RFC 4217): `AUTH TLS` on the control connection before any password, then
//! `PBSZ 0` and `PROT P` so every data connection is TLS too, each resuming the control
//! connection's TLS session as servers like vsftpd require.

use super::client::{Client, Security};
use super::command::Command;
use super::error::{Error, Result};
use super::reply::{Class, Code};
use crate::tls::Stream;
use std::net::TcpStream;

impl Client {
    /// `AUTH TLS` when `security` asks for it; the control connection is in TLS afterwards. A
    /// server that refuses is an error when TLS is required, so no password goes out in clear.
    pub fn secure(&mut self, security: Security) -> Result<()> {
        if !matches!(security, Security::Auto | Security::Required) {
            return Ok(());
        }
        let reply = self.command(&Command::Raw("AUTH TLS"))?;
        match (reply.code, security) {
            (Code::AUTH_OK, _) => {}
            (_, Security::Required) => {
                return Err(Error::Tls(format!(
                    "the server refused AUTH TLS ({reply}); not sending the password in clear"
                )))
            }
            _ => {
                crate::warn_once!("{}: no TLS ({reply}); going on in clear text", self.host);
                return Ok(());
            }
        }
        if !self.ctrl.buffer().is_empty() {
            return Err(Error::Protocol(
                "the server sent more after 234 AUTH TLS".into(),
            ));
        }
        let config = self
            .tls
            .clone()
            .ok_or_else(|| Error::Tls("no TLS configuration".into()))?;
        let tcp = self.ctrl.get_ref().tcp().try_clone()?;
        *self.ctrl.get_mut() = Stream::tls(tcp, &config, &self.host, self.options.bounds())?;
        Ok(())
    }

    /// `PBSZ 0` and `PROT P` once the control connection is in TLS: data connections in TLS.
    pub fn protect(&mut self) -> Result<()> {
        if !self.in_tls() {
            return Ok(());
        }
        self.expect(&Command::Raw("PBSZ 0"), Class::Completion)?;
        self.expect(&Command::Raw("PROT P"), Class::Completion)?;
        self.protect_data = true;
        Ok(())
    }

    /// Whether the control connection is in TLS.
    pub fn in_tls(&self) -> bool {
        self.ctrl.get_ref().is_tls()
    }

    /// Records that PBSZ and PROT P (sent in a batch) were accepted.
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
