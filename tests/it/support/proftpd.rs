//! Debian's ProFTPD (`proftpd-core`) as a test server, unpacked by tests/setup.sh and started
//! in the foreground (`-n -c FILE`) with `DelayEngine off`. One user from its own AuthUserFile
//! (no system account, no PAM), home the served directory, run as `nobody`; every command it
//! receives goes to an ExtendedLog.
//!
//! Options a test may set: `ListOptions maxfiles` (a cap on LIST and NLST that it applies
//! without a word: the listing just stops) and `FactsAdvertise off` (no MLST in FEAT, so
//! clients list with LIST).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use tempfile::TempDir;

use super::installed::program;
use super::ports::free_port;
use super::server::{read_lossy, tail, wait_greeting, FtpServer, ServerProcess};
use super::tree::make_world_readable;

pub const USER: &str = "mirror";
pub const PASSWORD: &str = "mirror-pw";

const STARTUP: Duration = Duration::from_secs(10);
const ATTEMPTS: usize = 5;

#[derive(Debug, Clone, Default)]
pub struct ProftpdOptions {
    /// `ListOptions "" maxfiles N`: LIST and NLST stop after N lines.
    pub max_files: Option<u32>,
    /// `FactsAdvertise off`: no MLST in FEAT.
    pub no_mlst: bool,
}

pub struct Proftpd {
    // Dropped first: kills the server before its dir goes away.
    process: ServerProcess,
    port: u16,
    options: ProftpdOptions,
    dir: TempDir,
}

impl Proftpd {
    pub fn start(root: &Path, options: ProftpdOptions) -> Proftpd {
        make_world_readable(root);
        let dir = tempfile::Builder::new()
            .prefix("proftpd-")
            .tempdir()
            .expect("temp dir");
        let d = dir.path();
        let hash = Command::new("openssl")
            .args(["passwd", "-6", PASSWORD])
            .output()
            .expect("run openssl passwd");
        let hash = String::from_utf8(hash.stdout).unwrap();
        let home = root.display();
        fs::write(
            d.join("passwd"),
            format!("{USER}:{}:65534:65534::{home}:/bin/false\n", hash.trim()),
        )
        .unwrap();
        // ProFTPD refuses a world-readable AuthUserFile.
        fs::set_permissions(d.join("passwd"), fs::Permissions::from_mode(0o600)).unwrap();
        fs::write(d.join("group"), "nogroup:x:65534:\n").unwrap();
        for attempt in 1..=ATTEMPTS {
            let port = free_port();
            fs::write(d.join("proftpd.conf"), config(d, port, &options)).unwrap();
            let child = Command::new(program("usr/sbin/proftpd"))
                .arg("-n")
                .arg("-c")
                .arg(d.join("proftpd.conf"))
                .stdin(Stdio::null())
                .stdout(fs::File::create(d.join("stdout.txt")).unwrap())
                .stderr(fs::File::create(d.join("stderr.txt")).unwrap())
                .spawn()
                .expect("spawn proftpd");
            let mut process = ServerProcess::new("proftpd", child, &d.join("system.log"));
            match wait_greeting(&mut process, port, "ProFTPD", STARTUP) {
                Ok(()) => {
                    return Proftpd {
                        process,
                        port,
                        options,
                        dir,
                    }
                }
                Err(why) if attempt < ATTEMPTS => eprintln!("proftpd: {why}; again"),
                Err(why) => panic!(
                    "proftpd did not start: {why}\n{}\n{}",
                    read_lossy(&d.join("stderr.txt")),
                    tail(&process.log(), 40)
                ),
            }
        }
        unreachable!("the last attempt panics or returns")
    }
}

/// No `PassivePorts`: ProFTPD chooses its passive ports itself, among all it can bind, so no
/// range is reserved that another server on the machine may hold.
fn config(dir: &Path, port: u16, options: &ProftpdOptions) -> String {
    let d = dir.display();
    let mut conf = format!(
        "ServerType standalone\nDefaultServer on\nDefaultAddress 127.0.0.1\nPort {port}\n\
         UseIPv6 off\nUser nobody\nGroup nogroup\nWtmpLog off\nDelayEngine off\n\
         UseReverseDNS off\nScoreboardFile {d}/scoreboard\nPidFile {d}/pid\n\
         SystemLog {d}/system.log\nAuthOrder mod_auth_file.c\nAuthUserFile {d}/passwd\n\
         AuthGroupFile {d}/group\nRequireValidShell off\nDefaultRoot ~\nMaxInstances 60\n\
         LogFormat commands \"%m %J\"\nExtendedLog {d}/commands.log ALL commands\n"
    );
    if let Some(n) = options.max_files {
        conf += &format!("ListOptions \"\" maxfiles {n}\n");
    }
    if options.no_mlst {
        conf += "FactsAdvertise off\n";
    }
    conf
}

impl FtpServer for Proftpd {
    fn port(&self) -> u16 {
        self.port
    }

    fn credentials(&self) -> (&'static str, &'static str) {
        (USER, PASSWORD)
    }

    fn log(&self) -> String {
        self.process.log()
    }

    /// From the ExtendedLog: `VERB ARGS` per line (PASS shown as `(hidden)`).
    fn commands(&self) -> Vec<String> {
        read_lossy(&self.dir.path().join("commands.log"))
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn has_mlsd(&self) -> bool {
        !self.options.no_mlst
    }
}
