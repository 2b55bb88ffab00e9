//! pyftpdlib as a test server: MLSD, MDTM, SIZE, REST, EPSV, optional FTPS; LIST-only on demand.
//!
//! Runs tests/it/servers/pyftpd.py, which binds port 0 itself and prints the port on stdout, so
//! there is no race for the port and no polling for readiness: the socket listens before the
//! line is printed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tempfile::TempDir;

use super::server::{read_lossy, FtpServer, ServerProcess};

pub const USER: &str = "alice";
pub const PASSWORD: &str = "secret-pw";

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/servers/pyftpd.py");
const STARTUP: Duration = Duration::from_secs(20);

#[derive(Clone, Debug, Default)]
pub struct PyftpdOptions {
    /// Remove MLSD/MLST from the commands and from FEAT: clients must fall back to LIST.
    pub no_mlsd: bool,
    /// Serve explicit FTPS (AUTH TLS) with a fresh self-signed certificate, see
    /// [`Pyftpd::cert_path`]. TLS stays optional for clients.
    pub tls: bool,
    /// Bytes per second each download may send (pyftpdlib's ThrottledDTPHandler); 0: unlimited.
    pub throttle: u32,
    /// Connections allowed at once (more are greeted with 421); 0: no limit.
    pub max_connections: u32,
    /// Listen on ::1 instead of 127.0.0.1; pyftpdlib then refuses PASV and PORT (425), as
    /// RFC 2428 has it.
    pub ipv6: bool,
}

/// A pyftpdlib server on 127.0.0.1: anonymous read-only and `alice`/`secret-pw` read-write, both
/// rooted at the served directory; LIST times in UTC; no connection limits.
pub struct Pyftpd {
    // Dropped first: kills the server before its log dir goes away.
    process: ServerProcess,
    // Held open: the script exits when its stdin closes (--watch-stdin), so a test process that
    // dies without unwinding leaves no server behind.
    _stdin: ChildStdin,
    port: u16,
    options: PyftpdOptions,
    dir: TempDir,
}

impl Pyftpd {
    pub fn start(root: &Path) -> Pyftpd {
        Pyftpd::start_with(root, PyftpdOptions::default())
    }

    /// A server without MLSD/MLST.
    pub fn list_only(root: &Path) -> Pyftpd {
        let options = PyftpdOptions {
            no_mlsd: true,
            ..Default::default()
        };
        Pyftpd::start_with(root, options)
    }

    pub fn start_with(root: &Path, options: PyftpdOptions) -> Pyftpd {
        let dir = tempfile::Builder::new()
            .prefix("pyftpd-")
            .tempdir()
            .expect("temp dir");
        let mut cmd = command(root, dir.path(), &options);
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawn python3 {SCRIPT}: {e}"));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut process = ServerProcess::new("pyftpd", child, &dir.path().join("server.log"));
        let port = read_port(stdout).unwrap_or_else(|why| {
            let stderr = read_lossy(&dir.path().join("stderr.txt"));
            let status = process.exited().unwrap_or_else(|| "still running".into());
            panic!("pyftpd did not start ({why}; {status}); is pyftpdlib installed (tests/setup.sh)?\n{stderr}");
        });
        Pyftpd {
            process,
            _stdin: stdin,
            port,
            options,
            dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The PEM (certificate and key) an FTPS client should trust, when started with `tls`.
    pub fn cert_path(&self) -> Option<PathBuf> {
        self.options.tls.then(|| self.dir.path().join("cert.pem"))
    }
}

fn command(root: &Path, dir: &Path, options: &PyftpdOptions) -> Command {
    let stderr = std::fs::File::create(dir.join("stderr.txt")).expect("create stderr.txt");
    let mut cmd = super::installed::python();
    cmd.arg(SCRIPT)
        .arg("--root")
        .arg(root)
        .args(["--port", "0", "--watch-stdin"]);
    cmd.arg("--log").arg(dir.join("server.log"));
    if options.no_mlsd {
        cmd.arg("--no-mlsd");
    }
    if options.tls {
        cmd.arg("--tls-cert").arg(dir.join("cert.pem"));
    }
    if options.ipv6 {
        cmd.args(["--host", "::1"]);
    }
    if options.throttle > 0 {
        cmd.arg("--throttle").arg(options.throttle.to_string());
    }
    if options.max_connections > 0 {
        cmd.arg("--max-cons-per-ip")
            .arg(options.max_connections.to_string());
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr);
    cmd
}

/// The first stdout line is the port. Read on a thread so a hung interpreter becomes a timeout.
fn read_port(stdout: ChildStdout) -> Result<u16, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(read.map(|_| line));
    });
    let line = rx
        .recv_timeout(STARTUP)
        .map_err(|_| format!("no port printed within {STARTUP:?}"))?
        .map_err(|e| format!("reading its stdout: {e}"))?;
    if line.is_empty() {
        return Err("exited before printing its port".into());
    }
    line.trim()
        .parse()
        .map_err(|_| format!("printed {line:?} instead of a port"))
}

impl FtpServer for Pyftpd {
    fn port(&self) -> u16 {
        self.port
    }

    fn credentials(&self) -> (&'static str, &'static str) {
        (USER, PASSWORD)
    }

    fn log(&self) -> String {
        self.process.log()
    }

    /// pyftpdlib at DEBUG logs `... 127.0.0.1:PORT-[user] <- COMMAND ARGS` for each line.
    fn commands(&self) -> Vec<String> {
        let log = self.log();
        let received = log
            .lines()
            .filter_map(|l| l.split_once("] <- ").map(|(_, c)| c));
        received.map(str::to_string).collect()
    }

    fn has_mlsd(&self) -> bool {
        !self.options.no_mlsd
    }
}
