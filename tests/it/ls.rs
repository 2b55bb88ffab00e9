//! `ftpmirror ls -R` against real servers: every entry of the awkward tree, with its kind and
//! size, for anonymous and user logins, over MLSD (pyftpdlib) and LIST (vsftpd).

use crate::support::ftpmirror;
use crate::support::{awkward_tree, served_dir, ExpectedEntry, FtpServer, Kind, Pyftpd, Vsftpd};
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Output;

/// Runs `ftpmirror ls -R --format json` as the server's user, or anonymous.
fn ls(server: &dyn FtpServer, as_user: bool, extra: &[&str]) -> Output {
    let mut cmd = ftpmirror();
    cmd.args(["ls", "-R", "--format", "json"])
        .arg(server.url())
        .args(extra);
    if as_user {
        let (user, password) = server.credentials();
        cmd.args(["--user", user])
            .env("FTPMIRROR_PASSWORD", password);
    }
    cmd.output().expect("run ftpmirror")
}

/// (relative path) -> (kind, size) from `ls --format json` output.
fn entries(out: &Output) -> BTreeMap<String, (String, Option<u64>)> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ls failed: {stderr}");
    let dirs: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    let mut found = BTreeMap::new();
    for dir in dirs {
        assert!(dir["error"].is_null(), "{dir}");
        assert_eq!(dir["unread"], Value::Array(vec![]), "unread lines in {dir}");
        let base = dir["path"]
            .as_str()
            .unwrap()
            .trim_start_matches('/')
            .to_string();
        for e in dir["entries"].as_array().unwrap() {
            let name = e["name"].as_str().unwrap();
            let path = if base.is_empty() {
                name.to_string()
            } else {
                format!("{base}/{name}")
            };
            let kind = e["kind"]["type"].as_str().unwrap().to_string();
            found.insert(path, (kind, e["size"].as_u64()));
        }
    }
    found
}

/// What a server should list for `tree`. pyftpdlib's MLSD follows symlinks (it lists the link
/// as the file it points to, as RFC 3659 allows: `OS.unix=slink` is optional).
fn expected(
    tree: &[ExpectedEntry],
    links_as_files: bool,
) -> BTreeMap<String, (String, Option<u64>)> {
    let size_of = |target: &std::path::Path| tree.iter().find(|e| e.path == target).unwrap().size;
    tree.iter()
        .map(|e| {
            let path = e.path.to_str().unwrap().to_string();
            let kind = match e.kind {
                Kind::File => ("file", Some(e.size)),
                Kind::Dir => ("dir", None),
                Kind::Symlink if links_as_files => ("file", Some(size_of("plain.txt".as_ref()))),
                Kind::Symlink => ("symlink", None),
            };
            (path, (kind.0.to_string(), kind.1))
        })
        .collect()
}

/// Sizes of directories and links are whatever the server says; files must be exact.
fn without_dir_sizes(
    mut map: BTreeMap<String, (String, Option<u64>)>,
) -> BTreeMap<String, (String, Option<u64>)> {
    for (kind, size) in map.values_mut() {
        if kind != "file" {
            *size = None;
        }
    }
    map
}

fn check_tree(server: &dyn FtpServer, as_user: bool, tree: &[ExpectedEntry]) {
    let out = ls(server, as_user, &[]);
    let links_as_files = server.has_mlsd();
    assert_eq!(
        without_dir_sizes(entries(&out)),
        expected(tree, links_as_files)
    );
}

#[test]
fn pyftpdlib_mlsd_anonymous_and_user() {
    let root = served_dir();
    let tree = awkward_tree(root.path());
    let server = Pyftpd::start(root.path());
    check_tree(&server, false, &tree);
    check_tree(&server, true, &tree);
    assert!(server.count("MLSD") > 0 && server.count("LIST") == 0);
}

#[test]
fn vsftpd_list_anonymous_and_user() {
    let root = served_dir();
    let tree = awkward_tree(root.path());
    let server = Vsftpd::start(root.path());
    check_tree(&server, false, &tree);
    check_tree(&server, true, &tree);
    assert!(server.count("LIST") > 0 && server.count("MLSD") == 0);
}

#[test]
fn pyftpdlib_list_only_falls_back_to_list() {
    let root = served_dir();
    let tree = awkward_tree(root.path());
    let server = Pyftpd::list_only(root.path());
    check_tree(&server, false, &tree);
}

#[test]
fn text_format_names_command_and_dialect() {
    let root = served_dir();
    awkward_tree(root.path());
    let server = Vsftpd::start(root.path());
    let out = ftpmirror().args(["ls", &server.url()]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    // `-a`: vsftpd shows dot-files only then.
    assert!(text.starts_with("/: LIST -a UNIX, "), "{text}");
    let link = text
        .lines()
        .find(|l| l.ends_with(" link to plain -> plain.txt"));
    assert!(link.unwrap_or("").starts_with("l "), "{text}");
    assert!(
        text.contains("2020-01-02 server"),
        "old files show a day: {text}"
    );
}

#[test]
fn bad_password_is_a_login_error() {
    let root = served_dir();
    let server = Pyftpd::start(root.path());
    let out = ftpmirror()
        .args(["ls", &server.url(), "--user", "alice"])
        .env("FTPMIRROR_PASSWORD", "wrong")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("login failed: 530"), "{stderr}");
    assert!(!stderr.contains("wrong"), "{stderr}");
}

#[test]
fn missing_directory_is_reported_and_exit_is_partial() {
    let root = served_dir();
    let server = Vsftpd::start(root.path());
    let out = ftpmirror()
        .args(["ls", &format!("{}no-such-dir", server.url())])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("error: server refused: 550"), "{stdout}");
}

#[test]
fn unreachable_server_exits_3() {
    let port = crate::support::ports::free_port();
    let out = ftpmirror()
        .args(["ls", &format!("ftp://127.0.0.1:{port}/")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn json_listing_cut_by_a_lost_connection_prints_what_was_read_and_the_error() {
    use crate::support::fake_ftp::{mlsd_dir, mlsd_file, Answer, FakeFtp, Site};
    let site = Site::mlsd()
        .dir("/", mlsd_dir("a") + &mlsd_dir("b") + &mlsd_dir("c"))
        .dir("/a", mlsd_file("x", 10))
        .dir("/b", mlsd_file("y", 10))
        .dir("/c", mlsd_file("z", 10))
        .answer("MLSD /b", Answer::Closing("421 going down".into()));
    let ftp = FakeFtp::start(site);
    let out = ftpmirror()
        .args(["ls", "-R", "--format", "json", &ftp.url()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // The 421 fails /b alone; the connection it closed is found lost at /c, ending the walk.
    assert!(stderr.contains("error: listing /c"), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let dirs = doc.as_array().unwrap();
    let paths: Vec<&str> = dirs.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/", "/a", "/b", "/c"]);
    assert_eq!(dirs[1]["entries"][0]["name"], "x");
    assert!(dirs[1]["error"].is_null());
    assert!(
        dirs[2]["error"]
            .as_str()
            .unwrap()
            .contains("421 going down"),
        "{doc:#}"
    );
    assert!(
        dirs[3]["error"].is_string() && dirs[3].get("entries").is_none(),
        "{doc:#}"
    );
}
