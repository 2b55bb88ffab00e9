//! Twisted's FTP server (`twisted.protocols.ftp`, from PyPI, installed by tests/setup.sh) as a
//! test server: LIST only, MDTM, SIZE, EPSV, PASV; anonymous logins. A server that takes
//! commands one at a time, blocks on an EPSV until its data port is connected, and treats a
//! half-closed data connection as closed (see tests/it/servers/twisted_ftp.py).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tempfile::TempDir;

use super::server::{read_lossy, FtpServer, ServerProcess};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/it/servers/twisted_ftp.py"
);
const STARTUP: Duration = Duration::from_secs(20);

pub struct TwistedFtp {
    // Dropped first: kills the server before its log dir goes away.
    process: ServerProcess,
    // Held open: the script exits when its stdin closes.
    _stdin: ChildStdin,
    port: u16,
    dir: TempDir,
}

impl TwistedFtp {
    pub fn start(root: &Path) -> TwistedFtp {
        let dir = tempfile::Builder::new()
            .prefix("twisted-")
            .tempdir()
            .expect("temp dir");
        let log = dir.path().join("commands.log");
        let stderr = std::fs::File::create(dir.path().join("stderr.txt")).unwrap();
        let mut child = super::installed::python()
            .arg(SCRIPT)
            .arg("--root")
            .arg(root)
            .arg("--log")
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn python3 twisted_ftp.py");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let process = ServerProcess::new("twisted", child, &dir.path().join("stderr.txt"));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(STARTUP).unwrap_or_default();
        let port = line.trim().parse().unwrap_or_else(|_| {
            panic!(
                "twisted_ftp.py did not start (is twisted installed? tests/setup.sh):\n{}",
                read_lossy(&dir.path().join("stderr.txt"))
            )
        });
        TwistedFtp {
            process,
            _stdin: stdin,
            port,
            dir,
        }
    }
}

impl FtpServer for TwistedFtp {
    fn port(&self) -> u16 {
        self.port
    }

    fn credentials(&self) -> (&'static str, &'static str) {
        ("anonymous", "anonymous@")
    }

    fn log(&self) -> String {
        self.process.log()
    }

    fn commands(&self) -> Vec<String> {
        read_lossy(&self.dir.path().join("commands.log"))
            .lines()
            .filter_map(|l| l.strip_prefix("< "))
            .map(str::to_string)
            .collect()
    }

    fn has_mlsd(&self) -> bool {
        false
    }
}
