//! The remote side of a job, from a URL: `ftp://[user[:password]@]host[:port]/path`, or
//! `http://` or `https://` for a tree of directory index pages.
//!
//! For FTP, as in RFC 1738 section 3.2.2 and curl, the path is relative to the login directory;
//! `%2F` at its start makes it absolute (`ftp://host/%2Fpub` is `/pub`). HTTP paths are
//! absolute. Percent-escapes are decoded, so `ftp://host/a%20b` names `a b`.

use std::fmt;
use url::Url;

/// The protocol of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Ftp,
    /// Implicit FTPS: TLS from the first byte, port 990.
    Ftps,
    /// Explicit FTPS: AUTH TLS required before the login.
    Ftpes,
    Http,
    Https,
}

impl Scheme {
    fn parse(name: &str) -> Option<Scheme> {
        match name {
            "ftp" => Some(Scheme::Ftp),
            "ftps" => Some(Scheme::Ftps),
            "ftpes" => Some(Scheme::Ftpes),
            "http" => Some(Scheme::Http),
            "https" => Some(Scheme::Https),
            _ => None,
        }
    }

    pub fn is_ftp(self) -> bool {
        matches!(self, Scheme::Ftp | Scheme::Ftps | Scheme::Ftpes)
    }

    fn default_port(self) -> u16 {
        match self {
            Scheme::Ftp | Scheme::Ftpes => 21,
            Scheme::Ftps => 990,
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scheme::Ftp => "ftp",
            Scheme::Ftps => "ftps",
            Scheme::Ftpes => "ftpes",
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// Where to mirror from.
#[derive(Clone, PartialEq, Eq)]
pub struct Source {
    pub scheme: Scheme,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    /// Decoded path: relative to the login directory unless it starts with `/`.
    pub path: String,
}

impl Source {
    pub fn parse(text: &str) -> Result<Source, String> {
        let shown = redacted(text);
        // `ftp.example.org/pub/`, and `host:2121/pub` or `user:pw@host/pub`, which parse as
        // schemes "host" and "user": written as such URLs are, the password masked.
        if !text.contains("://") {
            let fixed = redacted(&format!("ftp://{text}"));
            return Err(format!(
                "URL {:?} has no scheme: write {fixed} (or ftps://, ftpes://, http://, https://)",
                fixed.trim_start_matches("ftp://")
            ));
        }
        let url = Url::parse(text).map_err(|e| format!("bad URL {shown:?}: {e}"))?;
        let scheme = Scheme::parse(url.scheme()).ok_or_else(|| {
            format!(
                "unsupported URL scheme {:?} in {shown:?}: use ftp://, ftps://, ftpes://, http:// or https://",
                url.scheme()
            )
        })?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "URL {shown:?} has a query or fragment; give the directory's URL"
            ));
        }
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => return Err(format!("no host in URL {shown:?}")),
        };
        let decode = |s: &str| {
            percent_decode(s)
                .ok_or_else(|| format!("URL {shown:?} is not valid UTF-8 once decoded"))
        };
        let path = match scheme.is_ftp() {
            true => decode(url.path().strip_prefix('/').unwrap_or(url.path()))?,
            false => decode(url.path())?,
        };
        if path.contains(['\r', '\n', '\0']) {
            return Err(format!("URL {shown:?} holds CR, LF or NUL in its path"));
        }
        Ok(Source {
            scheme,
            host,
            port: url.port().unwrap_or(scheme.default_port()),
            user: Some(decode(url.username())?).filter(|u| !u.is_empty()),
            password: url.password().map(decode).transpose()?,
            path,
        })
    }

    /// `scheme://host:port/`, for HTTP requests.
    pub fn base_url(&self) -> Url {
        let host = match self.host.contains(':') {
            true => format!("[{}]", self.host),
            false => self.host.clone(),
        };
        Url::parse(&format!("{}://{host}:{}/", self.scheme.name(), self.port))
            .expect("a valid base URL")
    }

    /// The absolute remote path of the tree, given the login directory (from PWD).
    pub fn root(&self, login_dir: &str) -> String {
        if self.path.starts_with('/') {
            return self.path.clone();
        }
        let path = self.path.trim_end_matches('/');
        match (login_dir.trim_end_matches('/'), path) {
            ("", "") => "/".to_string(),
            (dir, "") => dir.to_string(),
            (dir, path) => format!("{dir}/{path}"),
        }
    }
}

/// Shown in messages: never the password.
impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme.name())?;
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        write!(
            f,
            "{}:{}/{}",
            self.host,
            self.port,
            self.path.trim_start_matches('/')
        )
    }
}

/// As shown in messages, so that no debug output can show the password either.
impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `text` with the password of its user info (if any) replaced by `****`, for messages.
pub fn redacted(text: &str) -> String {
    let Some(start) = text.find("://").map(|i| i + 3) else {
        return text.to_string();
    };
    let rest = &text[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let Some(at) = authority.rfind('@') else {
        return text.to_string();
    };
    match authority[..at].find(':') {
        Some(colon) => format!("{}:****{}", &text[..start + colon], &text[start + at..]),
        None => text.to_string(),
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_url() {
        let s = Source::parse("ftp://al%40x:p%3Ass@example.org:2121/pub/a%20b/").unwrap();
        assert_eq!((s.host.as_str(), s.port), ("example.org", 2121));
        assert_eq!(s.user.as_deref(), Some("al@x"));
        assert_eq!(s.password.as_deref(), Some("p:ss"));
        assert_eq!(s.path, "pub/a b/");
        assert_eq!(s.root("/"), "/pub/a b");
        assert_eq!(s.root("/home/al"), "/home/al/pub/a b");
        assert!(!format!("{s:?}").contains("p:ss"));
    }

    #[test]
    fn defaults_and_absolute_paths() {
        let s = Source::parse("ftp://127.0.0.1").unwrap();
        assert_eq!(
            (s.port, s.user.clone(), s.root("/")),
            (21, None, "/".to_string())
        );
        assert_eq!(s.root("/home/x/"), "/home/x");
        let abs = Source::parse("ftp://h/%2Fetc/x").unwrap();
        assert_eq!(abs.root("/home/x"), "/etc/x");
        let v6 = Source::parse("ftp://[::1]:2100/").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 2100));
    }

    #[test]
    fn passwords_never_show_in_errors() {
        assert_eq!(redacted("ftp://u:p%40ss@h/x"), "ftp://u:****@h/x");
        assert_eq!(redacted("ftp://u@h/x:y@z"), "ftp://u@h/x:y@z");
        assert_eq!(redacted("no url"), "no url");
        let err = Source::parse("ftp://u:hunter2@h/%ff").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
        let err = Source::parse("gopher://u:hunter2@h/").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn ftps_urls() {
        let implicit = Source::parse("ftps://h/pub").unwrap();
        assert_eq!((implicit.scheme, implicit.port), (Scheme::Ftps, 990));
        let explicit = Source::parse("ftpes://h:2121/pub").unwrap();
        assert_eq!((explicit.scheme, explicit.port), (Scheme::Ftpes, 2121));
        assert_eq!(Source::parse("ftpes://h/").unwrap().port, 21);
    }

    #[test]
    fn http_urls() {
        let s = Source::parse("https://u@example.org/pub/a%20b/").unwrap();
        assert_eq!(
            (s.scheme, s.port, s.path.as_str()),
            (Scheme::Https, 443, "/pub/a b/")
        );
        assert_eq!(s.root("/"), "/pub/a b/");
        assert_eq!(s.base_url().as_str(), "https://example.org/");
        let v6 = Source::parse("http://[::1]:8080/x").unwrap();
        assert_eq!(v6.base_url().as_str(), "http://[::1]:8080/");
    }

    #[test]
    fn bad_urls() {
        for bad in [
            "pub/x",
            "gopher://h/",
            "file:///etc",
            "http://h/?C=M",
            "http://h/#x",
            "ftp://h/a%0d%0aDELE%20x",
            "ftp://h/%ff",
            "ftp://",
        ] {
            assert!(Source::parse(bad).is_err(), "{bad}");
        }
        for (no_scheme, fix) in [
            (
                "ftp.example.org/pub/",
                "write ftp://ftp.example.org/pub/ (or ftps://",
            ),
            ("localhost:2121/pub", "write ftp://localhost:2121/pub (or"),
            ("al:hunter2@h/pub", "write ftp://al:****@h/pub (or"),
        ] {
            let error = Source::parse(no_scheme).unwrap_err();
            assert!(
                error.contains("has no scheme: ") && error.contains(fix),
                "{error}"
            );
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]
        #[test]
        fn any_text_is_read_without_a_panic(text in ".*") {
            let _ = Source::parse(&text);
        }
    }
}
