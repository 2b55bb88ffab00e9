//! A directory linked without a trailing `/` is mirrored as a directory, never saved as a file:
//! against Debian's mini_httpd (which links every directory so and redirects it), and against an
//! in-process peer for what real servers do only sometimes (an nginx-style page whose link lies,
//! an index page served without a redirect).

use crate::support::fake_ftp::content;
use crate::support::http_peer::{index, ok, redirect, HttpPeer};
use crate::support::runs::{assert_ok, assert_quiet, assert_same, mirror};
use crate::support::sentinel::{assert_file, assert_tree, bounded_mirror, guarded_target};
use crate::support::tree::make_world_readable;
use crate::support::web::{MiniHttpd, Nginx, WebServer};
use crate::support::{served_dir, temp_dir};
use std::fs;

#[test]
fn mini_httpd_directories_without_a_slash_are_directories() {
    let served = served_dir();
    let s = served.path();
    fs::create_dir_all(s.join("sub/deeper")).unwrap();
    fs::create_dir_all(s.join("empty")).unwrap();
    fs::write(s.join("a.txt"), b"top").unwrap();
    fs::write(s.join("page.html"), b"<html><a href=\"a.txt\">a</a></html>").unwrap();
    fs::write(s.join("sub/inner.txt"), b"inner").unwrap();
    fs::write(s.join("sub/deeper/x"), b"deep").unwrap();
    make_world_readable(s);
    let server = MiniHttpd::start(s);
    let target = temp_dir();
    let t = target.path();
    assert_ok(&mirror(&server.url(), t, &["--delete"]));
    assert!(t.join("sub/deeper").is_dir(), "saved as a file");
    assert_eq!(fs::read(t.join("sub/deeper/x")).unwrap(), b"deep");
    assert!(t.join("empty").is_dir());
    assert_eq!(
        fs::read(t.join("page.html")).unwrap(),
        b"<html><a href=\"a.txt\">a</a></html>"
    );
    assert_same(s, t);

    // Later runs: the directories stay directories, nothing is fetched again.
    let gets = server.file_gets().len();
    assert_quiet(&mirror(&server.url(), t, &["--delete"]));
    assert_eq!(server.file_gets().len(), gets);
    fs::remove_file(s.join("sub/inner.txt")).unwrap();
    let out = assert_ok(&mirror(&server.url(), t, &["--delete"]));
    assert!(out.contains("- sub/inner.txt"), "{out}");
    assert!(t.join("sub/deeper/x").exists() && t.join("empty").is_dir());
}

#[test]
fn a_page_that_links_a_directory_as_a_file_never_makes_it_a_file() {
    let inner = content(5, 300);
    let served = inner.clone();
    // A page that marks directories (nginx) says `sub` is a file; the server redirects it to
    // `sub/`. A page that does not links `odd/plain`, whose address answers with an nginx
    // index page.
    let peer = HttpPeer::start(move |r| match r.path.as_str() {
        "/" => nginx_page("/", &["sub", "odd/"]),
        "/sub" => redirect("/sub/"),
        "/sub/" => nginx_page("/sub/", &["inner.txt"]),
        "/sub/inner.txt" => ok(&served, &[]),
        "/odd/" => index(&["plain"]),
        "/odd/plain" | "/odd/plain/" => nginx_page("/odd/plain/", &["inner.txt"]),
        "/odd/plain/inner.txt" => ok(&served, &[]),
        _ => ok(b"?", &[]),
    });
    let (_parent, target) = guarded_target();
    let ran = bounded_mirror(&peer.url(), &target, &[]);
    // The styled page's lie is found when the file is fetched: not saved, named, exit 1.
    ran.assert_code(1);
    ran.assert_warned(&["/sub", "is a directory"]);
    // The unstyled page's entry is checked when listed: a directory.
    assert_tree(&target, &["odd/", "odd/plain/", "odd/plain/inner.txt"]);
    assert_file(&target, "odd/plain/inner.txt", &inner);
}

#[test]
fn a_hand_made_page_asks_its_links_kinds_together() {
    // nginx serves a hand-made `index.html` (no style, no link ending in `/`) that links 40
    // files and a directory without its `/`: each link's kind is asked with HEAD, and on a
    // kept connection those HEADs go out together, a window at a time.
    let served = served_dir();
    let s = served.path();
    let mut page = String::from("<html><body><ul>\n<li><a href=\"sub\">sub</a></li>\n");
    for i in 0..40usize {
        fs::write(s.join(format!("f{i:02}.txt")), content(i as u8, 100 + i)).unwrap();
        page += &format!("<li><a href=\"f{i:02}.txt\">f{i:02}.txt</a></li>\n");
    }
    fs::write(s.join("index.html"), page + "</ul></body></html>\n").unwrap();
    fs::create_dir(s.join("sub")).unwrap();
    fs::write(s.join("sub/inner.txt"), b"inner").unwrap();
    make_world_readable(s);
    let server = Nginx::start(s);
    let target = temp_dir();
    let t = target.path();
    assert_ok(&mirror(&server.url(), t, &["-j", "1"]));
    for i in 0..40usize {
        let name = format!("f{i:02}.txt");
        assert_eq!(
            fs::read(t.join(&name)).unwrap(),
            content(i as u8, 100 + i),
            "{name}"
        );
    }
    assert_eq!(fs::read(t.join("sub/inner.txt")).unwrap(), b"inner");
    let requests = server.requests();
    let heads: Vec<_> = (requests.iter())
        .filter(|r| r.method == "HEAD" && r.path.starts_with("/f"))
        .collect();
    assert_eq!(heads.len(), 40, "{requests:#?}");
    // Every HEAD but the first of each window came before the answer to the one ahead of it.
    let pipelined = heads.iter().filter(|r| r.pipelined).count();
    assert!(
        pipelined >= 30,
        "{pipelined} of 40 pipelined: {requests:#?}"
    );
}

/// An nginx autoindex page linking `names` as they are given.
fn nginx_page(dir: &str, names: &[&str]) -> crate::support::http_peer::Reply {
    let mut page = format!(
        "<html>\r\n<head><title>Index of {dir}</title></head>\r\n<body>\r\n\
         <h1>Index of {dir}</h1><hr><pre><a href=\"../\">../</a>\r\n"
    );
    for name in names {
        page += &format!("<a href=\"{name}\">{name}</a>   16-Jan-2024 11:14       -\r\n");
    }
    page += "</pre><hr></body>\r\n</html>\r\n";
    ok(page.as_bytes(), &["Content-Type: text/html"])
}

#[test]
fn a_directory_whose_index_is_refused_is_not_made_and_a_local_copy_stays() {
    use std::os::unix::fs::PermissionsExt;
    let served = served_dir();
    let s = served.path();
    fs::create_dir_all(s.join("open")).unwrap();
    fs::create_dir_all(s.join("locked")).unwrap();
    fs::write(s.join("open/a.txt"), b"a").unwrap();
    fs::write(s.join("locked/secret.txt"), b"s").unwrap();
    let server = MiniHttpd::start(s);
    // mini_httpd runs as nobody: a directory only root may enter answers 403.
    fs::set_permissions(s.join("locked"), fs::Permissions::from_mode(0o700)).unwrap();
    let target = temp_dir();
    let t = target.path();
    let ran = bounded_mirror(&server.url(), t, &["--delete"]);
    ran.assert_code(1);
    ran.assert_warned(&["cannot list /locked", "403"]);
    assert!(
        !t.join("locked").exists(),
        "an empty copy reads as 'empty upstream'"
    );
    assert_eq!(fs::read(t.join("open/a.txt")).unwrap(), b"a");
    // A copy from when it was readable stays as it is, its time too.
    fs::create_dir_all(t.join("locked")).unwrap();
    fs::write(t.join("locked/secret.txt"), b"s").unwrap();
    let before = fs::metadata(t.join("locked")).unwrap().modified().unwrap();
    bounded_mirror(&server.url(), t, &["--delete"]).assert_code(1);
    assert_eq!(fs::read(t.join("locked/secret.txt")).unwrap(), b"s");
    assert_eq!(
        fs::metadata(t.join("locked")).unwrap().modified().unwrap(),
        before
    );
}
