//! Web servers as test sources: nginx with autoindex (both size styles, optional TLS with a
//! self-signed certificate, optional rate limit) and python's http.server (HTTP/1.0, names
//! only, listen backlog 5). Each logs every request so tests can check what a client asked for.

use std::fs;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::installed::program;
use super::ports::free_port;
use super::server::{read_lossy, tail, ServerProcess};
use super::tree::make_world_readable;

const STARTUP: Duration = Duration::from_secs(10);

/// What every test web server offers.
pub trait WebServer {
    fn port(&self) -> u16;
    fn scheme(&self) -> &'static str {
        "http"
    }
    /// `http://127.0.0.1:PORT/`
    fn url(&self) -> String {
        format!("{}://127.0.0.1:{}/", self.scheme(), self.port())
    }
    /// Every request received so far: (method, decoded path, status, Range header or "-").
    fn requests(&self) -> Vec<Request>;

    /// Requests that transferred a file's body: GETs of paths that are not directories,
    /// answered 200 or 206 (a 304 moves no body).
    fn file_gets(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "GET" && !r.path.ends_with('/'))
            .filter(|r| matches!(r.status, 200 | 206))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub range: String,
    /// Came pipelined: sent before the answer to the request ahead of it (nginx's `$pipe`).
    pub pipelined: bool,
}

#[derive(Debug, Clone, Default)]
pub struct NginxOptions {
    /// `autoindex_exact_size off`: sizes as `12K`, `3M`.
    pub approximate_sizes: bool,
    /// HTTPS with a certificate for 127.0.0.1 from a fresh test CA (see [`Nginx::cert_path`]).
    pub tls: bool,
    /// Bytes per second per download (`limit_rate`); 0: unlimited.
    pub limit_rate: u32,
    /// Basic authentication required, for this user and password.
    pub basic_auth: Option<(&'static str, &'static str)>,
}

pub struct Nginx {
    process: ServerProcess,
    port: u16,
    tls: bool,
    dir: TempDir,
}

impl Nginx {
    pub fn start(root: &Path) -> Nginx {
        Nginx::start_with(root, NginxOptions::default())
    }

    /// Serves `root` (made world-readable: nginx's workers run as `nobody`).
    pub fn start_with(root: &Path, options: NginxOptions) -> Nginx {
        make_world_readable(root);
        let dir = tempfile::Builder::new()
            .prefix("nginx-")
            .tempdir()
            .expect("temp dir");
        if options.tls {
            test_certificates(dir.path());
        }
        if let Some((user, password)) = options.basic_auth {
            fs::write(
                dir.path().join("htpasswd"),
                format!("{user}:{{PLAIN}}{password}\n"),
            )
            .unwrap();
        }
        let port = free_port();
        fs::write(
            dir.path().join("nginx.conf"),
            config(root, dir.path(), port, &options),
        )
        .expect("write nginx.conf");
        let child = Command::new(program("usr/sbin/nginx"))
            // -e: the compiled-in error log (/var/log/nginx) is opened before the config is read.
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn nginx");
        let mut process = ServerProcess::new("nginx", child, &dir.path().join("error.log"));
        wait_listening(&mut process, port);
        Nginx {
            process,
            port,
            tls: options.tls,
            dir,
        }
    }

    /// The CA certificate to trust, when started with TLS.
    pub fn cert_path(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Every request logged so far, with the connection it came on and how much of its body
    /// went out (a second access log, `connections.log`, beside the one [`WebServer::requests`]
    /// reads).
    pub fn connection_log(&self) -> Vec<Logged> {
        read_lossy(&self.dir.path().join("connections.log"))
            .lines()
            .filter_map(|line| {
                let mut f = line.split(' ');
                Some(Logged {
                    connection: f.next()?.parse().ok()?,
                    method: f.next()?.to_string(),
                    path: decode(f.next()?),
                    status: f.next()?.parse().ok()?,
                    body_bytes: f.next()?.parse().ok()?,
                    complete: f.next() == Some("OK"),
                })
            })
            .collect()
    }
}

/// One request in nginx's `connections.log` (see [`Nginx::connection_log`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// nginx's serial number of the connection (`$connection`): with `master_process off`,
    /// one process numbers connections in the order it accepts them, so a connection opened
    /// after another has a higher number, whenever each request is logged.
    pub connection: u64,
    pub method: String,
    /// Decoded.
    pub path: String,
    pub status: u16,
    /// Body bytes sent (`$body_bytes_sent`).
    pub body_bytes: u64,
    /// The whole response was sent (`$request_completion`).
    pub complete: bool,
}

impl WebServer for Nginx {
    fn port(&self) -> u16 {
        self.port
    }

    fn scheme(&self) -> &'static str {
        if self.tls {
            "https"
        } else {
            "http"
        }
    }

    /// From the access log, written as `METHOD URI STATUS PIPE RANGE` (see [`config`]).
    fn requests(&self) -> Vec<Request> {
        read_lossy(&self.dir.path().join("access.log"))
            .lines()
            .filter_map(|line| {
                let mut f = line.split(' ');
                Some(Request {
                    method: f.next()?.to_string(),
                    path: decode(f.next()?),
                    status: f.next()?.parse().ok()?,
                    pipelined: f.next()? == "p",
                    range: f.next()?.to_string(),
                })
            })
            .collect()
    }
}

fn config(root: &Path, dir: &Path, port: u16, options: &NginxOptions) -> String {
    let d = dir.display();
    let tls = match options.tls {
        true => format!(
            " ssl;\n        ssl_certificate {d}/cert.pem;\n        ssl_certificate_key {d}/key.pem"
        ),
        false => String::new(),
    };
    let exact = if options.approximate_sizes {
        "off"
    } else {
        "on"
    };
    let auth = match options.basic_auth {
        Some(_) => format!("auth_basic \"test\";\n        auth_basic_user_file {d}/htpasswd;"),
        None => String::new(),
    };
    format!(
        "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n    log_format mirror '$request_method $request_uri $status $pipe $http_range';\n\
         access_log {d}/access.log mirror;\n    log_format connections '$connection $request_method \
         $request_uri $status $body_bytes_sent $request_completion';\n    \
         access_log {d}/connections.log connections;\n    client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;\n\
         server {{\n        listen 127.0.0.1:{port}{tls};\n        root {root};\n        autoindex on;\n\
         autoindex_exact_size {exact};\n        limit_rate {rate};\n        {auth}\n    }}\n}}\n",
        root = root.display(),
        rate = options.limit_rate,
    )
}

/// A test CA (`ca.pem`) and a key and certificate it signed for 127.0.0.1 and localhost
/// (`key.pem`, `cert.pem`), made with the openssl command. webpki refuses a self-signed CA
/// certificate as a server's own, so the server gets a leaf like a real one.
pub fn test_certificates(dir: &Path) {
    fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509"],
            &ec[..],
            &[
                "-days",
                "2",
                "-subj",
                "/CN=ftpmirror test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
            ],
        ],
    );
    openssl(
        dir,
        &[
            &["req"],
            &ec[..],
            &[
                "-subj",
                "/CN=localhost",
                "-keyout",
                "key.pem",
                "-out",
                "req.csr",
            ],
        ],
    );
    openssl(
        dir,
        &[
            &[
                "x509",
                "-req",
                "-in",
                "req.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
            ],
            &["-days", "2", "-extfile", "ext.cnf", "-out", "cert.pem"],
        ],
    );
}

fn openssl(dir: &Path, args: &[&[&str]]) {
    let status = Command::new("openssl")
        .args(args.concat())
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success(), "openssl {:?} failed", args.concat());
}

/// python3 -m http.server: HTTP/1.0, no keep-alive, listen backlog 5, names only in its index.
pub struct PyHttp {
    process: ServerProcess,
    port: u16,
    log: PathBuf,
    _dir: TempDir,
}

impl PyHttp {
    pub fn start(root: &Path) -> PyHttp {
        let dir = tempfile::Builder::new()
            .prefix("pyhttp-")
            .tempdir()
            .expect("temp dir");
        let log = dir.path().join("requests.log");
        let port = free_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
                "--directory",
            ])
            .arg(root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).expect("create log"))
            .spawn()
            .expect("spawn python3 -m http.server");
        let mut process = ServerProcess::new("http.server", child, &log);
        wait_listening(&mut process, port);
        PyHttp {
            process,
            port,
            log,
            _dir: dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }
}

impl WebServer for PyHttp {
    fn port(&self) -> u16 {
        self.port
    }

    /// From its stderr: `127.0.0.1 - - [date] "GET /path HTTP/1.1" 200 -`.
    fn requests(&self) -> Vec<Request> {
        common_log(&self.log)
    }
}

/// Requests from a log in (or starting like) the Common Log Format:
/// `HOST - - [date] "METHOD /path HTTP/1.1" STATUS ...`.
pub fn common_log(log: &Path) -> Vec<Request> {
    read_lossy(log)
        .lines()
        .filter_map(|line| {
            let mut quoted = line.split('"');
            let request = quoted.nth(1)?;
            let status = quoted.next()?.split_whitespace().next()?.parse().ok()?;
            let mut f = request.split(' ');
            Some(Request {
                method: f.next()?.to_string(),
                path: decode(f.next()?),
                status,
                range: "-".into(),
                pipelined: false,
            })
        })
        .collect()
}

/// Debian's mini_httpd, unpacked by tests/setup.sh: its index pages link directories without a
/// trailing `/` and answer such a link with a `302` to the path with one. `Connection: close`
/// on every response.
pub struct MiniHttpd {
    process: ServerProcess,
    port: u16,
    log: PathBuf,
    _dir: TempDir,
}

impl MiniHttpd {
    /// Serves `root` (made world-readable: it runs as `nobody`).
    pub fn start(root: &Path) -> MiniHttpd {
        make_world_readable(root);
        let dir = tempfile::Builder::new()
            .prefix("mini-httpd-")
            .tempdir()
            .expect("temp dir");
        let log = dir.path().join("access.log");
        let port = free_port();
        let child = Command::new(program("usr/sbin/mini_httpd"))
            .args([
                "-D",
                "-h",
                "127.0.0.1",
                "-u",
                "nobody",
                "-p",
                &port.to_string(),
            ])
            .arg("-d")
            .arg(root)
            .arg("-l")
            .arg(&log)
            .arg("-i")
            .arg(dir.path().join("pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.path().join("stderr.txt")).expect("create log"))
            .spawn()
            .expect("spawn mini_httpd");
        let mut process = ServerProcess::new("mini_httpd", child, &dir.path().join("stderr.txt"));
        wait_listening(&mut process, port);
        MiniHttpd {
            process,
            port,
            log,
            _dir: dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }
}

impl WebServer for MiniHttpd {
    fn port(&self) -> u16 {
        self.port
    }

    /// From its access log: `127.0.0.1 - - [date] "GET /sub HTTP/1.1" 302 - "" "agent"`.
    fn requests(&self) -> Vec<Request> {
        common_log(&self.log)
    }
}

pub fn wait_listening(process: &mut ServerProcess, port: u16) {
    let deadline = Instant::now() + STARTUP;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = process.exited() {
            panic!("server exited ({status}):\n{}", tail(&process.log(), 40));
        }
        assert!(
            Instant::now() < deadline,
            "server not listening on {port}:\n{}",
            tail(&process.log(), 40)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Percent-decoding of a logged path, for comparing with file names.
pub fn decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            bytes
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()),
        ) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
