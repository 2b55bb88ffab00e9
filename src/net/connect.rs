//! Opening a TCP connection, for both clients and every data channel.

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Connects to the first address of `addr` that answers, as a host may have IPv6 and IPv4
/// addresses; each attempt waits at most `wait()` (the connect timeout, cut by the job's end:
/// asked again per address, so a job that ends meanwhile stops the next attempt).
pub fn connect(
    addr: impl ToSocketAddrs,
    wait: impl Fn() -> io::Result<Duration>,
) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the host has no address");
    for addr in addr.to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, wait()?) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(last)
}
