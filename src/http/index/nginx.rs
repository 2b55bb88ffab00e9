//! nginx's `autoindex` (HTML format): one `<pre>` block, a `../` link, then
//! `<a href="x">x</a>   16-Jan-2024 11:14   1234` per entry.
//!
//! The size is a byte count with `autoindex_exact_size on` (the default); with `off` it is
//! rounded (`5M`, `12K`) from 10000 bytes up. Directories show `-`. The time is UTC unless
//! `autoindex_localtime on`. The displayed name is cut to 50 characters with `..>`: the href is
//! the truth. nginx never lists dot-files.

use super::fields::{self, Meta};
use super::layout::{Page, Row};

/// An `Index of ...` page in a `<pre>` block (after Apache was ruled out).
pub(super) fn recognize(page: &Page) -> bool {
    page.title.trim_start().starts_with("Index of ") && page.pre
}

pub(super) fn meta(row: &Row, i: usize) -> Meta {
    fields::dated_columns(row.after(i))
}
