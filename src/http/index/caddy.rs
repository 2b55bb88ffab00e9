//! Caddy's `file_server browse` (its built-in template): a table row per entry, `<a
//! href="./x">` around an icon and `<span class="name">x</span>`, then
//! `<td data-order="1500">1.5 KiB</td>` and `<td><time datetime="2024-01-16T11:14:30Z">...`.
//!
//! The shown size is rounded (`1.5 KiB`), but the cell's `data-order` (2.6; `data-size` from 2.7)
//! is the byte count, `-1` for a directory; the `datetime` is the modification time in UTC to
//! the second (Caddy 2.6.2 writes it with a leading space). Both per the template
//! `modules/caddyhttp/fileserver/browse.html` and `browsetplcontext.go` (`ModTime(...).UTC()`) of
//! caddyserver/caddy 2.6 to 2.10, and the capture in `tests/fixtures/index/README.md`.
//! Symbolic links are followed: a link shows its target's size. Dot-files are listed.

use super::fields::{self, Meta, Size};
use super::layout::{Page, Row};

/// The template's footer link to `https://caddyserver.com` ("Served with Caddy"), with its
/// parent link (`<span class="goup">`, `"go-up"` from 2.7) or, on a server's root page, which
/// has none, its `<time datetime>` cells.
pub(super) fn recognize(page: &Page) -> bool {
    let served_with = |href: &str| {
        let rest = href
            .strip_prefix("https://")
            .or(href.strip_prefix("http://"));
        rest.is_some_and(|host| host.trim_end_matches('/') == "caddyserver.com")
    };
    let timed = page.rows.iter().any(|row| row.datetime.is_some());
    (page.go_up || timed)
        && page
            .rows
            .iter()
            .any(|row| row.links.iter().any(|link| served_with(&link.href)))
}

pub(super) fn meta(row: &Row) -> Meta {
    let mtime = row.datetime.as_deref().and_then(fields::iso_utc);
    Meta::new(exact_size(row), mtime)
}

/// The byte count in a row's `data-order` (or `data-size`); a directory's `-1` is none.
pub(super) fn exact_size(row: &Row) -> Option<Size> {
    let attr = row.size_attr.as_deref()?;
    let digits = !attr.is_empty() && attr.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| attr.parse().ok().map(Size::Exact)).flatten()
}
