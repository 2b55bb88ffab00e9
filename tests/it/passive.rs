//! A PASV reply cannot send the client to another host (RFC 2577 section 3, the bounce
//! problem): only its port is used unless the user trusts it.

use crate::support::peer::{Peer, PeerConn};
use ftpmirror::ftp::{Client, Error, Options};
use std::io::Write;
use std::net::TcpListener;

/// Refuses EPSV, then names 127.0.0.2 in PASV while the data port listens on 127.0.0.1 only.
fn pasv_elsewhere(c: &mut PeerConn, data: TcpListener, serve: bool) {
    let port = data.local_addr().unwrap().port();
    c.greet_and_login();
    c.expect("EPSV");
    c.send("500 EPSV not understood");
    c.expect("PASV");
    c.send(&format!(
        "227 Entering Passive Mode (127,0,0,2,{},{})",
        port >> 8,
        port & 0xff
    ));
    if serve {
        assert_eq!(c.expect("RETR"), "f");
        c.send("150 here it comes");
        let (mut stream, _) = data.accept().unwrap();
        stream.write_all(b"hello").unwrap();
        drop(stream);
        c.send("226 done");
    } else {
        assert_eq!(c.expect("RETR"), "f");
        // The client connects while the server reads RETR: give it the time to (mis)connect.
        std::thread::sleep(std::time::Duration::from_millis(300));
        data.set_nonblocking(true).unwrap();
        assert!(
            data.accept().is_err(),
            "client used the data port on 127.0.0.1"
        );
        c.send("425 no data connection");
    }
}

fn fetch(port: u16, options: Options) -> Result<Vec<u8>, Error> {
    let mut client = Client::connect("127.0.0.1", port, options).unwrap();
    client.login("anonymous", "x", None).unwrap();
    let mut out = Vec::new();
    client.retr_into("f", 0, &mut out, &mut |_| {})?;
    Ok(out)
}

#[test]
fn pasv_host_is_ignored_for_the_control_peer() {
    let data = TcpListener::bind("127.0.0.1:0").unwrap();
    let peer = Peer::start(move |c| pasv_elsewhere(c, data, true));
    assert_eq!(fetch(peer.port, Options::default()).unwrap(), b"hello");
    peer.finish();
}

#[test]
fn pasv_host_is_used_when_trusted() {
    let data = TcpListener::bind("127.0.0.1:0").unwrap();
    let peer = Peer::start(move |c| pasv_elsewhere(c, data, false));
    let options = Options {
        trust_pasv_host: true,
        ..Options::default()
    };
    let err = fetch(peer.port, options).unwrap_err();
    assert!(
        matches!(&err, Error::Transient(r) if r.code == 425),
        "{err:?}"
    );
    peer.finish();
}
