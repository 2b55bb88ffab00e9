//! The pages captured on 2026-12-04 (`tests/fixtures/index/README.md`, "Second capture"): every
//! entry's name, kind, size or size range and time, as each page shows them, and no refusal.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::parse;
use crate::http::index::{Index, Style};
use crate::remote::tree::{Kind, Mtime, Precision, Zone};

macro_rules! page {
    ($name:literal) => {
        include_str!(concat!(
            "../../../../tests/fixtures/index/2026-12-04/",
            $name
        ))
    };
}

const PAGE: &str = "http://127.0.0.1:18080/pub/";
const EMPTY: &str = "http://127.0.0.1:18080/pub/empty%20dir/";

/// What a page shows of an entry's size.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shown {
    Exact(u64),
    /// A rounded size: the range must hold this byte count.
    Holding(u64),
    Nothing,
}

/// One entry of the served tree: its name, whether it is a directory, the bytes served, and its
/// modification time (UTC, which is also the servers' local time: they ran with `TZ=UTC`).
struct Served {
    name: &'static str,
    dir: bool,
    bytes: u64,
    mtime: NaiveDateTime,
    dot: bool,
    link: bool,
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    let day = NaiveDate::from_ymd_opt(y, mo, d).unwrap();
    day.and_hms_opt(h, mi, s).unwrap()
}

/// `/pub/` as served: `tests/fixtures/index/README.md`.
fn served() -> Vec<Served> {
    let t = at(2024, 1, 16, 11, 14, 30);
    let entry = |name, dir, bytes| Served {
        name,
        dir,
        bytes,
        mtime: t,
        dot: false,
        link: false,
    };
    let mut tree = vec![
        entry("empty dir", true, 0),
        entry("subdir", true, 0),
        entry("empty.txt", false, 0),
        entry("1k.bin", false, 1024),
        entry("exact-1234.bin", false, 1234),
        entry("1500.bin", false, 1500),
        entry("5m.bin", false, 5_242_880),
        entry("with space.txt", false, 3),
        entry("a&b.txt", false, 3),
        entry("日本語.txt", false, 3),
        Served {
            mtime: at(2001, 2, 3, 4, 5, 6),
            ..entry("old.txt", false, 4)
        },
        Served {
            dot: true,
            ..entry(".hidden", false, 3)
        },
        Served {
            link: true,
            ..entry("link-to-subdir", true, 0)
        },
        Served {
            link: true,
            ..entry("link-to-1k", false, 1024)
        },
    ];
    tree.sort_by_key(|e| e.name);
    tree
}

/// How one server shows the tree.
struct Server {
    html: &'static str,
    style: Style,
    dotfiles: bool,
    /// Symbolic links are listed.
    links: bool,
    /// A directory's link ends in `/`.
    marks_dirs: bool,
    size: fn(&Served) -> Shown,
    time: fn(NaiveDateTime) -> Option<Mtime>,
}

fn exact(e: &Served) -> Shown {
    Shown::Exact(e.bytes)
}

/// Byte counts below `limit`, rounded above.
fn exact_below<const LIMIT: u64>(e: &Served) -> Shown {
    match e.bytes < LIMIT {
        true => Shown::Exact(e.bytes),
        false => Shown::Holding(e.bytes),
    }
}

fn rounded(e: &Served) -> Shown {
    Shown::Holding(e.bytes)
}

/// `lstat` sizes (mini_httpd, tree): only 4096 bytes and more are read (a link shows 6).
fn lstat_exact(e: &Served) -> Shown {
    match e.link || e.bytes < 4096 {
        true => Shown::Nothing,
        false => Shown::Exact(e.bytes),
    }
}

fn lstat_rounded(e: &Served) -> Shown {
    match e.link || e.bytes < 4096 {
        true => Shown::Nothing,
        false => Shown::Holding(e.bytes),
    }
}

fn nothing(_: &Served) -> Shown {
    Shown::Nothing
}

/// `time` as a page shows it: cut to `precision`.
fn mtime(time: NaiveDateTime, precision: Precision, zone: Zone) -> Option<Mtime> {
    let time = match precision {
        Precision::Second => time,
        Precision::Minute => time.with_second(0)?,
        Precision::Day => time.date().and_hms_opt(0, 0, 0)?,
    };
    Some(Mtime {
        time,
        precision,
        zone,
    })
}

fn utc_second(t: NaiveDateTime) -> Option<Mtime> {
    mtime(t, Precision::Second, Zone::Utc)
}

fn local_second(t: NaiveDateTime) -> Option<Mtime> {
    mtime(t, Precision::Second, Zone::ServerLocal)
}

fn local_minute(t: NaiveDateTime) -> Option<Mtime> {
    mtime(t, Precision::Minute, Zone::ServerLocal)
}

fn local_day(t: NaiveDateTime) -> Option<Mtime> {
    mtime(t, Precision::Day, Zone::ServerLocal)
}

fn no_time(_: NaiveDateTime) -> Option<Mtime> {
    None
}

fn servers() -> Vec<(&'static str, Server)> {
    let server = |html, style, size, time| Server {
        html,
        style,
        dotfiles: false,
        links: true,
        marks_dirs: true,
        size,
        time,
    };
    vec![
        (
            "caddy",
            Server {
                dotfiles: true,
                ..server(page!("caddy.html"), Style::Caddy, exact, utc_second)
            },
        ),
        (
            "rclone",
            Server {
                dotfiles: true,
                links: false,
                ..server(page!("rclone.html"), Style::Rclone, exact, utc_second)
            },
        ),
        (
            "rclone -L",
            Server {
                dotfiles: true,
                ..server(page!("rclone-L.html"), Style::Rclone, exact, utc_second)
            },
        ),
        (
            "apache table",
            server(
                page!("apache-htmltable.html"),
                Style::Apache,
                exact_below::<973>,
                local_minute,
            ),
        ),
        (
            "apache pre",
            server(
                page!("apache-pre.html"),
                Style::Apache,
                exact_below::<973>,
                local_minute,
            ),
        ),
        (
            "apache without its title",
            server(
                page!("apache-suppress.html"),
                Style::Apache,
                exact_below::<973>,
                local_minute,
            ),
        ),
        (
            "apache plain",
            server(page!("apache-plain.html"), Style::Apache, nothing, no_time),
        ),
        (
            "apache debian",
            Server {
                dotfiles: true,
                ..server(
                    page!("apache-debian.html"),
                    Style::Apache,
                    exact_below::<973>,
                    local_minute,
                )
            },
        ),
        (
            "fancyindex",
            server(
                page!("nginx-fancyindex.html"),
                Style::Fancyindex,
                exact_below::<1024>,
                local_minute,
            ),
        ),
        (
            "fancyindex exact",
            server(
                page!("nginx-fancyindex-exact.html"),
                Style::Fancyindex,
                exact,
                local_minute,
            ),
        ),
        (
            "fancyindex iso dotfiles",
            Server {
                dotfiles: true,
                ..server(
                    page!("nginx-fancyindex-iso-dotfiles.html"),
                    Style::Fancyindex,
                    exact,
                    local_second,
                )
            },
        ),
        (
            "nginx",
            server(
                page!("nginx-autoindex.html"),
                Style::Nginx,
                exact,
                local_minute,
            ),
        ),
        (
            "nginx rounded",
            server(
                page!("nginx-autoindex-exactoff.html"),
                Style::Nginx,
                exact_below::<10000>,
                local_minute,
            ),
        ),
        (
            "lighttpd",
            server(
                page!("lighttpd.html"),
                Style::Lighttpd,
                rounded,
                local_second,
            ),
        ),
        (
            "webfs",
            Server {
                dotfiles: true,
                ..server(
                    page!("webfs.html"),
                    Style::Webfs,
                    exact_below::<9216>,
                    local_day,
                )
            },
        ),
        (
            "tree",
            server(page!("tree-H.html"), Style::Tree, lstat_exact, local_day),
        ),
        (
            "tree -h",
            server(
                page!("tree-H-h.html"),
                Style::Tree,
                lstat_rounded,
                local_day,
            ),
        ),
        (
            "tree -a --timefmt",
            Server {
                dotfiles: true,
                ..server(
                    page!("tree-H-a-timefmt.html"),
                    Style::Tree,
                    lstat_exact,
                    local_second,
                )
            },
        ),
        (
            "mini_httpd",
            Server {
                dotfiles: true,
                marks_dirs: false,
                ..server(
                    page!("mini_httpd.html"),
                    Style::MiniHttpd,
                    lstat_exact,
                    local_minute,
                )
            },
        ),
        (
            "twisted",
            Server {
                dotfiles: true,
                ..server(
                    page!("twisted.html"),
                    Style::Twisted,
                    exact_below::<1024>,
                    no_time,
                )
            },
        ),
        (
            "go",
            Server {
                dotfiles: true,
                marks_dirs: false,
                ..server(page!("gofileserver.html"), Style::Go, nothing, no_time)
            },
        ),
    ]
}

/// The kind a server's page gives an entry: mini_httpd marks no directory, Go none reached
/// through a symbolic link.
fn kind(server: &Server, e: &Served) -> Kind {
    let unmarked = match server.style {
        Style::MiniHttpd => true,
        Style::Go => e.link,
        _ => false,
    };
    match e.dir && !unmarked {
        true => Kind::Dir,
        false => Kind::File,
    }
}

#[test]
fn every_entry_as_the_page_shows_it() {
    for (what, server) in servers() {
        let index = parse(server.html, PAGE);
        assert_eq!(index.style, server.style, "{what}");
        assert_eq!(index.ignored, Vec::<String>::new(), "{what}");
        assert_eq!(index.marks_dirs, server.marks_dirs, "{what}");
        let expected: Vec<Served> = served()
            .into_iter()
            .filter(|e| (server.dotfiles || !e.dot) && (server.links || !e.link))
            .collect();
        let mut listed: Vec<&str> = index.entries.iter().map(|e| e.name.as_str()).collect();
        listed.sort();
        let names: Vec<&str> = expected.iter().map(|e| e.name).collect();
        assert_eq!(listed, names, "{what}");
        for e in &expected {
            check(what, &server, &index, e);
        }
    }
}

fn check(what: &str, server: &Server, index: &Index, e: &Served) {
    let entry = index.entries.iter().find(|x| x.name == e.name).unwrap();
    let kind = kind(server, e);
    assert_eq!(entry.kind, kind, "{what}: {}", e.name);
    let shown = match (kind, server.style) {
        // mini_httpd's directories are files to the page, of 4096 bytes (and a link 6).
        (Kind::File, Style::MiniHttpd) if e.dir && !e.link => Shown::Exact(4096),
        (Kind::File, _) if e.dir => Shown::Nothing,
        (Kind::Dir, _) => Shown::Nothing,
        _ => (server.size)(e),
    };
    let size = (entry.size, entry.size_range);
    match shown {
        Shown::Exact(bytes) => assert_eq!(size, (Some(bytes), None), "{what}: {}", e.name),
        Shown::Nothing => assert_eq!(size, (None, None), "{what}: {}", e.name),
        Shown::Holding(bytes) => {
            let range = entry.size_range;
            let holds = entry.size.is_none() && range.is_some_and(|r| r.contains(bytes));
            assert!(holds, "{what}: {}: {range:?} for {bytes}", e.name);
        }
    }
    assert_eq!(entry.mtime, (server.time)(e.mtime), "{what}: {}", e.name);
}

#[test]
fn empty_directories() {
    let pages = [
        (page!("caddy-empty.html"), Style::Caddy),
        (page!("rclone-empty.html"), Style::Rclone),
        (page!("rclone-L-empty.html"), Style::Rclone),
        (page!("apache-htmltable-empty.html"), Style::Apache),
        (page!("apache-pre-empty.html"), Style::Apache),
        (page!("apache-suppress-empty.html"), Style::Apache),
        (page!("apache-plain-empty.html"), Style::Apache),
        (page!("apache-debian-empty.html"), Style::Apache),
        (page!("nginx-fancyindex-empty.html"), Style::Fancyindex),
        (
            page!("nginx-fancyindex-exact-empty.html"),
            Style::Fancyindex,
        ),
        (
            page!("nginx-fancyindex-iso-dotfiles-empty.html"),
            Style::Fancyindex,
        ),
        (page!("nginx-autoindex-empty.html"), Style::Nginx),
        (page!("nginx-autoindex-exactoff-empty.html"), Style::Nginx),
        (page!("lighttpd-empty.html"), Style::Lighttpd),
        (page!("webfs-empty.html"), Style::Webfs),
        (page!("tree-H-empty.html"), Style::Tree),
        (page!("mini_httpd-empty.html"), Style::MiniHttpd),
        // Twisted's empty table has no row to tell it from Python's: names only either way.
        (page!("twisted-empty.html"), Style::Python),
        // Go's empty page is a bare `<pre></pre>`: nothing to recognize, and nothing listed.
        (page!("gofileserver-empty.html"), Style::Generic),
    ];
    for (html, style) in pages {
        let index = parse(html, EMPTY);
        assert_eq!(
            (index.style, index.entries.len()),
            (style, 0),
            "{html:.300}"
        );
        assert_eq!(index.ignored, Vec::<String>::new(), "{html:.300}");
    }
}

#[test]
fn pages_that_mark_directories_say_so_when_empty_too() {
    let marked = [
        page!("caddy-empty.html"),
        page!("rclone-empty.html"),
        page!("apache-htmltable-empty.html"),
        page!("apache-plain-empty.html"),
        page!("nginx-fancyindex-empty.html"),
        page!("nginx-autoindex-empty.html"),
        page!("lighttpd-empty.html"),
        page!("webfs-empty.html"),
        // No parent link, but tree marks every directory (its full page shows it).
        page!("tree-H-empty.html"),
    ];
    for html in marked {
        assert!(parse(html, EMPTY).marks_dirs, "{html:.300}");
    }
    // mini_httpd does not mark a directory reached through a symbolic link (its full page
    // shows `link-to-subdir` without `/`): a link without one may be either.
    assert!(!parse(page!("mini_httpd-empty.html"), EMPTY).marks_dirs);
}

#[test]
fn rounded_sizes_read_as_shown() {
    let r = |html: &str, name: &str| {
        let index = parse(html, PAGE);
        let entry = index.entries.iter().find(|e| e.name == name).unwrap();
        entry.size_range.map(|r| (r.min, r.max))
    };
    // `1.5 KiB`, `1.5K`, `1.4K` (lighttpd truncates), `5120 kB` (webfs truncates), `5.0M`.
    assert_eq!(
        r(page!("nginx-fancyindex.html"), "1500.bin"),
        Some((1433, 1638))
    );
    assert_eq!(
        r(page!("apache-htmltable.html"), "1500.bin"),
        Some((1433, 1638))
    );
    assert_eq!(r(page!("lighttpd.html"), "1500.bin"), Some((1331, 1536)));
    assert_eq!(
        r(page!("webfs.html"), "5m.bin"),
        Some((5119 << 10, 5121 << 10))
    );
    // Twisted cuts down to whole units: `1K` is 1024 to 2047 bytes.
    assert_eq!(r(page!("twisted.html"), "1500.bin"), Some((1024, 2047)));
    assert_eq!(
        r(page!("twisted.html"), "5m.bin"),
        Some((5 << 20, (6 << 20) - 1))
    );
    assert_eq!(
        r(page!("tree-H-h.html"), "5m.bin"),
        Some((5_138_022, 5_347_737))
    );
}

#[test]
fn recent_ls_dates_get_their_year_from_now() {
    // `Dec 03 08:09` (webfs) and `Dec  3 08:09` (tree): the last 2026-12-03 before now.
    let expected = local_minute(at(2026, 12, 3, 8, 9, 0));
    for html in [page!("probe/webfs.html"), page!("probe/tree-H.html")] {
        let index = parse(html, "http://127.0.0.1:18080/probe/");
        let recent = index
            .entries
            .iter()
            .find(|e| e.name == "recent.txt")
            .unwrap();
        assert_eq!(recent.mtime, expected, "{html:.100}");
    }
    // A month later it is still 2026; in November 2026 it was 2025.
    let html = page!("probe/webfs.html");
    let url = url::Url::parse("http://127.0.0.1:18080/probe/").unwrap();
    let year = |now: NaiveDateTime| {
        let index = crate::http::index::parse_index(html, &url, now);
        let recent = index
            .entries
            .iter()
            .find(|e| e.name == "recent.txt")
            .unwrap();
        recent.mtime.map(|m| m.time.year())
    };
    assert_eq!(year(at(2027, 1, 4, 0, 0, 0)), Some(2026));
    assert_eq!(year(at(2026, 11, 4, 0, 0, 0)), Some(2025));
    // Clock skew: a day ahead of now is still this year.
    assert_eq!(year(at(2026, 12, 2, 9, 0, 0)), Some(2026));
}

/// A server's root page has no parent link (rclone's `..` has no `/`): with nothing but files
/// on it, only the style tells that a link without `/` is a file.
#[test]
fn server_roots_mark_directories_by_their_style() {
    let roots = [
        (page!("apache-htmltable-root.html"), Style::Apache),
        (page!("caddy-root.html"), Style::Caddy),
        (page!("rclone-root.html"), Style::Rclone),
    ];
    for (html, style) in roots {
        let index = parse(html, "http://127.0.0.1:18091/");
        assert_eq!(
            (index.style, index.marks_dirs),
            (style, true),
            "{html:.300}"
        );
        let names: Vec<_> = index
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.kind.clone()))
            .collect();
        assert_eq!(names, [("f.txt", Kind::File)], "{html:.300}");
    }
}
