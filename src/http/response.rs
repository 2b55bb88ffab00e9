//! A response as [`super::Client::send`] returns it: the head of the final response after
//! redirects, and its body as a reader over the client's connection.
//!
//! The body ends as RFC 9112 section 6.3 says: after `Content-Length` bytes, after the last
//! chunk, or when the server closes the connection; a response to HEAD, and 1xx, 204 and 304
//! responses, have none. Read to its end, the body gives the connection back to the client for
//! the next request (unless either side said `Connection: close`); dropped before, or failed,
//! it closes the connection, whose next bytes would be the rest of this body.

use super::client::{Client, Error, Result};
use super::message::{Chunks, Framing, Head};
use std::io::{self, Read};
use url::Url;

/// The final response to a request: status, header fields, the URL that answered, and the
/// body to read.
pub struct Response<'c> {
    head: Head,
    url: Url,
    body: Body<'c>,
}

impl<'c> Response<'c> {
    pub(super) fn new(head: Head, url: Url, body: Body<'c>) -> Response<'c> {
        Response { head, url, body }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.head.status
    }

    /// The reason phrase (may be empty).
    pub fn reason(&self) -> &str {
        &self.head.reason
    }

    /// The URL that answered: the one asked for, or where its redirects led.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The first field named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.header(name)
    }

    /// Every field, in the order received.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        (self.head.headers.iter()).map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The whole head: version, status, reason and fields.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// The body, as it comes off the connection.
    pub fn body(&mut self) -> &mut Body<'c> {
        &mut self.body
    }
}

/// A response's body: a reader that ends where the body ends, and fails (`UnexpectedEof`) when
/// the connection ends before it.
pub struct Body<'c> {
    client: &'c mut Client,
    left: Left,
    /// The connection may carry another request once the body is read to its end.
    keep: bool,
}

/// What is left of the body.
enum Left {
    /// `Content-Length` bytes, `left` of `of` still to come.
    Bytes {
        left: u64,
        of: u64,
    },
    Chunks(Chunks),
    UntilClose,
    /// Read to its end: the connection was kept or closed.
    Done,
    /// A read failed: the connection was closed, and later reads fail too.
    Failed,
}

impl<'c> Body<'c> {
    /// The body of the response whose `head` was just read on `client`'s connection, for a
    /// request of `method`.
    pub(super) fn new(client: &'c mut Client, head: &Head, method: &str) -> Result<Body<'c>> {
        let framing = match head.framing(method) {
            Ok(framing) => framing,
            Err(e) => {
                client.body_done(false);
                return Err(Error::Protocol(e));
            }
        };
        let left = match framing {
            Framing::None | Framing::Length(0) => Left::Done,
            Framing::Length(n) => Left::Bytes { left: n, of: n },
            Framing::Chunked => Left::Chunks(Chunks::default()),
            Framing::UntilClose => Left::UntilClose,
        };
        let keep = framing != Framing::UntilClose && head.keeps_alive();
        if matches!(left, Left::Done) {
            client.body_done(keep);
        }
        Ok(Body { client, left, keep })
    }

    /// The length the response announced in `Content-Length`, if it did.
    pub(super) fn announced(&self) -> Option<u64> {
        match self.left {
            Left::Bytes { of, .. } => Some(of),
            _ => None,
        }
    }

    fn read_more(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let reader = self.client.body_reader()?;
        match &mut self.left {
            Left::Bytes { left, of } => {
                let want = buf.len().min(usize::try_from(*left).unwrap_or(usize::MAX));
                let n = reader.read(&mut buf[..want])?;
                if n == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("body shorter than announced: {} of {of} bytes", *of - *left),
                    ));
                }
                *left -= n as u64;
                Ok(n)
            }
            Left::Chunks(chunks) => chunks.read(reader, buf),
            Left::UntilClose => reader.read(buf),
            Left::Done | Left::Failed => Ok(0),
        }
    }

    /// Whether the last byte has been read (a body until close ends at a read of 0).
    fn at_end(&self) -> bool {
        match &self.left {
            Left::Bytes { left, .. } => *left == 0,
            Left::Chunks(chunks) => chunks.is_done(),
            _ => false,
        }
    }
}

impl Read for Body<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.left {
            Left::Done => return Ok(0),
            Left::Failed => {
                return Err(io::Error::new(
                    io::ErrorKind::NotConnected,
                    "the body's connection failed",
                ))
            }
            _ if buf.is_empty() => return Ok(0),
            _ => {}
        }
        match self.read_more(buf) {
            Ok(n) => {
                if n == 0 || self.at_end() {
                    self.left = Left::Done;
                    self.client.body_done(self.keep);
                }
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                self.left = Left::Failed;
                self.client.body_done(false);
                Err(e)
            }
        }
    }
}

impl Drop for Body<'_> {
    /// A body left unread closes the connection: its rest would come before the next response.
    fn drop(&mut self) {
        if !matches!(self.left, Left::Done | Left::Failed) {
            self.client.body_done(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Options, Request};
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    /// A server on loopback that answers each request with what `answer` makes of its request
    /// line (the bytes, and whether to close the connection after them), and counts the
    /// connections it accepted: whether the client kept its connection is seen from there.
    fn serve(answer: fn(&str) -> (String, bool)) -> (Url, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                count.fetch_add(1, Ordering::SeqCst);
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                std::thread::spawn(move || loop {
                    let mut head = Vec::new();
                    let mut line = String::new();
                    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                        head.push(std::mem::take(&mut line));
                    }
                    let Some(request_line) = head.first() else {
                        return;
                    };
                    let (bytes, close) = answer(request_line);
                    stream.write_all(bytes.as_bytes()).unwrap();
                    if close {
                        return;
                    }
                });
            }
        });
        (url, accepted)
    }

    fn client() -> Client {
        Client::new(Options {
            read_timeout: Duration::from_secs(5),
            ..Options::default()
        })
    }

    fn body_of(response: &mut Response) -> io::Result<String> {
        let mut text = String::new();
        response.body().read_to_string(&mut text)?;
        Ok(text)
    }

    /// The body of a GET of `url`, read to its end.
    fn get(client: &mut Client, url: &Url) -> String {
        body_of(&mut client.send(&Request::get(url)).unwrap()).unwrap()
    }

    fn by_length(request_line: &str) -> (String, bool) {
        let body = request_line.split(' ').nth(1).unwrap_or("").to_string();
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
        match request_line.starts_with("HEAD") {
            true => (head, false),
            false => (head + &body, false),
        }
    }

    #[test]
    fn a_body_read_to_its_end_keeps_the_connection() {
        let (url, accepted) = serve(by_length);
        let mut client = client();
        let mut response = client
            .send(&Request::get(&url.join("one").unwrap()))
            .unwrap();
        assert_eq!((response.status(), response.reason()), (200, "OK"));
        assert_eq!(response.header("content-length"), Some("4"));
        assert_eq!(body_of(&mut response).unwrap(), "/one");
        drop(response);
        assert_eq!(client.send(&Request::head(&url)).unwrap().status(), 200);
        assert_eq!(get(&mut client, &url.join("two").unwrap()), "/two");
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_body_dropped_unread_closes_the_connection() {
        let (url, accepted) = serve(by_length);
        let mut client = client();
        let mut response = client
            .send(&Request::get(&url.join("one").unwrap()))
            .unwrap();
        let mut first = [0; 2];
        response.body().read_exact(&mut first).unwrap();
        drop(response);
        assert_eq!(get(&mut client, &url.join("two").unwrap()), "/two");
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn chunked_bodies_end_at_the_last_chunk() {
        let (url, accepted) = serve(|_| {
            let reply = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n\
                         3\r\nnot\r\n6\r\n found\r\n0\r\nX-Trailer: t\r\n\r\n";
            (reply.to_string(), false)
        });
        let mut client = client();
        for _ in 0..2 {
            let mut response = client.send(&Request::get(&url)).unwrap();
            assert_eq!(response.status(), 404, "any status is a response");
            assert_eq!(body_of(&mut response).unwrap(), "not found");
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn bodies_until_close_and_connection_close_end_the_connection() {
        let (url, accepted) = serve(|request_line| match request_line.contains("/old") {
            true => ("HTTP/1.0 200 OK\r\n\r\nuntil close".to_string(), true),
            false => {
                let reply = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
                (reply.to_string(), true)
            }
        });
        let mut client = client();
        assert_eq!(get(&mut client, &url.join("old").unwrap()), "until close");
        assert_eq!(get(&mut client, &url), "ok");
        assert_eq!(get(&mut client, &url), "ok");
        assert_eq!(accepted.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_body_cut_short_is_an_error_not_an_end() {
        let (url, _) = serve(|_| {
            let reply = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
            (reply.to_string(), true)
        });
        let mut client = client();
        let mut response = client.send(&Request::get(&url)).unwrap();
        let error = body_of(&mut response).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof, "{error}");
        assert!(response.body().read(&mut [0; 8]).is_err(), "stays failed");
    }
}
