//! Debian's pure-ftpd as a test server, unpacked by tests/setup.sh: MLSD, LIST, EPSV, and a cap
//! on every listing (`-L files:depth`) that it reports as `226 Output truncated to N matches`.
//!
//! One virtual user (PureDB, made with its own `pure-pw`) whose home is the served directory,
//! mapped to `nobody`: no anonymous login (that needs a system user `ftp`), nothing installed.
//! It takes a port number (no port 0), so startup retries on a lost race. Without `-p` it
//! chooses its passive ports itself, among all it can bind, so no range is reserved that another
//! server on the machine may hold.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use super::installed::program;
use super::ports::free_port;
use super::server::{tail, wait_greeting, FtpServer, ServerProcess};
use super::tree::make_world_readable;

pub const USER: &str = "mirror";
pub const PASSWORD: &str = "mirror-pw";

const STARTUP: Duration = Duration::from_secs(10);
const ATTEMPTS: usize = 5;

/// A pure-ftpd on 127.0.0.1 serving one directory to [`USER`].
pub struct PureFtpd {
    // Dropped first: kills the server before its dir goes away.
    process: ServerProcess,
    port: u16,
    _dir: TempDir,
}

impl PureFtpd {
    /// Serves `root` with listings capped at `max_files` lines (`.` and `..` count).
    pub fn start(root: &Path, max_files: u32) -> PureFtpd {
        make_world_readable(root);
        let dir = tempfile::Builder::new()
            .prefix("pure-ftpd-")
            .tempdir()
            .expect("temp dir");
        make_user(dir.path(), root);
        for attempt in 1..=ATTEMPTS {
            let port = free_port();
            let log = dir.path().join("stderr.txt");
            let child = Command::new(program("usr/sbin/pure-ftpd"))
                .arg("-S")
                .arg(format!("127.0.0.1,{port}"))
                .arg("-l")
                .arg(format!("puredb:{}", dir.path().join("users.pdb").display()))
                .args(["-E", "-H", "-A", "-L"])
                .arg(format!("{max_files}:8"))
                .args(["-c", "50", "-C", "50"])
                .stdin(Stdio::null())
                .stdout(fs::File::create(&log).unwrap())
                .stderr(fs::File::create(&log).unwrap())
                .spawn()
                .expect("spawn pure-ftpd");
            let mut process = ServerProcess::new("pure-ftpd", child, &log);
            match wait_greeting(&mut process, port, "Pure-FTPd", STARTUP) {
                Ok(()) => {
                    return PureFtpd {
                        process,
                        port,
                        _dir: dir,
                    }
                }
                Err(why) if attempt < ATTEMPTS => eprintln!("pure-ftpd: {why}; again"),
                Err(why) => panic!(
                    "pure-ftpd did not start: {why}\n{}",
                    tail(&process.log(), 40)
                ),
            }
        }
        unreachable!("the last attempt panics or returns")
    }
}

/// The PureDB with [`USER`], home `root`, run as `nobody`. The passwd line is written here
/// with a SHA-512 crypt hash: `pure-pw useradd` hashes with argon2 at a cost that takes
/// seconds of CPU.
fn make_user(dir: &Path, root: &Path) {
    let hash = Command::new("openssl")
        .args(["passwd", "-6", PASSWORD])
        .output()
        .expect("run openssl passwd");
    let hash = String::from_utf8(hash.stdout).unwrap();
    let line = format!(
        "{USER}:{}:65534:65534::{}/./::::::::::::\n",
        hash.trim(),
        root.display()
    );
    fs::write(dir.join("users"), line).unwrap();
    let status = Command::new(program("usr/bin/pure-pw"))
        .arg("mkdb")
        .arg(dir.join("users.pdb"))
        .arg("-f")
        .arg(dir.join("users"))
        .stdout(Stdio::null())
        .status()
        .expect("run pure-pw mkdb");
    assert!(status.success(), "pure-pw mkdb failed");
}

impl FtpServer for PureFtpd {
    fn port(&self) -> u16 {
        self.port
    }

    fn credentials(&self) -> (&'static str, &'static str) {
        (USER, PASSWORD)
    }

    fn log(&self) -> String {
        self.process.log()
    }

    /// pure-ftpd logs to syslog only: the commands it received are not known here.
    fn commands(&self) -> Vec<String> {
        Vec::new()
    }

    fn has_mlsd(&self) -> bool {
        true
    }
}
