//! lighttpd's `mod_dirlisting`: a table with classed cells, `<td class="n"><a href="x/">x</a>/
//! </td><td class="m">2024-Jan-16 11:14:30</td><td class="s">- &nbsp;</td><td class="t">
//! Directory</td>`.
//!
//! Times have seconds. Sizes are always rounded, even for tiny files (`0.1K`, `0.0K` for an empty
//! one), so lighttpd never gives an exact size. A directory's `/` is outside its link.

use super::fields::{self, Meta};
use super::layout::{Page, Row};

/// lighttpd's name cells: `<td class="n">`.
pub(super) fn recognize(page: &Page) -> bool {
    page.name_cells
}

pub(super) fn meta(row: &Row, i: usize) -> Meta {
    let after = row.after(i).trim_start();
    fields::dated_columns(after.strip_prefix('/').unwrap_or(after))
}
