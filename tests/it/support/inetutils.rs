//! GNU inetutils ftpd (Debian's `inetutils-ftpd`, unpacked by tests/setup.sh) as a test server:
//! LIST only, and a command line read into 512 bytes, so a long path must reach it one
//! component at a time. It has no listening mode on another port than 21: tests/it/servers/
//! inetd.py starts it per connection. It refuses a user whose shell is not in /etc/shells, and
//! the test user has none: it runs in a private mount namespace (`unshare -m`) where a copy of
//! /etc/shells that lists `/usr/sbin/nologin` is mounted over the real one. Nothing outside
//! that namespace changes; it ends with the server.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use super::installed::program;
use super::ports::free_port;
use super::server::{wait_greeting, FtpServer, ServerProcess};
use super::tree::make_world_readable;
use super::vsftpd::{password, USER};

const INETD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/servers/inetd.py");

pub struct InetutilsFtpd {
    // Dropped first: kills the server before its dir goes away.
    process: ServerProcess,
    port: u16,
    _dir: TempDir,
}

impl InetutilsFtpd {
    /// Serves the whole file system to the test user (its home is `/`): `root` is made
    /// world-readable for it.
    pub fn start(root: &Path) -> InetutilsFtpd {
        make_world_readable(root);
        let dir = tempfile::Builder::new()
            .prefix("inetutils-")
            .tempdir()
            .expect("temp dir");
        let shells = dir.path().join("shells");
        let mut list = fs::read_to_string("/etc/shells").unwrap_or_default();
        list += "/usr/sbin/nologin\n";
        fs::write(&shells, list).unwrap();
        let log = dir.path().join("stderr.txt");
        let port = free_port();
        let script = format!(
            "mount --bind {} /etc/shells && exec python3 {INETD} {port} {} {} -l -t 60",
            shells.display(),
            log.display(),
            program("usr/sbin/ftpd").display()
        );
        let child = Command::new("unshare")
            .args(["-m", "--propagation", "private", "/bin/sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.path().join("inetd.txt")).unwrap())
            .spawn()
            .expect("spawn unshare");
        let mut process = ServerProcess::new("inetutils ftpd", child, &log);
        if let Err(why) = wait_greeting(&mut process, port, "220", Duration::from_secs(10)) {
            let inetd = fs::read_to_string(dir.path().join("inetd.txt")).unwrap_or_default();
            panic!("inetutils ftpd did not start: {why}\n{inetd}");
        }
        InetutilsFtpd {
            process,
            port,
            _dir: dir,
        }
    }
}

impl FtpServer for InetutilsFtpd {
    fn port(&self) -> u16 {
        self.port
    }

    fn credentials(&self) -> (&'static str, &'static str) {
        (USER, password())
    }

    fn log(&self) -> String {
        self.process.log()
    }

    /// inetutils ftpd logs to syslog only.
    fn commands(&self) -> Vec<String> {
        Vec::new()
    }

    fn has_mlsd(&self) -> bool {
        false
    }
}
