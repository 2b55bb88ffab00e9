//! A scripted in-process FTP peer, for faults real servers will not produce on demand: a PASV
//! reply naming another host, a drop after N bytes, a lying SIZE, a `421` on login.
//!
//! The script runs on its own thread and talks to one client; it panics (failing the test via
//! [`Peer::finish`]) when the client sends something the script did not expect.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

/// One client connection as the script sees it.
pub struct PeerConn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl PeerConn {
    pub fn send(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .unwrap();
    }

    /// Reads the next command line (without CRLF), or `None` when the client hung up.
    pub fn next(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_string()),
        }
    }

    /// Reads the next command, checks its verb and returns its argument.
    /// A `NOOP` on the way is answered in turn, as a server that leaves commands sent during a
    /// transfer until it is over does.
    pub fn expect(&mut self, verb: &str) -> String {
        let mut line = self
            .next()
            .unwrap_or_else(|| panic!("client hung up; expected {verb}"));
        while line.eq_ignore_ascii_case("NOOP") && !verb.eq_ignore_ascii_case("NOOP") {
            self.send("200 ok");
            line = (self.next()).unwrap_or_else(|| panic!("client hung up; expected {verb}"));
        }
        let (got, arg) = line.split_once(' ').unwrap_or((&line, ""));
        assert!(
            got.eq_ignore_ascii_case(verb),
            "expected {verb}, got {line:?}"
        );
        arg.to_string()
    }

    /// Greeting and an anonymous login.
    pub fn greet_and_login(&mut self) {
        self.send("220 scripted peer");
        self.expect("USER");
        self.send("331 password please");
        self.expect("PASS");
        self.send("230 welcome");
    }

    /// What `Session::open` sends, answered as a server with MLSD, SIZE and REST in `/`.
    pub fn preamble(&mut self) {
        self.greet_and_login();
        self.expect("FEAT");
        self.send(
            "211-Features:\r\n MLST type*;size*;modify*;\r\n SIZE\r\n REST STREAM\r\n211 End",
        );
        self.expect("TYPE");
        self.send("200 binary");
        self.expect("SYST");
        self.send("215 UNIX Type: L8");
        self.expect("PWD");
        self.send("257 \"/\" is the current directory");
    }

    /// One passive transfer: EPSV, then `verb` (whose argument is returned), `150`, `data` on the
    /// data connection, which is then closed, and `end` on the control connection.
    pub fn transfer(&mut self, verb: &str, data: &[u8], end: &str) -> String {
        self.transfer_with(None, verb, data, end)
    }

    /// A resumed RETR: EPSV, `REST offset`, RETR.
    pub fn transfer_after_rest(&mut self, offset: u64, data: &[u8], end: &str) -> String {
        self.transfer_with(Some(offset), "RETR", data, end)
    }

    fn transfer_with(&mut self, rest: Option<u64>, verb: &str, data: &[u8], end: &str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        self.expect("EPSV");
        let port = listener.local_addr().unwrap().port();
        self.send(&format!("229 Entering Extended Passive Mode (|||{port}|)"));
        if let Some(offset) = rest {
            assert_eq!(self.expect("REST"), offset.to_string());
            self.send(&format!("350 restarting at {offset}"));
        }
        let arg = self.expect(verb);
        self.send("150 here it comes");
        let (mut stream, _) = listener.accept().unwrap();
        stream.write_all(data).unwrap();
        drop(stream);
        self.send(end);
        arg
    }
}

pub struct Peer {
    pub port: u16,
    thread: JoinHandle<()>,
}

/// The script of one connection.
pub type Script = Box<dyn FnOnce(&mut PeerConn) + Send>;

impl Peer {
    /// Listens on a free loopback port and runs `script` on the first connection.
    pub fn start(script: impl FnOnce(&mut PeerConn) + Send + 'static) -> Peer {
        Peer::start_many(vec![Box::new(script)])
    }

    /// Runs each script on the next connection, one connection after the other.
    pub fn start_many(scripts: Vec<Script>) -> Peer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let thread = std::thread::spawn(move || {
            for script in scripts {
                let (stream, _) = listener.accept().unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let writer = stream.try_clone().unwrap();
                script(&mut PeerConn {
                    reader: BufReader::new(stream),
                    writer,
                });
            }
        });
        Peer { port, thread }
    }

    /// Waits for the script to end; a panic in it fails the test here.
    pub fn finish(self) {
        if let Err(panic) = self.thread.join() {
            std::panic::resume_unwind(panic);
        }
    }
}
