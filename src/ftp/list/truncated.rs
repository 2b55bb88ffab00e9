//! Listings the server cut short. Many servers cap how many entries one listing may hold, and
//! a mirror that takes a cut listing for the whole directory deletes what it did not see.
//!
//! - pure-ftpd caps LIST, NLST and MLSD at `-L files:depth` (10000 by default), counting `.` and
//!   `..`, and says so in the reply that ends the transfer: `226 Output truncated to 10000
//!   matches` (`src/ls.c`, `MSG_LS_TRUNCATED`; the test is `>=`, so a directory of exactly the
//!   cap is reported too). The text is chosen when it is built (`--with-language`).
//! - ProFTPD's `ListOptions maxfiles` and the FTP servers of some NAS boxes (1000, 2000 entries)
//!   stop without a word: only the count tells, and only when the cap is one that servers use.
//!
//! [`truncation`] reads both signs. It is pure: the reply and the data, no socket.

use crate::ftp::Reply;
use serde::Serialize;

/// Why a listing is not the whole directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Truncated {
    /// Lines the listing held (`.` and `..` included, as servers count them).
    pub lines: usize,
    /// What told: the server's words, or the count.
    pub why: String,
}

/// Words that servers put in the reply ending a listing they cut, lowercased. pure-ftpd's
/// `MSG_LS_TRUNCATED` in each of its `src/messages_*.h` (English, French, Spanish, Portuguese,
/// Italian, Romanian, Swedish, Albanian, German, Dutch, Danish, Norwegian, Czech, Slovak, Polish,
/// Hungarian, Turkish, Chinese), and the plain English of other servers.
const SAID: &[&str] = &[
    "trunca",
    "tronqu",
    "tronca",
    "trunch",
    "trunker",
    "shkurtuar",
    "beschränkt",
    "afgekort",
    "afrundet",
    "avkortet",
    "zkrácen",
    "skrateny",
    "obcięte",
    "csonkítva",
    "kısaltması",
    "截短",
    "listing limited to",
    "list limit reached",
    "too many files",
];

/// Entry counts at which real servers stop listing without saying so: 1000 and 2000 (NAS boxes,
/// lftp issue #594, Duplicati issue #1957), 10000 (pure-ftpd's default, in case its words came
/// in a language or encoding not read here).
pub const KNOWN_CAPS: &[usize] = &[1000, 2000, 10000];

/// Whether the listing `data` that the reply `end` closed was cut short, and why.
pub fn truncation(end: &Reply, data: &[u8]) -> Option<Truncated> {
    let lines = count_lines(data);
    if let Some(said) = said_truncated(end) {
        return Some(Truncated { lines, why: said });
    }
    KNOWN_CAPS.contains(&lines).then(|| Truncated {
        lines,
        why: format!("{lines} lines, a count at which servers cut listings short"),
    })
}

/// The reply, when its words say the listing was cut.
fn said_truncated(end: &Reply) -> Option<String> {
    let text = end.text.to_lowercase();
    SAID.iter()
        .any(|word| text.contains(word))
        .then(|| end.to_string())
}

/// Whether the reply ending a pattern listing says the pattern could not be expanded, though
/// it is a `226`: pure-ftpd's `Out of memory during globbing of a*` (`MSG_GLOB_NO_MEMORY`, also
/// ProFTPD's words) and its German `Nicht genug Speicher beim Vervollständigen`.
pub fn glob_failed(end: &Reply) -> bool {
    let text = end.text.to_lowercase();
    ["glob", "out of memory", "vervollständigen"]
        .iter()
        .any(|word| text.contains(word))
}

/// Lines of listing data as servers count them against a cap: every non-empty line but a
/// `total N` header (which `ls -l` prints and no server counts).
pub fn count_lines(data: &[u8]) -> usize {
    data.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty() && !line.starts_with(b"total "))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: u16, text: &str) -> Reply {
        Reply {
            code: crate::ftp::Code::new(code),
            text: text.into(),
        }
    }

    fn lines(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| format!("f{i}\r\n"))
            .collect::<String>()
            .into()
    }

    #[test]
    fn pure_ftpd_says_so_in_every_language_it_is_built_with() {
        // src/messages_*.h of pure-ftpd 1.0.50, MSG_LS_TRUNCATED, with 50 for %u.
        for said in [
            "Options: -a -l \nOutput truncated to 50 matches",
            "Sortie tronquee a 50 elements",
            "Salida truncada a 50 ocurrencias",
            "Output troncato a 50 corrispondenze",
            "Anzeige auf 50 Einträge beschränkt.",
            "Output afgekort naar 50 overeenstemmingen",
            "Resultado truncado em 50 ocorrências",
            "Wyjście obcięte do 50 pasujących",
            "Utdata trunkeras till 50 träffar",
            "Data afrundet til 50 sammenfald",
            "Resultat er avkortet til 50 treff",
            "Výstup zkrácen na 50 shod",
            "Vystup skrateny na 50 zhod",
            "Kimenet 50 részre csonkítva",
            "Rezultat trunchiat la 50 potriviri",
            "Çıktı kısaltması 50 uygun",
            "输出截短到 50 符合",
            "Rezultati i shkurtuar ne 50 krahasime",
        ] {
            let cut = truncation(&reply(226, said), &lines(50));
            assert_eq!(cut.map(|c| c.lines), Some(50), "{said:?}");
        }
    }

    #[test]
    fn ordinary_endings_are_whole() {
        // vsftpd, ProFTPD, pyftpdlib, pure-ftpd, IIS, Serv-U.
        for said in [
            "Directory send OK.",
            "Transfer complete",
            "Transfer complete.",
            "Options: -a -l \n12 matches total",
            "Transfer complete. 1,234 bytes transferred. 5.2 KB/sec.",
            "Closing data connection.",
        ] {
            assert_eq!(truncation(&reply(226, said), &lines(12)), None, "{said:?}");
        }
    }

    #[test]
    fn a_failed_glob_is_told_from_an_empty_match() {
        let failed = "Out of memory during globbing of a*\n(This probably means \"Permission \
                      denied\")\nOptions: -a -d -l \n0 matches total";
        assert!(glob_failed(&reply(226, failed)));
        assert!(!glob_failed(&reply(
            226,
            "Options: -a -d -l \n0 matches total"
        )));
        assert!(!glob_failed(&reply(226, "Transfer complete")));
    }

    #[test]
    fn a_count_at_a_known_cap_is_suspect() {
        let ok = reply(226, "Transfer complete");
        assert_eq!(truncation(&ok, &lines(999)), None);
        assert_eq!(truncation(&ok, &lines(1001)), None);
        let cut = truncation(&ok, &lines(1000)).unwrap();
        assert_eq!(cut.lines, 1000);
        // `total N` is not an entry; `.` and `..` are counted, as servers count them.
        let mut data = b"total 4000\r\n".to_vec();
        data.extend(lines(2000));
        assert_eq!(truncation(&ok, &data).map(|c| c.lines), Some(2000));
    }
}
