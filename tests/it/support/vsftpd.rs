//! Debian's vsftpd as a test server: LIST only (no MLSD), MDTM, SIZE, REST, EPSV, PASV.
//!
//! Started by hand with a config written into a temp dir. It cannot run without `listen=YES`,
//! `background=NO`, `seccomp_sandbox=NO`, `isolate=NO`, an existing empty
//! `secure_chroot_dir`, and an anonymous root the ftp user cannot write;
//! local users need a PAM service that admits them (Debian's `vsftpd` one wants a valid shell).
//! It takes a port number (no port 0), so startup retries on a lost race. Its passive ports it
//! picks itself (no `pasv_min_port`/`pasv_max_port`: any port, a busy one retried; vsftpd.conf(5)),
//! so no range is reserved that another server on the machine may hold.

use std::fs;
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::installed::program;
use super::ports::free_port;
use super::server::{greeted, read_lossy, tail, FtpServer, ServerProcess};
use super::tree::make_world_readable;

/// The local account created by tests/setup.sh; its password is [`password`].
pub const USER: &str = "ftpmirror-test";

/// The test user's password, made at setup time.
pub fn password() -> &'static str {
    super::installed::test_user_password()
}

const BINARY: &str = "usr/sbin/vsftpd";
const STARTUP: Duration = Duration::from_secs(10);
const ATTEMPTS: usize = 5;

/// A vsftpd on 127.0.0.1 serving one directory read-only, to anonymous (no password asked) and to
/// `ftpmirror-test`, both chrooted to it so both see it as `/`. Listings show UTC times.
pub struct Vsftpd {
    // Dropped first: kills the server before its config dir goes away.
    process: ServerProcess,
    port: u16,
    dir: TempDir,
}

/// TLS, as vsftpd offers it with its defaults (`require_ssl_reuse=YES`: a data connection must
/// resume the control connection's TLS session; local users must use TLS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VsftpdTls {
    #[default]
    Off,
    /// AUTH TLS on the normal port.
    Explicit,
    /// TLS from the first byte (`implicit_ssl=YES`).
    Implicit,
}

impl Vsftpd {
    /// Serves `root`, which is made world-readable (dirs 755, files 644) first: vsftpd reads it
    /// as the `ftp` user (anonymous) and refuses a chroot root writable by the logged-in user.
    pub fn start(root: &Path) -> Vsftpd {
        Vsftpd::start_with(root, VsftpdTls::Off)
    }

    /// With TLS: a certificate for 127.0.0.1 from a fresh test CA ([`Vsftpd::ca_path`]).
    pub fn start_with(root: &Path, tls: VsftpdTls) -> Vsftpd {
        make_world_readable(root);
        check_traversable(root);
        let dir = config_dir();
        if tls != VsftpdTls::Off {
            super::web::test_certificates(dir.path());
        }
        for attempt in 1..=ATTEMPTS {
            let port = free_port();
            let mut conf = config(root, dir.path(), port);
            conf += &tls_config(dir.path(), tls);
            fs::write(dir.path().join("vsftpd.conf"), conf).expect("write vsftpd.conf");
            let mut process = spawn(dir.path());
            match wait_ready(&mut process, port, dir.path(), tls != VsftpdTls::Implicit) {
                Ok(()) => return Vsftpd { process, port, dir },
                Err(why) if why.contains("could not bind") && attempt < ATTEMPTS => continue,
                Err(why) => panic!("vsftpd did not start: {why}\n{}", tail(&process.log(), 40)),
            }
        }
        unreachable!("the last attempt panics or returns")
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The CA certificate to trust when started with TLS.
    pub fn ca_path(&self) -> std::path::PathBuf {
        self.dir.path().join("ca.pem")
    }
}

/// vsftpd 3.0.3's default cipher list (DES-CBC3-SHA) has nothing a modern client offers.
fn tls_config(dir: &Path, tls: VsftpdTls) -> String {
    let d = dir.display();
    match tls {
        VsftpdTls::Off => String::new(),
        _ => format!(
            "ssl_enable=YES\nrsa_cert_file={d}/cert.pem\nrsa_private_key_file={d}/key.pem\n\
             ssl_ciphers=HIGH\nallow_anon_ssl=YES\nforce_local_logins_ssl=YES\nforce_local_data_ssl=YES\n\
             debug_ssl=YES\nimplicit_ssl={}\n",
            if tls == VsftpdTls::Implicit { "YES" } else { "NO" }
        ),
    }
}

/// Holds vsftpd.conf, the logs, and `empty`, the secure_chroot_dir: vsftpd chroots its
/// unprivileged helper there and insists that it exists.
fn config_dir() -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("vsftpd-")
        .tempdir()
        .expect("temp dir");
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).expect("create secure_chroot_dir");
    fs::set_permissions(&empty, fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn config(root: &Path, dir: &Path, port: u16) -> String {
    let (root, dir) = (root.display(), dir.display());
    format!(
        "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port={port}\n\
         background=NO\nseccomp_sandbox=NO\nisolate=NO\nisolate_network=NO\n\
         secure_chroot_dir={dir}/empty\n\
         pasv_enable=YES\npasv_address=127.0.0.1\n\
         anonymous_enable=YES\nanon_root={root}\nno_anon_password=YES\n\
         local_enable=YES\nlocal_root={root}\nchroot_local_user=YES\n\
         pam_service_name=ftpmirror-test\nftp_username=ftpmirror-test\nwrite_enable=NO\nuse_localtime=NO\n\
         xferlog_enable=YES\nxferlog_std_format=NO\nlog_ftp_protocol=YES\n\
         vsftpd_log_file={dir}/vsftpd.log\n"
    )
}

/// vsftpd reports fatal errors ("500 OOPS: could not bind listening IPv4 socket") on fd 0, the
/// control connection in inetd mode, and says nothing on stdout/stderr: give it a file as stdin.
fn spawn(dir: &Path) -> ServerProcess {
    let oops = fs::File::create(dir.join("oops.txt")).expect("create oops.txt");
    let out = fs::File::create(dir.join("stdout.txt")).expect("create stdout.txt");
    let child = Command::new(program(BINARY))
        .arg(dir.join("vsftpd.conf"))
        .stdin(oops)
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {BINARY}: {e}"));
    ServerProcess::new("vsftpd", child, &dir.join("vsftpd.log"))
}

/// Ready when a connection to `port` is greeted by *this* vsftpd: another server could have won
/// the port, so the greeting must show up as a CONNECT in our own log.
/// With implicit TLS there is no greeting in clear: a connection and the CONNECT line suffice.
fn wait_ready(
    process: &mut ServerProcess,
    port: u16,
    dir: &Path,
    clear: bool,
) -> Result<(), String> {
    let deadline = Instant::now() + STARTUP;
    while Instant::now() < deadline {
        if let Some(status) = process.exited() {
            let oops = read_lossy(&dir.join("oops.txt")) + &read_lossy(&dir.join("stdout.txt"));
            return Err(format!("exited ({status}): {}", oops.trim()));
        }
        let answered = match clear {
            true => greeted(port, "220"),
            false => TcpStream::connect(("127.0.0.1", port)).is_ok(),
        };
        if answered && process.log().contains("CONNECT: Client") {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err(format!("port {port} not accepting after {STARTUP:?}"))
}

/// The `ftp` user must reach the root through every ancestor (execute bit for others).
fn check_traversable(root: &Path) {
    for dir in root.ancestors().skip(1) {
        let mode = fs::metadata(dir).map_or(0, |m| m.permissions().mode() & 0o7777);
        assert!(
            mode & 0o001 != 0,
            "{} is not traversable by others (mode {mode:o}): vsftpd's anonymous user can't reach \
             {}; serve a dir from support::served_dir()",
            dir.display(),
            root.display()
        );
    }
}

impl FtpServer for Vsftpd {
    fn port(&self) -> u16 {
        self.port
    }

    fn credentials(&self) -> (&'static str, &'static str) {
        (USER, password())
    }

    fn log(&self) -> String {
        self.process.log()
    }

    /// log_ftp_protocol=YES logs `... FTP command: Client "127.0.0.1", "COMMAND ARGS"`
    /// (the password as `PASS <password>`).
    fn commands(&self) -> Vec<String> {
        const MARK: &str = "FTP command: Client \"127.0.0.1\", \"";
        let log = self.log();
        let received = log
            .lines()
            .filter_map(|l| l.split_once(MARK).map(|(_, c)| c));
        received
            .map(|c| c.strip_suffix('"').unwrap_or(c).to_string())
            .collect()
    }

    fn has_mlsd(&self) -> bool {
        false
    }
}
