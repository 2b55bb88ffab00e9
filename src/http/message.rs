//! HTTP/1.1 messages as bytes (RFC 9110, RFC 9112): requests out, response heads in, chunked
//! bodies decoded, `Content-Range` read. Pure: every function works on bytes or on any reader,
//! so each edge case is a unit test without a network.
//!
//! The exchange, per request on a keep-alive connection: write the request head; read the
//! response head (bounded: [`MAX_HEAD`] bytes, [`MAX_HEADERS`] fields); then the body, framed by
//! chunked encoding, by `Content-Length`, or by the connection closing (HTTP/1.0). A response to
//! HEAD, and 1xx/204/304 responses, have no body. The connection is reused only when the body was
//! read to its end and neither side asked to close.

use std::io::{self, BufRead, Read};

/// Largest response head we read; beyond it a server is broken or hostile.
pub const MAX_HEAD: usize = 64 * 1024;
/// Most header fields we read in a response head.
pub const MAX_HEADERS: usize = 128;
/// Longest chunk-size line (with extensions) we accept.
const MAX_CHUNK_LINE: usize = 4096;

/// A response's status line and header fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The minor version: 1 for HTTP/1.1, 0 for HTTP/1.0.
    pub version: u8,
    /// The status code.
    pub status: u16,
    /// The reason phrase (may be empty).
    pub reason: String,
    /// The fields, names as sent and values trimmed, in order.
    pub headers: Vec<(String, String)>,
}

/// How the body of a response ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body: a response to HEAD, or a 1xx, 204 or 304.
    None,
    /// `Content-Length` bytes.
    Length(u64),
    /// Chunked transfer coding, up to the last chunk.
    Chunked,
    /// Until the server closes the connection.
    UntilClose,
}

impl Head {
    /// The first field named `name` (case-insensitive), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// RFC 9112 section 6.3, for a response to a request of `method`.
    pub fn framing(&self, method: &str) -> Result<Framing, String> {
        if method == "HEAD" || self.status < 200 || self.status == 204 || self.status == 304 {
            return Ok(Framing::None);
        }
        if self.has_token("transfer-encoding", "chunked") {
            return Ok(Framing::Chunked);
        }
        let lengths: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.as_str())
            .collect();
        match lengths.as_slice() {
            [] => Ok(Framing::UntilClose),
            [first, rest @ ..] if rest.iter().all(|v| v == first) => first
                .parse()
                .map(Framing::Length)
                .map_err(|_| format!("bad Content-Length {first:?}")),
            _ => Err("conflicting Content-Length fields".into()),
        }
    }

    /// Whether the connection can carry another request after this response's body.
    pub fn keeps_alive(&self) -> bool {
        match self.version {
            0 => self.has_token("connection", "keep-alive"),
            _ => !self.has_token("connection", "close"),
        }
    }
}

/// Reads a response head from `reader`, skipping `100 Continue`-style interim responses.
pub fn read_head(reader: &mut impl BufRead) -> io::Result<Head> {
    loop {
        let head = read_one_head(reader)?;
        if !(100..200).contains(&head.status) || head.status == 101 {
            return Ok(head);
        }
    }
}

fn read_one_head(reader: &mut impl BufRead) -> io::Result<Head> {
    let mut total = 0;
    let mut lines = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = (&mut *reader)
            .take((MAX_HEAD - total + 1) as u64)
            .read_until(b'\n', &mut line)?;
        total += n;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if total > MAX_HEAD || lines.len() > MAX_HEADERS {
            return Err(invalid(format!(
                "response head larger than {MAX_HEAD} bytes or {MAX_HEADERS} fields"
            )));
        }
        let line = String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_string();
        if line.is_empty() && !lines.is_empty() {
            return parse_head(&lines).map_err(invalid);
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Parses a status line and field lines (without their CRLF).
pub fn parse_head(lines: &[String]) -> Result<Head, String> {
    let (status_line, fields) = lines.split_first().ok_or("empty response head")?;
    let mut parts = status_line.splitn(3, ' ');
    let version = match parts.next() {
        Some("HTTP/1.1") => 1,
        Some("HTTP/1.0") => 0,
        _ => return Err(format!("not an HTTP/1.x status line: {status_line:?}")),
    };
    let status = parts
        .next()
        .filter(|s| s.len() == 3)
        .and_then(|s| s.parse().ok())
        .filter(|s| (100..600).contains(s))
        .ok_or_else(|| format!("bad status in {status_line:?}"))?;
    let reason = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::with_capacity(fields.len());
    for field in fields {
        // RFC 9112 section 5.2: obsolete line folding is refused, not guessed at.
        let (name, value) = field
            .split_once(':')
            .filter(|(n, _)| !n.is_empty() && !n.contains([' ', '\t']))
            .ok_or_else(|| format!("bad header field {field:?}"))?;
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok(Head {
        version,
        status,
        reason,
        headers,
    })
}

/// A request head: `method target HTTP/1.1` and the fields, CRLF-terminated. Values holding CR,
/// LF or NUL are refused, as in FTP commands: they would split the request; so are field names
/// that are not tokens (RFC 9110 section 5.1), which would make another field of the value.
pub fn request(method: &str, target: &str, headers: &[(&str, &str)]) -> Result<Vec<u8>, String> {
    let unsafe_text = |s: &str| s.contains(['\r', '\n', '\0']);
    if target.contains(' ') || unsafe_text(target) || headers.iter().any(|(_, v)| unsafe_text(v)) {
        return Err(format!(
            "refusing to send a request for {target:?}: CR, LF or NUL in it"
        ));
    }
    if let Some((name, _)) = headers.iter().find(|(n, _)| !is_token(n)) {
        return Err(format!(
            "refusing to send a request for {target:?}: bad field name {name:?}"
        ));
    }
    let mut out = format!("{method} {target} HTTP/1.1\r\n");
    for (name, value) in headers {
        out += &format!("{name}: {value}\r\n");
    }
    out += "\r\n";
    Ok(out.into_bytes())
}

/// A token (RFC 9110 section 5.6.2): what a method or a field name is made of.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The trace of requests as sent (one or more heads, pipelined): a line per request line and
/// field, credentials masked.
pub fn traced_request(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    (text.split("\r\n").filter(|line| !line.is_empty()))
        .map(|line| match line.split_once(':') {
            Some((name, _))
                if name.eq_ignore_ascii_case("authorization")
                    || name.eq_ignore_ascii_case("proxy-authorization") =>
            {
                format!("{name}: ****")
            }
            _ => line.to_string(),
        })
        .collect()
}

/// The trace of a response head: the status line, then a line per field.
pub fn traced_response(head: &Head) -> Vec<String> {
    let status = format!("HTTP/1.{} {} {}", head.version, head.status, head.reason);
    let fields = (head.headers.iter()).map(|(name, value)| format!("{name}: {value}"));
    std::iter::once(status).chain(fields).collect()
}

/// `Content-Range: bytes 100-999/1000` -> (first byte, total if known).
pub fn content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let (first, last): (u64, u64) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
    let total = match total.trim() {
        "*" => None,
        t => Some(t.parse().ok()?),
    };
    (first <= last && total.is_none_or(|t| last < t)).then_some((first, total))
}

/// Decodes a chunked body (RFC 9112 section 7.1) from the reader; trailers are read and
/// dropped. Reports a body cut short as `UnexpectedEof`, never as a clean end.
pub struct Chunked<R> {
    inner: R,
    state: Chunks,
}

impl<R: BufRead> Chunked<R> {
    /// A decoder of the chunked body that `inner` is at the start of.
    pub fn new(inner: R) -> Chunked<R> {
        Chunked {
            inner,
            state: Chunks::default(),
        }
    }

    /// Whether the last chunk and the trailers have been read.
    pub fn is_done(&self) -> bool {
        self.state.done
    }

    /// The reader, at the first byte after the body once [`Chunked::is_done`].
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.state.read(&mut self.inner, buf)
    }
}

/// Where a chunked body's decoding stands, kept apart from the reader so that a body read
/// over several calls can borrow its connection anew each time.
#[derive(Debug, Default)]
pub(crate) struct Chunks {
    /// Bytes left in the current chunk; `None` before a size line, `Some(0)` after the last.
    left: Option<u64>,
    done: bool,
}

impl Chunks {
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    /// Reads the next bytes of the body from `inner`; 0 at its end.
    pub(crate) fn read(&mut self, inner: &mut impl BufRead, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left.is_none() {
            self.next_chunk(inner)?;
            if self.done {
                return Ok(0);
            }
        }
        let left = self.left.unwrap_or(0);
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.left = Some(left - n as u64);
        if self.left == Some(0) {
            if !line(inner)?.is_empty() {
                return Err(invalid("chunk not followed by CRLF".into()));
            }
            self.left = None;
        }
        Ok(n)
    }

    fn next_chunk(&mut self, inner: &mut impl BufRead) -> io::Result<()> {
        let line = line(inner)?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(size, 16)
            .map_err(|_| invalid(format!("bad chunk size {line:?}")))?;
        if size == 0 {
            while !self::line(inner)?.is_empty() {}
            self.done = true;
        }
        self.left = Some(size);
        Ok(())
    }
}

/// A chunk-size, chunk-ending or trailer line, without its CRLF.
fn line(inner: &mut impl BufRead) -> io::Result<String> {
    let mut line = Vec::new();
    let n = (&mut *inner)
        .take(MAX_CHUNK_LINE as u64)
        .read_until(b'\n', &mut line)?;
    if n == 0 || line.last() != Some(&b'\n') {
        return Err(match n >= MAX_CHUNK_LINE {
            true => invalid("chunk-size line too long".into()),
            false => io::ErrorKind::UnexpectedEof.into(),
        });
    }
    Ok(String::from_utf8_lossy(&line)
        .trim_end_matches(['\r', '\n'])
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn head(text: &str) -> io::Result<Head> {
        read_head(&mut Cursor::new(text.as_bytes().to_vec()))
    }

    #[test]
    fn heads_and_framing() {
        let h = head("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nETag: \"x\"\r\n\r\nbody").unwrap();
        assert_eq!(
            (h.status, h.reason.as_str(), h.header("etag")),
            (200, "OK", Some("\"x\""))
        );
        assert_eq!(h.framing("GET"), Ok(Framing::Length(12)));
        assert_eq!(h.framing("HEAD"), Ok(Framing::None));
        assert!(h.keeps_alive());
        let c = head(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 3\r\n\r\n",
        )
        .unwrap();
        assert_eq!(
            c.framing("GET"),
            Ok(Framing::Chunked),
            "chunked wins over a length"
        );
        let old = head("HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6\r\n\r\n").unwrap();
        assert_eq!(old.framing("GET"), Ok(Framing::UntilClose));
        assert!(!old.keeps_alive());
        let close = head("HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n").unwrap();
        assert_eq!(close.framing("GET"), Ok(Framing::None));
        assert!(!close.keeps_alive());
        let interim = head("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 206 Partial\r\n\r\n").unwrap();
        assert_eq!(interim.status, 206);
    }

    #[test]
    fn bad_heads_are_errors() {
        for bad in [
            "",
            "HTTP/1.1 200 OK\r\n",
            "HTTP/2 200 OK\r\n\r\n",
            "HTTP/1.1 20 OK\r\n\r\n",
            "HTTP/1.1 999 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
            "HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
            "SSH-2.0-OpenSSH\r\n\r\n",
        ] {
            assert!(head(bad).is_err(), "{bad:?}");
        }
        let conflict =
            head("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n").unwrap();
        assert!(conflict.framing("GET").is_err());
        let negative = head("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").unwrap();
        assert!(negative.framing("GET").is_err());
    }

    #[test]
    fn huge_heads_are_refused() {
        let many = format!(
            "HTTP/1.1 200 OK\r\n{}\r\n",
            "X: y\r\n".repeat(MAX_HEADERS + 2)
        );
        assert!(head(&many).is_err());
        let long = format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "y".repeat(MAX_HEAD));
        assert!(head(&long).is_err());
    }

    #[test]
    fn traces_mask_credentials() {
        let fields = [("Host", "h"), ("Authorization", "Basic dTpw")];
        let mut sent = request("GET", "/a", &fields).unwrap();
        sent.extend(request("GET", "/b", &[("proxy-authorization", "Basic eDp5")]).unwrap());
        assert_eq!(
            traced_request(&sent),
            [
                "GET /a HTTP/1.1",
                "Host: h",
                "Authorization: ****",
                "GET /b HTTP/1.1",
                "proxy-authorization: ****"
            ]
        );
        let head = head("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n").unwrap();
        assert_eq!(
            traced_response(&head),
            ["HTTP/1.1 200 OK", "Content-Length: 3"]
        );
    }

    #[test]
    fn requests_refuse_line_breaks() {
        let r = request("GET", "/a%20b/", &[("Host", "h"), ("Range", "bytes=5-")]).unwrap();
        assert_eq!(
            r,
            b"GET /a%20b/ HTTP/1.1\r\nHost: h\r\nRange: bytes=5-\r\n\r\n"
        );
        assert!(request("GET", "/a\r\nX: y", &[]).is_err());
        assert!(request("GET", "/", &[("If-Range", "\"x\"\r\nEvil: 1")]).is_err());
        assert!(request("GET", "/a b", &[]).is_err());
        for name in ["X-Evil: 1\r\nY", "Has Space", "Colon:", "", "Ünicode"] {
            assert!(request("GET", "/", &[(name, "v")]).is_err(), "{name:?}");
        }
        assert!(request("GET", "/", &[("X-Custom_1.v2~", "v")]).is_ok());
    }

    #[test]
    fn content_ranges() {
        assert_eq!(content_range("bytes 100-999/1000"), Some((100, Some(1000))));
        assert_eq!(content_range("bytes 0-0/*"), Some((0, None)));
        for bad in [
            "bytes 5-4/10",
            "bytes 0-10/10",
            "items 0-1/2",
            "bytes */10",
            "bytes x-1/2",
        ] {
            assert_eq!(content_range(bad), None, "{bad}");
        }
    }

    fn dechunk(body: &str) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Chunked::new(Cursor::new(body.as_bytes().to_vec())).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn chunked_bodies() {
        assert_eq!(
            dechunk("5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n").unwrap(),
            b"hello world"
        );
        assert_eq!(dechunk("0\r\n\r\n").unwrap(), b"");
        for cut in [
            "5\r\nhel",
            "5\r\nhello\r\n",
            "5\r\nhello",
            "5\r\nhelloXX0\r\n\r\n",
            "zz\r\n",
            "",
        ] {
            assert!(dechunk(cut).is_err(), "{cut:?}");
        }
    }

    #[test]
    fn chunked_stops_at_its_end() {
        let mut reader = Chunked::new(Cursor::new(b"3\r\nabc\r\n0\r\n\r\nNEXT".to_vec()));
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        assert!(reader.is_done());
        let mut rest = String::new();
        reader.into_inner().read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "NEXT");
    }
}
