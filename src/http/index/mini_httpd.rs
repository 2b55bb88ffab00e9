//! mini_httpd's index (ACME Labs): `<title>Index of pub/</title>` and one `<pre>` of
//! `<a href="1500.bin">1500.bin                        </a>    16Jan2024 11:14           1500`,
//! the name padded inside the link, then `%d%b%Y %H:%M` (server-local, minutes) and the size.
//!
//! It lists `.` and `..` (the page and its parent) and dot-files, and links a directory like a
//! file, without a `/`: the page marks no directory. Dates and sizes are `lstat`'s: a symbolic
//! link shows its own time and the length of the path it holds (`6` for `link-to-1k`, served as
//! the 1024 bytes it points to), a directory 4096; so only sizes no link can show are read
//! ([`fields::lstat_size`]). Facts from the captures of mini_httpd 1.30 in
//! `tests/fixtures/index/README.md`.

use super::fields::{self, Meta};
use super::layout::{Page, Row};

/// The footer's link to its home page, shown as `mini_httpd/1.30 26Oct2018`.
pub(super) fn recognize(page: &Page) -> bool {
    page.rows.iter().any(|row| {
        (0..row.links.len()).any(|i| row.link_text(i).trim_start().starts_with("mini_httpd/"))
    })
}

/// `DDMonYYYY HH:MM SIZE`.
pub(super) fn meta(row: &Row, i: usize) -> Meta {
    let words: Vec<&str> = row.after(i).split_whitespace().collect();
    let [date, time, size] = words.as_slice() else {
        return Meta::default();
    };
    let mtime = fields::compact_date(date)
        .zip(fields::clock(time))
        .and_then(|(date, clock)| fields::local(date, clock));
    Meta::new(fields::size(size).and_then(fields::lstat_size), mtime)
}
