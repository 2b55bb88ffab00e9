//! An ftplib session with ftpmirror's FTP client: connect (in TLS when the server offers it),
//! log in, look around, download half a file, resume it from where it stopped, and quit.
//!
//! ```text
//! cargo run --example ftp_session -- ftp://ftp.example.org/pub/README
//! cargo run --example ftp_session -- ftp://user:password@ftp.example.org/pub/README
//! ```

use ftpmirror::ftp::{Client, Options, Prot, Security};
use std::error::Error;
use std::io::{self, Read, Write};

fn main() -> Result<(), Box<dyn Error>> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: ftp_session ftp://[user:password@]host[:port]/dir/file")?;
    run(&url, &mut io::stdout())
}

/// The session, its trace written to `out`; tests/it/examples.rs runs it against pyftpdlib.
pub fn run(url: &str, out: &mut dyn Write) -> Result<(), Box<dyn Error>> {
    let url = url::Url::parse(url)?;
    let host = url.host_str().ok_or("no host in the URL")?;
    // AUTH TLS when the server offers it, certificates checked against the system's roots.
    let options = Options {
        security: Security::Auto,
        ..Options::default()
    };
    let mut ftp = Client::connect(host, url.port().unwrap_or(21), options)?;
    writeln!(out, "{}", ftp.welcome())?;
    match url.username() {
        "" => ftp.login("anonymous", "anonymous@", None)?,
        user => ftp.login(user, url.password().unwrap_or(""), None)?,
    }
    if ftp.in_tls() {
        // ftplib's prot_p(): data connections in TLS too (RFC 4217 sections 8 and 9).
        ftp.pbsz(0)?;
        ftp.prot(Prot::Private)?;
    }
    writeln!(out, "system: {}", ftp.syst()?)?;
    // Binary: SIZE and REST count bytes.
    ftp.type_image()?;

    let (dir, name) = url.path().rsplit_once('/').ok_or("no file in the URL")?;
    ftp.cwd(if dir.is_empty() { "/" } else { dir })?;
    for line in ftp.list(None)? {
        writeln!(out, "{line}")?;
    }
    let size = ftp.size(name)?;
    writeln!(out, "{name}: {size} bytes, changed {} UTC", ftp.mdtm(name)?)?;

    // Half the file, then the stream dropped: its data connection closes, and the client reads
    // the transfer's final reply so that the next reply is the next command's.
    let mut head = Vec::new();
    ftp.retr(name)?.take(size / 2).read_to_end(&mut head)?;
    // The rest, from where the first read stopped (REST, RFC 3659 section 5).
    let mut retr = ftp.retr_from(name, head.len() as u64)?;
    let mut tail = Vec::new();
    retr.read_to_end(&mut tail)?;
    let end = retr.finish()?;
    writeln!(out, "fetched {} + {} bytes ({end})", head.len(), tail.len())?;

    // SITE is the server's own: any reply is news, and a refusal is not the end of the session.
    match ftp.site("HELP") {
        Ok(reply) => writeln!(out, "{reply}")?,
        Err(e) => writeln!(out, "SITE HELP: {e}")?,
    }
    ftp.cdup()?;
    writeln!(out, "now in {}", ftp.pwd()?)?;
    ftp.quit();
    Ok(())
}
