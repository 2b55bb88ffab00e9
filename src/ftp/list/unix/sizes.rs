//! The size column of `ls -l` lines, and the `total` line that comes before them.

use super::super::decimal;
use crate::remote::tree::SizeRange;

/// What the size column says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Size {
    Exact(u64),
    /// A size rounded for display (`9.0M`): the bytes it can stand for.
    Rounded(SizeRange),
    /// A device's `major, minor`: no size.
    Device,
}

/// Bytes, or a size rounded for display.
pub(super) fn size(field: &str) -> Option<Size> {
    match decimal(field) {
        Some(bytes) => Some(Size::Exact(bytes)),
        None => rounded(field).map(Size::Rounded),
    }
}

/// A size printed by `ls -h` (`9.0M`, `15M`, `1.5K`; `--si` prints `k` and powers of 1000) or
/// ProFTPD's `LIST -h` (`12.7k`, `1010.0`: always one decimal, powers of 1024; mod_ls.c
/// `ls_fmt_filesize`); unix-variants.md §F. GNU rounds up and ProFTPD to the nearest, so the
/// range runs from just above one step below the value (powers of 1000 when the unit allows them)
/// to just below half a step above it (powers of 1024). A number without unit or decimals is
/// exact, and not read here.
fn rounded(field: &str) -> Option<SizeRange> {
    let (number, unit) = match field.as_bytes().last()? {
        b'0'..=b'9' => (field, None),
        &unit => (field.get(..field.len() - 1)?, Some(unit)),
    };
    let (low, high): (u128, u128) = match unit {
        None => (1, 1),
        Some(b'K') => (1 << 10, 1 << 10),
        Some(b'k') => (1000, 1 << 10),
        Some(b'M') => (1000_u128.pow(2), 1 << 20),
        Some(b'G') => (1000_u128.pow(3), 1 << 30),
        Some(b'T') => (1000_u128.pow(4), 1 << 40),
        Some(b'P') => (1000_u128.pow(5), 1 << 50),
        Some(b'E') => (1000_u128.pow(6), 1 << 60),
        Some(_) => return None,
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) if (1..=3).contains(&fraction.len()) => (whole, fraction),
        Some(_) => return None,
        None if unit.is_some() => (number, ""),
        None => return None,
    };
    let digits = u32::try_from(fraction.len()).ok()?;
    let scaled = u128::from(decimal(whole)?) * 10_u128.pow(digits)
        + u128::from(decimal(fraction).unwrap_or(0));
    let step = 10_u128.pow(digits);
    let min = match scaled {
        0 => 0,
        _ => (scaled - 1) * low / step + 1,
    };
    let max = ((2 * scaled + 1) * high).div_ceil(2 * step) - 1;
    Some(SizeRange {
        min: u64::try_from(min).ok()?,
        max: u64::try_from(max).ok()?,
    })
}

/// `ls` prints `total N` (blocks; `total 24K` with `-h`) before the entries, with the word
/// translated under a locale (unix-variants.md §1, from coreutils' message catalogs): not an
/// entry.
pub(super) fn is_total(line: &str) -> bool {
    const TOTALS: [&str; 18] = [
        "total",
        "insgesamt",
        "合計",
        "总计",
        "總用量",
        "합계",
        "összesen",
        "razem",
        "итого",
        "totalt",
        "totaal",
        "totale",
        "celkem",
        "yhteensä",
        "kokku",
        "viso",
        "sveukupno",
        "toplam",
    ];
    line.split_once(' ')
        .is_some_and(|(word, count)| TOTALS.contains(&word) && size(count.trim()).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(field: &str) -> (u64, u64) {
        let range = rounded(field).unwrap();
        (range.min, range.max)
    }

    #[test]
    fn rounded_sizes_cover_gnu_and_proftpd() {
        // unix-variants.md §F. GNU `9.0M`: (8.9, 9.0] MiB; ProFTPD: [8.95, 9.05) MiB; `--si`:
        // (8.9, 9.0] million.
        let (min, max) = range("9.0M");
        assert_eq!((min, max), (8_900_001, 9_489_612));
        for bytes in [
            9_332_327, 9_437_184, 9_384_756, 9_489_612, 8_900_001, 9_000_000,
        ] {
            assert!((min..=max).contains(&bytes), "{bytes}");
        }
        // Integers from 10 up: GNU prints 15M for (14, 15] MiB.
        assert_eq!(range("15M"), (14_000_001, 16_252_927));
        // `K` is GNU's binary kilo alone.
        assert_eq!(range("1.5K"), (1434, 1587));
        // ProFTPD rounds 13005 bytes to 12.7k (12.700...); `k` may be GNU --si too.
        let (min, max) = range("12.7k");
        assert!(min <= 12_601 && (13_005..13_057).contains(&max));
        // ProFTPD's sizes from 1000 to 1023 bytes: one decimal, no unit, so exact.
        assert_eq!(range("1010.0"), (1010, 1010));
        assert_eq!(range("0.0K"), (0, 51));
    }

    #[test]
    fn sizes() {
        assert_eq!(size("999"), Some(Size::Exact(999)));
        for bad in [
            "", "M", ".5M", "5.M", "5.0000M", "1.5X", "+5", "-1K", "1,5K", "5k5",
        ] {
            assert_eq!(size(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn total_lines() {
        for line in [
            "total 0",
            "total 24K",
            "insgesamt 24",
            "合計 24",
            "итого 8",
            "합계 24",
        ] {
            assert!(is_total(line), "{line}");
        }
        for line in ["total", "total lots", "totals 4", "Total 4", "insgesamt"] {
            assert!(!is_total(line), "{line}");
        }
    }
}
