//! Tests of the test harness itself: the servers start, greet, accept the logins the other tests
//! use, and are gone once dropped.

use std::net::TcpStream;

use crate::support::wire::Control;
use crate::support::{
    awkward_tree, served_dir, sized_file, snapshot, temp_dir, ExpectedEntry, FtpServer, Kind,
    Pyftpd, PyftpdOptions, Vsftpd,
};

/// 220 greeting, then 230 for anonymous and for the server's user account.
fn assert_logins(server: &impl FtpServer) {
    for (user, password) in [("anonymous", "x"), server.credentials()] {
        let (mut control, greeting) = Control::connect(server.port()).expect("connect");
        assert_eq!(greeting.code, 220, "greeting: {greeting:?}");
        let reply = control.login(user, password).expect("login");
        assert_eq!(
            reply.code, 230,
            "login as {user}: {reply:?} (ran tests/setup.sh?)"
        );
        assert_eq!(control.command("QUIT").expect("QUIT").code, 221);
    }
    let logins = server.count("USER");
    assert_eq!(logins, 2, "commands received: {:?}", server.commands());
}

fn assert_refused(port: u16) {
    let result = TcpStream::connect(("127.0.0.1", port));
    assert!(
        result.is_err(),
        "port {port} still accepts connections after drop"
    );
}

#[test]
fn harness_pyftpd_greets_and_accepts_logins() {
    let root = served_dir();
    awkward_tree(root.path());
    let server = Pyftpd::start(root.path());
    assert_logins(&server);
}

#[test]
fn harness_pyftpd_list_only_hides_mlsd() {
    let root = served_dir();
    let server = Pyftpd::list_only(root.path());
    let (mut control, _) = Control::connect(server.port()).unwrap();
    control.login("anonymous", "x").unwrap();
    let feat = control.command("FEAT").unwrap();
    assert!(
        !feat.text.contains("MLST"),
        "FEAT still offers MLST: {}",
        feat.text
    );
    assert_eq!(control.command("MLSD").unwrap().code, 500);
    assert!(!server.has_mlsd());
}

#[test]
fn harness_pyftpd_tls_offers_auth_tls() {
    let root = served_dir();
    let server = Pyftpd::start_with(
        root.path(),
        PyftpdOptions {
            tls: true,
            ..Default::default()
        },
    );
    let cert = std::fs::read_to_string(server.cert_path().unwrap()).expect("cert written");
    assert!(cert.contains("BEGIN CERTIFICATE"), "{cert}");
    let (mut control, _) = Control::connect(server.port()).unwrap();
    assert!(control.command("FEAT").unwrap().text.contains("AUTH TLS"));
    assert_eq!(control.command("AUTH TLS").unwrap().code, 234);
}

#[test]
fn harness_vsftpd_greets_and_accepts_logins() {
    let root = served_dir();
    awkward_tree(root.path());
    let server = Vsftpd::start(root.path());
    assert_logins(&server);
}

#[test]
fn harness_servers_are_gone_after_drop() {
    let root = served_dir();
    let pyftpd = Pyftpd::start(root.path());
    let vsftpd = Vsftpd::start(root.path());
    let ports = [pyftpd.port(), vsftpd.port()];
    drop(pyftpd);
    drop(vsftpd);
    ports.into_iter().for_each(assert_refused);
}

#[test]
fn harness_awkward_tree_is_what_it_says() {
    let root = served_dir();
    let expected: Vec<ExpectedEntry> = awkward_tree(root.path());
    assert_eq!(snapshot(root.path()), expected);
    let count = |kind: Kind| expected.iter().filter(|e| e.kind == kind).count();
    assert_eq!(count(Kind::Symlink), 1);
    assert!(count(Kind::Dir) >= 5 && count(Kind::File) >= 15);
}

#[test]
fn harness_sized_files_are_prefixes_of_each_other() {
    let dir = temp_dir();
    let (short, long) = (dir.path().join("short"), dir.path().join("long"));
    sized_file(&short, 1000);
    sized_file(&long, 5000);
    let (short, long) = (std::fs::read(short).unwrap(), std::fs::read(long).unwrap());
    assert_eq!(short.len(), 1000);
    assert!(long.starts_with(&short));
}
