//! Reading the data-connection address out of EPSV and PASV replies.
//!
//! Pure: the client decides which host to connect to. By default it keeps the control
//! connection's peer and takes only the port from the reply, because a server (or a NAT box
//! rewriting its replies) must not be able to send us to another host (the FTP bounce problem,
//! RFC 2577 section 3).

use std::net::{Ipv4Addr, SocketAddrV4};

/// `229 Entering Extended Passive Mode (|||6446|)` -> 6446 (RFC 2428 section 3). The delimiter is
/// whatever character follows the parenthesis.
pub fn epsv_port(text: &str) -> Option<u16> {
    let inner = &text[text.find('(')? + 1..];
    let delim = inner.chars().next()?;
    let mut fields = inner.split(delim);
    let (empty, _proto, _addr, port) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if !empty.is_empty() || fields.next().is_none() {
        return None;
    }
    port.parse().ok().filter(|&p| p != 0)
}

/// `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)`: the first run of six comma-separated numbers,
/// since servers disagree on the parentheses (RFC 1123 section 4.1.2.6).
pub fn pasv_addr(text: &str) -> Option<SocketAddrV4> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(rest.len());
    let nums: Vec<u8> = rest[..end]
        .split(',')
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c, d, p1, p2] = nums[..] else {
        return None;
    };
    let port = u16::from(p1) << 8 | u16::from(p2);
    (port != 0).then(|| SocketAddrV4::new(Ipv4Addr::new(a, b, c, d), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epsv() {
        assert_eq!(
            epsv_port("Entering Extended Passive Mode (|||6446|)"),
            Some(6446)
        );
        assert_eq!(
            epsv_port("Entering Extended Passive Mode (!!!6446!)"),
            Some(6446)
        );
        assert_eq!(epsv_port("ok (|||0|)"), None);
        assert_eq!(epsv_port("ok (|||70000|)"), None);
        assert_eq!(epsv_port("ok (|||6446)"), None);
        assert_eq!(epsv_port("no parens"), None);
        assert_eq!(epsv_port("ok ("), None);
        assert_eq!(epsv_port("ok (é"), None);
    }

    #[test]
    fn pasv() {
        let want = Some("192.168.1.2:1025".parse().unwrap());
        assert_eq!(pasv_addr("Entering Passive Mode (192,168,1,2,4,1)."), want);
        assert_eq!(pasv_addr("Entering Passive Mode 192,168,1,2,4,1"), want);
        assert_eq!(pasv_addr("=192,168,1,2,4,1"), want);
        assert_eq!(pasv_addr("Entering Passive Mode (192,168,1,2,4)"), None);
        assert_eq!(pasv_addr("Entering Passive Mode (192,168,1,256,4,1)"), None);
        assert_eq!(pasv_addr("(1,2,3,4,0,0)"), None);
        assert_eq!(pasv_addr("nothing"), None);
    }
}
