//! Index pages captured from real servers (`tests/fixtures/index/README.md` tells how), hostile
//! links, and inputs meant to break the scanner.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use url::Url;

mod captured;
mod reconstructed;
mod sizes;

use super::html::{decode_entities, Token, Tokens};
use super::{parse_index, Index, Style};
use crate::remote::tree::{Entry, Kind, Mtime, Precision, SizeRange, Zone};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../tests/fixtures/index/", $name))
    };
}

/// The captured tree (`/pub/` on every server), dot-files aside: directories, then files.
const DIRS: [&str; 3] = ["empty dir", "link-to-subdir", "subdir"];
const FILES: [&str; 20] = [
    "100%.txt",
    "1k.bin",
    "5m.bin",
    "[x].txt",
    "a%2Fb.txt",
    "a&b.txt",
    "a<b>.txt",
    "empty.txt",
    "exact-1234.bin",
    "hash#name.txt",
    "héllo wörld.txt",
    "it's \"quoted\".txt",
    "link-to-1k",
    "old.txt",
    "plus+sign.txt",
    "semi;colon.txt",
    "this-is-a-very-long-file-name-that-nginx-will-truncate-in-its-listing.txt",
    "what?.txt",
    "with space.txt",
    "日本語.txt",
];

/// When the pages of the second capture were taken (2026-12-04, UTC): `now` for their dates
/// without a year.
fn captured_at() -> NaiveDateTime {
    let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    day.and_hms_opt(9, 51, 0).unwrap()
}

fn parse(html: &str, page: &str) -> Index {
    parse_index(html, &Url::parse(page).unwrap(), captured_at())
}

fn entry<'i>(index: &'i Index, name: &str) -> &'i Entry {
    let found = index.entries.iter().find(|entry| entry.name == name);
    found.unwrap_or_else(|| panic!("{name:?} not listed"))
}

/// The names listed, sorted, with `/` after directories.
fn names(index: &Index) -> Vec<String> {
    let mut names: Vec<String> = index
        .entries
        .iter()
        .map(|entry| match entry.kind {
            Kind::Dir => format!("{}/", entry.name),
            _ => entry.name.clone(),
        })
        .collect();
    names.sort();
    names
}

/// The captured tree's names in the form of [`names`], with `extra` files.
fn tree(extra: &[&str]) -> Vec<String> {
    let dirs = DIRS.iter().map(|dir| format!("{dir}/"));
    let files = FILES.iter().chain(extra).map(|file| file.to_string());
    let mut names: Vec<String> = dirs.chain(files).collect();
    names.sort();
    names
}

fn local(date: (i32, u32, u32), time: (u32, u32, u32), precision: Precision) -> Option<Mtime> {
    let day = NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
    Some(Mtime {
        time: day.and_hms_opt(time.0, time.1, time.2).unwrap(),
        precision,
        zone: Zone::ServerLocal,
    })
}

/// Checks a whole captured page: style, every name and kind, nothing refused.
fn captured(html: &str, page: &str, style: Style, expected: Vec<String>) -> Index {
    let index = parse(html, page);
    assert_eq!(index.style, style);
    assert_eq!(names(&index), expected);
    assert_eq!(index.ignored, Vec::<String>::new());
    index
}

#[test]
fn nginx_exact_sizes() {
    let page = "http://127.0.0.1:18181/pub/";
    let index = captured(fixture!("nginx-exact.html"), page, Style::Nginx, tree(&[]));
    let minute = |date| local(date, (11, 14, 0), Precision::Minute);
    let big = entry(&index, "5m.bin");
    assert_eq!(
        (big.size, big.mtime),
        (Some(5_242_880), minute((2024, 1, 16)))
    );
    assert_eq!(entry(&index, "empty.txt").size, Some(0));
    assert_eq!(entry(&index, "exact-1234.bin").size, Some(1234));
    let old = entry(&index, "old.txt");
    let old_time = local((2001, 2, 3), (4, 5, 0), Precision::Minute);
    assert_eq!((old.size, old.mtime), (Some(4), old_time));
    let dir = entry(&index, "empty dir");
    assert_eq!((dir.size, dir.mtime), (None, minute((2024, 1, 16))));
    // The link to a directory is a directory; the link to a file is the file's size.
    assert_eq!(entry(&index, "link-to-subdir").kind, Kind::Dir);
    assert_eq!(entry(&index, "link-to-1k").size, Some(1024));
}

#[test]
fn nginx_approximate_sizes() {
    let page = "http://127.0.0.1:18182/pub/";
    let index = captured(fixture!("nginx-approx.html"), page, Style::Nginx, tree(&[]));
    // `5M` is rounded; below 10000 bytes nginx still prints the byte count.
    assert_eq!(entry(&index, "5m.bin").size, None);
    let range = entry(&index, "5m.bin").size_range.unwrap();
    assert_eq!((range.min, range.max), (4 << 20, 6 << 20));
    assert_eq!(entry(&index, "exact-1234.bin").size, Some(1234));
    assert_eq!(entry(&index, "1k.bin").size, Some(1024));
}

#[test]
fn nginx_local_time() {
    // Captured with TZ=Asia/Kolkata (+05:30) and `autoindex_localtime on`.
    let page = "http://127.0.0.1:18183/pub/";
    let index = captured(
        fixture!("nginx-localtime.html"),
        page,
        Style::Nginx,
        tree(&[]),
    );
    let time = local((2001, 2, 3), (9, 35, 0), Precision::Minute);
    assert_eq!(entry(&index, "old.txt").mtime, time);
}

#[test]
fn apache_table() {
    let page = "http://127.0.0.1:18185/pub/";
    let index = captured(
        fixture!("apache-table.html"),
        page,
        Style::Apache,
        tree(&[]),
    );
    let old = entry(&index, "old.txt");
    let old_time = local((2001, 2, 3), (4, 5, 0), Precision::Minute);
    assert_eq!((old.size, old.mtime), (Some(4), old_time));
    assert_eq!(entry(&index, "empty.txt").size, Some(0));
    for rounded in ["1k.bin", "5m.bin", "exact-1234.bin"] {
        assert_eq!(entry(&index, rounded).size, None, "{rounded}");
    }
    let time = local((2024, 1, 16), (11, 14, 0), Precision::Minute);
    assert_eq!(entry(&index, "5m.bin").mtime, time);
}

#[test]
fn apache_pre() {
    // Apache fetched as `/pub` (it titles the page `Index of /pub`): same result.
    for page in ["http://127.0.0.1:18185/pub/", "http://127.0.0.1:18185/pub"] {
        let index = captured(fixture!("apache-pre.html"), page, Style::Apache, tree(&[]));
        let time = local((2001, 2, 3), (4, 5, 0), Precision::Minute);
        assert_eq!(entry(&index, "old.txt").mtime, time);
        assert_eq!(entry(&index, "old.txt").size, Some(4));
        assert_eq!(entry(&index, "1k.bin").size, None);
        // Displayed as `this-is-a-very-long-..>`: the href is the name.
        let long = FILES[16];
        assert_eq!(entry(&index, long).size, Some(3));
    }
}

#[test]
fn apache_pre_icons_are_links() {
    // The icon links to the entry before the name does; the row's columns still count.
    let page = "http://127.0.0.1:18185/pub/";
    let html = fixture!("apache-pre-iconlinks.html");
    let index = captured(html, page, Style::Apache, tree(&[]));
    assert_eq!(index.entries.len(), DIRS.len() + FILES.len());
    assert_eq!(entry(&index, "old.txt").size, Some(4));
    let time = local((2001, 2, 3), (4, 5, 0), Precision::Minute);
    assert_eq!(entry(&index, "old.txt").mtime, time);
}

#[test]
fn apache_list() {
    let page = "http://127.0.0.1:18185/pub/";
    let index = captured(fixture!("apache-list.html"), page, Style::Apache, tree(&[]));
    assert!(index
        .entries
        .iter()
        .all(|e| e.size.is_none() && e.mtime.is_none()));
}

#[test]
fn lighttpd() {
    let page = "http://127.0.0.1:18186/pub/";
    let index = captured(fixture!("lighttpd.html"), page, Style::Lighttpd, tree(&[]));
    // lighttpd rounds every size, even 0 bytes (`0.0K`).
    assert!(index.entries.iter().all(|entry| entry.size.is_none()));
    let old_time = local((2001, 2, 3), (4, 5, 6), Precision::Second);
    assert_eq!(entry(&index, "old.txt").mtime, old_time);
    let dir_time = local((2024, 1, 16), (11, 14, 30), Precision::Second);
    assert_eq!(entry(&index, "empty dir").mtime, dir_time);
}

#[test]
fn python() {
    let page = "http://127.0.0.1:18184/pub/";
    let index = captured(
        fixture!("python.html"),
        page,
        Style::Python,
        tree(&[".hidden"]),
    );
    assert!(index
        .entries
        .iter()
        .all(|e| e.size.is_none() && e.mtime.is_none()));
    // Shown as `link-to-subdir@`; the href ends in `/`.
    assert_eq!(entry(&index, "link-to-subdir").kind, Kind::Dir);
    assert_eq!(entry(&index, "link-to-1k").kind, Kind::File);
}

#[test]
fn empty_directories() {
    let pages = [
        (fixture!("nginx-empty.html"), Style::Nginx),
        (fixture!("apache-empty.html"), Style::Apache),
        (fixture!("lighttpd-empty.html"), Style::Lighttpd),
        (fixture!("python-empty.html"), Style::Python),
    ];
    for (html, style) in pages {
        let index = captured(html, "http://127.0.0.1:1/pub/empty%20dir/", style, vec![]);
        assert!(index.entries.is_empty());
    }
}

#[test]
fn iis_long_dates() {
    let page = "http://files.example.net/pub/";
    let expected = [
        "5m.bin",
        "DUPLICATE/",
        "PUBLIC_DISPATCHIS_202111081435_0000000352251582.zip",
        "empty.txt",
        "old.txt",
    ];
    let expected = expected.map(String::from).to_vec();
    let index = captured(fixture!("iis-longdate.html"), page, Style::Iis, expected);
    let minute = Precision::Minute;
    let dir = entry(&index, "DUPLICATE");
    assert_eq!(
        (dir.size, dir.mtime),
        (None, local((2019, 2, 11), (16, 31, 0), minute))
    );
    let zip = entry(
        &index,
        "PUBLIC_DISPATCHIS_202111081435_0000000352251582.zip",
    );
    assert_eq!(
        (zip.size, zip.mtime),
        (Some(18166), local((2021, 11, 8), (14, 30, 0), minute))
    );
    // 12:05 AM is after midnight, 12:40 PM after noon.
    assert_eq!(
        entry(&index, "old.txt").mtime,
        local((2001, 2, 3), (0, 5, 0), minute)
    );
    assert_eq!(
        entry(&index, "5m.bin").mtime,
        local((2021, 12, 25), (12, 40, 0), minute)
    );
    assert_eq!(entry(&index, "empty.txt").size, Some(0));
}

#[test]
fn iis_short_dates() {
    let page = "http://files.example.net/pub/";
    let expected = [
        "Cursors/",
        "Default.ini",
        "a.ini",
        "big.bin",
        "cindex.bat",
        "folders.sync",
    ];
    let expected = expected.map(String::from).to_vec();
    let index = captured(fixture!("iis-shortdate.html"), page, Style::Iis, expected);
    let minute = Precision::Minute;
    assert_eq!(
        entry(&index, "Cursors").mtime,
        local((2024, 2, 29), (14, 37, 0), minute)
    );
    let ini = entry(&index, "Default.ini");
    assert_eq!(
        (ini.size, ini.mtime),
        (Some(1649), local((1999, 11, 19), (11, 15, 0), minute))
    );
    assert_eq!(
        entry(&index, "a.ini").mtime,
        local((2024, 2, 29), (0, 30, 0), minute)
    );
    assert_eq!(entry(&index, "big.bin").size, Some(1234));
}

#[test]
fn apache_older_layouts() {
    // Apache 2.2 and older print `DD-Mon-YYYY HH:MM` (as lftp's `try_apache_listing` reads);
    // `SuppressLastModified` leaves the size alone after the name.
    let html = concat!(
        "<title>Index of /pub</title><pre><a href=\"?N=D\">Name</a>\n",
        "<img alt=\"[TXT]\"> <a href=\"README\">README</a>     16-Jan-2024 11:14  1.2K  \n",
        "<img alt=\"[TXT]\"> <a href=\"x.txt\">x.txt</a>      03-Feb-2001 04:05  523  \n",
        "<img alt=\"[TXT]\"> <a href=\"y.txt\">y.txt</a>      77  \n",
        "</pre>",
    );
    let index = parse(html, "http://h/pub/");
    assert_eq!(index.style, Style::Apache);
    let readme = entry(&index, "README");
    let time = local((2024, 1, 16), (11, 14, 0), Precision::Minute);
    assert_eq!((readme.size, readme.mtime), (None, time));
    assert_eq!(entry(&index, "x.txt").size, Some(523));
    assert_eq!(
        (entry(&index, "y.txt").size, entry(&index, "y.txt").mtime),
        (Some(77), None)
    );
}

/// The range a rounded size stands for; `None` for anything else.
fn range(words: &str) -> Option<SizeRange> {
    let words: Vec<&str> = words.split_whitespace().collect();
    match super::fields::size_words(&words) {
        Some(super::fields::Size::Rounded(range)) => Some(range),
        _ => None,
    }
}

#[test]
fn rounded_sizes_stand_for_a_range() {
    let r = |min, max| Some(SizeRange { min, max });
    // One step of the last digit either side: 1.5K is 1.4K..1.6K.
    assert_eq!(range("1.5K"), r(1433, 1638));
    assert_eq!(range("20K"), r(19 << 10, 21 << 10));
    assert_eq!(range("0.0K"), r(0, 102));
    assert_eq!(range("0.1K"), r(0, 204));
    assert_eq!(range("5m"), r(4 << 20, 6 << 20));
    assert_eq!(range("3G"), r(2 << 30, 4 << 30));
    assert!(range("1.5K").unwrap().contains(1500));
    // Units apart from the number, with B or iB, in any case, all counted in 1024s.
    assert_eq!(range("1.5 KiB"), r(1433, 1638));
    assert_eq!(range("9 kB"), r(8 << 10, 10 << 10));
    assert_eq!(range("1.4 kb"), r(1331, 1536));
    assert_eq!(range("1024.0 KiB"), r(1_048_473, 1_048_678));
    assert_eq!(range("10 MB"), r(9 << 20, 11 << 20));
    assert_eq!(range("5.0 GiB"), r(5261334937, 5476083302));
    assert_eq!(range("1234"), None);
    assert_eq!(range("3 B"), None);
    assert_eq!(range("K"), None);
    assert_eq!(range("1.5 KB B"), None);
    assert_eq!(range("99999999999999999999T"), None);
}

#[test]
fn size_columns() {
    use super::fields::{size, size_words, Size};
    let cases = [
        ("1234", Some(Size::Exact(1234))),
        ("1,234,567", Some(Size::Exact(1_234_567))),
        ("0", Some(Size::Exact(0))),
        ("-", Some(Size::NotAFile)),
        ("<dir>", Some(Size::NotAFile)),
        (",1", None),
        ("1,", None),
        ("1,,2", None),
        ("1.K", None),
        ("1.2345K", None),
        ("K", None),
        ("+5", None),
        ("1.5é", None),
        ("99999999999999999999999", None),
        ("text/plain", None),
    ];
    for (text, expected) in cases {
        assert_eq!(size(text), expected, "{text:?}");
    }
    for rounded in ["1.2K", "12M", "0.0K", "1.5KiB"] {
        assert!(matches!(size(rounded), Some(Size::Rounded(_))), "{rounded}");
    }
    let apart = [
        ("3 B", Some(Size::Exact(3))),
        ("1500 B", Some(Size::Exact(1500))),
        ("0 b", Some(Size::Exact(0))),
        ("1.5 B", None),
        ("3 X", None),
        ("3 KiBi", None),
        ("3 é", None),
        ("- B", None),
    ];
    for (text, expected) in apart {
        let words: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(size_words(&words), expected, "{text:?}");
    }
}

#[test]
fn pages_that_mark_directories_with_a_slash_say_so() {
    let empty = "http://h/pub/empty%20dir/";
    for (page, url, marks) in [
        (fixture!("nginx-exact.html"), "http://h/pub/", true),
        (fixture!("nginx-empty.html"), empty, true),
        (fixture!("apache-table.html"), "http://h/pub/", true),
        (fixture!("apache-empty.html"), empty, true),
        (fixture!("lighttpd-empty.html"), empty, true),
        (fixture!("iis-shortdate.html"), "http://h/pub/", true),
        (fixture!("python-empty.html"), empty, true),
        (fixture!("mini_httpd.html"), "http://h/pub/", false),
    ] {
        let index = parse(page, url);
        assert_eq!(index.marks_dirs, marks, "{page:.200}");
    }
    // At the server's root nginx's `../` is the page itself, and still marks.
    assert!(parse(fixture!("nginx-exact.html"), "http://h/").marks_dirs);
    // mini_httpd links directories like files: every one is an entry of unknown kind.
    let index = parse(fixture!("mini_httpd.html"), "http://127.0.0.1:8099/pub/");
    let names: Vec<_> = index.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["empty dir", "file.txt", "subdir"]);
}

#[test]
fn serialized_names() {
    let index = parse(fixture!("nginx-empty.html"), "http://h/pub/empty%20dir/");
    let json = serde_json::to_value(&index).unwrap();
    let expected = serde_json::json!({"style": "nginx", "entries": [], "ignored": []});
    assert_eq!(json, expected);
}

/// How the page `http://host.example/pub/dir/` treats one link.
#[derive(Debug, PartialEq)]
enum Seen {
    Entry(&'static str, bool),
    Silent,
    Ignored(&'static str),
}

#[test]
fn hostile_links() {
    use Seen::*;
    let cases: &[(&str, Seen)] = &[
        ("../", Silent),
        ("..", Silent),
        ("/", Silent),
        ("/pub/", Silent),
        (".", Silent),
        ("./", Silent),
        ("%2e%2e/", Silent),
        (".%2E/", Silent),
        ("?C=M;O=A", Silent),
        ("?N=D", Silent),
        ("#top", Silent),
        ("", Silent),
        ("file:///etc/passwd", Silent),
        ("javascript:x", Silent),
        ("JavaScript:alert(1)", Silent),
        ("mailto:root@host.example", Silent),
        ("data:text/plain,x", Silent),
        ("ftp://host.example/pub/dir/x", Silent),
        // Another host is a page's chrome (a footer, a home page), never an entry.
        ("//other.host/x", Silent),
        ("http://other/x", Silent),
        ("https://caddyserver.com", Silent),
        ("http://other/pub/dir/x", Silent),
        // This host on another scheme or port: an entry's link only if it names a child.
        (
            "https://host.example/pub/dir/x",
            Ignored("is on another scheme or port"),
        ),
        (
            "http://host.example:8080/pub/dir/x",
            Ignored("is on another scheme or port"),
        ),
        ("http://host.example:8080/", Silent),
        ("https://host.example/pub/elsewhere/x", Silent),
        ("http://[::1/x", Ignored("is not a valid URL")),
        ("../x", Ignored("leaves the directory")),
        ("/etc/passwd", Ignored("leaves the directory")),
        ("/pub/dirx", Ignored("leaves the directory")),
        ("sub/deeper", Ignored("is not a direct child")),
        ("a\\b", Ignored("is not a direct child")),
        ("x//", Ignored("is not a direct child")),
        ("x?y", Ignored("has a query")),
        ("%2F", Ignored("holds a path separator")),
        ("a%2Fb", Ignored("holds a path separator")),
        ("..%2F", Ignored("holds a path separator")),
        ("a%5Cb", Ignored("holds a path separator")),
        ("%2e%2e%2F", Ignored("holds a path separator")),
        ("a%0Ab", Ignored("holds a control character")),
        ("%00", Ignored("holds a control character")),
        ("%ff", Ignored("is not UTF-8 once decoded")),
        ("a&amp;b", Entry("a&b", false)),
        ("a&#38;c&#x26;d", Entry("a&c&d", false)),
        ("x#frag", Entry("x", false)),
        ("./dot", Entry("dot", false)),
        (" spaced.txt ", Entry("spaced.txt", false)),
        ("http://HOST.example:80/pub/dir/abs", Entry("abs", false)),
        ("/pub/dir/rooted/", Entry("rooted", true)),
        ("%2e%2e%2e", Entry("...", false)),
        ("100%", Entry("100%", false)),
        ("sub/", Entry("sub", true)),
    ];
    let page = "http://host.example/pub/dir/";
    for (href, seen) in cases {
        let html = format!("<a href='{href}'>x</a>");
        let index = parse(&html, page);
        let got = match (index.entries.as_slice(), index.ignored.as_slice()) {
            ([], []) => Silent,
            ([entry], []) => match seen {
                Entry(name, dir) if entry.name == *name && (entry.kind == Kind::Dir) == *dir => {
                    Entry(name, *dir)
                }
                _ => panic!("{href:?}: listed as {entry:?}"),
            },
            ([], [why]) => match seen {
                Ignored(reason) if why.ends_with(reason) => Ignored(reason),
                _ => panic!("{href:?}: ignored as {why:?}"),
            },
            _ => panic!("{href:?}: {index:?}"),
        };
        assert_eq!(&got, seen, "{href:?}");
    }
}

#[test]
fn ignored_lines_name_the_href() {
    // Each refusal once; an href holding a control character is shown quoted.
    let html = "<a href=\"../x\">x</a><a href=\"../x\">x</a><a href=\"a&#1;b\">y</a>";
    let index = parse(html, "http://h/pub/");
    let expected = [
        "../x: leaves the directory",
        "\"a\\u{1}b\": holds a control character",
    ];
    assert_eq!(index.ignored, expected);
}

#[test]
fn base_href_is_ignored() {
    let html = r#"<html><head><base href="http://evil/"></head><body>
        <a href="x">x</a> <a href="http://evil/y">y</a></body></html>"#;
    let index = parse(html, "http://host.example/pub/");
    assert_eq!(names(&index), ["x"]);
    assert_eq!(index.ignored, Vec::<String>::new());
}

#[test]
fn first_link_wins() {
    let html = r#"<a href="x/">x</a><a href="x">x</a><a href="y">y</a><a href="y">again</a>"#;
    let index = parse(html, "http://h/pub/");
    assert_eq!(names(&index), ["x/", "y"]);
    assert_eq!(index.style, Style::Generic);
}

#[test]
fn page_without_trailing_slash() {
    let index = parse("<a href=x>x</a><a href=/pub/y>y</a>", "http://h/pub?q=1#f");
    assert_eq!(names(&index), ["x", "y"]);
}

#[test]
fn scanner_reads_tolerant_html() {
    let html = concat!(
        "<!DOCTYPE html><!-- <a href=\"in-comment\"> -->",
        "<A HREF=upper>u</A><a\nhref = 'single' >s</a><a title=\"a > b\" href=\"double\">d</a>",
        "<script>var s = '<a href=\"in-script\">'; if (a<b) {}</script>",
        "<style>a[href=\"in-style\"] {}</style><textarea><a href=\"in-textarea\"></textarea>",
        "<a href=\"it&#39;s\">'</a><a href=it&#x27;s2>'</a><a href=\"&#65;&lt;&gt;&quot;\">e</a>",
        "<a href=\"unclosed",
    );
    let index = parse(html, "http://h/pub/");
    let expected = [
        "A<>\"", "double", "it's", "it's2", "single", "unclosed", "upper",
    ];
    assert_eq!(names(&index), expected);
}

#[test]
fn scanner_tokens() {
    let tokens: Vec<Token> = Tokens::new("a < b<p class=x id='y' hidden>&amp;</P><//x>").collect();
    let attrs = vec![
        ("class".to_string(), "x".to_string()),
        ("id".to_string(), "y".to_string()),
        ("hidden".to_string(), String::new()),
    ];
    let expected = vec![
        Token::Text("a ".into()),
        Token::Text("< b".into()),
        Token::Start {
            name: "p".into(),
            attrs,
        },
        Token::Text("&".into()),
        Token::End { name: "p".into() },
    ];
    assert_eq!(tokens, expected);
}

#[test]
fn entities() {
    let cases = [
        (
            "a&amp;b&lt;&gt;&quot;&apos;&#39;&#x27;&#X41;",
            "a&b<>\"'''A",
        ),
        ("&nbsp;", "\u{a0}"),
        (
            "&#0;&#xD800;&#x110000;&#99999999999;",
            "\u{fffd}\u{fffd}\u{fffd}\u{fffd}",
        ),
        ("&#65", "A"),
        ("&unknown; & &amp &#; &#x;", "&unknown; & &amp &#; &#x;"),
        ("caf&eacute;", "caf&eacute;"),
    ];
    for (text, decoded) in cases {
        assert_eq!(decode_entities(text), decoded, "{text:?}");
    }
}

/// A small deterministic generator: the tests need varied bytes, not good randomness.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn no_panic_on_arbitrary_input() {
    let alphabet: Vec<char> = "<>/=\"'&#;x%.aA- \n\t!?-:0123456789\u{a0}é日\u{0}"
        .chars()
        .collect();
    let mut state = 0x2545_f491_4f6c_dd1d;
    for _ in 0..2000 {
        let len = (xorshift(&mut state) % 200) as usize;
        let html: String = (0..len)
            .map(|_| alphabet[(xorshift(&mut state) % alphabet.len() as u64) as usize])
            .collect();
        for page in ["http://h/pub/", "http://h/"] {
            let _ = parse(&html, page);
        }
    }
}

#[test]
fn no_panic_on_truncated_pages() {
    for html in small_pages() {
        // Every 7th character boundary: all of them make this test slow in debug builds.
        for (at, _) in html.char_indices().step_by(7) {
            let _ = parse(&html[..at], "http://h/pub/");
            let _ = parse(&html[at..], "http://h/pub/");
        }
    }
}

/// A page of each style whose rows are read (Caddy's and rclone's are large, so their rows
/// are taken alone).
fn small_pages() -> Vec<&'static str> {
    macro_rules! second {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/index/2026-12-04/", $name))
        };
    }
    let rows = |html: &'static str| {
        let start = html.find("<tbody>").unwrap_or(0);
        let end = html.find("</tbody>").unwrap_or(html.len());
        &html[start..end]
    };
    vec![
        fixture!("nginx-exact.html"),
        fixture!("apache-table.html"),
        fixture!("lighttpd.html"),
        fixture!("iis-longdate.html"),
        fixture!("iis-ymd.html"),
        fixture!("tomcat.html"),
        fixture!("nexus.html"),
        second!("nginx-fancyindex.html"),
        second!("webfs.html"),
        second!("tree-H-h.html"),
        second!("mini_httpd.html"),
        second!("gofileserver.html"),
        rows(second!("caddy.html")),
        rows(second!("rclone.html")),
    ]
}

#[test]
fn no_panic_on_mutated_pages() {
    // Characters of a real page replaced with ones that matter to the column readers.
    let alphabet: Vec<char> = " <>/&;:.-+[]0123456789KMGBkiZTé\u{a0}".chars().collect();
    let mut state = 0x9e37_79b9_7f4a_7c15;
    for html in small_pages() {
        let chars: Vec<char> = html.chars().collect();
        for _ in 0..40 {
            let mut mutated = chars.clone();
            for _ in 0..(chars.len() / 20).max(1) {
                let at = (xorshift(&mut state) % chars.len().max(1) as u64) as usize;
                let with = alphabet[(xorshift(&mut state) % alphabet.len() as u64) as usize];
                if let Some(c) = mutated.get_mut(at) {
                    *c = with;
                }
            }
            let mutated: String = mutated.into_iter().collect();
            let _ = parse(&mutated, "http://h/pub/");
        }
    }
}

/// A 5 MB page must parse in well under a second (in release builds; debug builds get slack).
fn assert_fast(html: &str, what: &str) -> Index {
    let started = Instant::now();
    let index = parse(html, "http://h/pub/");
    let took = started.elapsed();
    let limit = match cfg!(debug_assertions) {
        true => Duration::from_secs(10),
        false => Duration::from_secs(1),
    };
    assert!(took < limit, "{what}: {took:?}");
    index
}

#[test]
fn large_pages_parse_in_linear_time() {
    let line = "<a href=\"file-NNNNN.bin\">file-NNNNN.bin</a>     16-Jan-2024 11:14     1234\r\n";
    let mut nginx = String::from("<title>Index of /pub/</title><pre><a href=\"../\">../</a>\n");
    for n in 0..(5_000_000 / line.len()) {
        nginx.push_str(&line.replace("NNNNN", &format!("{n:07}")));
    }
    let index = assert_fast(&nginx, "nginx rows");
    assert_eq!(index.style, Style::Nginx);
    assert_eq!(index.entries.len(), 5_000_000 / line.len());
    // Release builds read each of these 5 MB pages in at most 0.2 s; debug builds are about
    // seven times slower, so they get 1 MB pages to keep the suite quick.
    let size = if cfg!(debug_assertions) {
        1_000_000
    } else {
        5_000_000
    };
    let five_mb = |unit: &str| unit.repeat(size / unit.len());
    let hostile = [
        five_mb("<a href=\"../x\">"),
        five_mb("<"),
        five_mb("<!--"),
        five_mb("&#x"),
        five_mb("<a href="),
        five_mb("</"),
        five_mb("<script>"),
        format!("<a href=\"{}\">x</a>", five_mb("x")),
        format!("<pre>{}", five_mb("<a href=y>y</a> ")),
    ];
    for html in &hostile {
        assert_fast(html, &html[..16]);
    }
}
