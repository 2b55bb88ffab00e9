//! Twisted Web's `static.File` listing (`DirectoryLister`): `<title>Directory listing for
//! /pub/</title>`, as Python's `http.server` titles its pages, but a table with the columns
//! Filename, Size, Content type and Content encoding: `<td><a href="1500.bin">1500.bin</a></td>
//! <td>1K</td><td>[application/octet-stream]</td><td></td>`. No dates.
//!
//! A size below 1024 is a byte count (`3B`); above, it is cut down to whole units (`1K` for 1500
//! bytes, `5M`), read as the range of sizes that show so. A directory has no size and `[Directory]` for its type,
//! and its link ends in `/`. Symbolic links are followed: a link shows its target's size and
//! kind. Per the capture in `tests/fixtures/index/2026-12-04/` (Twisted 26.10.0).

use super::fields::{self, Meta, Size};
use super::layout::{Page, Row};
use crate::remote::tree::SizeRange;

/// Python's title, and a row whose link is followed by a bracketed content type (`1K
/// [text/plain]`, `[Directory]`), where Python's `<ul>` has nothing. An empty directory's page
/// has no row: it is read as Python's, names only, which is all it holds.
pub(super) fn recognize(page: &Page) -> bool {
    page.title
        .trim_start()
        .starts_with("Directory listing for ")
        && page.rows.iter().any(|row| {
            let rest = row.links.first().map(|_| row.after(0).trim());
            rest.is_some_and(|rest| rest.contains('[') && rest.ends_with(']'))
        })
}

/// `SIZE [TYPE] [ENCODING]`, or `[Directory]` alone.
pub(super) fn meta(row: &Row, i: usize) -> Meta {
    let size = row.after(i).split_whitespace().next().and_then(size);
    Meta::new(size, None)
}

/// `3B`, exact; `1K`, `5M`, `2G`: whole units cut down (`formatFileSize`), so `1K` is 1024 to
/// 2047 bytes.
fn size(word: &str) -> Option<Size> {
    let at = word.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = word.split_at(at);
    let shift = match unit {
        "B" => return fields::size(word),
        "K" => 10,
        "M" => 20,
        "G" => 30,
        _ => return None,
    };
    let n: u64 = number.parse().ok()?;
    let max = n.checked_add(1)?.checked_mul(1 << shift)? - 1;
    Some(Size::Rounded(SizeRange {
        min: n << shift,
        max,
    }))
}
