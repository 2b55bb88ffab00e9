//! Which links of an index page name entries of the listed directory.
//!
//! A link is resolved against the page's own URL and nothing else (never `<base href>`: a
//! hostile page must not choose where its links point). It names an entry only when it stays on
//! the same scheme, host and port and its path is the directory's path plus exactly one segment,
//! optionally followed by `/` (a directory). The segment, percent-decoded, is the name, and it
//! must pass [`unsafe_name`]. Navigation (sort links, the parent, fragments, `mailto:` and the
//! like) and links to other hosts (a page's footer, a generator's home page) are dropped
//! silently: none can be an entry. Anything else that is refused carries a reason for the
//! report.

use url::Url;

use crate::remote::tree::unsafe_name;

/// What one `href` is to the listed directory.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// An entry: `name` is decoded and safe; `dir` when the link ended in `/`.
    Child { name: String, dir: bool },
    /// Navigation, not an entry: dropped without a word.
    Skip,
    /// A link to a parent directory: navigation too. `marked` when its `href` ends in `/`, as
    /// the parent links of servers that mark every directory so do (nginx and lighttpd's `../`,
    /// Apache and IIS's `/pub/`); mini_httpd's `..` does not.
    Parent { marked: bool },
    /// Looked like an entry but is refused, for this reason.
    Refused(&'static str),
}

/// The listed directory's URL: the page's, with a `/` at the end of its path and no query or
/// fragment, so that `x` resolves to a child of it even when the page was fetched as `/pub`.
pub(super) struct Base {
    dir: Url,
}

impl Base {
    pub(super) fn new(page: &Url) -> Base {
        let mut dir = page.clone();
        dir.set_query(None);
        dir.set_fragment(None);
        if !dir.path().ends_with('/') {
            let path = format!("{}/", dir.path());
            dir.set_path(&path);
        }
        Base { dir }
    }

    /// What `href` (entity-decoded attribute text) names.
    pub(super) fn classify(&self, href: &str) -> Verdict {
        // URLs in HTML attributes are trimmed of ASCII whitespace; `url` strips tabs and newlines.
        let href = href.trim_matches(|c: char| c.is_ascii_whitespace());
        if href.is_empty() {
            return Verdict::Skip;
        }
        let Ok(url) = self.dir.join(href) else {
            return Verdict::Refused("is not a valid URL");
        };
        if !matches!(url.scheme(), "http" | "https") {
            // mailto:, javascript:, data:, ftp:, file: and the like are never entries here.
            return Verdict::Skip;
        }
        if url.host_str() != self.dir.host_str() {
            // Another host (a footer's link to the server's home page): never an entry.
            return Verdict::Skip;
        }
        if !self.same_server(&url) {
            // The same host on another scheme or port: an entry's link if it names a child (a
            // server behind a TLS proxy writing `http://` links), which is worth a word.
            return match self.child(&url) {
                Verdict::Child { .. } => Verdict::Refused("is on another scheme or port"),
                _ => Verdict::Skip,
            };
        }
        let path = href.split(['?', '#']).next().unwrap_or(href);
        match self.child(&url) {
            Verdict::Parent { .. } => Verdict::Parent {
                marked: path.ends_with('/'),
            },
            // At the server's root, `../` resolves to the page itself: still its parent link.
            Verdict::Skip if path.trim_end_matches('/').ends_with("..") => Verdict::Parent {
                marked: path.ends_with('/'),
            },
            verdict => verdict,
        }
    }

    fn same_server(&self, url: &Url) -> bool {
        url.scheme() == self.dir.scheme()
            && url.host_str() == self.dir.host_str()
            && url.port_or_known_default() == self.dir.port_or_known_default()
    }

    /// The verdict on a URL of our server, by its path (`url` has already removed `.` and `..`
    /// segments, `%2e%2e` included) and query. Fragments do not matter.
    fn child(&self, url: &Url) -> Verdict {
        let path = url.path();
        if path == self.dir.path() || format!("{path}/") == self.dir.path() {
            // The page itself (sort links `?C=M;O=A`, `#top`): navigation.
            return Verdict::Skip;
        }
        if is_self_or_ancestor(path, self.dir.path()) {
            return Verdict::Parent { marked: false };
        }
        let Some(rest) = path.strip_prefix(self.dir.path()) else {
            return Verdict::Refused("leaves the directory");
        };
        let (segment, dir) = match rest.strip_suffix('/') {
            Some(segment) => (segment, true),
            None => (rest, false),
        };
        if segment.contains('/') {
            return Verdict::Refused("is not a direct child");
        }
        if url.query().is_some() {
            return Verdict::Refused("has a query");
        }
        let Ok(name) = String::from_utf8(percent_decode(segment)) else {
            return Verdict::Refused("is not UTF-8 once decoded");
        };
        match unsafe_name(&name) {
            Some(why) => Verdict::Refused(why),
            None => Verdict::Child { name, dir },
        }
    }
}

/// Whether `path` is `dir` itself or one of its parents, with or without a final `/`.
fn is_self_or_ancestor(path: &str, dir: &str) -> bool {
    let path = path.trim_end_matches('/');
    let dir = dir.trim_end_matches('/');
    dir == path
        || dir
            .strip_prefix(path)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The bytes `%XX` escapes stand for; a `%` that starts no escape stays as it is.
pub(crate) fn percent_decode(segment: &str) -> Vec<u8> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&hi), Some(&lo)) => hex(hi).zip(hex(lo)).map(|(hi, lo)| hi << 4 | lo),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|value| value as u8)
}
