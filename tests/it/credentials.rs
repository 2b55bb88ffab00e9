//! Credentials from every source log in, and no output of any command ever shows the password:
//! each run's stdout and stderr (with the protocol trace on) are searched for it.

use crate::support::web::{Nginx, NginxOptions, WebServer};
use crate::support::{awkward_tree, ftpmirror, served_dir, temp_dir, FtpServer, Pyftpd};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

const USER: &str = crate::support::pyftpd::USER;
const SECRET: &str = crate::support::pyftpd::PASSWORD;

/// How a run is given the password.
enum Given {
    PasswordFile,
    Env,
    NetrcFile,
    HomeNetrc,
    Url,
}

fn with_credentials(cmd: &mut Command, given: &Given, port: u16, scratch: &Path) -> String {
    let netrc = format!("machine 127.0.0.1 login {USER} password {SECRET}\n");
    let url = format!("ftp://127.0.0.1:{port}/");
    match given {
        Given::PasswordFile => {
            fs::write(scratch.join("pw"), format!("{SECRET}\n")).unwrap();
            cmd.args(["--user", USER, "--password-file"])
                .arg(scratch.join("pw"));
        }
        Given::Env => {
            cmd.args(["--user", USER]).env("FTPMIRROR_PASSWORD", SECRET);
        }
        Given::NetrcFile => {
            fs::write(scratch.join("netrc"), netrc).unwrap();
            cmd.arg("--netrc-file").arg(scratch.join("netrc"));
        }
        Given::HomeNetrc => {
            fs::write(scratch.join(".netrc"), netrc).unwrap();
            fs::set_permissions(scratch.join(".netrc"), fs::Permissions::from_mode(0o600)).unwrap();
            cmd.env("HOME", scratch);
        }
        Given::Url => return format!("ftp://{USER}:{SECRET}@127.0.0.1:{port}/"),
    }
    url
}

fn run(args: &[&str], given: &Given, port: u16, target: &Path) -> Output {
    let scratch = temp_dir();
    let mut cmd = ftpmirror();
    cmd.env_remove("FTPMIRROR_PASSWORD")
        .env("HOME", scratch.path());
    let mut tail = Command::new("true");
    let url = with_credentials(&mut tail, given, port, scratch.path());
    cmd.args(args).arg(&url);
    if args.contains(&"mirror") {
        cmd.arg(target);
    }
    cmd.args(tail.get_args());
    cmd.envs(tail.get_envs().filter_map(|(k, v)| Some((k, v?))));
    cmd.output().unwrap()
}

fn assert_no_secret(out: &Output, what: &str) {
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(
            !text.contains(SECRET),
            "{what}: the password shows in:\n{text}"
        );
    }
}

#[test]
fn every_source_logs_in_and_nothing_shows_the_password() {
    let root = served_dir();
    awkward_tree(root.path());
    fs::remove_file(root.path().join("link to plain")).unwrap();
    let server = Pyftpd::start(root.path());
    for given in [
        Given::PasswordFile,
        Given::Env,
        Given::NetrcFile,
        Given::HomeNetrc,
        Given::Url,
    ] {
        let target = temp_dir();
        let logins = server.count("USER");
        for args in [
            &["-vv", "mirror", "-n"][..],
            &["mirror", "-n", "--format", "json"],
            &["-vv", "mirror"],
            &["-vv", "ls", "-R"],
            &["ls", "--format", "json"],
        ] {
            let out = run(args, &given, server.port(), target.path());
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{args:?}: {stderr}");
            assert_no_secret(&out, &format!("{args:?}"));
            if let Given::Url = given {
                assert!(stderr.contains("the password is in the URL"), "{stderr}");
            }
        }
        assert!(target.path().join("plain.txt").exists());
        let users: Vec<String> = server
            .commands()
            .into_iter()
            .filter(|c| c.starts_with("USER"))
            .skip(logins)
            .collect();
        assert!(
            users.iter().all(|u| u == &format!("USER {USER}")),
            "{users:?}"
        );
    }
}

#[test]
fn a_refused_login_does_not_show_the_password_either() {
    let root = served_dir();
    let server = Pyftpd::start(root.path());
    let target = temp_dir();
    let out = ftpmirror()
        .args(["-vv", "mirror", &server.url(), "--user", USER])
        .arg(target.path())
        .env("FTPMIRROR_PASSWORD", "not-the-secret-pw")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("not-the-secret-pw"));
    let bad_url = format!("ftp://{USER}:{SECRET}@127.0.0.1:{}/%ff", server.port());
    let out = ftpmirror()
        .args(["mirror", &bad_url])
        .arg(target.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_no_secret(&out, "bad URL");
}

#[test]
fn http_basic_auth_from_the_same_sources() {
    let root = served_dir();
    awkward_tree(root.path());
    fs::remove_file(root.path().join("link to plain")).unwrap();
    let options = NginxOptions {
        basic_auth: Some((USER, SECRET)),
        ..Default::default()
    };
    let server = Nginx::start_with(root.path(), options);
    let target = temp_dir();
    let out = ftpmirror()
        .args(["mirror", &server.url()])
        .arg(target.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The source itself is refused: nothing done.
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("HTTP 401"), "{stderr}");

    let out = ftpmirror()
        .args(["-vv", "mirror", &server.url(), "--user", USER])
        .arg(target.path())
        .env("FTPMIRROR_PASSWORD", SECRET)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_no_secret(&out, "http");
    assert!(target.path().join("plain.txt").exists());
    assert!(server.requests().iter().any(|r| r.status == 200));
}
