//! A mirror killed with SIGKILL again and again, at points a seeded generator picks, and then
//! run once to its end: no kill ever leaves a wrong file under a final name, a file complete at
//! one kill is never fetched again, and the last run leaves an exact mirror.
//!
//! The source is nginx, whose second access log names the connection each request came on
//! (see [`Nginx::connection_log`]): a request of the test's own between two runs marks where
//! one run's connections end and the next one's begin, however late nginx logs a request of a
//! killed run. `FTPMIRROR_KILL_SEED=N` repeats a sequence of kill points.

use crate::support::runs::{assert_ok, assert_same, mirror};
use crate::support::tree::{bulk_tree, pattern};
use crate::support::web::{Nginx, WebServer};
use crate::support::{ftpmirror, served_dir, state_paths, temp_dir};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const KILLS: usize = 10;
/// The killed runs' bandwidth cap: the tree (~4 MiB of small files, 3.75 MiB of large ones)
/// takes some 12 s at it, so ten kills at 0.3-1.5 s into their runs land throughout it and
/// often leave a part for the clean run.
const RATE: &str = "800k";
const TEMP_PREFIX: &str = ".ftpmirror-partial.";

/// splitmix64: a seeded sequence of kill points, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

fn seed() -> u64 {
    match std::env::var("FTPMIRROR_KILL_SEED") {
        Ok(s) => s.parse().expect("FTPMIRROR_KILL_SEED is a number"),
        Err(_) => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    }
}

/// Every file under `root` as (`/`-joined relative path, bytes); the state directory at the
/// top is left out, and temp files are counted, not read.
fn files(root: &Path) -> (BTreeMap<String, Vec<u8>>, usize) {
    let mut found = BTreeMap::new();
    let mut temps = 0;
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for item in fs::read_dir(&dir).unwrap() {
            let item = item.unwrap();
            let name = item.file_name().to_string_lossy().into_owned();
            if prefix.is_empty() && name == ".ftpmirror" {
                continue;
            }
            let meta = fs::symlink_metadata(item.path()).unwrap();
            if meta.is_dir() {
                stack.push((item.path(), format!("{prefix}{name}/")));
            } else if name.starts_with(TEMP_PREFIX) {
                temps += 1;
            } else {
                found.insert(format!("{prefix}{name}"), fs::read(item.path()).unwrap());
            }
        }
    }
    (found, temps)
}

/// The paths the target's state database holds a row for, read from a copy (the run that
/// wrote it was killed: opening the original could recover its WAL and change what the next
/// run finds).
fn recorded(target: &Path) -> BTreeSet<String> {
    let own = target.join(".ftpmirror");
    if !own.join("state.db").exists() {
        return BTreeSet::new();
    }
    let copy = temp_dir();
    for name in ["state.db", "state.db-wal"] {
        if own.join(name).exists() {
            fs::copy(own.join(name), copy.path().join(name)).unwrap();
        }
    }
    crate::support::state_paths(copy.path())
        .into_iter()
        .collect()
}

/// A request of the test's own, on a connection of its own, logged by nginx: its connection
/// number is above every connection a run before it opened, and below every one a run after
/// it opens.
fn boundary(nginx: &Nginx, name: &str) -> u64 {
    let mut stream = TcpStream::connect(("127.0.0.1", nginx.port())).unwrap();
    write!(stream, "GET /{name} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    stream.read_to_end(&mut Vec::new()).unwrap();
    let path = format!("/{name}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = nginx.connection_log();
        if let Some(logged) = log.iter().find(|l| l.path == path) {
            return logged.connection;
        }
        assert!(Instant::now() < deadline, "nginx never logged {path}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn kill_9_at_random_points_then_one_clean_run_leaves_an_exact_mirror() {
    let began = Instant::now();
    let seed = seed();
    eprintln!("kill points from seed {seed} (FTPMIRROR_KILL_SEED={seed} repeats them)");
    let mut rng = Rng(seed);

    let served = served_dir();
    assert_eq!(bulk_tree(served.path(), 20, 100), 2000);
    // Files over 1 MiB (not pipelined: each on a connection of its own), so kills land
    // mid-file too and later runs resume them.
    fs::create_dir(served.path().join("large")).unwrap();
    for i in 0..3 {
        let path = served.path().join(format!("large/l{i}.bin"));
        fs::write(path, pattern(1000 + i, (1280 << 10) + 4096 * i as usize)).unwrap();
    }
    let (source, _) = files(served.path());
    assert_eq!(source.len(), 2003);
    let nginx = Nginx::start(served.path());
    let url = nginx.url();
    let target = temp_dir();
    let target = target.path();
    let logs = temp_dir();

    // Where each run's connections begin: runs 1..=KILLS are killed, run KILLS + 1 is clean.
    let mut boundaries = vec![boundary(&nginx, "boundary-0")];
    // The kill after which each file was first complete under its final name.
    let mut complete_since: BTreeMap<String, usize> = BTreeMap::new();
    // What the state held at each kill, for a failure's message.
    let mut recorded_at: Vec<BTreeSet<String>> = vec![BTreeSet::new()];
    for round in 1..=KILLS {
        let delay = Duration::from_millis(rng.between(300, 1500));
        let started = Instant::now();
        let stderr = logs.path().join(format!("run-{round}.txt"));
        let mut child = ftpmirror()
            .args(["mirror", &url])
            .arg(target)
            .args(["-j", "4", "--limit-rate", RATE])
            .stdout(Stdio::null())
            .stderr(fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("start ftpmirror");
        let mut ended = None;
        while started.elapsed() < delay {
            if let Some(status) = child.try_wait().unwrap() {
                ended = Some(status);
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        match ended {
            // Everything was done before this kill point: nothing to kill.
            Some(status) => assert!(
                status.success(),
                "run {round} ended by itself ({status}):\n{}",
                fs::read_to_string(&stderr).unwrap()
            ),
            // Child::kill is SIGKILL.
            None => {
                child.kill().expect("SIGKILL ftpmirror");
                child.wait().expect("reap ftpmirror");
            }
        }
        boundaries.push(boundary(&nginx, &format!("boundary-{round}")));

        let (found, temps) = files(target);
        for (path, bytes) in &found {
            let want = source.get(path);
            let want = want.unwrap_or_else(|| panic!("kill {round}: {path} is not served"));
            assert!(
                bytes == want,
                "kill {round} (seed {seed}): {path} under its final name holds {} bytes that \
                 are not the {} served",
                bytes.len(),
                want.len()
            );
        }
        for (path, since) in &complete_since {
            assert!(
                found.contains_key(path),
                "kill {round} (seed {seed}): {path}, complete since kill {since}, is gone"
            );
        }
        for path in found.keys() {
            complete_since.entry(path.clone()).or_insert(round);
        }
        let rows = recorded(target);
        let unrecorded = found.keys().filter(|p| !rows.contains(*p)).count();
        let how = ["", " (ended first)"][usize::from(ended.is_some())];
        eprintln!(
            "kill {round} at {delay:?}{how}: {} files complete ({} new), {temps} temp files, \
             {} state rows, {unrecorded} complete files without one",
            found.len(),
            complete_since.values().filter(|&&r| r == round).count(),
            rows.len(),
        );
        recorded_at.push(rows);
    }

    let clean = mirror(&url, target, &["-j", "4"]);
    assert_ok(&clean);
    let (found, temps) = files(target);
    assert_eq!(temps, 0, "temp files left after the clean run");
    assert_eq!(found.len(), source.len());
    // Every name, kind, byte and mtime, nothing more (the state directory aside).
    assert_same(served.path(), target);
    // And the state knows every file, so the next run has nothing to ask.
    let rows = state_paths(&target.join(".ftpmirror"));
    assert_eq!(
        rows.len(),
        source.len(),
        "rows in the state after the clean run"
    );
    assert!(
        rows.iter().eq(source.keys()),
        "the state's paths are the files'"
    );

    // From the server's log: no run fetched again a file complete at an earlier kill. (A HEAD
    // moves no body: each run sends one, to calibrate the server's clock.)
    let mut again = Vec::new();
    for logged in nginx.connection_log().iter().filter(|l| l.method == "GET") {
        let run = boundaries.partition_point(|&b| b < logged.connection);
        let Some(&since) = complete_since.get(&logged.path[1..]) else {
            continue;
        };
        if since < run {
            let row = recorded_at[since].contains(&logged.path[1..]);
            let which = ["killed", "the clean run"][usize::from(run > KILLS)];
            again.push(format!(
                "GET {} in run {run} ({which}: {}, {} body bytes{}), complete since kill \
                 {since} ({} state row then)",
                logged.path,
                logged.status,
                logged.body_bytes,
                if logged.complete { ", whole" } else { "" },
                if row { "with a" } else { "without a" },
            ));
        }
    }
    assert!(
        again.is_empty(),
        "seed {seed}: {} GETs of files already complete under their final name:\n{}",
        again.len(),
        again.join("\n")
    );
    eprintln!("took {:?}", began.elapsed());
}

/// A run killed after a download's last write and before its rename leaves a temp file that
/// holds every byte. The next run asks for the bytes after them (`Range: bytes=N-`, with
/// `If-Range`), and nginx answers `416` with `Content-Range: bytes */N`: the file is whole, and
/// is put in place (it was an error, "416 Requested Range Not Satisfiable", that the test above
/// once hit when a kill fell in that moment).
#[test]
fn a_temp_file_that_holds_the_whole_file_is_put_in_place() {
    let served = served_dir();
    let content = pattern(7, 3 * 1024 * 1024);
    fs::write(served.path().join("big.bin"), &content).unwrap();
    // Seconds past the minute, which nginx's index does not show: only a Last-Modified has them.
    let mtime = UNIX_EPOCH + Duration::from_secs(1_577_895_693);
    let served_file = fs::File::open(served.path().join("big.bin")).unwrap();
    served_file.set_modified(mtime).unwrap();
    let nginx = Nginx::start(served.path());
    let target = temp_dir();
    let mut child = ftpmirror()
        .args(["mirror", &nginx.url()])
        .arg(target.path())
        .args(["--limit-rate", "256k", "-q"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let temp =
        crate::support::runs::wait_for_partial_of(Some(&mut child), target.path(), 256 * 1024);
    child.kill().unwrap();
    child.wait().unwrap();
    // What a kill between the last write and the rename leaves: every byte, under the temp name.
    let kept = fs::metadata(&temp).unwrap().len() as usize;
    let mut file = fs::OpenOptions::new().append(true).open(&temp).unwrap();
    file.write_all(&content[kept..]).unwrap();
    drop(file);

    assert_ok(&mirror(&nginx.url(), target.path(), &[]));
    assert_eq!(fs::read(target.path().join("big.bin")).unwrap(), content);
    assert!(!temp.exists());
    assert_same(served.path(), target.path());
    // No byte was sent again: the second run's one request for the file was answered 416.
    let gets: Vec<_> = (nginx.requests().into_iter())
        .filter(|r| r.method == "GET" && r.path == "/big.bin")
        .collect();
    let last = gets.last().expect("a GET of the file");
    assert_eq!(
        (gets.len(), last.status, last.range.as_str()),
        (2, 416, &*format!("bytes={}-", content.len())),
        "{gets:?}"
    );
}
