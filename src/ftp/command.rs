//! FTP commands as values that print themselves as wire lines.
//!
//! FTP has no quoting: an argument is the rest of the line. An argument holding CR, LF or NUL
//! would end the command early and smuggle a second one onto the control connection, so such an
//! argument is refused here, before anything reaches the wire.

use std::net::{IpAddr, SocketAddr};

/// The data channel protection levels of RFC 4217 section 9 that a client asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prot {
    /// `PROT C`: data connections in clear.
    Clear,
    /// `PROT P`: data connections in TLS.
    Private,
}

/// One command of RFC 959, RFC 2428 (EPSV, EPRT), RFC 3659 (SIZE, MDTM, REST, MLST, MLSD),
/// RFC 2389 (FEAT, OPTS) or RFC 4217 (AUTH, PBSZ, PROT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<'a> {
    /// `USER`: the user name (RFC 959 section 4.1.1).
    User(&'a str),
    /// `PASS`: the password; masked in the trace.
    Pass(&'a str),
    /// `ACCT`: the account, for servers that ask for one (332).
    Acct(&'a str),
    /// `FEAT`: the extensions the server supports (RFC 2389 section 3).
    Feat,
    /// `OPTS`: an option of a command, e.g. `UTF8 ON` (RFC 2389 section 4).
    Opts(&'a str),
    /// `SYST`: the server's system type.
    Syst,
    /// `TYPE I`: binary transfers, so sizes and offsets count bytes.
    TypeImage,
    /// `PWD`: the working directory.
    Pwd,
    /// `CWD`: change the working directory.
    Cwd(&'a str),
    /// `EPSV`: extended passive mode (RFC 2428 section 3).
    Epsv,
    /// `PASV`: passive mode, IPv4 only.
    Pasv,
    /// `EPRT`: extended active mode, to this address (RFC 2428 section 2).
    Eprt(SocketAddr),
    /// `PORT`: active mode, to this IPv4 address.
    Port(SocketAddr),
    /// `LIST`: a listing for people, in the server's own format.
    List(Option<&'a str>),
    /// `NLST`: names only.
    Nlst(Option<&'a str>),
    /// `MLSD`: a machine-readable listing (RFC 3659 section 7).
    Mlsd(Option<&'a str>),
    /// `MLST`: the facts of one entry, on the control connection (RFC 3659 section 7).
    Mlst(Option<&'a str>),
    /// `SIZE`: a file's size (RFC 3659 section 4).
    Size(&'a str),
    /// `MDTM`: a file's modification time (RFC 3659 section 3).
    Mdtm(&'a str),
    /// `REST`: the offset the next transfer starts at (RFC 3659 section 5).
    Rest(u64),
    /// `RETR`: download a file.
    Retr(&'a str),
    /// `STOR`: upload a file, replacing it.
    Stor(&'a str),
    /// `APPE`: upload, appending to the file.
    Appe(&'a str),
    /// `DELE`: delete a file.
    Dele(&'a str),
    /// `MKD`: make a directory.
    Mkd(&'a str),
    /// `RMD`: remove a directory.
    Rmd(&'a str),
    /// `RNFR`: the file to rename; `RNTO` follows.
    Rnfr(&'a str),
    /// `RNTO`: its new name.
    Rnto(&'a str),
    /// `ABOR`: abort the transfer in progress.
    Abor,
    /// `NOOP`: nothing; keeps the session alive.
    Noop,
    /// `QUIT`: end the session.
    Quit,
    /// `AUTH` with a mechanism (`TLS`).
    Auth(&'a str),
    /// `PBSZ`: the protection buffer size; `0` for TLS.
    Pbsz(u32),
    /// `PROT`: the data channel protection level.
    Prot(Prot),
    /// `SITE` with the server-specific command.
    Site(&'a str),
    /// `CDUP`: up to the parent directory.
    Cdup,
    /// Anything else, given as the whole line without CRLF.
    Raw(&'a str),
}

impl Command<'_> {
    /// The line to send, CRLF included, or the reason it cannot be sent.
    pub fn wire(&self) -> Result<String, String> {
        let line = self.text(false);
        match line.find(['\r', '\n', '\0']) {
            Some(_) => Err(format!(
                "refusing to send {:?}: an argument holds CR, LF or NUL",
                self.text(true)
            )),
            None => Ok(line + "\r\n"),
        }
    }

    /// The line as shown in a trace: secrets masked.
    pub fn traced(&self) -> String {
        self.text(true)
    }

    fn text(&self, masked: bool) -> String {
        use Command::*;
        let secret = |s: &str| {
            if masked {
                "****".to_string()
            } else {
                s.to_string()
            }
        };
        let with = |verb: &str, arg: Option<&str>| match arg {
            Some(a) => format!("{verb} {a}"),
            None => verb.to_string(),
        };
        match self {
            User(a) => with("USER", Some(a)),
            Pass(a) => with("PASS", Some(&secret(a))),
            Acct(a) => with("ACCT", Some(&secret(a))),
            Feat => "FEAT".into(),
            Opts(a) => with("OPTS", Some(a)),
            Syst => "SYST".into(),
            TypeImage => "TYPE I".into(),
            Pwd => "PWD".into(),
            Cwd(a) => with("CWD", Some(a)),
            Epsv => "EPSV".into(),
            Pasv => "PASV".into(),
            Eprt(addr) => format!("EPRT {}", eprt_arg(addr)),
            Port(addr) => format!("PORT {}", port_arg(addr)),
            List(a) => with("LIST", *a),
            Nlst(a) => with("NLST", *a),
            Mlsd(a) => with("MLSD", *a),
            Mlst(a) => with("MLST", *a),
            Size(a) => with("SIZE", Some(a)),
            Mdtm(a) => with("MDTM", Some(a)),
            Rest(n) => format!("REST {n}"),
            Retr(a) => with("RETR", Some(a)),
            Stor(a) => with("STOR", Some(a)),
            Appe(a) => with("APPE", Some(a)),
            Dele(a) => with("DELE", Some(a)),
            Mkd(a) => with("MKD", Some(a)),
            Rmd(a) => with("RMD", Some(a)),
            Rnfr(a) => with("RNFR", Some(a)),
            Rnto(a) => with("RNTO", Some(a)),
            Abor => "ABOR".into(),
            Noop => "NOOP".into(),
            Quit => "QUIT".into(),
            Auth(a) => with("AUTH", Some(a)),
            Pbsz(n) => format!("PBSZ {n}"),
            Prot(self::Prot::Clear) => "PROT C".into(),
            Prot(self::Prot::Private) => "PROT P".into(),
            Site(a) => with("SITE", Some(a)),
            Cdup => "CDUP".into(),
            Raw(line) => line.to_string(),
        }
    }
}

/// RFC 2428 section 2: `|1|132.235.1.2|6275|` or `|2|::1|6275|`.
fn eprt_arg(addr: &SocketAddr) -> String {
    let proto = if addr.is_ipv4() { 1 } else { 2 };
    format!("|{proto}|{}|{}|", addr.ip(), addr.port())
}

/// RFC 959 section 4.1.2: `h1,h2,h3,h4,p1,p2`; IPv4 only (the client sends EPRT otherwise).
fn port_arg(addr: &SocketAddr) -> String {
    let IpAddr::V4(ip) = addr.ip() else {
        return eprt_arg(addr);
    };
    let [a, b, c, d] = ip.octets();
    format!(
        "{a},{b},{c},{d},{},{}",
        addr.port() >> 8,
        addr.port() & 0xff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_lines() {
        assert_eq!(Command::Retr("a b ").wire().unwrap(), "RETR a b \r\n");
        assert_eq!(Command::List(None).wire().unwrap(), "LIST\r\n");
        assert_eq!(Command::Rest(42).wire().unwrap(), "REST 42\r\n");
        let addr: SocketAddr = "127.0.0.1:1025".parse().unwrap();
        assert_eq!(
            Command::Port(addr).wire().unwrap(),
            "PORT 127,0,0,1,4,1\r\n"
        );
        assert_eq!(
            Command::Eprt(addr).wire().unwrap(),
            "EPRT |1|127.0.0.1|1025|\r\n"
        );
        let v6: SocketAddr = "[::1]:2000".parse().unwrap();
        assert_eq!(Command::Eprt(v6).wire().unwrap(), "EPRT |2|::1|2000|\r\n");
        assert_eq!(Command::Auth("TLS").wire().unwrap(), "AUTH TLS\r\n");
        assert_eq!(Command::Pbsz(0).wire().unwrap(), "PBSZ 0\r\n");
        assert_eq!(Command::Prot(Prot::Private).wire().unwrap(), "PROT P\r\n");
        assert_eq!(Command::Site("HELP").wire().unwrap(), "SITE HELP\r\n");
        assert_eq!(Command::Cdup.wire().unwrap(), "CDUP\r\n");
    }

    #[test]
    fn line_breaks_and_nul_are_refused() {
        for evil in ["a\r\nDELE b", "a\nb", "a\rb", "a\0b"] {
            assert!(Command::Retr(evil).wire().is_err(), "{evil:?}");
            assert!(Command::Raw(evil).wire().is_err(), "{evil:?}");
        }
    }

    #[test]
    fn secrets_are_masked_in_traces_and_errors() {
        assert_eq!(Command::Pass("hunter2").traced(), "PASS ****");
        assert_eq!(Command::Acct("hunter2").traced(), "ACCT ****");
        let err = Command::Pass("hunter2\r\n").wire().unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }
}
