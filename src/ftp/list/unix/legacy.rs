//! `ls -l` lines whose date is not UTF-8: `ls` run under a legacy locale prints month names and
//! date units in that locale's encoding, while the names are whatever bytes the files have
//! (unix-variants.md §E2, generated with GNU ls; raw bytes in unix-nonutf8-dates.bin):
//!
//! ```text
//! -rw-r--r-- 1 anna anna  77 2024\xB3\xE2  3\xBF\xF9  7\xC0\xCF march.log     (ko_KR.EUC-KR)
//! -rw-r--r-- 1 anna anna  12 \xED\xEE\xFF 30 18:05 new.txt                    (ru_RU.CP1251)
//! ```
//!
//! Such a line is read when everything from the last byte that is not UTF-8 on is UTF-8 and
//! holds the whole name. When the line reads with those bytes replaced (its date is UTF-8, the
//! bytes are in the owner or the name), it is read so; otherwise the bytes before the UTF-8 end are
//! decoded in each encoding below and the line read as text, and every encoding that reads it must
//! read the same entry. A name is never decoded, so it stays exactly the bytes sent. The decoders
//! know what dates need and fail on anything else.

use super::super::LineResult;
use super::scan;

/// Reads a line that is not UTF-8 with `parse`, which takes the line as text and the byte offset
/// its name must start at or after.
pub(super) fn read(bytes: &[u8], parse: impl Fn(&str, usize) -> LineResult) -> LineResult {
    let (replaced, name_from) = replaced(bytes);
    if scan(&replaced).is_ok() {
        return parse(&replaced, name_from);
    }
    let mut agreed = None;
    for (text, name_from) in decodings(bytes) {
        match (parse(&text, name_from), &agreed) {
            (Err(()), _) => {}
            (Ok(read), None) => agreed = Some(read),
            (Ok(read), Some(seen)) if read == *seen => {}
            (Ok(_), Some(_)) => return Err(()),
        }
    }
    agreed.ok_or(())
}

/// The line as text for a reading of the whole listing: as [`read`] reads it first, or in the
/// first encoding that makes an `ls` line of it.
pub(super) fn text(bytes: &[u8]) -> Option<String> {
    let (replaced, _) = replaced(bytes);
    if scan(&replaced).is_ok() {
        return Some(replaced);
    }
    decodings(bytes)
        .map(|(text, _)| text)
        .find(|text| scan(text).is_ok())
}

/// The line with each sequence that is not UTF-8 replaced by U+FFFD, and the offset just after
/// the last one.
fn replaced(bytes: &[u8]) -> (String, usize) {
    let mut text = String::with_capacity(bytes.len() + 2);
    let mut after = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            text.push(char::REPLACEMENT_CHARACTER);
            after = text.len();
        }
    }
    (text, after)
}

/// The line decoded in each encoding that can decode the part before its UTF-8 end, with the
/// length of that decoded part.
fn decodings(bytes: &[u8]) -> impl Iterator<Item = (String, usize)> + '_ {
    let mut utf8_from = 0;
    let mut offset = 0;
    for chunk in bytes.utf8_chunks() {
        offset += chunk.valid().len() + chunk.invalid().len();
        if !chunk.invalid().is_empty() {
            utf8_from = offset;
        }
    }
    let (legacy, utf8) = bytes.split_at(utf8_from);
    let utf8 = std::str::from_utf8(utf8).unwrap_or_default();
    DECODERS.into_iter().filter_map(move |decode| {
        let mut text = decode(legacy)?;
        let decoded = text.len();
        text.push_str(utf8);
        Some((text, decoded))
    })
}

/// Decodes bytes in one encoding, if they are all ones it knows.
type Decoder = fn(&[u8]) -> Option<String>;

const DECODERS: [Decoder; 5] = [cjk, latin1, latin2, cp1251, koi8_r];

/// The date units and `total` words of EUC-KR, GBK and EUC-JP (two bytes each; no pair means
/// one thing in one of them and another in the next, so one table reads all three).
const CJK: [([u8; 2], char); 15] = [
    // EUC-KR 년 월 일 합 계.
    ([0xB3, 0xE2], '년'),
    ([0xBF, 0xF9], '월'),
    ([0xC0, 0xCF], '일'),
    ([0xC7, 0xD5], '합'),
    ([0xB0, 0xE8], '계'),
    // GBK 年 月 日 总 计.
    ([0xC4, 0xEA], '年'),
    ([0xD4, 0xC2], '月'),
    ([0xC8, 0xD5], '日'),
    ([0xD7, 0xDC], '总'),
    ([0xBC, 0xC6], '计'),
    // EUC-JP 年 月 日 合 計.
    ([0xC7, 0xAF], '年'),
    ([0xB7, 0xEE], '月'),
    ([0xC6, 0xFC], '日'),
    ([0xB9, 0xE7], '合'),
    ([0xB7, 0xD7], '計'),
];

fn cjk(bytes: &[u8]) -> Option<String> {
    let mut text = String::new();
    let mut rest = bytes;
    while let Some((&byte, after)) = rest.split_first() {
        if byte.is_ascii() {
            text.push(char::from(byte));
            rest = after;
            continue;
        }
        let pair = rest.get(..2)?;
        let (_, unit) = CJK.iter().find(|(bytes, _)| bytes == pair)?;
        text.push(*unit);
        rest = &rest[2..];
    }
    Some(text)
}

/// ASCII as it is, other bytes through `high`.
fn single_byte(bytes: &[u8], high: impl Fn(u8) -> Option<char>) -> Option<String> {
    bytes
        .iter()
        .map(|&byte| match byte.is_ascii() {
            true => Some(char::from(byte)),
            false => high(byte),
        })
        .collect()
}

/// ISO-8859-1: each byte from 0xA0 up is the code point of the same number.
fn latin1(bytes: &[u8]) -> Option<String> {
    single_byte(bytes, |byte| (byte >= 0xA0).then(|| char::from(byte)))
}

/// ISO-8859-2 (Czech, Hungarian, Polish, Slovak, Croatian), bytes 0xA0 to 0xFF.
fn latin2(bytes: &[u8]) -> Option<String> {
    const HIGH: &str = "\u{a0}Ą˘Ł¤ĽŚ§¨ŠŞŤŹ\u{ad}ŽŻ°ą˛ł´ľśˇ¸šşťź˝žżŔÁÂĂÄĹĆÇČÉĘËĚÍÎĎĐŃŇÓÔŐÖ×ŘŮÚŰÜÝŢßŕáâăäĺćçčéęëěíîďđńňóôőö÷řůúűüýţ˙";
    single_byte(bytes, |byte| {
        HIGH.chars().nth(usize::from(byte.checked_sub(0xA0)?))
    })
}

/// Windows-1251: 0xC0 to 0xFF are А to я in order; the letters Ukrainian adds are apart.
fn cp1251(bytes: &[u8]) -> Option<String> {
    single_byte(bytes, |byte| match byte {
        0xC0..=0xFF => char::from_u32(0x410 + u32::from(byte - 0xC0)),
        0xA8 => Some('Ё'),
        0xB8 => Some('ё'),
        0xB2 => Some('І'),
        0xB3 => Some('і'),
        0xAA => Some('Є'),
        0xBA => Some('є'),
        0xAF => Some('Ї'),
        0xBF => Some('ї'),
        _ => None,
    })
}

/// KOI8-R, bytes 0xC0 to 0xFF (lower case first, in the order of the Latin letters they sound
/// like), and ё.
fn koi8_r(bytes: &[u8]) -> Option<String> {
    const HIGH: &str = "юабцдефгхийклмнопярстужвьызшэщчъЮАБЦДЕФГХИЙКЛМНОПЯРСТУЖВЬЫЗШЭЩЧЪ";
    single_byte(bytes, |byte| match byte {
        0xA3 => Some('ё'),
        0xB3 => Some('Ё'),
        _ => HIGH.chars().nth(usize::from(byte.checked_sub(0xC0)?)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> Vec<String> {
        decodings(bytes).map(|(text, _)| text).collect()
    }

    #[test]
    fn decoders_read_month_names_and_units() {
        // unix-variants.md §E2: the bytes of each locale's date.
        assert!(decoded(b"2024\xB3\xE2 x").contains(&"2024년 x".to_owned()));
        assert!(decoded(b"11\xD4\xC230\xC8\xD5 x").contains(&"11月30日 x".to_owned()));
        assert!(decoded(b"3\xB7\xEE x").contains(&"3月 x".to_owned()));
        assert!(decoded(b"m\xE1rc x").contains(&"márc x".to_owned()));
        assert!(decoded(b"\xEC\xE0\xF0 x").contains(&"мар x".to_owned()));
        assert!(decoded(b"\xCD\xC1\xD2 x").contains(&"мар x".to_owned()));
        assert!(decoded(b"M\xE4r x").contains(&"Mär x".to_owned()));
        assert!(decoded(b"b\xF8e x").contains(&"bře x".to_owned()));
    }

    #[test]
    fn the_utf8_end_is_kept_as_sent() {
        let all: Vec<_> = decodings(b"\xEC\xE0\xF0 caf\xC3\xA9").collect();
        assert!(all.iter().all(|(text, from)| text[*from..] == *" café"));
        // Nothing after the last byte that is not UTF-8: no name can be there.
        assert!(decodings(b"x \xE9").all(|(text, from)| from == text.len()));
    }
}
