//! Loopback ports for test servers.
//!
//! Every port handed out here is remembered for the life of the test process and never handed out
//! twice, so two servers started by parallel tests can't be given the same port (the kernel may
//! return a just-released port to the next `bind(0)`).

use std::collections::hash_map::RandomState;
use std::collections::BTreeSet;
use std::hash::{BuildHasher, Hasher};
use std::net::TcpListener;
use std::ops::RangeInclusive;
use std::sync::Mutex;

static TAKEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// Passive ranges start below Linux's default ephemeral range (32768-60999, see
/// /proc/sys/net/ipv4/ip_local_port_range), so outgoing connections never sit on them.
const PASSIVE_BASES: RangeInclusive<u16> = 20000..=32000;

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

/// `len` consecutive ports, all bindable now, for a server's passive data connections.
pub fn reserve_port_range(len: u16) -> RangeInclusive<u16> {
    for _ in 0..1000 {
        let span = PASSIVE_BASES.end() - PASSIVE_BASES.start() - len;
        let first = PASSIVE_BASES.start() + (random() % u64::from(span)) as u16;
        let range = first..=first + len - 1;
        let mut taken = TAKEN.lock().unwrap();
        if range
            .clone()
            .all(|p| !taken.contains(&p) && bind(p).is_some())
        {
            taken.extend(range.clone());
            return range;
        }
    }
    panic!("no {len} free consecutive ports in {PASSIVE_BASES:?}");
}

fn bind(port: u16) -> Option<u16> {
    let listener = TcpListener::bind(("127.0.0.1", port)).ok()?;
    Some(listener.local_addr().ok()?.port())
}

/// Seeded per process by std (no `rand` crate needed).
fn random() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(std::process::id().into());
    hasher.finish()
}
