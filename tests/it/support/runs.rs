//! Running `ftpmirror mirror` in a test and checking its outcome, shared by the FTP, HTTP and
//! cron tests.

use super::ftpmirror;
use super::tree::{differences, make_world_readable, mtime_differences, set_mtime};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// `ftpmirror mirror URL TARGET EXTRA...`, run to its end.
pub fn mirror(url: &str, target: &Path, extra: &[&str]) -> Output {
    ftpmirror()
        .args(["mirror", url])
        .arg(target)
        .args(extra)
        .output()
        .expect("run ftpmirror")
}

/// Asserts the run succeeded; returns its stdout.
pub fn assert_ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status.code()
    );
    stdout
}

/// Asserts the run succeeded and said nothing, on stdout or stderr: what a cron job wants from
/// a run with nothing to do.
pub fn assert_quiet(out: &Output) {
    assert_eq!(assert_ok(out), "");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// Same paths, kinds, bytes, link targets and file mtimes (to the second).
pub fn assert_same(served: &Path, target: &Path) {
    assert_eq!(differences(served, target), Vec::<String>::new());
    assert_eq!(mtime_differences(served, target), Vec::<String>::new());
}

/// Changes of every kind a converging run must pick up, on a tree with a bulk part: a new
/// file, a deleted file, a deleted directory, a resized file, and a same-size file ten minutes
/// newer (a recent one, which LIST shows with minutes).
pub fn change_remote(root: &Path) {
    fs::write(root.join("new file.txt"), b"brand new").unwrap();
    fs::remove_file(root.join("bulk/d000/f0003.dat")).unwrap();
    fs::remove_dir_all(root.join("bulk/d001")).unwrap();
    fs::write(root.join("plain.txt"), vec![b'x'; 301]).unwrap();
    let same_size = root.join("bulk/d000/f0001.dat");
    let len = fs::metadata(&same_size).unwrap().len() as usize;
    let before = fs::metadata(&same_size).unwrap().modified().unwrap();
    fs::write(&same_size, vec![b'z'; len]).unwrap();
    set_mtime(&same_size, before + Duration::from_secs(600));
    make_world_readable(root);
}

/// The change lines a converging run prints for [`change_remote`].
pub const CHANGE_LINES: [&str; 5] = [
    "+ new file.txt",
    "* plain.txt",
    "* bulk/d000/f0001.dat",
    "- bulk/d000/f0003.dat",
    "- bulk/d001",
];

/// Starts a mirror of `url`, waits until its temp file holds `at_least` bytes, and kills it
/// (SIGKILL, as a crash would). Returns the temp file's path.
pub fn kill_mid_file(url: &str, target: &Path, at_least: u64) -> PathBuf {
    let mut child = ftpmirror()
        .args(["mirror", url])
        .arg(target)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start ftpmirror");
    let partial = wait_for_partial(target, at_least);
    child.kill().expect("kill ftpmirror");
    child.wait().expect("reap ftpmirror");
    partial
}

/// Waits until a temp file beside the target holds at least `len` bytes.
pub fn wait_for_partial(target: &Path, len: u64) -> PathBuf {
    wait_for_partial_of(None, target, len)
}

/// [`wait_for_partial`], failing at once with its exit status if `child` ends first.
pub fn wait_for_partial_of(
    mut child: Option<&mut std::process::Child>,
    target: &Path,
    len: u64,
) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(child) = child.as_deref_mut() {
            if let Some(status) = child.try_wait().expect("poll the child") {
                panic!("the run ended ({status}) before a partial file appeared");
            }
        }
        let found = fs::read_dir(target)
            .ok()
            .into_iter()
            .flatten()
            .flatten()
            .find(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".ftpmirror-partial.")
                    && e.metadata().map(|m| m.len() >= len).unwrap_or(false)
            });
        if let Some(entry) = found {
            return entry.path();
        }
        assert!(Instant::now() < deadline, "no partial file appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
}
