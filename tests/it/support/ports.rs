//! Loopback control ports for test servers. Passive data ports are the servers' own choice:
//! a range reserved here could not be held until the server binds it, and may be one another FTP
//! server on the machine uses.
//!
//! Every port handed out here is remembered for the life of the test process and never handed out
//! twice, so two servers started by parallel tests can't be given the same port (the kernel may
//! return a just-released port to the next `bind(0)`).

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::sync::Mutex;

static TAKEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// A port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
///
/// Another process can still take it before the server binds it: servers that take a port
/// number (vsftpd) retry with a new one when their bind fails.
pub fn free_port() -> u16 {
    loop {
        let port = bind(0).expect("bind 127.0.0.1:0");
        if TAKEN.lock().unwrap().insert(port) {
            return port;
        }
    }
}

/// Records a port a server bound by itself (port 0), so [`free_port`] never hands it out later,
/// e.g. while a test checks that the dead server's port refuses connections.
pub fn claim(port: u16) {
    TAKEN.lock().unwrap().insert(port);
}

fn bind(port: u16) -> Option<u16> {
    let listener = TcpListener::bind(("127.0.0.1", port)).ok()?;
    Some(listener.local_addr().ok()?.port())
}
