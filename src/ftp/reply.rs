//! FTP replies (RFC 959 section 4.2) and the pure reader that assembles them from lines.
//!
//! A reply is a three-digit code and text. A multi-line reply opens with `123-` and ends at the
//! first line that starts with the same code followed by a space; lines in between are free text,
//! even when they begin with other digits. The reader keeps no more than [`MAX_REPLY_LINES`]
//! lines, so a server cannot make us hold an endless reply.

use std::fmt;

/// Longest reply we hold; RFC 959 sets no limit, hostile servers would use that.
pub const MAX_REPLY_LINES: usize = 10_000;
/// Most bytes of text in one reply.
pub const MAX_REPLY_BYTES: usize = 1024 * 1024;

/// A reply code (RFC 959 section 4.2): three digits, the first of which is its [`Class`].
///
/// The codes a client meets most are named; any other is `Code::new(n)`. A code compares equal
/// to its number, so `reply.code == Code::CLOSING_DATA` reads as the RFC does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code(u16);

impl Code {
    /// `110` restart marker (a REST reply in block mode).
    pub const RESTART_MARKER: Code = Code(110);
    /// `120` service ready in a few minutes; the real greeting follows.
    pub const READY_IN: Code = Code(120);
    /// `125` data connection already open; transfer starting.
    pub const DATA_OPEN: Code = Code(125);
    /// `150` file status okay; about to open the data connection.
    pub const OPENING_DATA: Code = Code(150);
    /// `200` command okay.
    pub const OK: Code = Code(200);
    /// `211` system status, or the FEAT list (RFC 2389).
    pub const FEATURES: Code = Code(211);
    /// `213` file status: SIZE and MDTM answers (RFC 3659).
    pub const FILE_STATUS: Code = Code(213);
    /// `215` the system type (SYST).
    pub const SYSTEM: Code = Code(215);
    /// `220` service ready: the greeting.
    pub const READY: Code = Code(220);
    /// `221` closing the control connection (QUIT).
    pub const CLOSING: Code = Code(221);
    /// `225` data connection open, no transfer (a late ABOR).
    pub const NO_TRANSFER: Code = Code(225);
    /// `226` closing the data connection: the transfer succeeded.
    pub const CLOSING_DATA: Code = Code(226);
    /// `227` entering passive mode (PASV).
    pub const PASSIVE: Code = Code(227);
    /// `229` entering extended passive mode (EPSV, RFC 2428).
    pub const EXTENDED_PASSIVE: Code = Code(229);
    /// `230` logged in.
    pub const LOGGED_IN: Code = Code(230);
    /// `234` AUTH accepted: TLS starts (RFC 4217).
    pub const AUTH_OK: Code = Code(234);
    /// `250` requested file action okay.
    pub const FILE_OK: Code = Code(250);
    /// `257` a path was created or is current (MKD, PWD).
    pub const CREATED: Code = Code(257);
    /// `331` user name okay, need password.
    pub const NEED_PASSWORD: Code = Code(331);
    /// `332` need account (ACCT).
    pub const NEED_ACCOUNT: Code = Code(332);
    /// `350` pending further information (REST, RNFR).
    pub const PENDING: Code = Code(350);
    /// `421` service not available: the server closes the connection.
    pub const UNAVAILABLE: Code = Code(421);
    /// `425` cannot open the data connection.
    pub const CANT_OPEN_DATA: Code = Code(425);
    /// `426` connection closed; transfer aborted.
    pub const ABORTED: Code = Code(426);
    /// `450` file unavailable for now (busy).
    pub const BUSY: Code = Code(450);
    /// `451` local error in processing.
    pub const LOCAL_ERROR: Code = Code(451);
    /// `500` syntax error, command unrecognized (or line too long).
    pub const SYNTAX: Code = Code(500);
    /// `501` syntax error in the arguments.
    pub const SYNTAX_ARGS: Code = Code(501);
    /// `502` command not implemented.
    pub const NOT_IMPLEMENTED: Code = Code(502);
    /// `503` bad sequence of commands.
    pub const BAD_SEQUENCE: Code = Code(503);
    /// `504` command not implemented for that parameter.
    pub const NOT_IMPLEMENTED_PARAM: Code = Code(504);
    /// `530` not logged in.
    pub const NOT_LOGGED_IN: Code = Code(530);
    /// `550` file unavailable (not found, no access).
    pub const UNAVAILABLE_FILE: Code = Code(550);

    /// The code `n` (100 to 599).
    pub const fn new(n: u16) -> Code {
        Code(n)
    }

    /// The number.
    pub const fn get(self) -> u16 {
        self.0
    }

    /// What the first digit says.
    pub fn class(self) -> Class {
        match self.0 / 100 {
            1 => Class::Preliminary,
            2 => Class::Completion,
            3 => Class::Intermediate,
            4 => Class::Transient,
            _ => Class::Permanent,
        }
    }
}

impl PartialEq<u16> for Code {
    fn eq(&self, other: &u16) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The first digit of a reply code (RFC 959 section 4.2.1), in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// `1yz`: the action is starting; another reply follows.
    Preliminary,
    /// `2yz`: done.
    Completion,
    /// `3yz`: accepted, the server waits for the next command (PASS, RNTO, a REST's RETR).
    Intermediate,
    /// `4yz`: refused for now; the same command may work later.
    Transient,
    /// `5yz`: refused; the same command will fail again.
    Permanent,
}

/// A complete reply from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The reply code.
    pub code: Code,
    /// The text of every line, without the code prefixes, joined by `\n`.
    pub text: String,
}

impl Reply {
    /// The class of its code.
    pub fn class(&self) -> Class {
        self.code.class()
    }

    /// The text's lines.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.text.lines()
    }

    /// The path in a `257 "/a ""b"""` reply to PWD or MKD (RFC 959 Appendix II: an embedded
    /// quote is doubled).
    pub fn quoted_path(&self) -> Option<String> {
        let rest = &self.text[self.text.find('"')? + 1..];
        let mut path = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match (c, chars.clone().next()) {
                ('"', Some('"')) => {
                    path.push('"');
                    chars.next();
                }
                ('"', _) => return Some(path),
                _ => path.push(c),
            }
        }
        None
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.text.replace('\n', " / "))
    }
}

/// Assembles lines of the control connection into replies.
#[derive(Debug, Default)]
pub struct ReplyReader {
    open: Option<(u16, Vec<String>)>,
    bytes: usize,
}

impl ReplyReader {
    /// Feeds one line (without its CRLF). Returns the reply once its last line has been fed.
    pub fn push(&mut self, line: &str) -> Result<Option<Reply>, String> {
        self.bytes += line.len();
        if self.bytes > MAX_REPLY_BYTES {
            return Err(format!("reply longer than {MAX_REPLY_BYTES} bytes"));
        }
        let Some((code, lines)) = &mut self.open else {
            let (code, sep, text) =
                split_code(line).ok_or_else(|| format!("malformed reply line {line:?}"))?;
            if sep == '-' {
                self.open = Some((code, vec![text.to_string()]));
                return Ok(None);
            }
            return Ok(Some(Reply {
                code: Code(code),
                text: text.to_string(),
            }));
        };
        let code = *code;
        match split_code(line) {
            Some((c, ' ', text)) if c == code => {
                lines.push(text.to_string());
                let text = lines.join("\n");
                self.open = None;
                self.bytes = 0;
                Ok(Some(Reply {
                    code: Code(code),
                    text,
                }))
            }
            _ if lines.len() >= MAX_REPLY_LINES => {
                Err(format!("reply {code} longer than {MAX_REPLY_LINES} lines"))
            }
            _ => {
                lines.push(line.to_string());
                Ok(None)
            }
        }
    }
}

/// `"250-text"` -> (250, '-', "text"). A bare code is a complete single-line reply.
fn split_code(line: &str) -> Option<(u16, char, &str)> {
    let digits = line.get(..3)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !(b'1'..=b'5').contains(&digits.as_bytes()[0])
    {
        return None;
    }
    let code = digits.parse().ok()?;
    match line[3..].chars().next() {
        None => Some((code, ' ', "")),
        Some(sep @ (' ' | '-')) => Some((code, sep, &line[4..])),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(lines: &[&str]) -> Vec<Reply> {
        let mut reader = ReplyReader::default();
        lines
            .iter()
            .filter_map(|l| reader.push(l).unwrap())
            .collect()
    }

    #[test]
    fn single_line() {
        let r = read_all(&["220 (vsFTPd 3.0.3)"]);
        assert_eq!(
            r,
            vec![Reply {
                code: Code::READY,
                text: "(vsFTPd 3.0.3)".into()
            }]
        );
        assert_eq!(r[0].class(), Class::Completion);
    }

    #[test]
    fn bare_code_is_a_reply() {
        assert_eq!(read_all(&["200"])[0].text, "");
    }

    #[test]
    fn multi_line_ends_only_at_same_code_and_space() {
        // RFC 959 4.2: inner lines may start with digits, even another code.
        let r = read_all(&[
            "211-Features:",
            " MLST type*;size*;modify*;",
            "211-not the end",
            "123 not the end either",
            "211 End",
        ]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].code, 211);
        assert_eq!(
            r[0].lines().collect::<Vec<_>>(),
            [
                "Features:",
                " MLST type*;size*;modify*;",
                "211-not the end",
                "123 not the end either",
                "End"
            ]
        );
    }

    #[test]
    fn consecutive_replies() {
        let r = read_all(&["150 Opening", "226-Done", " stats", "226 ok", "221 Bye"]);
        assert_eq!(
            r.iter().map(|r| r.code).collect::<Vec<_>>(),
            [150, 226, 221]
        );
    }

    #[test]
    fn malformed_first_lines_are_errors() {
        for bad in [
            "", "hello", "22", "2200 x", "22a x", "620 x", "099 x", "220x",
        ] {
            assert!(ReplyReader::default().push(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn quoted_paths() {
        let r = |t: &str| {
            Reply {
                code: Code::CREATED,
                text: t.into(),
            }
            .quoted_path()
        };
        assert_eq!(
            r("\"/pub\" is the current directory").as_deref(),
            Some("/pub")
        );
        assert_eq!(r("\"/a \"\"b\"\"\" created").as_deref(), Some("/a \"b\""));
        assert_eq!(r("\"/café\"").as_deref(), Some("/café"));
        assert_eq!(r("no quotes"), None);
        assert_eq!(r("\"unterminated"), None);
    }

    #[test]
    fn non_ascii_text_does_not_panic() {
        assert!(ReplyReader::default().push("é").is_err());
        assert!(ReplyReader::default().push("22é").is_err());
        assert_eq!(read_all(&["250 café"])[0].text, "café");
    }

    #[test]
    fn endless_reply_is_refused() {
        let mut reader = ReplyReader::default();
        reader.push("211-start").unwrap();
        let err = (0..=MAX_REPLY_LINES).find_map(|_| reader.push(" more").err());
        assert!(err.unwrap().contains("longer than"));
    }
}
