//! `tree -H BASE` (tree's HTML output, a static page): after a root line linking `./` itself, a
//! line per entry, `├── [&nbsp;&nbsp;1500&nbsp;Jan&nbsp;16&nbsp;&nbsp;2024]&nbsp;&nbsp;<a
//! href="./1500.bin">1500.bin</a><br>`: the bracket holds what the options ask for, `-s` the
//! size (`-h`: `1.5K`, one decimal below 10 of a unit, then whole units), `-D` the date (`ls`'s
//! form: `Jan 16  2024` or `Dec  3 08:09`; `--timefmt` any other, of which
//! `%Y-%m-%d %H:%M:%S` reads). A directory's link ends in `/`; symbolic links are not followed.
//! Facts from the captures of tree 2.1.0 in `tests/fixtures/index/README.md`.
//!
//! Sizes are `lstat`'s: only those no symbolic link can show are read ([`fields::lstat_size`]).

use chrono::NaiveDateTime;

use super::fields::{self, Meta};
use super::layout::{Page, Row};

/// tree's `<meta name="GENERATOR" content="tree v2.1.0 © 1996 - 2022 by Steve Baker...">`.
pub(super) fn recognize(page: &Page) -> bool {
    page.generator.contains("tree v")
}

/// The last `[...]` before the link: `[SIZE DATE]`, either one perhaps missing.
pub(super) fn meta(row: &Row, i: usize, now: NaiveDateTime) -> Meta {
    let before = row.before(i);
    let Some(inside) = before
        .rsplit_once('[')
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(inside, _)| inside)
    else {
        return Meta::default();
    };
    let words: Vec<&str> = inside.split_whitespace().collect();
    let iso = |date: &str, time: &str| {
        let shown = fields::dashed_date(date).zip(fields::clock(time));
        shown.and_then(|(date, clock)| fields::local(date, clock))
    };
    let (mtime, rest) = match words.as_slice() {
        [rest @ .., month, day, year_or_time] if fields::month(month).is_some() => {
            (fields::ls_date(month, day, year_or_time, now), rest)
        }
        [rest @ .., date, time] if date.contains('-') => (iso(date, time), rest),
        rest => (None, rest),
    };
    let size = rest.last().and_then(|word| fields::size(word));
    Meta::new(size.and_then(fields::lstat_size), mtime)
}
