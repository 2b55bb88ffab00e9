//! Faults real servers will not produce on demand, from the scripted peer: a data connection
//! that drops mid-file is retried on a new session and resumed with REST to the exact byte.

use crate::support::peer::{Peer, PeerConn, Script};
use crate::support::{ftpmirror, temp_dir};
use std::fs;

const LISTING: &[u8] = b"type=file;size=1000;modify=20240101000000; f\r\n";

fn content() -> Vec<u8> {
    (0..1000u32).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn dropped_transfer_is_retried_and_resumed_with_rest() {
    let data = content();
    let (head, tail) = (data[..400].to_vec(), data[400..].to_vec());
    let first: Script = Box::new(move |c: &mut PeerConn| {
        c.preamble();
        assert_eq!(c.transfer("MLSD", LISTING, "226 listed"), "/");
        assert_eq!(c.transfer("RETR", &head, "426 connection lost"), "/f");
    });
    let second: Script = Box::new(move |c: &mut PeerConn| {
        c.preamble();
        assert_eq!(c.transfer_after_rest(400, &tail, "226 done"), "/f");
        c.expect("QUIT");
        c.send("221 bye");
    });
    let peer = Peer::start_many(vec![first, second]);
    let target = temp_dir();
    let out = ftpmirror()
        .args([
            "mirror",
            &format!("ftp://127.0.0.1:{}/", peer.port),
            "-j",
            "1",
        ])
        .arg(target.path())
        .output()
        .unwrap();
    peer.finish();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fs::read(target.path().join("f")).unwrap(), content());
}
