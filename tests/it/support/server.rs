//! What every test FTP server has in common: a child process that dies with its guard, a log of
//! the commands it received, and the URLs a test hands to `ftpmirror`.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

/// A running test FTP server on 127.0.0.1, so a test can run against either kind.
pub trait FtpServer {
    fn port(&self) -> u16;
    /// The non-anonymous account: (user, password).
    fn credentials(&self) -> (&'static str, &'static str);
    /// The server's whole log as written so far.
    fn log(&self) -> String;
    /// Every command line the server received, in order (passwords masked by the server).
    fn commands(&self) -> Vec<String>;
    /// Whether MLSD/MLST are offered (otherwise a client must parse LIST).
    fn has_mlsd(&self) -> bool;

    /// `ftp://127.0.0.1:PORT/`: anonymous login to the served root.
    fn url(&self) -> String {
        format!("ftp://127.0.0.1:{}/", self.port())
    }

    /// `ftp://USER:PASSWORD@127.0.0.1:PORT/`: the same root as [`FtpServer::url`].
    fn user_url(&self) -> String {
        let (user, password) = self.credentials();
        format!("ftp://{user}:{password}@127.0.0.1:{}/", self.port())
    }

    /// How many received commands start with `verb` (e.g. "RETR", "MLSD").
    fn count(&self, verb: &str) -> usize {
        let verb = verb.to_ascii_uppercase();
        let is_verb = |c: &String| {
            c.split(' ')
                .next()
                .unwrap_or("")
                .eq_ignore_ascii_case(&verb)
        };
        self.commands().iter().filter(|c| is_verb(c)).count()
    }
}

/// Owns a server's child process: dropping it kills the process (SIGKILL, by PID) and reaps it.
///
/// When dropped during a panic it prints the tail of the server's log, which libtest shows with
/// the failed test's output.
pub struct ServerProcess {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl ServerProcess {
    pub fn new(name: &'static str, child: Child, log: &Path) -> ServerProcess {
        let log = log.to_path_buf();
        ServerProcess { name, child, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(description)` once the process has exited.
    pub fn exited(&mut self) -> Option<String> {
        let status = self.child.try_wait().expect("waitpid on server");
        status.map(|s| s.to_string())
    }

    pub fn log(&self) -> String {
        read_lossy(&self.log)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- last lines of the {} log ---\n{}",
                self.name,
                tail(&self.log(), 40)
            );
        }
        // kill() fails only if the process was already reaped; wait() then returns at once.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A file's text, or "" if it doesn't exist yet; names in logs need not be UTF-8.
pub fn read_lossy(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Whether a connection to `port` is greeted with a first line holding `marker`: a server of
/// another kind that won the port would not say it.
pub fn greeted(port: u16, marker: &str) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).is_ok() && line.contains(marker)
}

/// Waits up to `within` for the server to greet with `marker` on `port`.
pub fn wait_greeting(
    process: &mut ServerProcess,
    port: u16,
    marker: &str,
    within: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(status) = process.exited() {
            return Err(format!("exited ({status})"));
        }
        if greeted(port, marker) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(format!("port {port} not accepting after {within:?}"))
}
