//! Apache Tomcat's `DefaultServlet` listing (`listings` on): `<title>Directory Listing For
//! [/pub/]</title>` (English locale), a table row per entry, `<td align="left">&nbsp;&nbsp;
//! <a href="/pub/1500.bin"><tt>1500.bin</tt></a></td><td align="right"><tt>1.4 KiB</tt></td>
//! <td align="right"><tt>Tue, 16 Jan 2024 11:14:30 GMT</tt></td>`.
//!
//! The size is rendered truncated to tenths of a KiB (`kb` before Tomcat 9), never a byte count;
//! a directory shows `&nbsp;` and a name ending in `/`. The time is the HTTP date, UTC to the
//! second. Per `DefaultServlet.renderHtml`, `renderSize` and `FastHttpDateFormat` in
//! apache/tomcat; the page in `tests/fixtures/index/` is reconstructed from them.

use super::fields::{self, Meta};
use super::layout::{Page, Row};

pub(super) fn recognize(page: &Page) -> bool {
    page.title
        .trim_start()
        .starts_with("Directory Listing For ")
}

/// `[SIZE UNIT] WEEKDAY, DD Mon YYYY HH:MM:SS GMT`.
pub(super) fn meta(row: &Row, i: usize) -> Meta {
    let words: Vec<&str> = row.after(i).split_whitespace().collect();
    let Some((size, date)) = words.split_last_chunk::<6>() else {
        return Meta::default();
    };
    Meta::new(fields::size_words(size), fields::http_date(date))
}
