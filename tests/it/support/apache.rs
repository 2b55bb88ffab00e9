//! Apache httpd (Debian's `apache2-bin`, unpacked by tests/setup.sh) as a test source: its
//! `mod_autoindex` page as Debian configures it (`FancyIndexing HTMLTable`), whose sizes are
//! rounded (`1.5K`) and dates shown to the minute. Started with `-X` (one process, foreground),
//! a config written here, every request logged as `METHOD URI STATUS KEPT` (the requests its
//! connection had served before it: Apache's own defaults end one after 100).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

use super::installed::{prefix, program};
use super::ports::free_port;
use super::server::{read_lossy, ServerProcess};
use super::tree::make_world_readable;
use super::web::{wait_listening, Request, WebServer};

pub struct Apache {
    process: ServerProcess,
    port: u16,
    log: PathBuf,
    _dir: TempDir,
}

impl Apache {
    /// Serves `root` (made world-readable: its child runs as nobody).
    pub fn start(root: &Path) -> Apache {
        make_world_readable(root);
        let dir = tempfile::Builder::new()
            .prefix("apache-")
            .tempdir()
            .expect("temp dir");
        let d = dir.path();
        fs::create_dir(d.join("run")).unwrap();
        fs::write(d.join("mime.types"), "text/plain txt\n").unwrap();
        let port = free_port();
        let modules = prefix().join("root/usr/lib/apache2/modules");
        let load: String = ["mpm_prefork", "authz_core", "mime", "dir", "autoindex"]
            .iter()
            .map(|m| format!("LoadModule {m}_module {}/mod_{m}.so\n", modules.display()))
            .collect();
        let conf = format!(
            "ServerRoot {d}\nServerName 127.0.0.1\nListen 127.0.0.1:{port}\nPidFile {d}/run/pid\n\
             Mutex file:{d}/run default\nDefaultRuntimeDir {d}/run\nErrorLog {d}/error.log\n\
             User nobody\nGroup nogroup\n{load}TypesConfig {d}/mime.types\n\
             LogFormat \"%m %U %>s %k\" mirror\nCustomLog {d}/access.log mirror\n\
             DocumentRoot {root}\n<Directory {root}>\n  Options Indexes\n  Require all granted\n\
             </Directory>\nIndexOptions FancyIndexing HTMLTable VersionSort NameWidth=* Charset=UTF-8\n",
            d = d.display(),
            root = root.display(),
        );
        fs::write(d.join("httpd.conf"), conf).unwrap();
        let child = Command::new(program("usr/sbin/apache2"))
            .arg("-X")
            .arg("-f")
            .arg(d.join("httpd.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(d.join("stderr.txt")).unwrap())
            .spawn()
            .expect("spawn apache2");
        let mut process = ServerProcess::new("apache2", child, &d.join("error.log"));
        wait_listening(&mut process, port);
        Apache {
            process,
            port,
            log: d.join("access.log"),
            _dir: dir,
        }
    }

    /// Connections the requests came on, from the access log (`%k`, 0 for a connection's
    /// first request).
    pub fn connections(&self) -> usize {
        read_lossy(&self.log)
            .lines()
            .filter(|line| line.split(' ').nth(3) == Some("0"))
            .count()
    }
}

impl WebServer for Apache {
    fn port(&self) -> u16 {
        self.port
    }

    /// From its access log, `METHOD PATH STATUS` per line.
    fn requests(&self) -> Vec<Request> {
        read_lossy(&self.log)
            .lines()
            .filter_map(|line| {
                let mut f = line.split(' ');
                Some(Request {
                    method: f.next()?.to_string(),
                    path: f.next()?.to_string(),
                    status: f.next()?.parse().ok()?,
                    range: "-".into(),
                    pipelined: false,
                })
            })
            .collect()
    }
}
