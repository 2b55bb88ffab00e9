//! A small in-process FTP server serving a virtual site, for hostile-server tests: every listing
//! is raw bytes the test wrote (so any hostile line can be injected), and faults real servers
//! will not produce on demand are hooks: a data connection dropped after N bytes, stalled, fed
//! one byte at a time or without end, a missing final reply, a silent, dripping or endless
//! control connection, a `421` at the greeting or after USER, a PASV reply naming another host.
//!
//! It speaks what ftpmirror uses: USER, PASS, FEAT (with or without `MLST`), OPTS, TYPE, PWD,
//! CWD (absolute and relative, tracked per connection), LIST (the current directory, or its
//! argument), MLSD (its argument, or the current directory), SIZE, MDTM, REST, RETR, EPSV,
//! PASV, NOOP, ABOR, QUIT. Passive mode only. Every connection is served on its own thread, so
//! ftpmirror's `-j N` sessions all get one; every command line received is recorded, and those
//! that arrive during a transfer too: they wait for its end, are answered at once, or end it, as
//! the site's [`During`] says.
//!
//! Nothing here blocks for long: sockets have short timeouts and every loop checks the stop
//! flag, so dropping the [`FakeFtp`] ends all its threads.

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long apart a dripping peer sends its bytes.
pub const DRIP: Duration = Duration::from_millis(300);
/// How often blocked loops wake up to look at the stop flag.
const TICK: Duration = Duration::from_millis(50);
/// A connection idle for this long is closed: no test waits that long.
const IDLE: Duration = Duration::from_secs(60);

/// What the server says instead of its normal reply (or as its greeting).
#[derive(Clone, Debug)]
pub enum Answer {
    /// This line (CRLF added).
    Line(String),
    /// This line, then the control connection is closed (a `421`).
    Closing(String),
    /// Nothing at all; the connection stays open until the client leaves.
    Silent,
    /// These bytes, one every [`DRIP`], then silence.
    Drip(Vec<u8>),
    /// `220 ` and then this many bytes of one endless line without a line end, then silence.
    Long(usize),
}

/// What goes wrong on a data connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The first N bytes, then the data connection closes and `426` follows.
    DropAfter(usize),
    /// The data connection opens and nothing is ever sent on it, nor a final reply.
    Stall,
    /// All the bytes, the data connection closes, and no final reply ever comes.
    NoFinal,
    /// The bytes one every [`DRIP`]; `226` if they ever run out.
    Drip,
    /// The bytes over and over, without end (or a pattern, for an empty payload).
    Endless,
}

/// What the server does with commands that arrive while a transfer runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum During {
    /// They wait until the transfer is over (vsftpd).
    Queued,
    /// `NOOP` is answered at once; `EPSV` or `PASV` end the transfer with `426` (pyftpdlib).
    Answered,
    /// They wait, but `EPSV` or `PASV` end the transfer with `426`: a server whose answer to a
    /// `NOOP` does not tell how it takes the rest.
    Ending,
}

/// A transfer starting or its data connection closing, as the server saw it:
/// [`FakeFtp::transfers`] keeps them in one order across all connections, so a test can tell
/// which transfers ended before another one did, without measuring time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transfer {
    /// The data for this path (a file, or a directory listed) starts on its data connection.
    Opened(String),
    /// It is closed: every byte sent, the client gone, or the transfer cut.
    Closed(String),
}

/// A fault for transfers of one path (or of every path, `"*"`), for its first `times` transfers
/// (`None`: all of them).
#[derive(Clone, Debug)]
struct FaultRule {
    path: String,
    fault: Fault,
    times: Option<usize>,
}

/// Listings made on the fly, for directories with no fixed listing: `None` means no such
/// directory.
pub type Generator = Arc<dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync>;

/// The virtual site: what the server serves and how it misbehaves. Paths are absolute, without
/// a trailing `/` (the root is `/`).
#[derive(Clone)]
pub struct Site {
    /// FEAT lists `MLST`: ftpmirror then lists with `MLSD /dir`, else with `CWD /dir` + `LIST`.
    pub mlst: bool,
    pub greeting: Answer,
    /// Raw listing bytes per directory (LIST or MLSD output, as the site's flavour is).
    pub listings: BTreeMap<String, Vec<u8>>,
    /// LIST output per directory where it differs from `listings` (a site whose MLSD and LIST
    /// both work).
    pub list_listings: BTreeMap<String, Vec<u8>>,
    pub files: BTreeMap<String, Vec<u8>>,
    /// MDTM answers (`YYYYMMDDHHMMSS`); a path without one gets `550`.
    pub mdtm: BTreeMap<String, String>,
    /// SIZE answers that differ from the file's length.
    pub sizes: BTreeMap<String, u64>,
    faults: Vec<FaultRule>,
    /// Replies replaced, by upper-case verb, for the first `times` such commands (`None`: all).
    answers: Vec<(String, Answer, Option<usize>)>,
    pub generator: Option<Generator>,
    pub during: During,
    /// The final reply waits until the client has closed its end of the data connection, as
    /// vsftpd's does.
    pub waits_for_close: bool,
    /// The login directory's name in the server's own syntax (z/OS `'USR001.'`, OpenVMS
    /// `DISK$USERS:[ANNA]`): PWD at `/` answers it, and `CWD` of it goes to `/`.
    pub home: Option<String>,
    /// The host a `227` reply names; the data port listens on 127.0.0.1 whatever it says.
    pub pasv_host: Ipv4Addr,
}

impl Site {
    /// A site whose FEAT offers MLST (listings by MLSD).
    pub fn mlsd() -> Site {
        Site::new(true)
    }

    /// A site without MLST (listings by CWD and LIST).
    pub fn list() -> Site {
        Site::new(false)
    }

    fn new(mlst: bool) -> Site {
        Site {
            mlst,
            greeting: Answer::Line("220 fake ftp ready".into()),
            listings: BTreeMap::new(),
            list_listings: BTreeMap::new(),
            files: BTreeMap::new(),
            mdtm: BTreeMap::new(),
            sizes: BTreeMap::new(),
            faults: Vec::new(),
            answers: Vec::new(),
            generator: None,
            during: During::Queued,
            waits_for_close: false,
            home: None,
            pasv_host: Ipv4Addr::LOCALHOST,
        }
    }

    /// What the server does with commands that arrive during a transfer.
    pub fn during(mut self, during: During) -> Site {
        self.during = during;
        self
    }

    /// The final reply waits for the client's end of the data connection to close (vsftpd).
    pub fn waits_for_close(mut self) -> Site {
        self.waits_for_close = true;
        self
    }

    /// The raw listing of directory `path`.
    pub fn dir(mut self, path: &str, listing: impl AsRef<[u8]>) -> Site {
        self.listings
            .insert(normalize(path), listing.as_ref().to_vec());
        self
    }

    /// What LIST of directory `path` sends, where it differs from MLSD's [`Site::dir`].
    pub fn dir_by_list(mut self, path: &str, listing: impl AsRef<[u8]>) -> Site {
        self.list_listings
            .insert(normalize(path), listing.as_ref().to_vec());
        self
    }

    pub fn file(mut self, path: &str, content: impl AsRef<[u8]>) -> Site {
        self.files
            .insert(normalize(path), content.as_ref().to_vec());
        self
    }

    pub fn mdtm(mut self, path: &str, time: &str) -> Site {
        self.mdtm.insert(normalize(path), time.to_string());
        self
    }

    pub fn size(mut self, path: &str, size: u64) -> Site {
        self.sizes.insert(normalize(path), size);
        self
    }

    pub fn greeting(mut self, answer: Answer) -> Site {
        self.greeting = answer;
        self
    }

    /// `fault` on every transfer of `path` (`"*"`: of any path).
    pub fn fault(self, path: &str, fault: Fault) -> Site {
        self.fault_times(path, fault, None)
    }

    /// `fault` on the first transfer of `path` only.
    pub fn fault_once(self, path: &str, fault: Fault) -> Site {
        self.fault_times(path, fault, Some(1))
    }

    fn fault_times(mut self, path: &str, fault: Fault, times: Option<usize>) -> Site {
        let path = match path {
            "*" => "*".to_string(),
            p => normalize(p),
        };
        self.faults.push(FaultRule { path, fault, times });
        self
    }

    /// `answer` instead of the normal reply to every `verb` command. A `verb` with a space in
    /// it is a whole command line (`CWD /a`), answered so only when it comes exactly so.
    pub fn answer(mut self, verb: &str, answer: Answer) -> Site {
        self.answers.push((upper_verb(verb), answer, None));
        self
    }

    /// `answer` instead of the normal reply to the first `verb` command only.
    pub fn answer_once(mut self, verb: &str, answer: Answer) -> Site {
        self.answers.push((upper_verb(verb), answer, Some(1)));
        self
    }

    /// The login directory is `name`, in a syntax that is not Unix's (see [`Site::home`]).
    pub fn home(mut self, name: &str) -> Site {
        self.home = Some(name.to_string());
        self
    }

    /// PASV replies name `host` (a bounce, RFC 2577 section 3); the data port still listens on
    /// 127.0.0.1 only.
    pub fn pasv_host(mut self, host: Ipv4Addr) -> Site {
        self.pasv_host = host;
        self
    }

    /// Listings for directories without a fixed one, made when asked for.
    pub fn generate(mut self, f: impl Fn(&str) -> Option<Vec<u8>> + Send + Sync + 'static) -> Site {
        self.generator = Some(Arc::new(f));
        self
    }

    fn listing(&self, dir: &str) -> Option<Vec<u8>> {
        match self.listings.get(dir) {
            Some(l) => Some(l.clone()),
            None => self.generator.as_ref().and_then(|g| g(dir)),
        }
    }

    fn is_dir(&self, dir: &str) -> bool {
        dir == "/" || self.listings.contains_key(dir) || self.listing(dir).is_some()
    }

    /// The fault for a transfer of `path`, counting it against its rule's `times`.
    fn take_fault(&mut self, path: &str) -> Option<Fault> {
        let rule = self
            .faults
            .iter_mut()
            .find(|r| (r.path == "*" || r.path == path) && r.times.is_none_or(|t| t > 0))?;
        if let Some(t) = rule.times.as_mut() {
            *t -= 1;
        }
        Some(rule.fault)
    }

    fn take_answer(&mut self, verb: &str, line: &str) -> Option<Answer> {
        let line = upper_verb(line);
        let (_, answer, times) = self
            .answers
            .iter_mut()
            .find(|(v, _, times)| (v == verb || *v == line) && times.is_none_or(|t| t > 0))?;
        if let Some(t) = times.as_mut() {
            *t -= 1;
        }
        Some(answer.clone())
    }
}

/// What the server's threads share.
struct Shared {
    site: Mutex<Site>,
    commands: Mutex<Vec<String>>,
    /// Command lines that arrived while a transfer ran.
    during: Mutex<Vec<String>>,
    /// Command lines that came in the same read as the line before them, with that line.
    pipelined: Mutex<Vec<(String, String)>>,
    /// Transfers whose data connection the client had closed for writing before the data went
    /// out (counted where the site waits for the client's close).
    early_closes: AtomicUsize,
    connections: Mutex<usize>,
    /// Data connections accepted, on all control connections.
    data_connections: AtomicUsize,
    /// Data connections opened and closed, in order.
    transfers: Mutex<Vec<Transfer>>,
    stop: AtomicBool,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

/// A running fake server on 127.0.0.1.
pub struct FakeFtp {
    pub port: u16,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl FakeFtp {
    pub fn start(site: Site) -> FakeFtp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            site: Mutex::new(site),
            commands: Mutex::new(Vec::new()),
            during: Mutex::new(Vec::new()),
            pipelined: Mutex::new(Vec::new()),
            early_closes: AtomicUsize::new(0),
            connections: Mutex::new(0),
            data_connections: AtomicUsize::new(0),
            transfers: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            threads: Mutex::new(Vec::new()),
        });
        let s = shared.clone();
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                *s.connections.lock().unwrap() += 1;
                let conn_shared = s.clone();
                let handle = std::thread::spawn(move || serve(stream, conn_shared));
                s.threads.lock().unwrap().push(handle);
            }
        });
        FakeFtp {
            port,
            shared,
            accept: Some(accept),
        }
    }

    /// `ftp://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("ftp://127.0.0.1:{}/", self.port)
    }

    /// Every command line received so far, on all connections, in order of arrival.
    pub fn commands(&self) -> Vec<String> {
        self.shared.commands.lock().unwrap().clone()
    }

    /// Commands received with this verb (case-insensitive), as whole lines.
    pub fn with_verb(&self, verb: &str) -> Vec<String> {
        self.commands()
            .into_iter()
            .filter(|c| {
                c.split(' ')
                    .next()
                    .is_some_and(|v| v.eq_ignore_ascii_case(verb))
            })
            .collect()
    }

    /// Command lines that arrived while a transfer ran, in order of arrival.
    pub fn sent_during_transfers(&self) -> Vec<String> {
        self.shared.during.lock().unwrap().clone()
    }

    /// Command lines that came in the same read as the line before them (sent in one write),
    /// as (line before, line).
    pub fn pipelined(&self) -> Vec<(String, String)> {
        self.shared.pipelined.lock().unwrap().clone()
    }

    /// Transfers whose data connection the client had closed for writing before the data went
    /// out; counted only on a site that [`Site::waits_for_close`].
    pub fn early_closes(&self) -> usize {
        self.shared.early_closes.load(Ordering::SeqCst)
    }

    /// How many control connections were accepted.
    pub fn connections(&self) -> usize {
        *self.shared.connections.lock().unwrap()
    }

    /// How many data connections were accepted, on all control connections.
    pub fn data_connections(&self) -> usize {
        self.shared.data_connections.load(Ordering::SeqCst)
    }

    /// Every data connection opened and closed so far, in the order the server saw it.
    pub fn transfers(&self) -> Vec<Transfer> {
        self.shared.transfers.lock().unwrap().clone()
    }

    /// Changes the site between (or during) runs.
    pub fn edit(&self, change: impl FnOnce(&mut Site)) {
        change(&mut self.shared.site.lock().unwrap());
    }

    /// Replaces the whole site.
    pub fn replace(&self, site: Site) {
        *self.shared.site.lock().unwrap() = site;
    }
}

impl Drop for FakeFtp {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        let threads: Vec<_> = self.shared.threads.lock().unwrap().drain(..).collect();
        for thread in threads {
            let _ = thread.join();
        }
    }
}

/// `/a/b` from any spelling: absolute, no trailing `/`, `.` and `..` resolved.
/// A verb in upper case, or a whole line with its verb in upper case.
fn upper_verb(key: &str) -> String {
    match key.split_once(' ') {
        Some((verb, arg)) => format!("{} {arg}", verb.to_ascii_uppercase()),
        None => key.to_ascii_uppercase(),
    }
}

fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// One control connection.
struct Conn {
    ctrl: TcpStream,
    shared: Arc<Shared>,
    /// Bytes read but not yet made into command lines.
    buf: Vec<u8>,
    /// Command lines that arrived during a transfer, to be handled after it.
    pending: VecDeque<String>,
    cwd: String,
    rest: u64,
    passive: Option<TcpListener>,
    last_command: Instant,
    /// Bytes were read since the last command line was taken.
    read_since_line: bool,
    last_line: String,
}

/// What reading a command found.
enum Poll {
    Line(String),
    /// Nothing yet (a tick passed).
    Nothing,
    /// The client left, or the server is stopping.
    Gone,
}

fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_read_timeout(Some(TICK));
    let _ = stream.set_write_timeout(Some(TICK));
    let _ = stream.set_nodelay(true);
    let mut conn = Conn {
        ctrl: stream,
        shared,
        buf: Vec::new(),
        pending: VecDeque::new(),
        cwd: "/".into(),
        rest: 0,
        passive: None,
        last_command: Instant::now(),
        read_since_line: false,
        last_line: String::new(),
    };
    let greeting = conn.shared.site.lock().unwrap().greeting.clone();
    if !conn.answer(greeting) {
        return;
    }
    while let Some(line) = conn.next_command() {
        if !conn.handle(&line) {
            break;
        }
    }
    let _ = conn.ctrl.shutdown(Shutdown::Both);
}

impl Conn {
    fn stopping(&self) -> bool {
        self.shared.stop.load(Ordering::SeqCst)
    }

    /// Writes all of `bytes`, waiting out a client that reads slowly; false when the client is
    /// gone or the server stops.
    fn send_raw(&mut self, bytes: &[u8]) -> bool {
        write_patiently(&mut self.ctrl, bytes, &self.shared.stop, None)
    }

    fn send(&mut self, line: &str) -> bool {
        self.send_raw(format!("{line}\r\n").as_bytes())
    }

    /// Sends `answer`; false when the connection is over.
    fn answer(&mut self, answer: Answer) -> bool {
        match answer {
            Answer::Line(line) => self.send(&line),
            Answer::Closing(line) => {
                self.send(&line);
                false
            }
            Answer::Silent => {
                self.hold();
                false
            }
            Answer::Drip(bytes) => {
                for b in bytes {
                    if !self.send_raw(&[b]) || !self.sleep(DRIP) {
                        return false;
                    }
                }
                self.hold();
                false
            }
            Answer::Long(n) => {
                let chunk = vec![b'x'; 64 * 1024];
                let mut left = n;
                let mut ok = self.send_raw(b"220 ");
                while ok && left > 0 {
                    let k = left.min(chunk.len());
                    ok = self.send_raw(&chunk[..k]);
                    left -= k;
                }
                if ok {
                    self.hold();
                }
                false
            }
        }
    }

    /// Sleeps `d` in ticks; false when the server stops meanwhile.
    fn sleep(&self, d: Duration) -> bool {
        let end = Instant::now() + d;
        while Instant::now() < end {
            if self.stopping() {
                return false;
            }
            std::thread::sleep(TICK.min(end - Instant::now()));
        }
        !self.stopping()
    }

    /// Keeps the connection open, saying nothing, until the client leaves.
    fn hold(&mut self) {
        let mut sink = [0u8; 4096];
        let start = Instant::now();
        while !self.stopping() && start.elapsed() < IDLE {
            match self.ctrl.read(&mut sink) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if is_tick(&e) => {}
                Err(_) => return,
            }
        }
    }

    /// One read attempt for a command line.
    fn poll_command(&mut self) -> Poll {
        match self.pending.pop_front() {
            Some(line) => Poll::Line(line),
            None => self.poll_new(),
        }
    }

    /// A command line already read, not taken yet.
    fn buffered_line(&mut self) -> Option<String> {
        let at = self.buf.iter().position(|&b| b == b'\n')?;
        let raw: Vec<u8> = self.buf.drain(..=at).collect();
        let line = String::from_utf8_lossy(&raw)
            .trim_end_matches(['\r', '\n'])
            .to_string();
        self.last_command = Instant::now();
        if !std::mem::take(&mut self.read_since_line) {
            let pair = (self.last_line.clone(), line.clone());
            self.shared.pipelined.lock().unwrap().push(pair);
        }
        self.last_line = line.clone();
        Some(line)
    }

    /// One read attempt for a command line not read before.
    fn poll_new(&mut self) -> Poll {
        loop {
            if let Some(line) = self.buffered_line() {
                return Poll::Line(line);
            }
            if self.stopping() || self.last_command.elapsed() > IDLE || self.buf.len() > 1 << 20 {
                return Poll::Gone;
            }
            let mut chunk = [0u8; 4096];
            match self.ctrl.read(&mut chunk) {
                Ok(0) => return Poll::Gone,
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    self.read_since_line = true;
                }
                Err(e) if is_tick(&e) => return Poll::Nothing,
                Err(_) => return Poll::Gone,
            }
        }
    }

    fn next_command(&mut self) -> Option<String> {
        loop {
            match self.poll_command() {
                Poll::Line(line) => return Some(line),
                Poll::Nothing => {}
                Poll::Gone => return None,
            }
        }
    }

    fn resolve(&self, arg: &str) -> String {
        if self.shared.site.lock().unwrap().home.as_deref() == Some(arg) {
            return "/".into();
        }
        match arg.starts_with('/') {
            true => normalize(arg),
            false => normalize(&format!("{}/{arg}", self.cwd)),
        }
    }

    /// Handles one command line; false when the connection is over.
    fn handle(&mut self, line: &str) -> bool {
        self.shared.commands.lock().unwrap().push(line.to_string());
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        let verb = verb.to_ascii_uppercase();
        let answer = self.shared.site.lock().unwrap().take_answer(&verb, line);
        if let Some(answer) = answer {
            return self.answer(answer);
        }
        match verb.as_str() {
            "USER" => self.send("230 logged in"),
            "PASS" => self.send("230 logged in"),
            "ACCT" => self.send("202 not needed"),
            "FEAT" => {
                let mlst = self.shared.site.lock().unwrap().mlst;
                let mut text = String::from("211-Features:\r\n");
                if mlst {
                    text += " MLST type*;size*;modify*;\r\n";
                }
                text += " SIZE\r\n MDTM\r\n REST STREAM\r\n EPSV\r\n UTF8\r\n211 End\r\n";
                self.send_raw(text.as_bytes())
            }
            "OPTS" => self.send("200 ok"),
            "TYPE" => self.send("200 type set"),
            "SYST" => self.send("215 UNIX Type: L8"),
            "NOOP" => self.send("200 ok"),
            "PWD" | "XPWD" => {
                let home = self.shared.site.lock().unwrap().home.clone();
                let cwd = match home {
                    Some(home) if self.cwd == "/" => home,
                    _ => self.cwd.clone(),
                };
                let cwd = cwd.replace('"', "\"\"");
                self.send(&format!("257 \"{cwd}\" is the current directory"))
            }
            "CWD" => {
                let path = self.resolve(arg);
                if self.shared.site.lock().unwrap().is_dir(&path) {
                    self.cwd = path;
                    self.send("250 ok")
                } else {
                    self.send("550 no such directory")
                }
            }
            "CDUP" => {
                self.cwd = normalize(&format!("{}/..", self.cwd));
                self.send("250 ok")
            }
            "SIZE" => {
                let path = self.resolve(arg);
                let site = self.shared.site.lock().unwrap();
                let size = site
                    .sizes
                    .get(&path)
                    .copied()
                    .or_else(|| site.files.get(&path).map(|f| f.len() as u64));
                drop(site);
                match size {
                    Some(n) => self.send(&format!("213 {n}")),
                    None => self.send("550 no such file"),
                }
            }
            "MDTM" => {
                let path = self.resolve(arg);
                let time = self.shared.site.lock().unwrap().mdtm.get(&path).cloned();
                match time {
                    Some(t) => self.send(&format!("213 {t}")),
                    None => self.send("550 no time for that"),
                }
            }
            "REST" => match arg.trim().parse() {
                Ok(n) => {
                    self.rest = n;
                    self.send(&format!("350 restarting at {n}"))
                }
                Err(_) => self.send("501 bad offset"),
            },
            "EPSV" => match TcpListener::bind("127.0.0.1:0") {
                Ok(l) => {
                    let port = l.local_addr().unwrap().port();
                    self.passive = Some(l);
                    self.send(&format!("229 Entering Extended Passive Mode (|||{port}|)"))
                }
                Err(_) => self.send("425 cannot listen"),
            },
            "PASV" => match TcpListener::bind("127.0.0.1:0") {
                Ok(l) => {
                    let port = l.local_addr().unwrap().port();
                    self.passive = Some(l);
                    let [a, b, c, d] = self.shared.site.lock().unwrap().pasv_host.octets();
                    self.send(&format!(
                        "227 Entering Passive Mode ({a},{b},{c},{d},{},{})",
                        port >> 8,
                        port & 0xff
                    ))
                }
                Err(_) => self.send("425 cannot listen"),
            },
            "LIST" | "MLSD" | "NLST" => {
                let dir = match arg.trim() {
                    a if a.is_empty() || a.starts_with('-') => self.cwd.clone(),
                    a => self.resolve(a),
                };
                let site = self.shared.site.lock().unwrap();
                let listing = match verb.as_str() {
                    "LIST" => site.list_listings.get(&dir).cloned(),
                    _ => None,
                }
                .or_else(|| site.listing(&dir));
                drop(site);
                match listing {
                    Some(bytes) => self.transfer(&dir, bytes),
                    None => self.send("550 no such directory"),
                }
            }
            "RETR" => {
                let path = self.resolve(arg);
                let file = self.shared.site.lock().unwrap().files.get(&path).cloned();
                let rest = std::mem::take(&mut self.rest) as usize;
                match file {
                    Some(bytes) if rest <= bytes.len() => {
                        self.transfer(&path, bytes[rest..].to_vec())
                    }
                    Some(_) => self.send("554 restart offset past the end"),
                    None => self.send("550 no such file"),
                }
            }
            "ABOR" => self.send("225 no transfer to abort"),
            "QUIT" => {
                self.send("221 bye");
                false
            }
            _ => self.send("502 not implemented"),
        }
    }

    /// One transfer of `payload` on the passive connection, with the fault set for `path`.
    fn transfer(&mut self, path: &str, payload: Vec<u8>) -> bool {
        let Some(listener) = self.passive.take() else {
            return self.send("425 use EPSV or PASV first");
        };
        if !self.send("150 opening data connection") {
            return false;
        }
        let Some(data) = accept(&listener, &self.shared.stop) else {
            return self.send("425 no data connection");
        };
        self.shared.data_connections.fetch_add(1, Ordering::SeqCst);
        let (fault, during, waits) = {
            let mut site = self.shared.site.lock().unwrap();
            (site.take_fault(path), site.during, site.waits_for_close)
        };
        // What came in the same write as the transfer command is read before any data goes
        // out, as a server that reads commands during transfers would.
        while let Some(line) = self.buffered_line() {
            match self.during_transfer(line, during) {
                Act::Keep => {}
                Act::Abor => {
                    return self.send("426 transfer aborted") && self.send("226 abort done")
                }
                Act::End => return self.send("426 data connection closed; transfer aborted"),
                Act::Gone => return false,
            }
        }
        let abort = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicBool::new(false));
        let early = waits.then(|| self.shared.clone());
        let (stop, flag, sent_flag) = (self.shared.clone(), abort.clone(), sent.clone());
        let opened = Transfer::Opened(path.to_string());
        self.shared.transfers.lock().unwrap().push(opened);
        let closed = Transfer::Closed(path.to_string());
        let sender = std::thread::spawn(move || {
            let closes = early.as_ref().map(|s| &s.early_closes);
            send_data(data, payload, fault, &flag, &sent_flag, closes, &stop.stop);
            stop.transfers.lock().unwrap().push(closed);
        });
        // While the data flows, the client may send ABOR (or give up and leave).
        let mut aborted = false;
        let mut ended = false;
        while !sender.is_finished() {
            let line = match self.poll_new() {
                Poll::Line(line) => line,
                Poll::Nothing => continue,
                Poll::Gone => {
                    abort.store(true, Ordering::SeqCst);
                    let _ = sender.join();
                    return false;
                }
            };
            if sent.load(Ordering::SeqCst) {
                // After the data connection closed: the transfer is over for the client too.
                self.pending.push_back(line);
                continue;
            }
            match self.during_transfer(line, during) {
                Act::Keep => continue,
                Act::Abor => aborted = true,
                Act::End => ended = true,
                Act::Gone => {}
            }
            abort.store(true, Ordering::SeqCst);
            break;
        }
        let _ = sender.join();
        if ended {
            return self.send("426 data connection closed; transfer aborted");
        }
        if aborted {
            return self.send("426 transfer aborted") && self.send("226 abort done");
        }
        match fault {
            None | Some(Fault::Drip) => self.send("226 transfer complete"),
            Some(Fault::DropAfter(_)) => self.send("426 connection closed; transfer aborted"),
            Some(Fault::Stall | Fault::NoFinal | Fault::Endless) => true,
        }
    }
}

/// What a command line that arrived during a transfer does to it.
enum Act {
    /// Nothing: it waits for the transfer's end, or was answered.
    Keep,
    /// ABOR.
    Abor,
    /// The server ends the transfer with `426`.
    End,
    /// The client is gone.
    Gone,
}

impl Conn {
    fn during_transfer(&mut self, line: String, during: During) -> Act {
        self.shared.during.lock().unwrap().push(line.clone());
        let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
        match (verb.as_str(), during) {
            ("ABOR", _) => {
                self.shared.commands.lock().unwrap().push(line);
                Act::Abor
            }
            ("NOOP", During::Answered) => {
                self.shared.commands.lock().unwrap().push(line);
                match self.send("200 ok") {
                    true => Act::Keep,
                    false => Act::Gone,
                }
            }
            ("EPSV" | "PASV", During::Answered | During::Ending) => {
                self.pending.push_back(line);
                Act::End
            }
            _ => {
                self.pending.push_back(line);
                Act::Keep
            }
        }
    }
}

fn is_tick(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
    )
}

/// Writes all of `bytes` through timeouts; false when the peer is gone, the server stops or
/// the transfer is aborted.
fn write_patiently(
    stream: &mut TcpStream,
    mut bytes: &[u8],
    stop: &AtomicBool,
    abort: Option<&AtomicBool>,
) -> bool {
    let start = Instant::now();
    while !bytes.is_empty() {
        if stop.load(Ordering::SeqCst)
            || abort.is_some_and(|a| a.load(Ordering::SeqCst))
            || start.elapsed() > IDLE
        {
            return false;
        }
        match stream.write(bytes) {
            Ok(0) => return false,
            Ok(n) => bytes = &bytes[n..],
            Err(e) if is_tick(&e) => {}
            Err(_) => return false,
        }
    }
    true
}

/// The client's data connection, within a few seconds.
fn accept(listener: &TcpListener, stop: &AtomicBool) -> Option<TcpStream> {
    listener.set_nonblocking(true).ok()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline && !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).ok()?;
                stream.set_read_timeout(Some(TICK)).ok()?;
                stream.set_write_timeout(Some(TICK)).ok()?;
                return Some(stream);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(_) => return None,
        }
    }
    None
}

/// The data connection's side of a transfer.
fn send_data(
    mut data: TcpStream,
    payload: Vec<u8>,
    fault: Option<Fault>,
    abort: &AtomicBool,
    sent: &AtomicBool,
    early_closes: Option<&AtomicUsize>,
    stop: &AtomicBool,
) {
    let over = || stop.load(Ordering::SeqCst) || abort.load(Ordering::SeqCst);
    if let Some(count) = early_closes {
        // The client's end closed already: its FIN is there, or comes within a moment.
        let _ = data.set_read_timeout(Some(Duration::from_millis(200)));
        if matches!(data.read(&mut [0u8; 1]), Ok(0)) {
            count.fetch_add(1, Ordering::SeqCst);
        }
        let _ = data.set_read_timeout(Some(TICK));
    }
    match fault {
        None | Some(Fault::NoFinal) => {
            write_patiently(&mut data, &payload, stop, Some(abort));
        }
        Some(Fault::DropAfter(n)) => {
            write_patiently(
                &mut data,
                &payload[..n.min(payload.len())],
                stop,
                Some(abort),
            );
        }
        Some(Fault::Stall) => {
            // Open and silent until the client hangs up.
            until_closed(&mut data, &over);
        }
        Some(Fault::Drip) => {
            for b in &payload {
                if !write_patiently(&mut data, &[*b], stop, Some(abort)) {
                    break;
                }
                let end = Instant::now() + DRIP;
                while Instant::now() < end && !over() {
                    std::thread::sleep(TICK);
                }
                if over() {
                    break;
                }
            }
        }
        Some(Fault::Endless) => {
            let block: Vec<u8> = match payload.is_empty() {
                true => (0..64 * 1024u32).map(|i| (i % 251) as u8).collect(),
                false => payload.repeat((64 * 1024 / payload.len()).max(1)),
            };
            let start = Instant::now();
            while start.elapsed() < IDLE && write_patiently(&mut data, &block, stop, Some(abort)) {}
        }
    }
    // Set first: a line the client sends once it sees the end is not one sent during the transfer.
    sent.store(true, Ordering::SeqCst);
    if early_closes.is_some() {
        let _ = data.shutdown(Shutdown::Write);
        until_closed(&mut data, &over);
    }
    let _ = data.shutdown(Shutdown::Both);
}

/// Reads (and drops) what the client sends on a data connection until it closes its end, the
/// transfer is over, or [`IDLE`] passes.
fn until_closed(data: &mut TcpStream, over: &dyn Fn() -> bool) {
    let mut sink = [0u8; 1024];
    let start = Instant::now();
    while !over() && start.elapsed() < IDLE {
        match data.read(&mut sink) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if is_tick(&e) => {}
            Err(_) => break,
        }
    }
}

/// One `ls -l` line for a file (day precision: a year, not a time).
pub fn ls_file(name: &str, size: usize) -> String {
    format!("-rw-r--r--   1 ftp      ftp      {size:>8} Jan 02  2020 {name}\r\n")
}

/// One `ls -l` line for a directory.
pub fn ls_dir(name: &str) -> String {
    format!("drwxr-xr-x   2 ftp      ftp          4096 Jan 02  2020 {name}\r\n")
}

/// One `ls -l` line for a symbolic link.
pub fn ls_link(name: &str, target: &str) -> String {
    format!(
        "lrwxrwxrwx   1 ftp      ftp      {:>8} Jan 02  2020 {name} -> {target}\r\n",
        target.len()
    )
}

/// One MLSD line for a file, modified 2024-01-01 00:00:00 UTC.
pub fn mlsd_file(name: &str, size: usize) -> String {
    format!("type=file;size={size};modify=20240101000000; {name}\r\n")
}

/// One MLSD line for a directory.
pub fn mlsd_dir(name: &str) -> String {
    format!("type=dir;modify=20240101000000; {name}\r\n")
}

/// `n` bytes that differ from file to file (seeded by `seed`).
pub fn content(seed: u8, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| ((i as u64 * 31 + seed as u64 * 7) % 251) as u8)
        .collect()
}
