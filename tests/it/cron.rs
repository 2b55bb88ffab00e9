//! Unattended operation: one run per target (lock), job files with precise errors, fewer
//! connections when the server refuses some, the deletion guards, `last` files after all others
//! and deletions after them, the log file and the JSON summary, the rate cap and the job timeout.

use crate::support::runs::{mirror, wait_for_partial};
use crate::support::tree::{bulk_tree, sized_content};
use crate::support::{
    awkward_tree, ftpmirror, served_dir, sized_file, temp_dir, FtpServer, Pyftpd, PyftpdOptions,
};
use std::fs;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn slow_server(root: &Path) -> Pyftpd {
    Pyftpd::start_with(
        root,
        PyftpdOptions {
            throttle: 512 * 1024,
            ..Default::default()
        },
    )
}

#[test]
fn a_second_run_on_the_same_target_exits_with_the_lock_code_or_waits() {
    let served = served_dir();
    sized_file(&served.path().join("big.bin"), 2 * 1024 * 1024);
    let server = slow_server(served.path());
    let target = temp_dir();
    let mut first = ftpmirror()
        .args(["mirror", &server.url()])
        .arg(target.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_partial(target.path(), 1);
    let second = mirror(&server.url(), target.path(), &[]);
    let (_, stderr) = text(&second);
    assert_eq!(second.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "another ftpmirror run (process {}) is working on",
            first.id()
        )),
        "{stderr}"
    );
    let waited = mirror(&server.url(), target.path(), &["--wait-lock", "60"]);
    assert!(waited.status.success(), "{}", text(&waited).1);
    assert!(first.wait().unwrap().success());
    assert_eq!(
        fs::read(target.path().join("big.bin")).unwrap(),
        sized_content(2 * 1024 * 1024)
    );
}

#[test]
fn a_refused_second_login_lowers_concurrency_and_the_mirror_completes() {
    let served = served_dir();
    awkward_tree(served.path());
    fs::remove_file(served.path().join("link to plain")).unwrap();
    bulk_tree(served.path(), 3, 20);
    let server = Pyftpd::start_with(
        served.path(),
        PyftpdOptions {
            max_connections: 1,
            ..Default::default()
        },
    );
    let target = temp_dir();
    let out = mirror(&server.url(), target.path(), &["-j", "4"]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("refused (server refused for now: 421"),
        "{stderr}"
    );
    assert_eq!(
        crate::support::tree::differences(served.path(), target.path()),
        Vec::<String>::new()
    );
}

#[test]
fn deletions_over_the_limit_delete_nothing() {
    let served = served_dir();
    bulk_tree(served.path(), 1, 10);
    let server = Pyftpd::start(served.path());
    let target = temp_dir();
    assert!(mirror(&server.url(), target.path(), &[]).status.success());
    for f in 0..5 {
        fs::remove_file(served.path().join(format!("bulk/d000/f{f:04}.dat"))).unwrap();
    }
    let out = mirror(
        &server.url(),
        target.path(),
        &["--delete", "--max-delete", "4"],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("5 deletions planned, over --max-delete 4: none done"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_dir(target.path().join("bulk/d000"))
            .unwrap()
            .count(),
        10
    );
    let out = mirror(
        &server.url(),
        target.path(),
        &["--delete", "--max-delete", "50%"],
    );
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(
        fs::read_dir(target.path().join("bulk/d000"))
            .unwrap()
            .count(),
        5
    );
}

#[test]
fn a_directory_that_lists_empty_is_not_wiped() {
    let served = served_dir();
    bulk_tree(served.path(), 2, 5);
    let server = Pyftpd::start(served.path());
    let target = temp_dir();
    assert!(mirror(&server.url(), target.path(), &[]).status.success());
    for entry in fs::read_dir(served.path().join("bulk/d001")).unwrap() {
        fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let out = mirror(&server.url(), target.path(), &["--delete"]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("bulk/d001: lists empty but held files on the last run"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_dir(target.path().join("bulk/d001"))
            .unwrap()
            .count(),
        5
    );
    let out = mirror(&server.url(), target.path(), &["--delete", "--allow-empty"]);
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(
        fs::read_dir(target.path().join("bulk/d001"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn last_files_come_after_all_others_and_deletions_after_them() {
    let served = served_dir();
    bulk_tree(served.path(), 4, 10);
    fs::create_dir_all(served.path().join("dists/stable")).unwrap();
    fs::write(served.path().join("dists/stable/Release"), b"release").unwrap();
    fs::write(served.path().join("dists/stable/Packages.gz"), b"packages").unwrap();
    let server = Pyftpd::start(served.path());
    let target = temp_dir();
    fs::write(target.path().join("stale.txt"), b"gone").unwrap();
    let log = target.path().join("../run.log");
    let out = mirror(
        &server.url(),
        target.path(),
        &[
            "--delete",
            "-j",
            "4",
            "--last",
            "Release",
            "--last",
            "Packages*",
            "--log-file",
            log.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let retrs: Vec<String> = server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("RETR"))
        .collect();
    let first_last = retrs.iter().position(|c| c.contains("dists/")).unwrap();
    assert_eq!(
        first_last,
        retrs.len() - 2,
        "index files after all others: {retrs:?}"
    );
    let log = fs::read_to_string(&log).unwrap();
    let at = |needle: &str| {
        log.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in:\n{log}"))
    };
    assert!(at("+ dists/stable/Release") < at("- stale.txt"));
    assert!(at("+ dists/stable/Packages.gz") < at("- stale.txt"));
    assert!(
        log.lines()
            .all(|l| l.get(..4).is_some_and(|y| y.starts_with("20"))),
        "timestamped:\n{log}"
    );
}

#[test]
fn summary_json_has_counts_bytes_duration_and_errors() {
    let served = served_dir();
    bulk_tree(served.path(), 1, 4);
    let server = Pyftpd::start(served.path());
    let target = temp_dir();
    let summary = target.path().join("../summary.json");
    let out = mirror(
        &server.url(),
        target.path(),
        &["--summary-json", summary.to_str().unwrap()],
    );
    assert!(out.status.success());
    let doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    let job = &doc["jobs"][0];
    assert_eq!(
        (job["fetched"].as_u64(), job["exit_code"].as_u64()),
        (Some(4), Some(0))
    );
    assert!(job["bytes"].as_u64().unwrap() > 0 && job["duration_seconds"].as_f64().is_some());
    assert_eq!(job["errors"], serde_json::json!([]));
    assert_eq!(job["source"], format!("ftp://127.0.0.1:{}/", server.port()));
}

#[test]
fn limit_rate_caps_the_total_bandwidth() {
    let served = served_dir();
    for n in 0..4 {
        sized_file(&served.path().join(format!("f{n}")), 512 * 1024);
    }
    let server = Pyftpd::start(served.path());
    let target = temp_dir();
    let started = Instant::now();
    let out = mirror(
        &server.url(),
        target.path(),
        &["-j", "4", "--limit-rate", "1M"],
    );
    assert!(out.status.success());
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "2 MiB at 1 MiB/s took {:?}",
        started.elapsed()
    );
}

#[test]
fn job_timeout_ends_a_slow_job_in_bounded_time() {
    let served = served_dir();
    for n in 0..6 {
        sized_file(&served.path().join(format!("f{n}")), 1024 * 1024);
    }
    let server = slow_server(served.path());
    let target = temp_dir();
    let started = Instant::now();
    let out = mirror(
        &server.url(),
        target.path(),
        &["-j", "1", "--job-timeout", "1"],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the job ran out of time"), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_job_file_error_names_file_line_and_column() {
    let dir = temp_dir();
    let file = dir.path().join("mirror.toml");
    fs::write(
        &file,
        "[jobs.a]\nsource = \"ftp://127.0.0.1/\"\ntarget = \"/tmp/x\"\nconections = 4\n",
    )
    .unwrap();
    let out = ftpmirror().args(["run", "-c"]).arg(&file).output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:4:1:", file.display())),
        "{stderr}"
    );
    assert!(stderr.contains("conections"), "{stderr}");
}

#[test]
fn run_executes_named_jobs_from_a_job_file() {
    let served = served_dir();
    bulk_tree(served.path(), 1, 3);
    let server = Pyftpd::start(served.path());
    let dir = temp_dir();
    let file = dir.path().join("mirror.toml");
    let job = |name: &str| {
        format!(
            "[jobs.{name}]\nsource = \"{}\"\ntarget = \"{name}\"\n",
            server.url()
        )
    };
    fs::write(
        &file,
        format!("[defaults]\nconnections = 2\n{}{}", job("one"), job("two")),
    )
    .unwrap();
    let out = ftpmirror()
        .args(["run", "two", "-c"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(
        dir.path().join("two/bulk/d000").exists(),
        "relative targets are under the job file's dir"
    );
    assert!(!dir.path().join("one").exists());
}

#[test]
fn the_example_job_file_runs_as_shipped_against_test_servers() {
    let served = served_dir();
    bulk_tree(served.path(), 2, 3);
    fs::create_dir_all(served.path().join("dists/stable")).unwrap();
    fs::write(served.path().join("dists/stable/Release"), b"release").unwrap();
    fs::create_dir_all(served.path().join("reports/2026")).unwrap();
    fs::write(served.path().join("reports/2026/q1.pdf"), b"report").unwrap();
    fs::write(served.path().join("totals.csv"), b"1,2").unwrap();
    let plain = Pyftpd::start(served.path());
    let tls = Pyftpd::start_with(
        served.path(),
        PyftpdOptions {
            tls: true,
            ..Default::default()
        },
    );
    let dir = temp_dir();
    let example =
        fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/mirror.example.toml")).unwrap();
    let pointed = example
        .replace("ftp://ftp.example.org/debian/", &plain.url())
        .replace("ftp://files.example.org/drop/", &tls.url())
        .replace("/srv/debian", "debian")
        .replace("/srv/drop", "drop");
    assert_ne!(pointed, example);
    let file = dir.path().join("mirror.toml");
    fs::write(&file, pointed).unwrap();
    // The example's drop job reads its password from $DROP_PASSWORD.
    let out = ftpmirror()
        .args(["run", "-c"])
        .arg(&file)
        .env("SSL_CERT_FILE", tls.cert_path().unwrap())
        .env("DROP_PASSWORD", crate::support::pyftpd::PASSWORD)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let differences = crate::support::tree::differences(served.path(), &dir.path().join("debian"));
    assert_eq!(differences, Vec::<String>::new());
    // The drop job includes only *.csv and reports/**.
    let drop: Vec<_> = crate::support::snapshot(&dir.path().join("drop"))
        .into_iter()
        .map(|e| e.path)
        .collect();
    let want: Vec<std::path::PathBuf> = [
        "reports",
        "reports/2026",
        "reports/2026/q1.pdf",
        "totals.csv",
    ]
    .iter()
    .map(Into::into)
    .collect();
    assert_eq!(drop, want);
    assert!(tls.count("AUTH") > 0, "the drop job speaks TLS");
}
