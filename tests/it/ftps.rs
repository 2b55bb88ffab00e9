//! FTPS against real vsftpd with its default `require_ssl_reuse=YES`: implicit (`ftps://`) and
//! explicit (`ftpes://`) TLS, certificates checked, and no password ever sent to a server that
//! does not speak TLS when TLS is required.

use crate::support::tree::{differences, mtime_differences};
use crate::support::{awkward_tree, ftpmirror, served_dir, temp_dir, FtpServer, Vsftpd, VsftpdTls};
use std::process::Output;

fn mirror(url: &str, target: &std::path::Path, extra: &[&str]) -> Output {
    ftpmirror()
        .args(["mirror", url])
        .arg(target)
        .args(extra)
        .env("FTPMIRROR_PASSWORD", crate::support::vsftpd::password())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn check_mirror(server: &Vsftpd, served: &std::path::Path, scheme: &str) {
    let url = format!("{scheme}://127.0.0.1:{}/", server.port());
    let ca = server.ca_path();
    let ca = [
        "--ca-file",
        ca.to_str().unwrap(),
        "--user",
        crate::support::vsftpd::USER,
    ];

    let target = temp_dir();
    let refused = mirror(&url, target.path(), &ca[2..]);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("certificate"),
        "{}",
        stderr(&refused)
    );

    let out = mirror(&url, target.path(), &[&ca[..], &["-vv"]].concat());
    let trace = stderr(&out);
    assert!(out.status.success(), "{trace}");
    assert!(
        trace.contains("data connection in TLS, session resumed: true"),
        "{trace}"
    );
    assert!(!trace.contains("session resumed: false"), "{trace}");
    assert_eq!(differences(served, target.path()), Vec::<String>::new());
    assert_eq!(
        mtime_differences(served, target.path()),
        Vec::<String>::new()
    );
    // The reply as vsftpd logs it (`"522 ...`): a bare 522 also matches process ids.
    assert!(
        !server.log().contains("\"522 "),
        "a data connection did not resume the TLS session"
    );
}

#[test]
fn explicit_ftps_with_session_reuse() {
    let root = served_dir();
    awkward_tree(root.path());
    let server = Vsftpd::start_with(root.path(), VsftpdTls::Explicit);
    check_mirror(&server, root.path(), "ftpes");
    assert!(server.count("AUTH") >= 1 && server.count("PROT") >= 1);
}

#[test]
fn implicit_ftps_with_session_reuse() {
    let root = served_dir();
    awkward_tree(root.path());
    let server = Vsftpd::start_with(root.path(), VsftpdTls::Implicit);
    check_mirror(&server, root.path(), "ftps");
}

#[test]
fn required_tls_sends_no_password_to_a_server_without_it() {
    let root = served_dir();
    awkward_tree(root.path());
    let server = Vsftpd::start(root.path());
    let target = temp_dir();
    let url = format!("ftpes://127.0.0.1:{}/", server.port());
    let out = mirror(
        &url,
        target.path(),
        &["--user", crate::support::vsftpd::USER],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refused AUTH TLS"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.count("USER"), 0);
    assert_eq!(server.count("PASS"), 0);
    assert!(!server.log().contains(crate::support::vsftpd::password()));
}
