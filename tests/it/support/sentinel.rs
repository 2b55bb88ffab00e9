//! What every hostile-server test checks around a run: a target with sentinels around it, so
//! anything written outside the target shows, and a run of the binary bounded in time, with its
//! peak memory measured.
//!
//! The layout of [`guarded_target`] (the target three levels down, so `..`, `../..` and
//! `../../..` from it all land inside the guarded tree):
//!
//! ```text
//! parent/sentinel.txt  parent/etc/passwd  parent/sibling/keep.txt
//! parent/jail/sentinel.txt
//! parent/jail/cell/sentinel.txt  cell/outside_dir/keep.txt  cell/outside_file
//! parent/jail/cell/target/          <- the target, empty
//! ```

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::ftpmirror;

/// How long a run against a hostile server may take, whatever the server does.
const LIMIT: Duration = Duration::from_secs(20);

/// One name of the guarded tree as it was: kind, content (file bytes or link target), mode and
/// mtime (a directory's changes when anything is made or removed in it, even briefly).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Item {
    path: PathBuf,
    kind: &'static str,
    content: Vec<u8>,
    mode: u32,
    mtime_ns: i128,
}

fn baselines() -> &'static Mutex<HashMap<PathBuf, Vec<Item>>> {
    static BASELINES: OnceLock<Mutex<HashMap<PathBuf, Vec<Item>>>> = OnceLock::new();
    BASELINES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A fresh guarded tree: returns its parent (delete on drop) and the empty target inside it.
pub fn guarded_target() -> (TempDir, PathBuf) {
    let parent = tempfile::Builder::new()
        .prefix("ftpmirror-hostile-")
        .tempdir()
        .expect("temp dir");
    let p = parent.path();
    let passwd =
        fs::read("/etc/passwd").unwrap_or_else(|_| b"root:x:0:0::/root:/bin/sh\n".to_vec());
    let files: [(&str, &[u8]); 7] = [
        ("sentinel.txt", b"parent sentinel\n"),
        ("etc/passwd", &passwd),
        ("sibling/keep.txt", b"sibling sentinel\n"),
        ("jail/sentinel.txt", b"jail sentinel\n"),
        ("jail/cell/sentinel.txt", b"cell sentinel\n"),
        ("jail/cell/outside_dir/keep.txt", b"outside dir sentinel\n"),
        ("jail/cell/outside_file", b"outside file sentinel\n"),
    ];
    for (path, content) in files {
        let path = p.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, content).unwrap();
    }
    let target = p.join("jail/cell/target");
    fs::create_dir(&target).unwrap();
    // Settle every mtime, so a later change shows whatever the clock's resolution.
    let old = std::time::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    for item in scan(p, &target) {
        fs::File::open(p.join(&item.path))
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    fs::File::open(p).unwrap().set_modified(old).unwrap();
    baselines()
        .lock()
        .unwrap()
        .insert(p.to_path_buf(), scan(p, &target));
    (parent, target)
}

/// The directory a planted link `target/x -> ../outside_dir` points to.
pub fn outside_dir(parent: &Path) -> PathBuf {
    parent.join("jail/cell/outside_dir")
}

/// The file a planted link `target/x -> ../outside_file` points to.
pub fn outside_file(parent: &Path) -> PathBuf {
    parent.join("jail/cell/outside_file")
}

/// Fails unless everything under `parent` outside its target is exactly as
/// [`guarded_target`] made it: no new name, none gone, no content, mode or mtime changed.
pub fn assert_untouched(parent: &Path) {
    let target = parent.join("jail/cell/target");
    let before = baselines()
        .lock()
        .unwrap()
        .get(parent)
        .cloned()
        .expect("assert_untouched needs a parent made by guarded_target");
    let after = scan(parent, &target);
    let mut problems = Vec::new();
    for b in &before {
        match after.iter().find(|a| a.path == b.path) {
            None => problems.push(format!("gone: {:?}", b.path)),
            Some(a) if a != b => problems.push(format!(
                "changed: {:?} ({} {:o} {} bytes -> {} {:o} {} bytes, mtime {} -> {})",
                b.path,
                b.kind,
                b.mode,
                b.content.len(),
                a.kind,
                a.mode,
                a.content.len(),
                b.mtime_ns,
                a.mtime_ns
            )),
            Some(_) => {}
        }
    }
    for a in &after {
        if !before.iter().any(|b| b.path == a.path) {
            problems.push(format!("new outside the target: {:?} ({})", a.path, a.kind));
        }
    }
    assert!(
        problems.is_empty(),
        "outside the target:\n{}",
        problems.join("\n")
    );
}

/// Fails if a file named `name` exists beside the target or in any directory above it, up to
/// `/`: where a name with `..` or a leading `/` would land if it were used as a path.
pub fn assert_nowhere(target: &Path, name: &str) {
    let mut dir = target.parent();
    while let Some(d) = dir {
        let path = d.join(name);
        assert!(
            fs::symlink_metadata(&path).is_err(),
            "{} exists: written outside the target",
            path.display()
        );
        dir = d.parent();
    }
}

/// The content under `target` (the state directory and temp files left out: a temp file is a
/// documented, resumable partial, never content), as sorted `/`-joined paths, with `/` after
/// directories and ` -> T` after links.
pub fn tree(target: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(target.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for item in fs::read_dir(&dir).unwrap() {
            let item = item.unwrap();
            let name = item.file_name().to_string_lossy().into_owned();
            let state = prefix.is_empty() && name == ".ftpmirror";
            if state || name.starts_with(".ftpmirror-partial.") {
                continue;
            }
            let path = format!("{prefix}{name}");
            let meta = fs::symlink_metadata(item.path()).unwrap();
            if meta.file_type().is_symlink() {
                let to = fs::read_link(item.path()).unwrap();
                out.push(format!("{path} -> {}", to.display()));
            } else if meta.is_dir() {
                out.push(format!("{path}/"));
                stack.push((item.path(), format!("{path}/")));
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Fails unless [`tree`] of `target` is `want` (in any order).
pub fn assert_tree(target: &Path, want: &[&str]) {
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(tree(target), want, "the target's content");
}

/// Fails unless the file at `path` under `target` holds exactly `want`.
pub fn assert_file(target: &Path, path: &str, want: &[u8]) {
    let got = fs::read(target.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(
        got == want,
        "{path}: {} bytes, not the {} served",
        got.len(),
        want.len()
    );
}

/// Every name under `root` except `skip` and what is below it; links are not followed.
fn scan(root: &Path, skip: &Path) -> Vec<Item> {
    let mut items = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for path in names {
            if path == skip {
                continue;
            }
            let meta = fs::symlink_metadata(&path).unwrap();
            let (kind, content) = if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).unwrap();
                ("symlink", target.into_os_string().into_encoded_bytes())
            } else if meta.is_dir() {
                stack.push(path.clone());
                ("dir", Vec::new())
            } else if meta.is_file() {
                ("file", fs::read(&path).unwrap_or_default())
            } else {
                ("other", Vec::new())
            };
            items.push(Item {
                path: path.strip_prefix(root).unwrap().to_path_buf(),
                kind,
                content,
                mode: meta.permissions().mode(),
                mtime_ns: meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128,
            });
        }
    }
    items
}

/// A finished (or killed) run.
#[derive(Debug)]
pub struct Ran {
    /// `None` when it was killed for running too long (or died of a signal).
    pub code: Option<i32>,
    /// Killed because it was still running at the limit.
    pub killed: bool,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// The highest `VmHWM` seen in `/proc/PID/status` while it ran, in KiB.
    pub peak_rss_kib: u64,
}

impl Ran {
    /// For assertion messages: exit code, time, peak memory and the tails of both outputs.
    pub fn show(&self) -> String {
        format!(
            "exit {:?}{} after {:.1}s, peak RSS {} MiB\n--- stdout (tail):\n{}\n--- stderr (tail):\n{}",
            self.code,
            if self.killed { " (killed at the time limit)" } else { "" },
            self.elapsed.as_secs_f64(),
            self.peak_rss_kib / 1024,
            tail(&self.stdout),
            tail(&self.stderr)
        )
    }

    /// Fails unless the run ended by itself within its limit.
    pub fn assert_ended(&self) {
        assert!(!self.killed, "did not end in time: {}", self.show());
    }

    /// Fails unless it exited with `code`.
    pub fn assert_code(&self, code: i32) {
        self.assert_ended();
        assert_eq!(self.code, Some(code), "{}", self.show());
    }

    /// Whether one line of stderr holds every one of `needles`.
    pub fn warned(&self, needles: &[&str]) -> bool {
        self.stderr
            .lines()
            .any(|l| needles.iter().all(|n| l.contains(n)))
    }

    /// Fails unless one line of stderr holds every one of `needles`.
    pub fn assert_warned(&self, needles: &[&str]) {
        assert!(
            self.warned(needles),
            "no stderr line with all of {needles:?}: {}",
            self.show()
        );
    }

    /// Fails unless stderr holds `text`.
    pub fn assert_stderr(&self, text: &str) {
        assert!(
            self.stderr.contains(text),
            "no {text:?} on stderr: {}",
            self.show()
        );
    }
}

/// The last 30 lines of `text`, each cut to 300 characters.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..]
        .iter()
        .map(|l| match l.char_indices().nth(300) {
            Some((at, _)) => format!("{}… ({} bytes)", &l[..at], l.len()),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `mirror URL TARGET --connect-timeout 2`, with `--timeout 2`, `-j 1` and `--tries 1` unless
/// `extra` sets them, bounded by [`LIMIT`].
pub fn bounded_mirror(url: &str, target: &Path, extra: &[&str]) -> Ran {
    let mut cmd = ftpmirror();
    cmd.args(["mirror", url])
        .arg(target)
        .args(["--connect-timeout", "2"])
        .args(extra);
    let connections = ["-j", "-P", "--connections", "--parallel", "--transfers"];
    let defaults: [(&[&str], &str); 3] = [
        (&["--timeout"], "2"),
        (&connections, "1"),
        (&["--tries"], "1"),
    ];
    for (names, value) in defaults {
        if !names.iter().any(|name| extra.contains(name)) {
            cmd.args([names[0], value]);
        }
    }
    // HOSTILE_TRACE=1 traces every exchange; HOSTILE_SHOW=1 prints every run's outcome.
    if std::env::var_os("HOSTILE_TRACE").is_some() {
        cmd.arg("-vv");
    }
    let ran = run_bounded(&mut cmd, LIMIT);
    if std::env::var_os("HOSTILE_SHOW").is_some() {
        eprintln!("{}", ran.show());
    }
    ran
}

/// Runs `command` for at most `limit` (then kills it), capturing its output and watching its
/// peak memory.
fn run_bounded(command: &mut Command, limit: Duration) -> Ran {
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ftpmirror");
    let pid = child.id();
    let out = capture(child.stdout.take().unwrap());
    let err = capture(child.stderr.take().unwrap());
    let mut peak = 0;
    let mut killed = false;
    let status = loop {
        peak = peak.max(vm_hwm(pid).unwrap_or(0));
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            killed = true;
            let _ = child.kill();
            break child.wait().expect("wait");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = start.elapsed();
    Ran {
        code: status.code().filter(|_| !killed),
        killed,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        elapsed,
        peak_rss_kib: peak,
    }
}

/// Reads a pipe to its end on a thread, keeping at most 8 MiB of it.
fn capture(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 64 * 1024];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            if kept.len() < 8 << 20 {
                kept.extend_from_slice(&buf[..n]);
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    })
}

/// The process's peak resident set, in KiB.
fn vm_hwm(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
