//! Each exit status means one thing (ftpmirror(1), EXIT STATUS): a table of runs against
//! pyftpdlib and in-process peers, each with the status it must end with and what it must say.

use crate::support::fake_ftp::{mlsd_file, FakeFtp, Fault, Site};
use crate::support::pyftpd::{Pyftpd, PyftpdOptions};
use crate::support::sentinel::bounded_mirror;
use crate::support::tmpfs::Tmpfs;
use crate::support::{ftpmirror, served_dir, temp_dir, FtpServer};
use std::fs::{self, File};

/// One run: extra flags, the status, and words its stderr must hold on one line.
struct Case {
    name: &'static str,
    url: String,
    target: std::path::PathBuf,
    extra: Vec<&'static str>,
    code: i32,
    says: Vec<&'static str>,
}

#[test]
fn each_status_means_one_thing() {
    let served = served_dir();
    fs::create_dir(served.path().join("pub")).unwrap();
    fs::write(served.path().join("pub/a.txt"), b"a").unwrap();
    let server = Pyftpd::start(served.path());
    let failing = FakeFtp::start(
        Site::mlsd()
            .dir("/", [mlsd_file("ok", 2), mlsd_file("bad", 4)].concat())
            .file("/ok", b"ok")
            .file("/bad", b"bad!")
            .fault("/bad", Fault::DropAfter(1)),
    );
    let closed = format!("ftp://127.0.0.1:{}/", closed_port());
    let work = temp_dir();
    let at = |name: &str| work.path().join(name);
    fs::write(at("file"), b"x").unwrap();
    let held = at("held");
    fs::create_dir_all(held.join(".ftpmirror")).unwrap();
    let lock = File::create(held.join(".ftpmirror/lock")).unwrap();
    lock.try_lock().unwrap();
    let bad_state = at("bad-state");
    fs::create_dir_all(bad_state.join(".ftpmirror/state.db/inside")).unwrap();
    let read_only = Tmpfs::mount("1m");
    read_only.read_only();

    let url = server.url();
    let case = |name,
                url: &str,
                target: std::path::PathBuf,
                extra: &[&'static str],
                code,
                says: &[&'static str]| Case {
        name,
        url: url.to_string(),
        target,
        extra: extra.to_vec(),
        code,
        says: says.to_vec(),
    };
    #[rustfmt::skip]
    let cases = [
        case("done", &url, at("done"), &[], 0, &[]),
        case("part done", &failing.url(), at("part"), &[], 1, &["bad"]),
        case("zero timeout", &url, at("t0"), &["--timeout", "0"], 2, &["--timeout", "0"]),
        case("zero job timeout", &url, at("j0"), &["--job-timeout", "0"], 2, &["--job-timeout"]),
        case("max-delete alone", &url, at("md"), &["--max-delete", "5"], 2, &["add --delete"]),
        case("no scheme", "127.0.0.1/pub/", at("ns"), &[], 2, &["has no scheme", "write ftp://127.0.0.1/pub/"]),
        case("unreachable", &closed, at("down"), &[], 3, &["127.0.0.1"]),
        case("no source root", &format!("{url}nope/"), at("noroot"), &[], 3, &["cannot list /nope"]),
        case("locked", &url, held.clone(), &[], 4, &["another ftpmirror run"]),
        case("target is a file", &url, at("file"), &[], 5, &["exists and is not a directory"]),
        case("below a file", &url, at("file/sub"), &[], 5, &["which is not a directory"]),
        case("missing parent", &url, at("unmounted/debian"), &[], 5, &["does not exist", "--mkdir"]),
        case("read-only", &url, read_only.path().join("m"), &[], 5, &["cannot write in", "Read-only"]),
        case("state unreadable", &url, bad_state.clone(), &[], 5, &["state.db", "Is a directory"]),
        case("mkdir", &url, at("made/deep/debian"), &["--mkdir"], 0, &[]),
    ];
    for case in cases {
        let ran = bounded_mirror(&case.url, &case.target, &case.extra);
        assert_eq!(ran.code, Some(case.code), "{}: {}", case.name, ran.show());
        if !case.says.is_empty() {
            assert!(ran.warned(&case.says), "{}: {}", case.name, ran.show());
        }
    }
    assert_eq!(fs::read(at("made/deep/debian/pub/a.txt")).unwrap(), b"a");
    for nothing in ["t0", "md", "ns", "unmounted"] {
        assert!(!at(nothing).exists(), "{nothing} was made");
    }
    assert!(!held.join("pub").exists() && !bad_state.join("pub").exists());
    assert_eq!(server.count("RETR"), 2, "only the runs that exit 0 fetched");
}

/// A port nothing listens on: bound, then released.
fn closed_port() -> u16 {
    crate::support::ports::free_port()
}

#[test]
fn a_run_exits_with_the_worst_of_its_jobs() {
    let served = served_dir();
    fs::write(served.path().join("a"), b"a").unwrap();
    let server = Pyftpd::start(served.path());
    let dir = temp_dir();
    let file = dir.path().join("mirror.toml");
    let url = server.url();
    let jobs = format!(
        "[jobs.good]\nsource = \"{url}\"\ntarget = \"good\"\n\
         [jobs.nothing]\nsource = \"{url}gone/\"\ntarget = \"nothing\"\n\
         [jobs.stuck]\nsource = \"{url}\"\ntarget = \"mirror.toml/x\"\n"
    );
    fs::write(&file, jobs).unwrap();
    let summary = dir.path().join("summary.json");
    let out = ftpmirror()
        .args(["run", "-c"])
        .arg(&file)
        .arg("--summary-json")
        .arg(&summary)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("nothing: cannot list /gone"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&fs::read(&summary).unwrap()).unwrap();
    let exits: Vec<_> = summary["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|job| {
            (
                job["exit"].as_str().unwrap(),
                job["exit_code"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        exits,
        [("success", 0), ("nothing-done", 3), ("target-unusable", 5)]
    );
    assert_eq!(fs::read(dir.path().join("good/a")).unwrap(), b"a");
}

#[test]
fn a_zero_timeout_in_a_job_file_is_refused_at_its_line() {
    let dir = temp_dir();
    let file = dir.path().join("mirror.toml");
    fs::write(
        &file,
        "[jobs.a]\nsource = \"ftp://127.0.0.1/\"\ntarget = \"a\"\ntimeout = 0\n",
    )
    .unwrap();
    let out = ftpmirror().args(["run", "-c"]).arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("mirror.toml:4:11: a timeout of 0 seconds"),
        "{stderr}"
    );
}

#[test]
fn run_check_passes_the_example_as_shipped_and_names_each_problem() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/mirror.example.toml");
    let check = |password: Option<&str>| {
        let mut cmd = ftpmirror();
        cmd.args(["run", "--check", "-c", example])
            .env_remove("DROP_PASSWORD");
        if let Some(password) = password {
            cmd.env("DROP_PASSWORD", password);
        }
        cmd.output().unwrap()
    };
    let out = check(Some("pw"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("debian: ready: ftp://ftp.example.org:21/debian/ into /srv/debian"));
    assert!(stdout.contains("every job is ready"), "{stdout}");
    let out = check(None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("drop: password_env names DROP_PASSWORD, which is not set"));

    // Every job's problem is said, and nothing is connected to or made.
    let dir = temp_dir();
    let file = dir.path().join("mirror.toml");
    let jobs = "[jobs.deep]\nsource = \"ftp://127.0.0.1:1/\"\ntarget = \"no/such/dir\"\n\
                [jobs.secret]\nsource = \"ftp://127.0.0.1:1/\"\ntarget = \"s\"\n\
                password_file = \"missing\"\nuser = \"al\"\n\
                [jobs.twin]\nsource = \"ftp://127.0.0.1:1/\"\ntarget = \"s\"\n";
    fs::write(&file, jobs).unwrap();
    let out = run_check(&file);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("deep: ") && stderr.contains("--mkdir"),
        "{stderr}"
    );
    assert!(
        stderr.contains("secret: cannot read password file"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("share the target"),
        "secret was not resolved: {stderr}"
    );
    assert!(!dir.path().join("no").exists() && !dir.path().join("s").exists());
    let jobs = "[jobs.deep]\nsource = \"ftp://127.0.0.1:1/\"\ntarget = \"no/such/dir\"\n";
    fs::write(&file, jobs).unwrap();
    assert_eq!(run_check(&file).status.code(), Some(5));
}

fn run_check(file: &std::path::Path) -> std::process::Output {
    let mut cmd = ftpmirror();
    cmd.args(["run", "--check", "-c"]).arg(file);
    cmd.output().unwrap()
}

#[test]
fn no_epsv_over_ipv6_is_ignored_with_one_warning() {
    let served = served_dir();
    for name in ["a", "b", "c", "d"] {
        fs::write(served.path().join(name), name).unwrap();
    }
    let server = Pyftpd::start_with(
        served.path(),
        PyftpdOptions {
            ipv6: true,
            ..Default::default()
        },
    );
    let target = temp_dir();
    let url = format!("ftp://[::1]:{}/", server.port());
    let ran = bounded_mirror(&url, target.path(), &["--no-epsv", "-j", "4"]);
    ran.assert_code(0);
    let warnings = ran.stderr.matches("--no-epsv (no_epsv) is ignored").count();
    assert_eq!(warnings, 1, "{}", ran.show());
    assert!(ran.warned(&["::1", "RFC 2428"]));
    assert_eq!(fs::read(target.path().join("d")).unwrap(), b"d");
    assert_eq!(server.count("PASV"), 0);
}

#[test]
fn last_repodata_holds_back_nested_repositories() {
    let served = served_dir();
    let repo = served.path().join("f/39/os");
    fs::create_dir_all(repo.join("repodata")).unwrap();
    fs::write(repo.join("repodata/repomd.xml"), b"index").unwrap();
    // Sorted first without --last: what is held back must come out of the normal order.
    fs::write(repo.join("zz.rpm"), b"rpm").unwrap();
    let server = Pyftpd::start(served.path());
    let target = temp_dir();
    let ran = bounded_mirror(&server.url(), target.path(), &["--last", "repodata/"]);
    ran.assert_code(0);
    let retrs: Vec<String> = server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("RETR"))
        .collect();
    assert_eq!(retrs.len(), 2, "{retrs:?}");
    assert!(retrs[1].ends_with("repodata/repomd.xml"), "{retrs:?}");
}

#[test]
fn summary_json_names_each_failed_path_and_its_kind() {
    let ftp = FakeFtp::start(
        Site::mlsd()
            .dir(
                "/",
                [
                    mlsd_file("ok", 2),
                    mlsd_file("cut", 4),
                    mlsd_file("long", 3),
                    crate::support::fake_ftp::mlsd_dir("sub"),
                ]
                .concat(),
            )
            .file("/ok", b"ok")
            .file("/cut", b"cut!")
            .fault("/cut", Fault::DropAfter(1))
            .file("/long", b"four")
            .dir("/sub", mlsd_file("x", 1))
            .fault("/sub", Fault::DropAfter(0)),
    );
    let work = temp_dir();
    let summary = work.path().join("summary.json");
    let summary_arg = summary.to_str().unwrap();
    let ran = bounded_mirror(
        &ftp.url(),
        &work.path().join("t"),
        &["--summary-json", summary_arg],
    );
    assert_eq!(ran.code, Some(1), "{}", ran.show());
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&summary).unwrap()).unwrap();
    let mut failures: Vec<(String, String)> = doc["jobs"][0]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap_or("-").to_string();
            (path, f["kind"].as_str().unwrap().to_string())
        })
        .collect();
    failures.sort();
    let want = [("/sub", "listing"), ("cut", "fetch"), ("long", "size")];
    let want: Vec<_> = want.map(|(p, k)| (p.to_string(), k.to_string())).into();
    assert_eq!(failures, want, "{}", ran.show());
}
