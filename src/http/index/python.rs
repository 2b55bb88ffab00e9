//! Python's `http.server` (and Python 2's `SimpleHTTPServer`): `<title>Directory listing for
//! /pub/</title>` and `<ul><li><a href="x">x</a></li>`, names only.
//!
//! It lists dot-files. A symbolic link shows `@` after its text (`link@`), not in its href, and a
//! link to a directory has an href ending in `/`: over HTTP a link serves its target, so it is
//! listed as what the href says.

use super::layout::Page;

pub(super) fn recognize(page: &Page) -> bool {
    page.title
        .trim_start()
        .starts_with("Directory listing for ")
}
