//! Go web servers as test sources, unpacked by tests/setup.sh: caddy (`file_server browse`:
//! exact byte counts and times to the second in its page's attributes) and `rclone serve http`
//! (the same template family, exact `<size>`). Each logs what it served.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

use super::installed::program;
use super::ports::free_port;
use super::server::{read_lossy, ServerProcess};
use super::tree::make_world_readable;
use super::web::{wait_listening, Request, WebServer};

pub struct Caddy {
    process: ServerProcess,
    port: u16,
    log: PathBuf,
    _dir: TempDir,
}

impl Caddy {
    pub fn start(root: &Path) -> Caddy {
        make_world_readable(root);
        let dir = tempfile::Builder::new()
            .prefix("caddy-")
            .tempdir()
            .expect("temp dir");
        let d = dir.path();
        let port = free_port();
        let log = d.join("access.log");
        let conf = format!(
            "{{\n\tadmin off\n\tauto_https off\n}}\n\
             http://127.0.0.1:{port} {{\n\troot * {}\n\tfile_server browse\n\
             \tlog {{\n\t\toutput file {}\n\t}}\n}}\n",
            root.display(),
            log.display()
        );
        fs::write(d.join("Caddyfile"), conf).unwrap();
        let child = Command::new(program("usr/bin/caddy"))
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(d.join("Caddyfile"))
            .env("HOME", d)
            .env("XDG_DATA_HOME", d.join("data"))
            .env("XDG_CONFIG_HOME", d.join("config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(d.join("stderr.txt")).unwrap())
            .spawn()
            .expect("spawn caddy");
        let mut process = ServerProcess::new("caddy", child, &d.join("stderr.txt"));
        wait_listening(&mut process, port);
        Caddy {
            process,
            port,
            log,
            _dir: dir,
        }
    }
}

impl WebServer for Caddy {
    fn port(&self) -> u16 {
        self.port
    }

    /// From its JSON access log: `request.method`, `request.uri`, `status`.
    fn requests(&self) -> Vec<Request> {
        read_lossy(&self.log)
            .lines()
            .filter_map(|line| {
                let entry: serde_json::Value = serde_json::from_str(line).ok()?;
                let uri = entry["request"]["uri"].as_str()?;
                Some(Request {
                    method: entry["request"]["method"].as_str()?.to_string(),
                    path: super::web::decode(uri.split('?').next()?),
                    status: u16::try_from(entry["status"].as_u64()?).ok()?,
                    range: "-".into(),
                    pipelined: false,
                })
            })
            .collect()
    }
}

/// `rclone serve http`: it logs no requests, but at `-vv` it logs each directory it serves
/// (`Serving directory`) and each file it opens for a body (`Open:`): a request for a file's
/// head or an answer 304 opens nothing.
pub struct RcloneHttp {
    process: ServerProcess,
    port: u16,
    log: PathBuf,
    _dir: TempDir,
}

impl RcloneHttp {
    pub fn start(root: &Path) -> RcloneHttp {
        make_world_readable(root);
        let dir = tempfile::Builder::new()
            .prefix("rclone-")
            .tempdir()
            .expect("temp dir");
        let d = dir.path();
        let port = free_port();
        let log = d.join("rclone.log");
        let child = Command::new(program("usr/bin/rclone"))
            .args(["serve", "http"])
            .arg(root)
            .args([
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--config",
                "/dev/null",
                "-vv",
            ])
            .arg("--log-file")
            .arg(&log)
            .env("HOME", d)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn rclone");
        let mut process = ServerProcess::new("rclone", child, &log);
        wait_listening(&mut process, port);
        RcloneHttp {
            process,
            port,
            log,
            _dir: dir,
        }
    }

    /// How many file bodies it opened.
    pub fn opened(&self) -> usize {
        read_lossy(&self.log).matches(": Open: flags=").count()
    }

    /// How many directory pages it served.
    pub fn listed(&self) -> usize {
        read_lossy(&self.log).matches(": Serving directory").count()
    }
}

impl WebServer for RcloneHttp {
    fn port(&self) -> u16 {
        self.port
    }

    /// Not logged by rclone: see [`RcloneHttp::opened`].
    fn requests(&self) -> Vec<Request> {
        Vec::new()
    }
}
