//! Apache httpd's `mod_autoindex`, in its three layouts:
//!
//! - `FancyIndexing HTMLTable` (Debian's default): a table row per entry, `<td><a href="x">x</a>
//!   </td><td align="right">2024-01-16 11:14  </td><td align="right">1.2K</td>`;
//! - `FancyIndexing` alone: `<pre>` lines, `<img> <a href="x">x</a>   2024-01-16 11:14  1.2K`,
//!   the name cut to 23 characters with `..>` (the href is complete);
//! - neither: `<ul><li><a href="x"> x</a></li>`, names only.
//!
//! Apache 2.4 prints `YYYY-MM-DD HH:MM`, 2.2 and older `DD-Mon-YYYY HH:MM`. Sizes up to 972
//! bytes are byte counts, larger ones rounded (`1.0K` from 973 bytes, `5.0M`). With `IconsAreLinks` the icon links to
//! the entry too, before the name link: the same href twice.

use super::fields::{self, Meta};
use super::layout::{Page, Row};

/// An `Index of ...` page with Apache's sort links (`?C=N;O=D`; Apache 1.3 wrote `?N=D`), its
/// `Parent Directory` link, or its `<ul>` layout (nginx always uses `<pre>`).
pub(super) fn recognize(page: &Page) -> bool {
    if !page.title.trim_start().starts_with("Index of ") {
        return false;
    }
    let apache_link = page.rows.iter().any(|row| {
        row.links.iter().enumerate().any(|(i, link)| {
            link.href.starts_with("?C=")
                || link.href.starts_with("?N=")
                || row.link_text(i).trim() == "Parent Directory"
        })
    });
    apache_link || !page.pre
}

pub(super) fn meta(row: &Row, i: usize) -> Meta {
    fields::dated_columns(row.after(i))
}
