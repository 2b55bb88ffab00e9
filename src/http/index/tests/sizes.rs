//! Every size of `probe/size-table.txt` (sizes from 1 byte to 5 GiB as seven servers showed them,
//! `tests/fixtures/index/README.md`) reads as its byte count or as a range that holds it.

use crate::http::index::fields::{size_words, Size};

const TABLE: &str =
    include_str!("../../../../tests/fixtures/index/2026-12-04/probe/size-table.txt");

/// The table's columns: right-aligned, the first 11 characters wide, the others 13.
fn cells(line: &str) -> Vec<&str> {
    let mut cells = vec![line.get(..11).unwrap_or(line).trim()];
    let mut at = 11;
    while let Some(cell) = line
        .get(at..(at + 13).min(line.len()))
        .filter(|c| !c.is_empty())
    {
        cells.push(cell.trim());
        at += 13;
    }
    cells
}

#[test]
fn every_shown_size_holds_the_true_one() {
    let mut lines = TABLE.lines().filter(|line| !line.starts_with('#'));
    let header = cells(lines.next().unwrap());
    assert_eq!(header[1..].len(), 7, "{header:?}");
    let mut read = 0;
    for line in lines {
        let cells = cells(line);
        let bytes: u64 = cells[0].parse().unwrap();
        for (server, shown) in header[1..].iter().zip(&cells[1..]) {
            if shown.is_empty() {
                continue; // the probe's 0 and 3 byte files were not captured
            }
            let words: Vec<&str> = shown.split_whitespace().collect();
            let holds = match size_words(&words) {
                Some(Size::Exact(exact)) => exact == bytes,
                Some(Size::Rounded(range)) => range.contains(bytes),
                other => panic!("{server}: {shown:?} for {bytes}: {other:?}"),
            };
            assert!(holds, "{server}: {shown:?} for {bytes}");
            read += 1;
        }
    }
    assert_eq!(read, 33 * 7);
}
