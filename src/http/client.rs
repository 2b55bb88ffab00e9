//! Our HTTP/1.1 client: one keep-alive connection per client (so one per worker), GET and HEAD,
//! redirects within bounds, resumable downloads checked against `Content-Range`, HTTPS through
//! rustls, and proxies as curl takes them from the environment.
//!
//! A library user calls [`Client::send`], which answers any status with a [`Response`] whose
//! body is read as it comes (see `response.rs`). The mirror's calls (`head`, `page`,
//! `download`, `download_ahead`) are built on the same exchange and treat a status they did not
//! ask for as an error.
//!
//! Redirects are followed up to a limit, never to another scheme (`file:`, `ftp:`, or from
//! HTTPS down to HTTP), and to another host only when allowed. A download that asked for a range
//! and got a `200` starts over from byte 0; a `206` whose `Content-Range` does not start where we
//! asked is an error; a body shorter than announced is an error, never a complete file.

use super::message::{self, content_range, Head};
use super::proxy::{Proxies, Proxy};
use super::request::Request;
use super::response::{Body, Response};
use crate::net::connect::connect;
use crate::net::pace::{Bounds, Deadline, JobEnd};
use crate::net::tls::{self, Stream};
use crate::net::trace::ConnId;
use rustls::ClientConfig;
use std::collections::VecDeque;
use std::io::{self, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

/// What a client needs to know. The default: 30 s to connect, 60 s for any byte, the system's
/// certificate authorities, no proxy, up to 10 redirects on the same host, no authentication,
/// no deadline.
#[derive(Clone)]
pub struct Options {
    /// Longest wait for a TCP connection.
    pub connect_timeout: Duration,
    /// Longest wait for any byte.
    pub read_timeout: Duration,
    /// The TLS configuration for HTTPS; `None`: certificates checked against the system's
    /// roots.
    pub tls: Option<Arc<ClientConfig>>,
    /// The proxies to go through ([`Proxies::default`]: none).
    pub proxies: Proxies,
    /// Most redirects followed for one request.
    pub max_redirects: u32,
    /// Follow redirects to other hosts (still never to another scheme).
    pub other_hosts: bool,
    /// Basic authentication (RFC 7617): user and password, sent with every request.
    pub basic_auth: Option<(String, String)>,
    /// When every exchange must be over: each connect, read and write is bounded by the time
    /// left.
    pub deadline: Option<Instant>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            tls: None,
            proxies: Proxies::default(),
            max_redirects: 10,
            other_hosts: false,
            basic_auth: None,
            deadline: None,
        }
    }
}

impl Options {
    /// The job's end as the socket layer takes it.
    fn end(&self) -> JobEnd {
        JobEnd(self.deadline)
    }
}

/// What went wrong in an exchange.
#[derive(Debug)]
pub enum Error {
    /// The connection failed, was reset, cut short or timed out.
    Io(io::Error),
    /// The TLS handshake failed: an untrusted certificate, a name mismatch.
    Tls(String),
    /// The server answered the mirror's request with an error status ([`Client::send`] returns
    /// any status as a response instead).
    Status {
        /// The status code.
        status: u16,
        /// The reason phrase.
        reason: String,
        /// The URL that answered, after redirects.
        url: String,
    },
    /// The server broke the protocol: a malformed head, a wrong `Content-Range`.
    Protocol(String),
    /// We refuse to follow: a redirect to another scheme or host, too many redirects.
    Refused(String),
}

/// The result of an HTTP call.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Worth a retry on a fresh connection: I/O, and 408, 429 and 5xx statuses.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Io(_) => true,
            Error::Status { status, .. } => matches!(status, 408 | 429 | 500..=599),
            _ => false,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(e) if e.kind() == io::ErrorKind::WouldBlock => {
                write!(f, "timed out waiting for the server")
            }
            Error::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                write!(f, "connection closed before the end of the response")
            }
            Error::Io(e) => write!(f, "{e}"),
            Error::Tls(m) => write!(f, "TLS: {m}"),
            Error::Status {
                status,
                reason,
                url,
            } => write!(f, "{url}: HTTP {status} {reason}"),
            Error::Protocol(m) => write!(f, "protocol error: {m}"),
            Error::Refused(m) => write!(f, "{m}"),
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
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .map(crate::net::tls::explain);
        match tls {
            Some(message) => Error::Tls(message),
            None if e.kind() == io::ErrorKind::InvalidData => Error::Protocol(e.to_string()),
            None => Error::Io(e),
        }
    }
}

/// Where a download's bytes go. Told before the body where it starts (0 when a range was not
/// honoured: what it holds must go) and the response head (validators to keep for a resume).
pub(crate) trait Sink: Write {
    fn begin(&mut self, head: &Head, start: u64) -> io::Result<()>;
}

/// A final response's head (after redirects) and the URL it came from, its body still to read.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub head: Head,
    pub url: Url,
}

/// A finished download.
#[derive(Debug)]
pub(crate) struct Download {
    pub response: Answer,
    /// The offset the body started at: the one asked for, or 0 when the range was ignored.
    pub start: u64,
    pub bytes: u64,
}

/// An open connection and the origin it talks to.
struct Conn {
    /// This connection's name in the trace.
    id: ConnId,
    origin: String,
    reader: BufReader<Stream>,
    /// Requests sent ahead of their turn (pipelined), oldest first: the responses to come.
    inflight: VecDeque<Vec<u8>>,
    /// Requests queued behind `inflight`, written with the next request that waits.
    unsent: Vec<u8>,
    /// Responses read whole with the connection kept: once one has, the server keeps
    /// connections alive and requests may be pipelined on it.
    kept: u32,
}

/// Whether requests may be pipelined to the server: cleared for good when a pipelined request
/// went unanswered (the server does not take them, and every request waits for the previous
/// response from then on), for every client that clones the same options.
#[derive(Debug, Clone)]
pub(crate) struct Pipelining(Arc<AtomicBool>);

impl Default for Pipelining {
    fn default() -> Pipelining {
        Pipelining(Arc::new(AtomicBool::new(true)))
    }
}

impl Pipelining {
    fn allowed(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn refuse(&self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

/// One keep-alive HTTP client: requests to the same origin share a connection, opened at the
/// first request (or by [`Client::connect_to`]) and opened again when the server closed it.
pub struct Client {
    options: Options,
    conn: Option<Conn>,
    pipelining: Pipelining,
}

impl Client {
    /// A client that connects when it is first used.
    pub fn new(options: Options) -> Client {
        Client::sharing(options, Pipelining::default())
    }

    /// A client that learns with others whether the server takes pipelined requests.
    pub(crate) fn sharing(options: Options, pipelining: Pipelining) -> Client {
        Client {
            options,
            conn: None,
            pipelining,
        }
    }

    /// Sends `request`, follows redirects within bounds (never to another scheme, to another
    /// host only with [`Options::other_hosts`]), and returns the final response, whatever its
    /// status (as Python's `http.client` does): its body is left to read from
    /// [`Response::body`]. Read to its end, it leaves the connection ready for the next
    /// request; dropped before, it closes the connection.
    ///
    /// ```no_run
    /// use ftpmirror::http::{Client, Options, Request};
    /// use std::io::Read;
    ///
    /// let url = url::Url::parse("https://example.org/")?;
    /// let mut client = Client::new(Options::default());
    /// let mut response = client.send(&Request::get(&url).header("Accept", "text/html"))?;
    /// println!("{} {}", response.status(), response.reason());
    /// let mut page = String::new();
    /// response.body().read_to_string(&mut page)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send(&mut self, request: &Request) -> Result<Response<'_>> {
        let method = request.method().as_str();
        let headers: Vec<(&str, &str)> = request.headers().collect();
        let Answer { head, url } = self.exchange(method, request.url(), &headers)?;
        let body = Body::new(self, &head, method)?;
        Ok(Response::new(head, url, body))
    }

    /// Opens the connection to `url`'s origin now, so an unreachable server or a bad
    /// certificate shows before any work is planned.
    pub fn connect_to(&mut self, url: &Url) -> Result<()> {
        let proxy = self.options.proxies.for_url(url).cloned();
        self.conn = Some(Conn {
            id: ConnId::next(),
            origin: origin(url)?,
            reader: BufReader::with_capacity(256 * 1024, self.connect(url, proxy.as_ref())?),
            inflight: VecDeque::new(),
            unsent: Vec::new(),
            kept: 0,
        });
        Ok(())
    }

    /// Queues the GET that `download` will make with these arguments, to go out ahead of its
    /// turn (HTTP/1.1 pipelining, RFC 9112 section 9.3.2), so that a run of small files costs
    /// one round trip instead of one each. Only on a connection that has already been kept
    /// alive for a response, to the same origin, with nothing else waiting on it; `false` when
    /// the request was not queued, and `download` will then send it when its turn comes.
    pub(crate) fn download_ahead(
        &mut self,
        url: &Url,
        offset: u64,
        validator: Option<&str>,
        since: Option<&str>,
    ) -> bool {
        let headers = download_headers(offset, validator, since);
        self.send_ahead("GET", url, &borrowed(&headers))
    }

    /// Queues the HEAD that `head` will make for `url`, as `download_ahead` does a GET.
    pub(crate) fn head_ahead(&mut self, url: &Url) -> bool {
        self.send_ahead("HEAD", url, &[])
    }

    fn send_ahead(&mut self, method: &str, url: &Url, headers: &[(&str, &str)]) -> bool {
        let Ok(origin) = origin(url) else {
            return false;
        };
        let ready = self
            .conn
            .as_ref()
            .is_some_and(|c| c.origin == origin && c.kept > 0);
        if !self.pipelining.allowed() || !ready {
            return false;
        }
        let proxy = self.options.proxies.for_url(url).cloned();
        let Ok(request) = self.request_bytes(method, url, headers, proxy.as_ref()) else {
            return false;
        };
        let conn = self.conn.as_mut().expect("ready: connected");
        conn.unsent.extend_from_slice(&request);
        conn.inflight.push_back(request);
        true
    }

    /// Whether requests sent ahead (`download_ahead`, `head_ahead`) still wait for their
    /// answers.
    pub(crate) fn owed(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| !c.inflight.is_empty())
    }

    /// HEAD of `url` itself: a redirect is answered, not followed.
    pub(crate) fn head_unfollowed(&mut self, url: &Url) -> Result<Answer> {
        let head = self.ask("HEAD", url, &[])?;
        let response = Answer {
            head,
            url: url.clone(),
        };
        self.head_done(response)
    }

    /// HEAD, following redirects.
    pub(crate) fn head(&mut self, url: &Url) -> Result<Answer> {
        let response = self.exchange("HEAD", url, &[])?;
        self.head_done(response)
    }

    /// A HEAD's answer, a redirect or a success (else the error). No body follows (RFC 9110
    /// section 9.3.2): done with, the connection counts as kept, so that requests may be
    /// pipelined on one that carried only HEADs.
    fn head_done(&mut self, response: Answer) -> Result<Answer> {
        if !matches!(response.head.status, 301 | 302 | 303 | 307 | 308) {
            self.ok_status(&response, "HEAD")?;
        }
        self.read_body(&response.head, "HEAD", &mut io::sink(), 0, &mut |_| {})?;
        Ok(response)
    }

    /// GET of a page of at most `limit` bytes (a directory index).
    pub(crate) fn page(&mut self, url: &Url, limit: u64) -> Result<(Answer, Vec<u8>)> {
        let response = self.exchange("GET", url, &[])?;
        self.ok_status(&response, "GET")?;
        let mut body = Vec::new();
        self.read_body(&response.head, "GET", &mut body, limit, &mut |_| {})?;
        Ok((response, body))
    }

    /// GET from byte `offset` (with `If-Range: validator` when given) into `sink`. With
    /// `since` (an HTTP date) and from byte 0, the GET is conditional: a `304` answer moves no
    /// body and comes back as a download of status 304.
    pub(crate) fn download(
        &mut self,
        url: &Url,
        offset: u64,
        validator: Option<&str>,
        since: Option<&str>,
        sink: &mut dyn Sink,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Download> {
        let headers = download_headers(offset, validator, since);
        let response = self.exchange("GET", url, &borrowed(&headers))?;
        let start = match (offset, response.head.status) {
            (0, 304) if since.is_some() => {
                self.read_body(&response.head, "GET", &mut io::sink(), 0, &mut |_| {})?;
                return Ok(Download {
                    response,
                    start: 0,
                    bytes: 0,
                });
            }
            (0, _) => {
                self.ok_status(&response, "GET")?;
                0
            }
            (_, 206) => check_range(&response.head, offset)?,
            // The temp file of an interrupted download holds every byte already (a run killed
            // between the last write and the rename): nothing is left to send.
            (_, 416) if ends_at(&response.head, offset) => {
                self.read_body(
                    &response.head,
                    "GET",
                    &mut io::sink(),
                    64 * 1024,
                    &mut |_| {},
                )?;
                return Ok(Download {
                    response,
                    start: offset,
                    bytes: 0,
                });
            }
            (_, 200) => {
                log::info!("{}: range not honoured; fetching it whole", response.url);
                0
            }
            _ => return Err(self.refuse(&response, "GET")),
        };
        sink.begin(&response.head, start)?;
        let bytes = self.read_body(&response.head, "GET", sink, u64::MAX, progress)?;
        Ok(Download {
            response,
            start,
            bytes,
        })
    }

    /// Sends `method` for `url`, following redirects; the final response's body is left to read.
    fn exchange(&mut self, method: &str, url: &Url, headers: &[(&str, &str)]) -> Result<Answer> {
        let mut url = url.clone();
        for _ in 0..=self.options.max_redirects {
            let head = self.ask(method, &url, headers)?;
            let location = match head.status {
                301 | 302 | 303 | 307 | 308 => head.header("location").map(str::to_string),
                _ => None,
            };
            let Some(location) = location else {
                return Ok(Answer { head, url });
            };
            self.read_body(&head, method, &mut io::sink(), 64 * 1024, &mut |_| {})?;
            let next = url
                .join(&location)
                .map_err(|e| Error::Protocol(format!("bad redirect Location {location:?}: {e}")))?;
            self.check_redirect(&url, &next)?;
            let id = self.conn.as_ref().map(|c| c.id.to_string());
            log::debug!("{} redirected from {url} to {next}", id.unwrap_or_default());
            url = next;
        }
        Err(Error::Refused(format!(
            "more than {} redirects from {url}",
            self.options.max_redirects
        )))
    }

    fn check_redirect(&self, from: &Url, to: &Url) -> Result<()> {
        if to.scheme() != from.scheme() {
            return Err(Error::Refused(format!(
                "refusing redirect from {from} to another scheme: {to}"
            )));
        }
        let same_host = to.host_str() == from.host_str()
            && to.port_or_known_default() == from.port_or_known_default();
        if !same_host && !self.options.other_hosts {
            return Err(Error::Refused(format!(
                "refusing redirect from {from} to another host: {to} (--allow-other-hosts follows it)"
            )));
        }
        Ok(())
    }

    /// One request and its response head, on the kept connection when it is to the same origin.
    /// A kept connection that the server closed meanwhile is replaced once. A request that went
    /// out ahead (`download_ahead`) is not sent again; any other request while pipelined ones
    /// are still owed an answer goes on a new connection, since its answer would come after
    /// theirs.
    fn ask(&mut self, method: &str, url: &Url, headers: &[(&str, &str)]) -> Result<Head> {
        let origin = origin(url)?;
        let proxy = self.options.proxies.for_url(url).cloned();
        let request = self.request_bytes(method, url, headers, proxy.as_ref())?;
        let conn = self.conn.as_mut().filter(|c| c.origin == origin);
        let id = conn.as_ref().map(|c| c.id.to_string()).unwrap_or_default();
        match conn.map(|c| c.inflight.front().map(|ahead| *ahead == request)) {
            Some(Some(true)) => {
                self.conn.as_mut().expect("checked").inflight.pop_front();
                match self.roundtrip(None) {
                    Ok(head) => return Ok(head),
                    // A whole --timeout went by: that was this try's wait. Asking again at once
                    // would wait as long once more.
                    Err(e) if is_timeout(&e) => {
                        log::info!(
                            "{origin}: no answer to a pipelined request; not pipelining any more"
                        );
                        self.pipelining.refuse();
                        return Err(e);
                    }
                    Err(e) => {
                        log::debug!(
                            "{id} pipelined request to {origin} failed ({e}); sending alone"
                        )
                    }
                }
            }
            Some(Some(false)) => {
                log::debug!("{id} {origin}: request out of pipeline order; reconnecting")
            }
            Some(None) => match self.roundtrip(Some(&request)) {
                Ok(head) => return Ok(head),
                Err(e) if is_timeout(&e) => return Err(e),
                Err(e) => {
                    log::debug!("{id} kept connection to {origin} failed ({e}); reconnecting")
                }
            },
            None => {}
        }
        self.connect_to(url)?;
        self.roundtrip(Some(&request))
    }

    /// Sends what is queued and `request`, then reads the next response head, which must arrive
    /// whole within the read timeout (a server dripping bytes never trips the socket's idle
    /// timeout).
    fn roundtrip(&mut self, request: Option<&[u8]>) -> Result<Head> {
        let within = self.options.read_timeout;
        let conn = self.conn.as_mut().expect("connected");
        let mut out = std::mem::take(&mut conn.unsent);
        out.extend_from_slice(request.unwrap_or_default());
        let id = conn.id;
        if log::log_enabled!(log::Level::Debug) {
            for line in message::traced_request(&out) {
                log::debug!("{id} > {line}");
            }
        }
        let stream = conn.reader.get_mut();
        let result = stream
            .write_all(&out)
            .and_then(|()| stream.flush())
            .and_then(|()| message::read_head(&mut Deadline::new(&mut conn.reader, within)));
        if let (Ok(head), true) = (&result, log::log_enabled!(log::Level::Debug)) {
            for line in message::traced_response(head) {
                log::debug!("{id} < {line}");
            }
        }
        result.map_err(|e| {
            self.conn = None;
            Error::from(e)
        })
    }

    fn request_bytes(
        &self,
        method: &str,
        url: &Url,
        headers: &[(&str, &str)],
        proxy: Option<&Proxy>,
    ) -> Result<Vec<u8>> {
        let host = host_header(url)?;
        let mut target = url.path().to_string();
        if let Some(query) = url.query() {
            target = format!("{target}?{query}");
        }
        if proxy.is_some() && url.scheme() == "http" {
            target = format!("http://{host}{target}");
        }
        let agent = concat!("ftpmirror/", env!("CARGO_PKG_VERSION"));
        let mut fields: Vec<(&str, String)> = vec![
            ("Host", host.clone()),
            ("User-Agent", agent.to_string()),
            ("Accept-Encoding", "identity".to_string()),
        ];
        if let Some((user, password)) = &self.options.basic_auth {
            fields.push((
                "Authorization",
                format!("Basic {}", base64(&format!("{user}:{password}"))),
            ));
        }
        if let (Some((user, password)), "http") =
            (proxy.and_then(|p| p.credentials.as_ref()), url.scheme())
        {
            fields.push((
                "Proxy-Authorization",
                format!("Basic {}", base64(&format!("{user}:{password}"))),
            ));
        }
        // A field the caller gives replaces ours of the same name (field names are
        // case-insensitive, RFC 9110 section 5.1).
        fields.retain(|(ours, _)| !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(ours)));
        fields.extend(headers.iter().map(|(n, v)| (*n, v.to_string())));
        message::request(method, &target, &borrowed(&fields)).map_err(Error::Refused)
    }

    fn connect(&self, url: &Url, proxy: Option<&Proxy>) -> Result<Stream> {
        let host = url
            .host_str()
            .ok_or_else(|| Error::Refused(format!("no host in {url}")))?;
        let port = url.port_or_known_default().unwrap_or(80);
        let tcp = match proxy {
            Some(p) => tcp((p.host.as_str(), p.port), &self.options)?,
            None => tcp(
                (host.trim_start_matches('[').trim_end_matches(']'), port),
                &self.options,
            )?,
        };
        if url.scheme() != "https" {
            return Ok(Stream::plain(tcp, self.bounds())?);
        }
        let tcp = match proxy {
            Some(p) => tunnel(tcp, &host_header(url)?, p)?,
            None => tcp,
        };
        let config = match &self.options.tls {
            Some(config) => config.clone(),
            None => tls::system().map_err(Error::Tls)?,
        };
        Ok(Stream::tls(tcp, &config, host, self.bounds())?)
    }

    fn bounds(&self) -> Bounds {
        Bounds {
            idle: self.options.read_timeout,
            end: self.options.end(),
        }
    }

    fn ok_status(&mut self, response: &Answer, method: &str) -> Result<()> {
        match response.head.status {
            200..=299 => Ok(()),
            _ => Err(self.refuse(response, method)),
        }
    }

    /// The error for an unwanted status, its (short) body read so that the connection can
    /// serve the next request (a body that cannot be read closes it: the status is the news).
    fn refuse(&mut self, response: &Answer, method: &str) -> Error {
        let _ = self.read_body(
            &response.head,
            method,
            &mut io::sink(),
            64 * 1024,
            &mut |_| {},
        );
        status_error(response)
    }

    /// Reads the body into `out`, at most `limit` bytes; keeps the connection only when the body
    /// was read to its end and the server allows it.
    fn read_body(
        &mut self,
        head: &Head,
        method: &str,
        out: &mut dyn Write,
        limit: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64> {
        let period = self.options.read_timeout;
        let mut body = Body::new(self, head, method)?;
        // Dropped unread, the body closes the connection.
        if let Some(n) = body.announced().filter(|&n| n > limit) {
            return Err(Error::Protocol(format!(
                "body of {n} bytes is over the limit of {limit}"
            )));
        }
        copy(&mut body, out, limit, period, progress)
    }

    /// The connection's reader, for the body of the response just read.
    pub(super) fn body_reader(&mut self) -> io::Result<&mut BufReader<Stream>> {
        match &mut self.conn {
            Some(conn) => Ok(&mut conn.reader),
            None => Err(io::ErrorKind::NotConnected.into()),
        }
    }

    /// A body read to its end: the connection carries the next request when `keep`, else it is
    /// closed (RFC 9112 section 9.3: a body of unknown length ends only with the connection,
    /// and one not read to its end leaves the stream out of step).
    pub(super) fn body_done(&mut self, keep: bool) {
        match (&mut self.conn, keep) {
            (Some(conn), true) => conn.kept += 1,
            _ => self.conn = None,
        }
    }
}

/// The fields of a GET from byte `offset`: a range with its `If-Range` validator, or from the
/// start, conditional on a change since the date `since`.
fn download_headers(
    offset: u64,
    validator: Option<&str>,
    since: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut headers = Vec::new();
    if offset > 0 {
        headers.push(("Range", format!("bytes={offset}-")));
        headers.extend(validator.map(|v| ("If-Range", v.to_string())));
    } else {
        headers.extend(since.map(|date| ("If-Modified-Since", date.to_string())));
    }
    headers
}

/// Header fields as `request` and `exchange` take them.
fn borrowed<'a>(headers: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    headers.iter().map(|(n, v)| (*n, v.as_str())).collect()
}

/// Copies the body; more than `limit` bytes is an error.
fn copy(
    from: &mut dyn Read,
    to: &mut dyn Write,
    limit: u64,
    period: Duration,
    progress: &mut dyn FnMut(u64),
) -> Result<u64> {
    let total = crate::net::pace::copy(from, to, limit.saturating_add(1), period, progress)?;
    match total > limit {
        true => Err(Error::Protocol(format!("body larger than {limit} bytes"))),
        false => Ok(total),
    }
}

/// A wait that took the whole timeout (or the job's end): the server is there but silent.
fn is_timeout(e: &Error) -> bool {
    matches!(e, Error::Io(io) if crate::net::pace::is_timeout(io))
}

fn status_error(response: &Answer) -> Error {
    Error::Status {
        status: response.head.status,
        reason: response.head.reason.clone(),
        url: response.url.to_string(),
    }
}

/// Whether a `416` says the representation is `length` bytes long (RFC 9110 section 15.5.17:
/// `Content-Range: bytes */length`). The request carried `If-Range`, so a changed validator gets
/// the whole body (`200`) instead, and the temp file's name ties it to the listed size and time.
fn ends_at(head: &Head, length: u64) -> bool {
    let value = head.header("content-range").unwrap_or("");
    let total = value
        .strip_prefix("bytes */")
        .and_then(|n| n.trim().parse().ok());
    total == Some(length)
}

/// The `206` must start exactly where we asked.
fn check_range(head: &Head, offset: u64) -> Result<u64> {
    let value = head.header("content-range").unwrap_or("");
    match content_range(value) {
        Some((first, _)) if first == offset => Ok(offset),
        _ => Err(Error::Protocol(format!(
            "asked for bytes from {offset}, got Content-Range {value:?}"
        ))),
    }
}

fn origin(url: &Url) -> Result<String> {
    Ok(format!("{}://{}", url.scheme(), host_header(url)?))
}

/// `host` or `host:port` when the port is not the scheme's default.
fn host_header(url: &Url) -> Result<String> {
    let host = url
        .host_str()
        .ok_or_else(|| Error::Refused(format!("no host in {url}")))?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

fn tcp(addr: (&str, u16), options: &Options) -> Result<TcpStream> {
    let stream = connect(addr, || options.end().bound(options.connect_timeout))?;
    stream.set_read_timeout(Some(options.read_timeout))?;
    stream.set_write_timeout(Some(options.read_timeout))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// `CONNECT host:port` through an HTTP proxy, for HTTPS.
fn tunnel(mut tcp: TcpStream, authority: &str, proxy: &Proxy) -> Result<TcpStream> {
    let auth = proxy
        .credentials
        .as_ref()
        .map(|(u, p)| format!("Basic {}", base64(&format!("{u}:{p}"))));
    let mut fields = vec![("Host", authority)];
    fields.extend(auth.as_deref().map(|a| ("Proxy-Authorization", a)));
    let request = message::request("CONNECT", authority, &fields).map_err(Error::Refused)?;
    tcp.write_all(&request)?;
    let mut reader = BufReader::new(tcp);
    let head = message::read_head(&mut reader)?;
    if head.status != 200 {
        return Err(Error::Refused(format!(
            "proxy refused CONNECT {authority}: {} {}",
            head.status, head.reason
        )));
    }
    if !reader.buffer().is_empty() {
        return Err(Error::Protocol(
            "proxy sent data before the tunnel opened".into(),
        ));
    }
    Ok(reader.into_inner())
}

/// RFC 4648 base64, for Basic authentication.
fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            match i <= chunk.len() {
                true => out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char),
                false => out.push('='),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_of_credentials() {
        assert_eq!(
            base64("Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64("ab"), "YWI=");
        assert_eq!(base64("abc"), "YWJj");
        assert_eq!(base64(""), "");
    }

    #[test]
    fn ranges_must_start_where_asked() {
        let head = |cr: &str| Head {
            version: 1,
            status: 206,
            reason: "Partial".into(),
            headers: vec![("Content-Range".into(), cr.into())],
        };
        assert_eq!(check_range(&head("bytes 100-199/200"), 100).unwrap(), 100);
        assert!(check_range(&head("bytes 0-199/200"), 100).is_err());
        assert!(check_range(&head(""), 100).is_err());
    }

    #[test]
    fn an_unsatisfiable_range_at_the_end_is_a_whole_file() {
        let head = |cr: &str| Head {
            version: 1,
            status: 416,
            reason: "Range Not Satisfiable".into(),
            headers: vec![("Content-Range".into(), cr.into())],
        };
        assert!(ends_at(&head("bytes */200"), 200));
        assert!(!ends_at(&head("bytes */300"), 200), "the file grew");
        assert!(!ends_at(&head("bytes */100"), 200));
        assert!(!ends_at(&head(""), 200));
    }
}
