//! `rclone serve http`'s index, from a template derived from Caddy's: the same table, parent link
//! (`<span class="goup">`) and sort links, but no footer, `<span class="name"><a
//! href="x">x</a></span>`, `<td data-order="1500"><size>1500</size></td>` (a script turns the
//! byte count into `1.46 KiB` in a browser only) and `<time datetime="2024-01-16 11:14:30
//! &#43;0000 UTC">`: Go's `time.Time.String()`, offset included. Per rclone's
//! `lib/http/templates/index.html` and the capture in `tests/fixtures/index/README.md`.
//!
//! Without `-L` rclone leaves symbolic links out (and logs it); with it they show as what they
//! point to. Dot-files are listed.

use super::caddy;
use super::fields::{self, Meta};
use super::layout::{Page, Row};

/// Caddy's parent link, on a page that is not Caddy's (which is recognized first).
pub(super) fn recognize(page: &Page) -> bool {
    page.go_up
}

pub(super) fn meta(row: &Row) -> Meta {
    let mtime = row.datetime.as_deref().and_then(fields::go_time);
    Meta::new(caddy::exact_size(row), mtime)
}
