//! Directory index pages: the HTML a web server generates for a directory, read into
//! [`Entry`] values, so an HTTP tree can be mirrored like an FTP one.
//!
//! [`parse_index`] is pure: no I/O, no panic on any input, work linear in the page's size. Its
//! invariants:
//!
//! - **Links decide what exists.** Every `<a href>` is resolved against the page's own URL, never
//!   against `<base href>`, and names an entry only when it is a direct child of the listed
//!   directory on the same scheme, host and port (see `link`). The displayed text is never a
//!   name: servers truncate it (`long-na..>`) or decorate it (`link@`). A trailing `/` makes a
//!   directory. The name is the percent-decoded segment, and it has passed
//!   [`crate::remote::tree::unsafe_name`].
//! - **Navigation and chrome are silent, refusals are reported.** Sort links (`?C=M;O=A`), the
//!   parent, fragments, `mailto:`-like links and links to other hosts (footers, a generator's
//!   home page) are dropped; a link that looks like an entry but leaves the directory, is on
//!   another scheme or port of this host or decodes to an unsafe name goes to [`Index::ignored`].
//! - **Each name once**, the first link wins; a later link to the same name (Apache's
//!   `IconsAreLinks` links the icon before the name) only fills in a size or time the first
//!   row did not give.
//! - **Sizes and times only from a known style.** The page's generator is recognized by its
//!   markers ([`Style`]); its rows give sizes (a byte count is `size`, a rounded one such as
//!   `1.2K` the `size_range` it stands for; a directory has neither) and times (to the precision
//!   shown; UTC where the page says so, else the server's local time). An unrecognized page
//!   gives names only.
//!
//! One recognizer per style, as lftp's `HttpDir` has, each in a file named for its generator.
//! Pages are tokenized by `html` and cut into rows by `layout`; `fields` reads columns.

mod apache;
mod caddy;
mod fancyindex;
mod fields;
mod go;
mod html;
mod iis;
mod layout;
mod lighttpd;
mod link;
mod mini_httpd;
mod nexus;
mod nginx;
mod python;
mod rclone;
#[cfg(test)]
mod tests;
mod tomcat;
mod tree;
mod twisted;
mod webfs;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use serde::Serialize;
use url::Url;

use crate::remote::tree::{Entry, Kind};
use fields::Meta;
use layout::{Page, Row};
pub(crate) use link::percent_decode;
use link::{Base, Verdict};

/// The generator an index page was recognized as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Apache httpd `mod_autoindex` (table, `<pre>` or list layout).
    Apache,
    /// nginx `autoindex`.
    Nginx,
    /// nginx's fancyindex module.
    Fancyindex,
    /// lighttpd `mod_dirlisting`.
    Lighttpd,
    /// Caddy's `file_server browse`.
    Caddy,
    /// `rclone serve http`.
    Rclone,
    /// webfs.
    Webfs,
    /// `tree -H` (a static page).
    Tree,
    /// mini_httpd.
    MiniHttpd,
    /// Python's `http.server`.
    Python,
    /// Twisted Web's `static.File`.
    Twisted,
    /// Go's `net/http.FileServer`.
    Go,
    /// Apache Tomcat's `DefaultServlet`.
    Tomcat,
    /// Sonatype Nexus 2.
    Nexus,
    /// IIS directory browsing.
    Iis,
    /// Unknown: links to direct children, with no sizes or dates.
    Generic,
}

impl Style {
    /// Its name, as `ls` and the JSON outputs show it.
    pub fn name(self) -> &'static str {
        match self {
            Style::Apache => "apache",
            Style::Nginx => "nginx",
            Style::Fancyindex => "fancyindex",
            Style::Lighttpd => "lighttpd",
            Style::Caddy => "caddy",
            Style::Rclone => "rclone",
            Style::Webfs => "webfs",
            Style::Tree => "tree",
            Style::MiniHttpd => "mini_httpd",
            Style::Python => "python",
            Style::Twisted => "twisted",
            Style::Go => "go",
            Style::Tomcat => "tomcat",
            Style::Nexus => "nexus",
            Style::Iis => "iis",
            Style::Generic => "generic",
        }
    }
}

impl Serialize for Style {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// What an index page lists.
#[derive(Debug, Clone, Serialize)]
pub struct Index {
    /// The server software whose page style was recognized.
    pub style: Style,
    /// In page order, each name once.
    pub entries: Vec<Entry>,
    /// Links that looked like entries but were refused, as `href: reason` (e.g.
    /// `../x: leaves the directory`). Sort links and parent links are not listed here.
    pub ignored: Vec<String>,
    /// Whether the page marks directories with a trailing `/`: a directory or parent link has
    /// one. On a page that does not (mini_httpd, hand-made pages), a link without one may still
    /// be a directory; so too on Go's, whose links to directories through a symbolic link have
    /// none.
    #[serde(skip)]
    pub marks_dirs: bool,
    /// The page's `<title>`.
    #[serde(skip)]
    pub title: String,
}

/// Reads the index page `html`, fetched from `page` (the final URL, after redirects). `page`
/// names a directory; without a final `/` it is read as if it had one. `now` (UTC) gives a year
/// to the `ls`-style dates that show none (`Dec  3 08:09`).
pub fn parse_index(html: &str, page: &Url, now: NaiveDateTime) -> Index {
    let layout = layout::read(html);
    let style = recognize(&layout);
    let base = Base::new(page);
    let mut list = Listing::new(style);
    for row in &layout.rows {
        for (i, link) in row.links.iter().enumerate() {
            match base.classify(&link.href) {
                Verdict::Child { name, dir } => {
                    list.index.marks_dirs |= dir;
                    list.add(name, dir, meta(style, row, i, now));
                }
                Verdict::Refused(why) => list.refuse(&link.href, why),
                Verdict::Parent { marked } => list.index.marks_dirs |= marked,
                Verdict::Skip => {}
            }
        }
    }
    match style {
        // These end every directory's link in `/`, one through a symbolic link too (each
        // capture in tests/fixtures/index shows it). Their pages need not show it: Python's
        // and Twisted's have no parent link, nor has `tree -H`'s, nor have Apache's, Caddy's and
        // lighttpd's of a server's root, and rclone's `..` has no `/`; a flat root would cost a
        // HEAD per file. (A directory taken for a file all the same is refused by its download:
        // the server redirects it to its `/`.)
        Style::Python
        | Style::Twisted
        | Style::Apache
        | Style::Nginx
        | Style::Fancyindex
        | Style::Lighttpd
        | Style::Caddy
        | Style::Rclone
        | Style::Webfs
        | Style::Tree => list.index.marks_dirs = true,
        Style::Go => list.index.marks_dirs = false,
        _ => {}
    }
    list.index.title = layout.title;
    list.index
}

/// Whether a page has one style's markers.
type Recognizer = fn(&Page) -> bool;

/// The first style whose markers the page has. The order matters where markers overlap:
/// Caddy's template is rclone's too (Caddy's has its footer); mini_httpd, Nexus, Apache and
/// nginx all title their pages `Index of ...` (mini_httpd and Nexus tell themselves by a footer
/// or a date, Apache by its sort links or layout); Tomcat's sort links are Apache's.
fn recognize(page: &Page) -> Style {
    let recognizers: [(Recognizer, Style); 15] = [
        (lighttpd::recognize, Style::Lighttpd),
        (twisted::recognize, Style::Twisted),
        (python::recognize, Style::Python),
        (caddy::recognize, Style::Caddy),
        (rclone::recognize, Style::Rclone),
        (tree::recognize, Style::Tree),
        (webfs::recognize, Style::Webfs),
        (mini_httpd::recognize, Style::MiniHttpd),
        (fancyindex::recognize, Style::Fancyindex),
        (tomcat::recognize, Style::Tomcat),
        (nexus::recognize, Style::Nexus),
        (apache::recognize, Style::Apache),
        (nginx::recognize, Style::Nginx),
        (iis::recognize, Style::Iis),
        (go::recognize, Style::Go),
    ];
    recognizers
        .iter()
        .find(|(recognize, _)| recognize(page))
        .map_or(Style::Generic, |(_, style)| *style)
}

/// What the row of link `i` says about its entry, in the page's style.
fn meta(style: Style, row: &Row, i: usize, now: NaiveDateTime) -> Meta {
    match style {
        Style::Apache => apache::meta(row, i),
        Style::Nginx => nginx::meta(row, i),
        Style::Fancyindex => fancyindex::meta(row, i),
        Style::Lighttpd => lighttpd::meta(row, i),
        Style::Caddy => caddy::meta(row),
        Style::Rclone => rclone::meta(row),
        Style::Webfs => webfs::meta(row, i, now),
        Style::Tree => tree::meta(row, i, now),
        Style::MiniHttpd => mini_httpd::meta(row, i),
        Style::Tomcat => tomcat::meta(row, i),
        Style::Nexus => nexus::meta(row, i),
        Style::Iis => iis::meta(row, i),
        Style::Twisted => twisted::meta(row, i),
        Style::Python | Style::Go | Style::Generic => Meta::default(),
    }
}

/// The index being built: entries by name, refusals without repeats.
struct Listing {
    index: Index,
    by_name: HashMap<String, usize>,
    refused: HashSet<String>,
}

impl Listing {
    fn new(style: Style) -> Listing {
        Listing {
            index: Index {
                style,
                entries: Vec::new(),
                ignored: Vec::new(),
                marks_dirs: false,
                title: String::new(),
            },
            by_name: HashMap::new(),
            refused: HashSet::new(),
        }
    }

    fn add(&mut self, name: String, dir: bool, meta: Meta) {
        if let Some(&at) = self.by_name.get(&name) {
            let entry = &mut self.index.entries[at];
            if entry.kind == Kind::File && entry.size.is_none() && entry.size_range.is_none() {
                entry.size = meta.size;
                entry.size_range = meta.size_range;
            }
            entry.mtime = entry.mtime.or(meta.mtime);
            return;
        }
        let mut entry = Entry::new(name.clone(), if dir { Kind::Dir } else { Kind::File });
        // A directory's listed size (tree shows 4096) is its inode's, never its content's.
        if !dir {
            entry.size = meta.size;
            entry.size_range = meta.size_range;
        }
        entry.mtime = meta.mtime;
        self.by_name.insert(name, self.index.entries.len());
        self.index.entries.push(entry);
    }

    fn refuse(&mut self, href: &str, why: &str) {
        let line = format!("{}: {why}", printable(href));
        if self.refused.insert(line.clone()) {
            self.index.ignored.push(line);
        }
    }
}

/// `href` as it can be shown in a report: quoted if it holds control characters, and cut if it
/// is absurdly long (a hostile page can make it megabytes).
fn printable(href: &str) -> String {
    const MAX_CHARS: usize = 200;
    let mut shown: String = href.chars().take(MAX_CHARS).collect();
    if shown.len() < href.len() {
        shown.push('…');
    }
    match shown.chars().any(char::is_control) {
        true => format!("{shown:?}"),
        false => shown,
    }
}
