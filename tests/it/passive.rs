//! A PASV reply cannot send the client to another host (RFC 2577 section 3, the bounce
//! problem): only its port is used unless the user trusts it.

use crate::support::fake_ftp::{Answer, FakeFtp, Site};
use ftpmirror::ftp::{Client, Error, Options};
use std::io::ErrorKind;
use std::net::Ipv4Addr;

/// Refuses EPSV, then names 127.0.0.2 in PASV while the data port listens on 127.0.0.1 only.
fn pasv_elsewhere() -> FakeFtp {
    let site = Site::mlsd()
        .file("/f", b"hello")
        .answer("EPSV", Answer::Line("500 EPSV not understood".into()))
        .pasv_host(Ipv4Addr::new(127, 0, 0, 2));
    FakeFtp::start(site)
}

fn fetch(ftp: &FakeFtp, options: Options) -> Result<Vec<u8>, Error> {
    let mut client = Client::connect("127.0.0.1", ftp.port, options).unwrap();
    client.login("anonymous", "x", None).unwrap();
    let mut out = Vec::new();
    client.retr_into("f", 0, &mut out, &mut |_| {})?;
    Ok(out)
}

#[test]
fn pasv_host_is_ignored_for_the_control_peer() {
    let ftp = pasv_elsewhere();
    assert_eq!(fetch(&ftp, Options::default()).unwrap(), b"hello");
    assert_eq!(ftp.with_verb("PASV").len(), 1);
    assert_eq!(ftp.data_connections(), 1);
}

#[test]
fn pasv_host_is_used_when_trusted() {
    let ftp = pasv_elsewhere();
    let options = Options {
        trust_pasv_host: true,
        ..Options::default()
    };
    // Nothing listens on 127.0.0.2: the connect is refused. A client that went to 127.0.0.1
    // instead would have been served "hello".
    let err = fetch(&ftp, options).unwrap_err();
    assert!(
        matches!(&err, Error::Io(e) if e.kind() == ErrorKind::ConnectionRefused),
        "{err:?}"
    );
    assert_eq!(ftp.data_connections(), 0);
}
