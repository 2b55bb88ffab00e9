//! TLS for HTTPS (and FTPS), with rustls: certificates verified against the system's roots by
//! default, plus any CA given with `--ca-file`; `--insecure` turns verification off, and says
//! so. One configuration per run, shared by every connection, so its session cache lets later
//! connections resume earlier sessions.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme,
    StreamOwned,
};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::net::pace::{is_timeout, Bounds, JobEnd};

/// How to check a server's certificate.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// PEM file of extra certificate authorities.
    pub ca_file: Option<std::path::PathBuf>,
    /// Accept any certificate.
    pub insecure: bool,
}

/// The client configuration for `trust`.
pub fn config(trust: &Trust) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let config = if trust.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnything(provider)))
            .with_no_client_auth()
    } else {
        builder
            .with_root_certificates(roots(trust.ca_file.as_deref())?)
            .with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// The configuration that checks certificates against the system's roots, for a client given
/// none: built once per process, since loading the roots reads the system's certificate store.
pub fn system() -> Result<Arc<ClientConfig>, String> {
    static SYSTEM: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    SYSTEM.get_or_init(|| config(&Trust::default())).clone()
}

/// The system's roots, and those of `ca_file`. A system without roots is fine when a CA file
/// is given.
fn roots(ca_file: Option<&Path>) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    store.add_parsable_certificates(native.certs);
    if let Some(file) = ca_file {
        let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(file)
            .and_then(|certs| certs.collect::<Result<_, _>>())
            .map_err(|e| format!("cannot read CA file {}: {e}", file.display()))?;
        if certs.is_empty() {
            return Err(format!("no certificate in CA file {}", file.display()));
        }
        for cert in certs {
            store
                .add(cert)
                .map_err(|e| format!("bad certificate in {}: {e}", file.display()))?;
        }
    }
    Ok(store)
}

/// A connection in clear or in TLS, whose every read and write is bounded by the time left to
/// the job: a wait in flight when `--job-timeout` comes ends then, not a socket timeout later.
pub struct Stream {
    inner: Inner,
    bounds: Bounds,
}

enum Inner {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Inner {
    fn tcp(&self) -> &TcpStream {
        match self {
            Inner::Plain(s) => s,
            Inner::Tls(s) => &s.sock,
        }
    }
}

impl Stream {
    /// A connection in clear, whose waits end after `bounds.idle` without a byte.
    pub fn plain(tcp: TcpStream, bounds: Bounds) -> io::Result<Stream> {
        slice(&tcp, bounds)?;
        Ok(Stream {
            inner: Inner::Plain(tcp),
            bounds,
        })
    }

    /// Runs the TLS handshake over `tcp`, checking the certificate against `host`. Sessions of
    /// earlier connections to the same host are resumed from `config`'s cache.
    pub fn tls(
        tcp: TcpStream,
        config: &Arc<ClientConfig>,
        host: &str,
        bounds: Bounds,
    ) -> io::Result<Stream> {
        let name = server_name(host).map_err(|m| io::Error::new(io::ErrorKind::InvalidInput, m))?;
        let conn = ClientConnection::new(config.clone(), name).map_err(io::Error::other)?;
        slice(&tcp, bounds)?;
        let mut stream = StreamOwned::new(conn, tcp);
        while stream.conn.is_handshaking() {
            waiting(bounds, &mut stream, |s| {
                bound(&s.sock, bounds)?;
                s.conn.complete_io(&mut s.sock)
            })?;
        }
        Ok(Stream {
            inner: Inner::Tls(Box::new(stream)),
            bounds,
        })
    }

    pub fn tcp(&self) -> &TcpStream {
        self.inner.tcp()
    }

    pub fn is_tls(&self) -> bool {
        matches!(self.inner, Inner::Tls(_))
    }

    /// Whether the TLS session was resumed from an earlier connection's.
    pub fn resumed(&self) -> bool {
        match &self.inner {
            Inner::Plain(_) => false,
            Inner::Tls(s) => s.conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed),
        }
    }

    /// Ends the TLS session cleanly (close_notify), so the peer can tell the end of the data
    /// from a cut; a no-op in clear.
    pub fn finish(&mut self) -> io::Result<()> {
        if let Inner::Tls(s) = &mut self.inner {
            s.conn.send_close_notify();
            s.flush()?;
        }
        Ok(())
    }
}

/// The longest one blocking read or write waits before it looks at the clock again: a stopping
/// signal moves the job's end nearer while a wait is in flight, and the wait must see it.
const SLICE: Duration = Duration::from_secs(1);

/// Sets the socket's timeouts to one slice (or the idle timeout, if shorter).
fn slice(tcp: &TcpStream, bounds: Bounds) -> io::Result<()> {
    let wait = Some(bounds.idle.min(SLICE));
    tcp.set_read_timeout(wait)?;
    tcp.set_write_timeout(wait)
}

/// Shortens the socket's timeouts to the time left to the job once that is shorter than a
/// slice (no system call before); an error once the job is out of time.
fn bound(tcp: &TcpStream, bounds: Bounds) -> io::Result<()> {
    match bounds.end.left()? {
        Some(left) if left < SLICE.min(bounds.idle) => {
            tcp.set_read_timeout(Some(left))?;
            tcp.set_write_timeout(Some(left))
        }
        _ => Ok(()),
    }
}

/// Runs `op` (one bounded read, write or handshake step) again after each slice that passed
/// without a byte, until `bounds.idle` has passed or the job's end has come.
fn waiting<S, T>(
    bounds: Bounds,
    stream: &mut S,
    mut op: impl FnMut(&mut S) -> io::Result<T>,
) -> io::Result<T> {
    let started = Instant::now();
    loop {
        match op(stream) {
            Err(e) if is_timeout(&e) && started.elapsed() < bounds.idle => {
                bounds.end.left().map_err(|_| cut(e, bounds.end))?;
            }
            result => return result.map_err(|e| cut(e, bounds.end)),
        }
    }
}

/// A wait the job's end cut short says so, rather than "timed out".
fn cut(e: io::Error, end: JobEnd) -> io::Error {
    match end.left() {
        Err(over) if is_timeout(&e) => over,
        _ => e,
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let bounds = self.bounds;
        waiting(bounds, &mut self.inner, |inner| {
            bound(inner.tcp(), bounds)?;
            match inner {
                Inner::Plain(s) => s.read(buf),
                Inner::Tls(s) => s.read(buf),
            }
        })
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let bounds = self.bounds;
        waiting(bounds, &mut self.inner, |inner| {
            bound(inner.tcp(), bounds)?;
            match inner {
                Inner::Plain(s) => s.write(buf),
                Inner::Tls(s) => s.write(buf),
            }
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.inner {
            Inner::Plain(s) => s.flush(),
            Inner::Tls(s) => s.flush(),
        }
    }
}

/// A TLS failure as a user reads it: for an untrusted certificate, what to do about it.
pub fn explain(error: &rustls::Error) -> String {
    match error {
        rustls::Error::InvalidCertificate(why) => format!(
            "the server's certificate is not trusted ({why:?}); --ca-file FILE trusts its CA, --insecure trusts anything"
        ),
        other => other.to_string(),
    }
}

/// The name to verify the certificate against: a DNS name or an IP address.
pub fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(bare.to_string()).map_err(|e| format!("bad TLS server name {host:?}: {e}"))
}

/// `--insecure`: every certificate is accepted, signatures are still checked for form.
#[derive(Debug)]
struct AcceptAnything(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _: &CertificateDer,
        _: &[CertificateDer],
        _: &ServerName,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
