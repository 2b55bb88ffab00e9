//! lighttpd (Debian's package, unpacked by tests/setup.sh) as a test source: `mod_dirlisting`
//! pages show sizes rounded (`0.1K`) and times to the second in the server's local time zone
//! (`localtime`), which the test chooses with `TZ`. Runs in the foreground as `nobody`, every
//! request logged in the common log format.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::installed::{prefix, program};
use super::ports::free_port;
use super::server::{read_lossy, ServerProcess};
use super::tree::make_world_readable;
use super::web::{common_log, wait_listening, Request, WebServer};

pub struct Lighttpd {
    process: ServerProcess,
    port: u16,
    log: PathBuf,
    errors: PathBuf,
    _dir: TempDir,
}

impl Lighttpd {
    /// Serves `root` (made world-readable) with its clock in `tz` (a `TZ` value such as
    /// `Etc/GMT-2`, which is UTC+2).
    pub fn start(root: &Path, tz: &str) -> Lighttpd {
        make_world_readable(root);
        let dir = tempfile::Builder::new()
            .prefix("lighttpd-")
            .tempdir()
            .expect("temp dir");
        // lighttpd opens its logs after it has become `nobody`.
        let logs = dir.path().join("logs");
        fs::create_dir(&logs).unwrap();
        fs::set_permissions(&logs, fs::Permissions::from_mode(0o777)).unwrap();
        let log = logs.join("access.log");
        let port = free_port();
        let config = dir.path().join("lighttpd.conf");
        fs::write(
            &config,
            format!(
                "server.document-root = \"{root}\"\n\
                 server.bind = \"127.0.0.1\"\n\
                 server.port = {port}\n\
                 server.modules = (\"mod_dirlisting\", \"mod_accesslog\")\n\
                 server.username = \"nobody\"\n\
                 server.groupname = \"nogroup\"\n\
                 server.errorlog = \"{logs}/error.log\"\n\
                 accesslog.filename = \"{log}\"\n\
                 accesslog.format = \"%h %l %u %t \\\"%r\\\" %>s %b\"\n\
                 dir-listing.activate = \"enable\"\n\
                 mimetype.assign = (\"\" => \"application/octet-stream\")\n",
                root = root.display(),
                logs = logs.display(),
                log = log.display(),
            ),
        )
        .unwrap();
        let stderr = dir.path().join("stderr.txt");
        let child = Command::new(program("usr/sbin/lighttpd"))
            .arg("-D")
            .arg("-m")
            .arg(prefix().join("root/usr/lib/lighttpd"))
            .arg("-f")
            .arg(&config)
            .env("TZ", tz)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&stderr).expect("create log"))
            .spawn()
            .expect("spawn lighttpd");
        let mut process = ServerProcess::new("lighttpd", child, &stderr);
        wait_listening(&mut process, port);
        Lighttpd {
            process,
            port,
            log,
            errors: logs.join("error.log"),
            _dir: dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }
}

impl WebServer for Lighttpd {
    fn port(&self) -> u16 {
        self.port
    }

    /// lighttpd buffers its access log for up to four seconds; a SIGHUP writes it out at once,
    /// before the error log says "logfiles cycled".
    fn requests(&self) -> Vec<Request> {
        let cycled = || read_lossy(&self.errors).matches("logfiles cycled").count();
        let before = cycled();
        let status = Command::new("kill")
            .args(["-HUP", &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -HUP lighttpd");
        let deadline = Instant::now() + Duration::from_secs(10);
        while cycled() == before {
            assert!(Instant::now() < deadline, "lighttpd did not cycle its logs");
            std::thread::sleep(Duration::from_millis(20));
        }
        common_log(&self.log)
    }
}
