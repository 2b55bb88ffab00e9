//! What an operator reads: the log file names every job, with a start and an end line carrying
//! its summary whatever `-q` says; the lines of `run` name their job, on stdout and in the log.

use crate::support::runs::mirror;
use crate::support::tree::bulk_tree;
use crate::support::{ftpmirror, served_dir, temp_dir, FtpServer, Pyftpd};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A job file with the jobs `one` and `two`, both mirroring `url`.
fn two_jobs(dir: &Path, url: &str) -> PathBuf {
    let file = dir.join("mirror.toml");
    let job = |name: &str| format!("[jobs.{name}]\nsource = \"{url}\"\ntarget = \"{name}\"\n");
    fs::write(&file, job("one") + &job("two")).unwrap();
    file
}

#[test]
fn quiet_run_logs_a_start_and_an_end_line_per_job_and_names_the_job_per_file() {
    let served = served_dir();
    bulk_tree(served.path(), 1, 3);
    let server = Pyftpd::start(served.path());
    let dir = temp_dir();
    let file = two_jobs(dir.path(), &server.url());
    let log = dir.path().join("run.log");
    let out = ftpmirror()
        .args(["run", "-q", "-c"])
        .arg(&file)
        .arg("--log-file")
        .arg(&log)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, "");
    let log = fs::read_to_string(&log).unwrap();
    let at = |needle: &str| {
        log.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in:\n{log}"))
    };
    let url = server.url();
    assert!(at(&format!("one: start {url} -> ")) < at("one: + bulk/d000/f0000.dat"));
    assert!(at("one: + bulk/d000/f0002.dat") < at("one: end: 3 files fetched"));
    assert!(at("one: end: ") < at(&format!("two: start {url} -> ")));
    assert!(at("two: + bulk/d000/f0001.dat") < at("two: end: 3 files fetched"));
    assert!(log.contains("exit success (0)"), "{log}");

    // Not quiet: the change lines on stdout name their job too.
    fs::write(served.path().join("new.txt"), "new\n").unwrap();
    let out = ftpmirror().args(["run", "-c"]).arg(&file).output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("one: + new.txt"), "{stdout}");
    assert!(stdout.contains("two: + new.txt"), "{stdout}");
}

#[test]
fn dry_run_of_a_job_file_names_each_job_before_its_plan() {
    let served = served_dir();
    bulk_tree(served.path(), 1, 2);
    let server = Pyftpd::start(served.path());
    let dir = temp_dir();
    let file = two_jobs(dir.path(), &server.url());
    let out = ftpmirror()
        .args(["run", "-n", "-c"])
        .arg(&file)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let at = |needle: &str| {
        stdout
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in:\n{stdout}"))
    };
    let plan_line = "+ bulk/d000/f0000.dat";
    assert!(at("one: plan for ") < at(plan_line));
    assert!(at(plan_line) < at("two: plan for "));
    assert!(
        stdout[at("two: plan for ")..].contains(plan_line),
        "{stdout}"
    );

    // In JSON, one document per job, each with its name.
    let out = ftpmirror()
        .args(["run", "-n", "--format", "json", "-c"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let jobs: Vec<String> = serde_json::Deserializer::from_str(&stdout)
        .into_iter::<serde_json::Value>()
        .map(|plan| plan.unwrap()["job"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(jobs, ["one", "two"]);
}

#[test]
fn a_warning_is_said_once_per_run_not_once_per_connection() {
    let served = served_dir();
    bulk_tree(served.path(), 2, 4);
    // `--tls auto` asks for TLS on each of the four connections; pyftpdlib without TLS refuses.
    let server = Pyftpd::start(served.path());
    let target = temp_dir();
    let out = mirror(&server.url(), target.path(), &["-j", "4", "--tls", "auto"]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let warned = stderr.lines().filter(|l| l.contains("no TLS")).count();
    assert_eq!(warned, 1, "{stderr}");
    let commands = server.commands();
    let auths = commands.iter().filter(|c| c.starts_with("AUTH")).count();
    assert_eq!(auths, 4, "{commands:?}");
}

#[test]
fn quiet_hides_notes_but_not_warnings_that_need_action() {
    let served = served_dir();
    bulk_tree(served.path(), 1, 2);
    let server = Pyftpd::start(served.path());
    let target = temp_dir();
    fs::create_dir(target.path().join(".ftpmirror")).unwrap();
    fs::write(target.path().join(".ftpmirror/state.json"), "{ torn").unwrap();
    let out = mirror(&server.url(), target.path(), &["-q", "-j", "2"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>().len(),
        1,
        "only the state file's warning: {stderr}"
    );
    assert!(
        stderr.starts_with("ftpmirror: warning: ignoring state file "),
        "{stderr}"
    );
}

/// The connection names (`[c3]`) of the trace lines that hold `needle`.
fn connections_of(stderr: &str, needle: &str) -> std::collections::BTreeSet<String> {
    (stderr.lines().filter(|l| l.contains(needle)))
        .map(|l| {
            assert!(l.starts_with("[c"), "no connection named: {l}");
            l[..l.find(']').unwrap() + 1].to_string()
        })
        .collect()
}

#[test]
fn trace_shows_http_requests_and_responses_by_connection_never_the_password() {
    use crate::support::web::{Nginx, NginxOptions, WebServer};
    const SECRET: &str = "s3cr3t-pw";
    let served = served_dir();
    bulk_tree(served.path(), 2, 4);
    let server = Nginx::start_with(
        served.path(),
        NginxOptions {
            basic_auth: Some(("anna", SECRET)),
            ..Default::default()
        },
    );
    let url = server
        .url()
        .replace("http://", &format!("http://anna:{SECRET}@"));
    let target = temp_dir();
    let out = mirror(&url, target.path(), &["-vv", "-j", "2"]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("> GET / HTTP/1.1"), "{stderr}");
    assert!(stderr.contains("< HTTP/1.1 200 OK"), "{stderr}");
    assert!(stderr.contains("> Authorization: ****"), "{stderr}");
    // Neither the password nor its Basic encoding (base64 of "anna:s3cr3t-pw").
    assert!(!stderr.contains(SECRET), "{stderr}");
    assert!(!stderr.contains("YW5uYTpzM2NyM3QtcHc"), "{stderr}");
    let fetching = connections_of(&stderr, "> GET /bulk/");
    assert_eq!(fetching.len(), 2, "{stderr}");
    assert_eq!(
        connections_of(&stderr, "< HTTP/1.1 "),
        connections_of(&stderr, "> GET ")
    );
}

#[test]
fn ftp_trace_lines_name_their_connection() {
    let served = served_dir();
    bulk_tree(served.path(), 2, 4);
    let server = Pyftpd::start(served.path());
    let target = temp_dir();
    let out = mirror(&server.url(), target.path(), &["-vv", "-j", "2"]);
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(connections_of(&stderr, "> RETR ").len(), 2, "{stderr}");
    assert_eq!(connections_of(&stderr, "> USER ").len(), 2, "{stderr}");
}
