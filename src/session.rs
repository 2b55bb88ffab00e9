//! One connection to the source, whatever its protocol: a logged-in FTP session or a
//! keep-alive HTTP client. The walk, the probes and the fetches see only what they share:
//! list a directory, tell a file's exact time, and (in `exec::fetch`) download.

use crate::ftp;
use crate::ftp::list::Truncated;
use crate::http::client::{self as http, Client};
use crate::http::index;
use crate::source::{Scheme, Source};
use chrono::{DateTime, NaiveDateTime};
use url::Url;

/// One listed directory, from whichever protocol.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DirListing {
    pub command: ListedWith,
    /// The listing dialect (`mlsd`, `unix`, `dos`, `eplf`, `os400`, `mvs`, `vms`, `netware`,
    /// `os2`) or index style (`nginx`, `apache`, ...), when one was recognized.
    pub format: Option<String>,
    pub entries: Vec<crate::tree::Entry>,
    /// Lines no parser read, or links refused, with the reason.
    pub unread: Vec<String>,
    /// Set when the server cut the listing short: the entries are real, but not all there are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<Truncated>,
    /// Whether a directory is always listed as one. Not so on an index page of no known style:
    /// mini_httpd and hand-made pages link directories without a trailing `/`, so a "file"
    /// there may be a directory (see [`Session::is_dir`]).
    #[serde(skip)]
    pub marks_dirs: bool,
}

/// The command a directory was listed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListedWith {
    Ftp(ftp::ListCommand),
    /// An HTTP index page.
    Get,
}

impl std::fmt::Display for ListedWith {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListedWith::Ftp(command) => command.fmt(f),
            ListedWith::Get => f.write_str("GET"),
        }
    }
}

impl serde::Serialize for ListedWith {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The serialized name of a unit enum variant (`Dialect::Unix` -> `unix`).
fn name_of(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A probe's answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Probe {
    pub size: Option<u64>,
    /// UTC, to the second.
    pub mtime: Option<NaiveDateTime>,
}

/// Largest index page we read.
pub const MAX_INDEX: u64 = 64 * 1024 * 1024;

pub enum Session {
    Ftp(Box<ftp::Session>),
    Http(Box<HttpSession>),
}

/// An HTTP client and the server it talks to.
pub struct HttpSession {
    pub client: Client,
    /// Scheme, host and port of the source; paths are set per request.
    pub base: Url,
}

/// A failure of either protocol.
#[derive(Debug)]
pub enum Error {
    Ftp(ftp::Error),
    Http(http::Error),
}

impl Error {
    /// Worth a retry on a fresh connection.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Ftp(e) => e.is_transient(),
            Error::Http(e) => e.is_transient(),
        }
    }

    /// The session was already unusable before the failed step: trying the step again on a
    /// new session does not count as another attempt.
    pub fn is_stale(&self) -> bool {
        matches!(self, Error::Ftp(ftp::Error::Stale(_)))
    }

    /// The connection is no longer usable after it.
    pub fn breaks_session(&self) -> bool {
        self.is_stale()
            || matches!(
                self,
                Error::Ftp(ftp::Error::Io(_) | ftp::Error::Protocol(_))
                    | Error::Http(http::Error::Io(_) | http::Error::Protocol(_))
            )
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Ftp(e) => e.fmt(f),
            Error::Http(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<ftp::Error> for Error {
    fn from(e: ftp::Error) -> Error {
        Error::Ftp(e)
    }
}

impl From<http::Error> for Error {
    fn from(e: http::Error) -> Error {
        Error::Http(e)
    }
}

/// Everything needed to open one more session.
#[derive(Clone)]
pub struct Connector {
    pub source: Source,
    pub login: ftp::Login,
    pub ftp: ftp::Options,
    pub http: http::Options,
}

impl Connector {
    /// These settings, with every wait of every session bounded by the job's `end`.
    pub fn ending(mut self, end: crate::pace::JobEnd) -> Connector {
        self.ftp.end = end;
        self.http.end = end;
        self
    }

    pub fn open(&self) -> Result<Session, Error> {
        let s = &self.source;
        match s.scheme {
            Scheme::Ftp | Scheme::Ftps | Scheme::Ftpes => {
                let session = ftp::Session::open(&s.host, s.port, &self.login, self.ftp.clone())?;
                Ok(Session::Ftp(Box::new(session)))
            }
            Scheme::Http | Scheme::Https => {
                let base = s.base_url();
                let mut client = Client::new(self.http.clone());
                client.connect_to(&base)?;
                Ok(Session::Http(Box::new(HttpSession { client, base })))
            }
        }
    }
}

impl Session {
    /// The directory relative source paths start from (FTP: where the login put us).
    pub fn login_dir(&self) -> &str {
        match self {
            Session::Ftp(s) => &s.login_dir,
            Session::Http(_) => "/",
        }
    }

    /// The entries of the directory at absolute `path`, and the lines or links not understood.
    pub fn list_dir(&mut self, path: &str) -> Result<DirListing, Error> {
        match self {
            Session::Ftp(s) => {
                let listed = s.list_dir(path)?;
                Ok(DirListing {
                    command: ListedWith::Ftp(listed.command),
                    format: listed.listing.dialect.map(|d| name_of(&d)),
                    entries: listed.listing.entries,
                    unread: listed.listing.unread,
                    truncated: listed.truncated,
                    marks_dirs: true,
                })
            }
            Session::Http(h) => {
                let url = h.url(path, true);
                let (response, body) = h.client.page(&url, MAX_INDEX)?;
                // Entries are fetched by their listed paths: a listing that moved elsewhere
                // (a directory redirecting to its parent) would mirror the wrong files there.
                if response.url.path() != url.path() {
                    return Err(Error::Http(http::Error::Refused(format!(
                        "{url} redirected to {}: a directory listing that moves is not followed",
                        response.url
                    ))));
                }
                let now = chrono::Utc::now().naive_utc();
                let page = index::parse_index(&String::from_utf8_lossy(&body), &response.url, now);
                Ok(DirListing {
                    command: ListedWith::Get,
                    format: Some(name_of(&page.style)),
                    entries: page.entries,
                    unread: page.ignored,
                    truncated: None,
                    marks_dirs: page.marks_dirs,
                })
            }
        }
    }

    /// What one round trip tells of a file the listing left unclear: its time to the second
    /// (MDTM, or HEAD's `Last-Modified`) and, over HTTP, its size (`Content-Length`).
    pub fn probe(&mut self, path: &str) -> Result<Probe, Error> {
        match self {
            Session::Ftp(s) => {
                let name = s.reach("MDTM", path)?;
                Ok(Probe {
                    size: None,
                    mtime: Some(s.client.mdtm(name)?),
                })
            }
            Session::Http(h) => {
                let url = h.url(path, false);
                let head = h.client.head(&url)?.head;
                Ok(Probe {
                    size: head.header("content-length").and_then(|l| l.parse().ok()),
                    mtime: head.header("last-modified").and_then(http_date),
                })
            }
        }
    }

    /// Whether the path at absolute `path`, listed as a file on a page that does not mark
    /// directories, is a directory: the server redirects it to the same path with a `/` (as
    /// mini_httpd, Apache, nginx and Go's FileServer do), or answers with an index page of a
    /// known style for it. FTP listings always mark directories.
    pub fn is_dir(&mut self, path: &str) -> Result<bool, Error> {
        let Session::Http(h) = self else {
            return Ok(false);
        };
        let url = h.url(path, false);
        let head = match h.client.head(&url) {
            Ok(head) => head,
            // Redirected to the same path with a `/` and refused there (a 403 index): a
            // directory all the same, whose listing will fail and say so.
            Err(http::Error::Status { url: at, .. })
                if Url::parse(&at).is_ok_and(|at| redirected_to_dir(&url, &at)) =>
            {
                return Ok(true)
            }
            Err(e) => return Err(e.into()),
        };
        if redirected_to_dir(&url, &head.url) {
            return Ok(true);
        }
        if !is_html(&head.head) {
            return Ok(false);
        }
        let (response, body) = h.client.page(&url, MAX_INDEX)?;
        Ok(redirected_to_dir(&url, &response.url) || is_index_page(&body, &url))
    }

    /// Transfers the server never confirmed (remote path, why); reads any confirmation still
    /// owed first.
    pub fn take_unconfirmed(&mut self) -> Vec<(String, String)> {
        match self {
            Session::Ftp(s) => {
                let _ = s.client.settle();
                s.client.take_unconfirmed()
            }
            Session::Http(_) => Vec::new(),
        }
    }

    /// Closes politely.
    pub fn quit(self) {
        if let Session::Ftp(s) = self {
            s.client.quit();
        }
    }
}

impl HttpSession {
    /// The URL of the absolute decoded `path`, each segment percent-encoded, with a trailing
    /// slash for a directory.
    pub fn url(&self, path: &str, dir: bool) -> Url {
        let mut url = self.base.clone();
        {
            let mut segments = url.path_segments_mut().expect("http URLs have paths");
            segments.clear();
            segments.extend(path.split('/').filter(|s| !s.is_empty()));
            if dir {
                segments.push("");
            }
        }
        url
    }
}

/// Whether a request for `asked` ended at the same path with a `/`: a directory.
pub fn redirected_to_dir(asked: &Url, answered: &Url) -> bool {
    answered.path() == format!("{}/", asked.path())
}

/// Whether a response's body is an HTML page.
pub fn is_html(head: &crate::http::message::Head) -> bool {
    head.header("content-type")
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("text/html"))
}

/// Whether `body`, fetched as the file `url`, is a directory index page of a known style whose
/// title names that path (`Index of /pub/x`, mini_httpd's `Index of pub/x/`): a saved index page
/// of another directory is a file like any other.
fn is_index_page(body: &[u8], url: &Url) -> bool {
    let now = chrono::Utc::now().naive_utc();
    let page = index::parse_index(&String::from_utf8_lossy(body), url, now);
    let path = index::percent_decode(url.path());
    let path = String::from_utf8_lossy(&path);
    let named = page.title.trim().trim_end_matches('/');
    page.style != index::Style::Generic && named.ends_with(path.trim_matches('/'))
}

/// An HTTP date (RFC 9110 section 5.6.7), as UTC.
pub fn http_date(value: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .map(|t| t.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        let t = http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(t.to_string(), "1994-11-06 08:49:37");
        assert_eq!(http_date("yesterday"), None);
    }
}
