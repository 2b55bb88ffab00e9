//! nginx's fancyindex module (ngx-fancyindex): a table, `<tr><td class="link"><a
//! href="x">x</a></td><td class="size">1.5 KiB</td><td class="date">2024-Jan-16 11:14</td></tr>`,
//! a `Parent directory/` row, and sort links `?C=N&amp;O=A`.
//!
//! With `fancyindex_exact_size on` (the default) the size is the byte count; off, it is `N B`
//! below 1024 bytes and above always one decimal of a binary unit (`1.5 KiB`, `1024.0 KiB`).
//! Directories show `-`. The date is `fancyindex_time_format` (`%Y-%b-%d %H:%M` by default; an
//! ISO form with seconds reads too) in GMT unless `fancyindex_localtime on`, which the page does
//! not tell, so the time is the server's. With `fancyindex_show_dotfiles on` it also lists `./`
//! and `../`, which are the page and its parent, never entries. Facts from the captures of
//! ngx-fancyindex 0.5.2 in `tests/fixtures/index/README.md`.

use super::fields::{self, Meta};
use super::layout::{Page, Row};

/// fancyindex's sort links: `?C=N&O=A` (Apache's are `?C=N;O=A`).
pub(super) fn recognize(page: &Page) -> bool {
    let sort_link =
        |href: &str| href.len() == 8 && href.starts_with("?C=") && href.get(4..7) == Some("&O=");
    page.rows
        .iter()
        .any(|row| row.links.iter().any(|link| sort_link(&link.href)))
}

/// `SIZE DATE TIME`, the size one word or two.
pub(super) fn meta(row: &Row, i: usize) -> Meta {
    let words: Vec<&str> = row.after(i).split_whitespace().collect();
    let Some((size, [date, time])) = words.split_last_chunk() else {
        return Meta::default();
    };
    let mtime = fields::dashed_date(date)
        .zip(fields::clock(time))
        .and_then(|(date, clock)| fields::local(date, clock));
    Meta::new(fields::size_words(size), mtime)
}
