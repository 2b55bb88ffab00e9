//! A raw FTP control connection for checking a test server by hand (greeting, login, a command),
//! independent of the client under test.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A reply: its code and its text lines joined by '\n' (RFC 959 §4.2).
#[derive(Debug)]
pub struct Reply {
    pub code: u16,
    pub text: String,
}

pub struct Control {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Control {
    /// Connects to 127.0.0.1:`port` and returns the connection with the server's greeting.
    pub fn connect(port: u16) -> std::io::Result<(Control, Reply)> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let writer = stream.try_clone()?;
        let mut control = Control {
            reader: BufReader::new(stream),
            writer,
        };
        let greeting = control.reply()?;
        Ok((control, greeting))
    }

    /// Sends one command line (CRLF added) and reads its reply.
    pub fn command(&mut self, line: &str) -> std::io::Result<Reply> {
        self.writer.write_all(format!("{line}\r\n").as_bytes())?;
        self.reply()
    }

    /// USER, then PASS if the server asks for it (331); returns the last reply.
    pub fn login(&mut self, user: &str, password: &str) -> std::io::Result<Reply> {
        let reply = self.command(&format!("USER {user}"))?;
        if reply.code != 331 {
            return Ok(reply);
        }
        self.command(&format!("PASS {password}"))
    }

    /// A multi-line reply starts with "ddd-" and ends at the first line starting "ddd ".
    fn reply(&mut self) -> std::io::Result<Reply> {
        let first = self.line()?;
        let code = first
            .get(..3)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| bad(&first))?;
        let mut text = first.clone();
        if first.as_bytes().get(3) == Some(&b'-') {
            let end = format!("{code} ");
            loop {
                let line = self.line()?;
                text.push('\n');
                text.push_str(&line);
                if line.starts_with(&end) {
                    break;
                }
            }
        }
        Ok(Reply { code, text })
    }

    fn line(&mut self) -> std::io::Result<String> {
        let mut buf = Vec::new();
        if self.reader.read_until(b'\n', &mut buf)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let line = String::from_utf8_lossy(&buf);
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

fn bad(line: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("not a reply: {line:?}"),
    )
}
