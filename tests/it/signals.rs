//! SIGTERM and SIGINT mid-transfer against a throttled nginx: the run ends within the grace,
//! keeps the files done before the signal (in the target and in the state), leaves no partial
//! file under a final name, says "interrupted" in the log file and the JSON summary, and exits
//! 128 + the signal.

use crate::support::fake_ftp::{content, mlsd_file, FakeFtp, Fault, Site};
use crate::support::runs::{wait_for_partial, wait_for_partial_of};
use crate::support::web::{Nginx, NginxOptions, WebServer};
use crate::support::{ftpmirror, served_dir, sized_file, temp_dir};
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Starts a mirror of a tree with two small files and one that takes half a minute at the
/// server's rate, waits until the small ones are in place and the large one is under way,
/// sends `signal`, and returns how the run ended and how long it took after the signal.
fn stop_mid_transfer(signal: &str, target: &Path, logs: &Path) -> (ExitStatus, Duration) {
    stop_mid_transfer_when(signal, target, logs, &|| true)
}

/// [`stop_mid_transfer`], sending the signal only once `ready` also holds.
fn stop_mid_transfer_when(
    signal: &str,
    target: &Path,
    logs: &Path,
    ready: &dyn Fn() -> bool,
) -> (ExitStatus, Duration) {
    let served = served_dir();
    sized_file(&served.path().join("big.bin"), 8 << 20);
    fs::write(served.path().join("a.txt"), "first\n").unwrap();
    fs::write(served.path().join("b.txt"), "second\n").unwrap();
    let slow = Nginx::start_with(
        served.path(),
        NginxOptions {
            limit_rate: 256 * 1024,
            ..Default::default()
        },
    );
    let mut child = ftpmirror()
        .args(["mirror", &slow.url()])
        .arg(target)
        .args(["-j", "2", "--log-file"])
        .arg(logs.join("log"))
        .arg("--summary-json")
        .arg(logs.join("summary.json"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ftpmirror");
    wait_for_partial(target, 64 * 1024);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !(target.join("a.txt").exists() && target.join("b.txt").exists() && ready()) {
        assert!(Instant::now() < deadline, "the small files never came");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Instant::now();
    send(signal, &child);
    let status = wait_within(&mut child, Duration::from_secs(15));
    (status, sent.elapsed())
}

fn send(signal: &str, child: &Child) {
    let kill = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(kill.success());
}

fn wait_within(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait for ftpmirror") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ftpmirror still ran {limit:?} after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn assert_stopped_cleanly(signal: &str, code: i32) {
    let target = temp_dir();
    let logs = temp_dir();
    let (status, took) = stop_mid_transfer(signal, target.path(), logs.path());
    let log = fs::read_to_string(logs.path().join("log")).unwrap();
    assert_eq!(status.code(), Some(code), "log:\n{log}");
    // The grace for a confirmation on its way is 2 s; the transfer is cut then.
    assert!(took < Duration::from_secs(6), "took {took:?}");

    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(logs.path().join("summary.json")).unwrap())
            .unwrap();
    let job = &summary["jobs"][0];
    assert_eq!(job["exit"], "interrupted", "{summary:#}");
    assert_eq!(job["exit_code"], code, "{summary:#}");
    assert_eq!(job["fetched"], 2, "{summary:#}");

    let end = log.lines().find(|l| l.contains("mirror: end:"));
    let end = end.unwrap_or_else(|| panic!("no end line in the log:\n{log}"));
    assert!(
        end.contains("2 files fetched") && end.contains(&format!("exit interrupted ({code})")),
        "{end}"
    );

    let recorded = crate::support::state_paths(&target.path().join(".ftpmirror"));
    assert!(
        recorded.contains(&"a.txt".into()) && recorded.contains(&"b.txt".into()),
        "{recorded:?}"
    );
    assert!(!recorded.contains(&"big.bin".into()), "{recorded:?}");
    assert!(
        !target.path().join("big.bin").exists(),
        "partial file under the final name"
    );
    assert_eq!(fs::read(target.path().join("a.txt")).unwrap(), b"first\n");
}

#[test]
fn sigterm_mid_transfer_keeps_what_is_done_and_exits_143() {
    assert_stopped_cleanly("-TERM", 143);
}

#[test]
fn sigint_mid_transfer_keeps_what_is_done_and_exits_130() {
    assert_stopped_cleanly("-INT", 130);
}

/// Waits until the run says `needle` on stderr (piped), within 15 s. The rest of stderr is read
/// on a thread of its own, so the run never blocks on a full pipe.
fn wait_for_line(child: &mut Child, needle: &'static str) {
    let stderr = child.stderr.take().expect("stderr is piped");
    let (said, heard) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains(needle) {
                let _ = said.send(());
            }
        }
    });
    if heard.recv_timeout(Duration::from_secs(15)).is_err() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("ftpmirror never said {needle:?}");
    }
}

/// A server that stops sending mid-file.
fn stalled_server() -> FakeFtp {
    let site = Site::mlsd()
        .dir("/", mlsd_file("stall", 5000))
        .file("/stall", content(2, 5000))
        .mdtm("/stall", "20240101000000")
        .fault("/stall", Fault::Stall);
    FakeFtp::start(site)
}

/// A mirror of [`stalled_server`] under a timeout of a minute, once its temp file is there.
fn stalled_mirror(target: &Path, extra: &[&str], stderr: Stdio) -> (FakeFtp, Child) {
    let ftp = stalled_server();
    let mut child = ftpmirror()
        .args(["mirror", &ftp.url()])
        .arg(target)
        .args(["--timeout", "60"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("start ftpmirror");
    wait_for_partial_of(Some(&mut child), target, 0);
    (ftp, child)
}

#[test]
fn a_signal_ends_a_wait_on_a_silent_server() {
    let (target, logs) = (temp_dir(), temp_dir());
    let summary = logs.path().join("summary.json");
    let summary_json = ["--summary-json", path(&summary)];
    let (_ftp, mut child) = stalled_mirror(target.path(), &summary_json, Stdio::null());
    let sent = Instant::now();
    send("-TERM", &child);
    let status = wait_within(&mut child, Duration::from_secs(15));
    assert_eq!(status.code(), Some(143));
    // The grace for a confirmation on its way, and one slice of a blocked read.
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "{:?}",
        sent.elapsed()
    );
    let summary = fs::read_to_string(&summary).expect("the summary is written");
    assert!(summary.contains("\"interrupted\""), "{summary}");
}

#[test]
fn a_second_signal_stops_at_once() {
    // Within the first signal's grace, the second one ends the run before it writes anything.
    let (target, logs) = (temp_dir(), temp_dir());
    let summary = logs.path().join("summary.json");
    let summary_json = ["--summary-json", path(&summary)];
    let (_ftp, mut child) = stalled_mirror(target.path(), &summary_json, Stdio::piped());
    send("-TERM", &child);
    // The first signal is taken (the run is stopping) before the second is sent.
    wait_for_line(&mut child, "stopping once the transfers in flight end");
    send("-TERM", &child);
    let status = wait_within(&mut child, Duration::from_secs(15));
    assert_eq!(status.code(), Some(143));
    assert!(
        !summary.exists(),
        "the second signal did not wait for the first's stop"
    );
}

#[test]
fn jobs_after_a_signal_do_not_start_and_are_reported() {
    let ftp = stalled_server();
    let dir = temp_dir();
    let file = dir.path().join("mirror.toml");
    let jobs = format!(
        "[jobs.first]\nsource = \"{}\"\ntarget = \"first\"\n\
         [jobs.second]\nsource = \"ftp://127.0.0.1:1/\"\ntarget = \"second\"\n",
        ftp.url()
    );
    fs::write(&file, jobs).unwrap();
    let summary = dir.path().join("summary.json");
    let mut child = ftpmirror()
        .args(["run", "-c"])
        .arg(&file)
        .args(["--summary-json", path(&summary)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ftpmirror");
    wait_for_partial(&dir.path().join("first"), 0);
    send("-INT", &child);
    assert_eq!(
        wait_within(&mut child, Duration::from_secs(15)).code(),
        Some(130)
    );
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&summary).unwrap()).unwrap();
    let jobs = doc["jobs"].as_array().unwrap();
    let exits: Vec<_> = jobs
        .iter()
        .map(|j| {
            (
                j["name"].as_str().unwrap(),
                j["exit_code"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(exits, [("first", 130), ("second", 130)]);
    assert_eq!(
        jobs[1]["errors"][0],
        "not started: the run was stopped by SIGINT"
    );
    assert!(!dir.path().join("second").exists());
}

#[test]
fn a_run_killed_midway_keeps_the_record_of_every_file_it_finished() {
    let (target, logs) = (temp_dir(), temp_dir());
    let own = target.path().join(".ftpmirror");
    // The small files' rows are in the state while the big file still comes: written as each
    // file is in place, not at the end of the run, which SIGKILL never reaches.
    let recorded = || own.join("state.db").exists() && crate::support::state_paths(&own).len() == 2;
    let (status, _) = stop_mid_transfer_when("-KILL", target.path(), logs.path(), &recorded);
    assert_eq!(status.signal(), Some(9));
    assert_eq!(crate::support::state_paths(&own), ["a.txt", "b.txt"]);
    assert!(!target.path().join("big.bin").exists());
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}
