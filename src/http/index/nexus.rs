//! Sonatype Nexus 2's repository browsing pages (and servers with the same Java template):
//! `<title>Index of /content/...</title>`, a `Parent Directory` link, then a table row per entry
//! whose cells after the link hold the modification time as Java's `Date.toString()` prints it
//! (`Tue Jul 09 13:22:10 EDT 2013`, in the server's zone, named), the byte count (blank for a
//! collection, whose name ends in `/`) and a description. Per `repositoryContentHtml.vm` and
//! `VelocityRenderer.CollectionEntry` in sonatype/nexus-oss (2013); the page in
//! `tests/fixtures/index/` is reconstructed from them.

use super::fields::{self, Meta};
use super::layout::{Page, Row};

/// An `Index of` page with a Java date after a link (the date tells it from Apache's).
pub(super) fn recognize(page: &Page) -> bool {
    page.title.trim_start().starts_with("Index of ")
        && page
            .rows
            .iter()
            .any(|row| (0..row.links.len()).any(|i| meta(row, i).mtime.is_some()))
}

/// `WEEKDAY MON DD HH:MM:SS ZONE YYYY [SIZE] [DESCRIPTION]`.
pub(super) fn meta(row: &Row, i: usize) -> Meta {
    let words: Vec<&str> = row.after(i).split_whitespace().collect();
    let Some((date, rest)) = words.split_first_chunk::<6>() else {
        return Meta::default();
    };
    let size = rest.first().and_then(|word| fields::size(word));
    Meta::new(size, fields::java_date(date))
}
