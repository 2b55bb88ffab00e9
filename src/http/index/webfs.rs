//! webfs (webfsd): one `<pre>` of `ls -l`-like lines, the columns before the link:
//!
//! ```text
//! drwxr-xr-x  root      root      Jan 16  2024    &lt;DIR&gt;  <a href="subdir/">subdir</a>
//! -rw-r--r--  root      root      Dec 03 08:09  1500  B  <a href="1500.bin">1500.bin</a>
//! ```
//!
//! The date is `ls`'s: a year for old files (day precision), a time for the last six months
//! (minute precision, the year inferred from now). Sizes are `N  B` below 9216 bytes, then
//! truncated binary units, `9 kB` up to 9 MiB and `10 MB` after (5242880 bytes show `5120 kB`).
//! Symbolic links are followed; dot-files listed. A footer links webfs's home page and gives the
//! time the page was made. Facts from the capture of webfs 1.21 in
//! `tests/fixtures/index/README.md`.

use chrono::NaiveDateTime;

use super::fields::{self, Meta, Size};
use super::layout::{Page, Row};

/// The footer's link, shown as `webfs/1.21`.
pub(super) fn recognize(page: &Page) -> bool {
    page.rows.iter().any(|row| {
        (0..row.links.len()).any(|i| row.link_text(i).trim_start().starts_with("webfs/"))
    })
}

/// `MODE USER GROUP MON DAY YEAR|TIME SIZE UNIT` or `... <DIR>`, read from the end.
pub(super) fn meta(row: &Row, i: usize, now: NaiveDateTime) -> Meta {
    let words: Vec<&str> = row.before(i).split_whitespace().collect();
    let (size, rest) = match words.split_last() {
        Some((&"<DIR>", rest)) => (Some(Size::NotAFile), rest),
        _ => match words.split_last_chunk::<2>() {
            Some((rest, size)) => (fields::size_words(size), rest),
            None => return Meta::default(),
        },
    };
    let mtime = match rest {
        [.., month, day, year_or_time] => fields::ls_date(month, day, year_or_time, now),
        _ => None,
    };
    Meta::new(size, mtime)
}
