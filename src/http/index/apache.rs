//! Apache httpd's `mod_autoindex`, in its three layouts:
//!
//! - `FancyIndexing HTMLTable` (Debian's default): a table row per entry, `<td><a href="x">x</a>
//!   </td><td align="right">2024-01-16 11:14  </td><td align="right">1.2K</td>`;
//! - `FancyIndexing` alone: `<pre>` lines, `<img> <a href="x">x</a>   2024-01-16 11:14  1.2K`,
//!   the name cut to 23 characters with `..>` (the href is complete);
//! - neither: `<ul><li><a href="x"> x</a></li>`, names only.
//!
//! Apache 2.4 prints `YYYY-MM-DD HH:MM`, 2.2 and older `DD-Mon-YYYY HH:MM`. Sizes up to 972
//! bytes are byte counts, larger ones rounded to the nearest (`1.0K` from 973 bytes, `1.5K`,
//! `10K`, `5.0M`). With `IconsAreLinks` the icon links to the entry too, before the name link:
//! the same href twice. `SuppressHTMLPreamble` with a `HeaderName` file gives the page that
//! file's title instead of `Index of`.

use super::fields::{self, Meta};
use super::layout::{Page, Row};

/// Apache's sort links (`?C=N;O=D`; Apache 1.3 wrote `?N=D`), which stay when
/// `SuppressHTMLPreamble` and a custom `HeaderName` replace the `Index of` title; or an `Index
/// of ...` page with its `Parent Directory` link or its `<ul>` layout (nginx always uses `<pre>`).
pub(super) fn recognize(page: &Page) -> bool {
    let links = || {
        page.rows
            .iter()
            .flat_map(|row| (0..row.links.len()).map(move |i| (row, i)))
    };
    if links().any(|(row, i)| sort_link(&row.links[i].href)) {
        return true;
    }
    let parent = links().any(|(row, i)| row.link_text(i).trim() == "Parent Directory");
    page.title.trim_start().starts_with("Index of ") && (parent || !page.pre)
}

/// `?C=N;O=D` (column `N`, `M`, `S` or `D`; order `A` or `D`), `?N=D`, `?M=A` and the like.
fn sort_link(href: &str) -> bool {
    let column = |c: u8| matches!(c, b'N' | b'M' | b'S' | b'D');
    let order = |c: u8| matches!(c, b'A' | b'D');
    match href.as_bytes() {
        [b'?', b'C', b'=', c, b';', b'O', b'=', o, ..] => column(*c) && order(*o),
        [b'?', c, b'=', o] => column(*c) && order(*o),
        _ => false,
    }
}

pub(super) fn meta(row: &Row, i: usize) -> Meta {
    fields::dated_columns(row.after(i))
}
