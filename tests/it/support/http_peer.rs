//! A scripted in-process HTTP server, for faults real servers will not produce on demand: a
//! body cut short, a range answered with 200, redirects elsewhere or in a loop.
//!
//! Each request is handed to the test's handler, which returns the raw response bytes and
//! whether to close the connection after them; every request is recorded.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A request as the peer read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// It had arrived before the answer to the request ahead of it was written.
    pub pipelined: bool,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Raw response bytes, and whether the connection closes after them.
pub struct Reply {
    pub bytes: Vec<u8>,
    pub close: bool,
}

pub struct HttpPeer {
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpPeer {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> HttpPeer {
        HttpPeer::serve(writing(handler), false)
    }

    /// Like [`HttpPeer::start`], but like a server that reads one request at a time and drops
    /// whatever else had already arrived: pipelined requests go unanswered.
    pub fn start_unpipelined(
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> HttpPeer {
        HttpPeer::serve(writing(handler), true)
    }

    /// Like [`HttpPeer::start`], but the handler writes the response itself, for faults that
    /// take time: a stall, a drip, a body without end. It returns whether the connection stays
    /// open for another request.
    pub fn start_raw(
        handler: impl Fn(&Request, &mut TcpStream) -> bool + Send + Sync + 'static,
    ) -> HttpPeer {
        HttpPeer::serve(Arc::new(handler), false)
    }

    fn serve(handler: Arc<RawHandler>, drop_early: bool) -> HttpPeer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, stopped) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                let (handler, log) = (handler.clone(), log.clone());
                std::thread::spawn(move || serve_raw(stream.unwrap(), &*handler, &log, drop_early));
            }
        });
        HttpPeer {
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for HttpPeer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type RawHandler = dyn Fn(&Request, &mut TcpStream) -> bool + Send + Sync;

/// A raw handler that writes the reply `handler` makes.
fn writing(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Arc<RawHandler> {
    Arc::new(move |request: &Request, stream: &mut TcpStream| {
        write_reply(request, stream, handler(request))
    })
}

/// Writes a complete reply, only its head to HEAD as HTTP wants it (a body would poison a kept
/// connection); whether the connection stays open.
pub fn write_reply(request: &Request, stream: &mut TcpStream, mut reply: Reply) -> bool {
    if request.method == "HEAD" {
        if let Some(end) = reply.bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            reply.bytes.truncate(end + 4);
        }
    }
    stream.write_all(&reply.bytes).is_ok() && !reply.close
}

fn serve_raw(stream: TcpStream, handler: &RawHandler, log: &Mutex<Vec<Request>>, drop_early: bool) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut early = false;
    while let Some(mut request) = read_request(&mut reader) {
        request.pipelined = early;
        early = !reader.buffer().is_empty();
        log.lock().unwrap().push(request.clone());
        if drop_early {
            let dropped = reader.buffer().len();
            reader.consume(dropped);
        }
        if !handler(&request, &mut writer) {
            return;
        }
    }
}

fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|&n| n > 0)?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut field = String::new();
        reader.read_line(&mut field).ok().filter(|&n| n > 0)?;
        let field = field.trim_end();
        if field.is_empty() {
            return Some(Request {
                method,
                path,
                headers,
                pipelined: false,
            });
        }
        let (name, value) = field.split_once(':')?;
        headers.push((name.to_string(), value.trim().to_string()));
    }
}

/// A complete `200` with `body` and extra header lines.
pub fn ok(body: &[u8], headers: &[&str]) -> Reply {
    let mut head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n", body.len());
    for h in headers {
        head += &format!("{h}\r\n");
    }
    Reply {
        bytes: [head.as_bytes(), b"\r\n", body].concat(),
        close: false,
    }
}

/// A redirect to `location`.
pub fn redirect(location: &str) -> Reply {
    let head = format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
    Reply {
        bytes: head.into_bytes(),
        close: false,
    }
}

/// An nginx autoindex page of files with their exact sizes.
pub fn sized_index(files: &[(&str, usize)]) -> Reply {
    let rows: String = files
        .iter()
        .map(|(name, size)| format!("<a href=\"{name}\">{name}</a>  16-Jan-2024 11:14  {size}\n"))
        .collect();
    let page = format!(
        "<html>\n<head><title>Index of /</title></head>\n<body>\n<h1>Index of /</h1><hr><pre>\
         <a href=\"../\">../</a>\n{rows}</pre><hr></body>\n</html>\n"
    );
    ok(page.as_bytes(), &["Content-Type: text/html"])
}

/// A page linking to each name (a trailing `/` makes a directory).
pub fn index(names: &[&str]) -> Reply {
    let links: String = names
        .iter()
        .map(|n| format!("<a href=\"{n}\">{n}</a>\n"))
        .collect();
    ok(
        format!("<html><body>\n{links}</body></html>\n").as_bytes(),
        &["Content-Type: text/html"],
    )
}
