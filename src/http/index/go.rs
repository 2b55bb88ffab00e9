//! Go's `net/http.FileServer`: a bare `<pre>` of `<a href="x">x</a>` lines, names only (Go 1.21
//! and later put a doctype and a viewport `<meta>` before it). No title, no parent link.
//!
//! A directory's link ends in `/`, but the names come from `Readdir`, which does not follow
//! symbolic links: a link to a directory has none (`link-to-subdir`). So the page cannot be
//! trusted to mark directories. Facts from the capture of Go 1.19's in
//! `tests/fixtures/index/README.md`.

use super::layout::Page;

/// No title, a `<pre>`, and rows that hold one link and nothing else.
pub(super) fn recognize(page: &Page) -> bool {
    page.title.is_empty()
        && page.pre
        && !page.rows.is_empty()
        && page
            .rows
            .iter()
            .all(|row| row.links.len() == 1 && row.text.trim() == row.link_text(0).trim())
}
