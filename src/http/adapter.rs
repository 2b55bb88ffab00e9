//! HTTP behind the mirror's seam ([`crate::remote::Session`]): directory index pages as
//! listings, HEAD as the probe, downloads resumed with `Range` and `If-Range` on the validator
//! (strong ETag or `Last-Modified`) the interrupted response carried, a batch's GETs pipelined
//! at its start, and conditional GETs for files the listing tells nothing of.

use super::client::{Client, Error, Options, Pipelining, Sink};
use super::index;
use super::message::Head;
use crate::net::pace::JobEnd;
use crate::remote::{
    self, io_kind, DirListing, Got, Kind, Landing, ListFormat, ListedWith, Pin, Probe, Want,
};
use chrono::{DateTime, NaiveDateTime};
use std::io::{self, Write};
use url::Url;

/// The most HEADs sent ahead of their turn by [`HttpSession::kinds_ahead`].
const KINDS_AHEAD: usize = 16;
/// Largest index page we read.
pub const MAX_INDEX: u64 = 64 * 1024 * 1024;

/// Opens keep-alive connections to one server.
pub struct Dial {
    /// Scheme, host and port of the source; paths are set per request.
    pub base: Url,
    pub options: Options,
    /// Whether the server takes pipelined requests, as learned by any session of the run.
    pub pipelining: Pipelining,
}

impl remote::Dial for Dial {
    fn open(&self, end: JobEnd) -> Result<Box<dyn remote::Session>, remote::Error> {
        let options = Options {
            deadline: end.0,
            ..self.options.clone()
        };
        let mut client = Client::sharing(options, self.pipelining.clone());
        client.connect_to(&self.base)?;
        Ok(Box::new(HttpSession {
            client,
            base: self.base.clone(),
        }))
    }

    fn revalidates(&self) -> bool {
        true
    }
}

impl From<Error> for remote::Error {
    fn from(e: Error) -> remote::Error {
        let kind = match &e {
            Error::Io(io) => io_kind(io),
            Error::Protocol(_) => Kind::Protocol,
            e if e.is_transient() => Kind::Busy,
            _ => Kind::Refused,
        };
        remote::Error::new(kind, e)
    }
}

/// An HTTP client and the server it talks to.
pub struct HttpSession {
    pub client: Client,
    /// Scheme, host and port of the source; paths are set per request.
    pub base: Url,
}

impl remote::Session for HttpSession {
    fn list_dir(&mut self, path: &str) -> Result<DirListing, remote::Error> {
        let url = self.url(path, true);
        let (response, body) = self.client.page(&url, MAX_INDEX)?;
        // Entries are fetched by their listed paths: a listing that moved elsewhere (a
        // directory redirecting to its parent) would mirror the wrong files there.
        if response.url.path() != url.path() {
            return Err(Error::Refused(format!(
                "{url} redirected to {}: a directory listing that moves is not followed",
                response.url
            ))
            .into());
        }
        let now = chrono::Utc::now().naive_utc();
        let page = index::parse_index(&String::from_utf8_lossy(&body), &response.url, now);
        Ok(DirListing {
            command: ListedWith::Get,
            format: Some(ListFormat::Style(page.style)),
            entries: page.entries,
            unread: page.ignored,
            truncated: None,
            marks_dirs: page.marks_dirs,
        })
    }

    /// HEAD: `Last-Modified` and `Content-Length`.
    fn probe(&mut self, path: &str) -> Result<Probe, remote::Error> {
        let url = self.url(path, false);
        let head = self.client.head(&url)?.head;
        Ok(Probe {
            size: head.header("content-length").and_then(|l| l.parse().ok()),
            mtime: head.header("last-modified").and_then(http_date),
        })
    }

    /// A directory is redirected to the same path with a `/` (as mini_httpd, Apache, nginx and
    /// Go's FileServer do), or answered with an index page of a known style for it.
    fn is_dir(&mut self, path: &str) -> Result<bool, remote::Error> {
        let url = self.url(path, false);
        // A redirect is read, not followed, so that the HEADs sent ahead behind this one stay
        // in order on the connection: one to the same path with a `/` tells at once (whatever
        // the `/` would answer: a 403 index is a directory all the same, whose listing will
        // fail and say so).
        let first = self.client.head_unfollowed(&url)?;
        let head = match first.head.status {
            200..=299 => first,
            _ => {
                let to = first.head.header("location").and_then(|l| url.join(l).ok());
                if to.is_some_and(|to| redirected_to_dir(&url, &to)) {
                    return Ok(true);
                }
                // A redirect elsewhere, followed.
                match self.client.head(&url) {
                    Ok(head) => head,
                    Err(Error::Status { url: at, .. })
                        if Url::parse(&at).is_ok_and(|at| redirected_to_dir(&url, &at)) =>
                    {
                        return Ok(true)
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        if redirected_to_dir(&url, &head.url) {
            return Ok(true);
        }
        if !is_html(&head.head) {
            return Ok(false);
        }
        let (response, body) = self.client.page(&url, MAX_INDEX)?;
        Ok(redirected_to_dir(&url, &response.url) || is_index_page(&body, &url))
    }

    /// The HEADs that tell whether links without `/` are directories go out together, a window
    /// at a time (a page of a thousand files would otherwise cost a thousand round trips). On
    /// a server that closes every connection (mini_httpd) nothing can go ahead.
    fn kinds_ahead(&mut self, paths: &[String], at: usize) {
        if self.client.owed() {
            return;
        }
        for path in paths.iter().skip(at).take(KINDS_AHEAD) {
            let url = self.url(path, false);
            if !self.client.head_ahead(&url) {
                break;
            }
        }
    }

    /// A batch's GETs go out together, until one cannot. Pipelining waits for a connection
    /// kept alive for one response: on a new one (a session's first batch, or after the server
    /// closed the connection) the first GET goes alone and the rest go out once it is answered,
    /// rather than each waiting for the one before.
    fn ahead(&mut self, batch: &[Want], at: usize) {
        if batch.len().saturating_sub(at) < 2 || self.client.owed() {
            return;
        }
        for want in &batch[at..] {
            let (from, validator) = resume_from(&want.resume.validator, want.resume.kept);
            let url = self.url(want.path, false);
            let since = want.since.map(format_http_date);
            let sent = (self.client).download_ahead(&url, from, validator, since.as_deref());
            if !sent {
                break;
            }
        }
    }

    fn fetch(
        &mut self,
        want: &Want,
        landing: &mut dyn Landing,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Got, remote::Error> {
        let kept = landing.kept(Pin::Listed)?;
        let validator = landing.validator();
        let (from, validator) = resume_from(&validator, kept);
        landing.open(from)?;
        let url = self.url(want.path, false);
        let since = want.since.map(format_http_date);
        let mut sink = HeadSink(landing);
        let result =
            (self.client).download(&url, from, validator, since.as_deref(), &mut sink, progress);
        let download = match result {
            Ok(download) => download,
            Err(e) => {
                return Err(match landing.failed() {
                    Some(refused) => refused.into(),
                    None => e.into(),
                })
            }
        };
        if download.response.head.status == 304 {
            landing.discard();
            return Ok(Got::NotModified);
        }
        if redirected_to_dir(&url, &download.response.url) {
            landing.discard();
            let why = format!(
                "{url} is a directory (the server redirects it to {}); not saved as a file",
                download.response.url
            );
            return Err(Error::Refused(why).into());
        }
        let last_modified = |head: &Head| {
            (head.header("last-modified").and_then(http_date)).map(|t| t.and_utc().timestamp())
        };
        let mut exact = last_modified(&download.response.head);
        // A temp file found whole is put in place on a `416`, which carries no Last-Modified
        // (nginx): the file's time, to the second, comes from a HEAD (the index may show
        // minutes only).
        if download.response.head.status == 416 && exact.is_none() {
            exact = self
                .client
                .head(&url)
                .ok()
                .and_then(|a| last_modified(&a.head));
        }
        Ok(Got::Body {
            start: download.start,
            end: download.start + download.bytes,
            exact,
        })
    }
}

/// Where a download resumes: from what the temp file kept, but only with the validator of the
/// interrupted response; without it a resume could splice two versions.
fn resume_from(validator: &Option<String>, kept: u64) -> (u64, Option<&str>) {
    match validator {
        Some(v) if kept > 0 => (kept, Some(v.as_str())),
        _ => (0, None),
    }
}

/// The landing as the client's sink: the response's length and validator are told to it
/// before the body.
struct HeadSink<'a>(&'a mut dyn Landing);

impl Write for HeadSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Sink for HeadSink<'_> {
    fn begin(&mut self, head: &Head, start: u64) -> io::Result<()> {
        let length = head.header("content-length").and_then(|l| l.parse().ok());
        // RFC 9110 section 13.1.5: If-Range needs a strong validator.
        let strong_etag = head.header("etag").filter(|e| !e.starts_with("W/"));
        let validator = strong_etag.or_else(|| head.header("last-modified"));
        self.0.begin(start, length, validator)
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
fn redirected_to_dir(asked: &Url, answered: &Url) -> bool {
    answered.path() == format!("{}/", asked.path())
}

/// Whether a response's body is an HTML page.
fn is_html(head: &Head) -> bool {
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
fn http_date(value: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .map(|t| t.naive_utc())
}

/// A UTC time as an HTTP date (RFC 9110 section 5.6.7, IMF-fixdate).
fn format_http_date(time: NaiveDateTime) -> String {
    time.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        let t = http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(t.to_string(), "1994-11-06 08:49:37");
        assert_eq!(http_date("yesterday"), None);
        assert_eq!(format_http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
    }
}
