//! The remote side of a job, from a URL: `ftp://[user[:password]@]host[:port]/path`.
//!
//! As in RFC 1738 section 3.2.2 and curl, the path is relative to the login directory;
//! `%2F` at its start makes it absolute (`ftp://host/%2Fpub` is `/pub`). Percent-escapes are
//! decoded, so `ftp://host/a%20b` names `a b`.

use std::fmt;
use url::Url;

/// Where to mirror from.
#[derive(Clone, PartialEq, Eq)]
pub struct Source {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    /// Decoded path: relative to the login directory unless it starts with `/`.
    pub path: String,
}

impl Source {
    pub fn parse(text: &str) -> Result<Source, String> {
        let url = Url::parse(text).map_err(|e| format!("bad URL {text:?}: {e}"))?;
        if url.scheme() != "ftp" {
            return Err(format!(
                "unsupported URL scheme {:?} in {text:?}: only ftp:// is supported",
                url.scheme()
            ));
        }
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => return Err(format!("no host in URL {text:?}")),
        };
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| format!("URL {text:?} is not valid UTF-8 once decoded"))
        };
        let path = decode(url.path().strip_prefix('/').unwrap_or(url.path()))?;
        if path.contains(['\r', '\n', '\0']) {
            return Err(format!("URL {text:?} holds CR, LF or NUL in its path"));
        }
        Ok(Source {
            host,
            port: url.port().unwrap_or(21),
            user: Some(decode(url.username())?).filter(|u| !u.is_empty()),
            password: url.password().map(decode).transpose()?,
            path,
        })
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
impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ftp://")?;
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        write!(f, "{}:{}/{}", self.host, self.port, self.path)
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
    fn bad_urls() {
        for bad in [
            "pub/x",
            "http://h/",
            "ftp://h/a%0d%0aDELE%20x",
            "ftp://h/%ff",
            "ftp://",
        ] {
            assert!(Source::parse(bad).is_err(), "{bad}");
        }
    }
}
