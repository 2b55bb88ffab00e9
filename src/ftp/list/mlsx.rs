//! MLSD and MLST fact lines (RFC 3659 section 7): `fact=value;fact=value; name`.
//!
//! Fact names are case-insensitive and come in any order (7.1); unknown facts are ignored. What
//! we keep: `type`, `size`, `modify`, `unique` and `UNIX.mode`. A line that breaks the grammar is
//! junk, never an entry: a fact without `=` (`Size;`), an empty or unreadable `type`, `size` or
//! `modify` (`Type=;`, `Modify=2014`). The name is everything after the single
//! space that ends the facts, verbatim: it may hold spaces, `;` and `=`, since the format has no
//! escaping.

use super::{decimal, is_dot_name, octal_mode, LineResult};
use crate::remote::tree::{Entry, Kind, Mtime, Precision, Zone};

/// Parses one MLST/MLSD fact line `facts; name`: `Ok(Some(entry))`, `Ok(None)` for the `cdir` and
/// `pdir` entries (and `.`/`..`), `Err(())` if the line has no separating space, no `name=value`
/// fact, or an empty name. A leading space is dropped: an MLST reply (7.2) indents its entry line.
///
/// A type-less entry is `Kind::Other`: RFC 3659 makes `type` optional, and guessing `File` would
/// make the mirror fetch whatever the server did not describe.
#[allow(clippy::result_unit_err)] // A line is readable or not; there is nothing more to say.
pub fn parse_mlsx_line(line: &str) -> LineResult {
    let line = line.strip_prefix(' ').unwrap_or(line);
    let (facts, name) = split_facts(line).ok_or(())?;
    let mut entry = Entry::new(name, Kind::Other);
    let mut any_fact = false;
    let mut not_content = false;
    for fact in split_bytes(facts, b';').filter(|fact| !fact.trim_ascii().is_empty()) {
        let equals = fact.bytes().position(|b| b == b'=').ok_or(())?;
        let (key, value) = (&fact[..equals], &fact[equals + 1..]);
        any_fact = true;
        let is = |name: &str| key.eq_ignore_ascii_case(name);
        if is("type") {
            match kind(value).ok_or(())? {
                Some(kind) => entry.kind = kind,
                None => not_content = true,
            }
        } else if is("size") {
            entry.size = Some(decimal(value).ok_or(())?);
        } else if is("modify") {
            let time = crate::ftp::timeval::parse(value).ok_or(())?;
            entry.mtime = Some(Mtime {
                time,
                precision: Precision::Second,
                zone: Zone::Utc,
            });
        } else if value.is_empty() {
            continue;
        } else if is("unique") {
            entry.unique = Some(value.to_owned());
        } else if key.eq_ignore_ascii_case("unix.mode") {
            entry.mode = unix_mode(value);
        }
    }
    if !any_fact || name.is_empty() {
        return Err(());
    }
    Ok((!not_content && !is_dot_name(name)).then_some(entry))
}

/// `text` split at each ASCII `sep`, by a byte search: `str::split` with a `char` goes through
/// the char searcher, a tenth of the time of an MLSD listing (bench/parsers.rs).
fn split_bytes(text: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.bytes().position(|b| b == sep) {
            // `sep` is ASCII: both sides of it are on character boundaries.
            Some(at) => {
                rest = Some(&text[at + 1..]);
                Some(&text[..at])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// Splits a fact line into its facts and the name.
///
/// RFC 3659 7.2: every fact ends in `;` and a single SP precedes the name; fact values hold no
/// spaces, so the first `;` followed by a space ends the facts. Searching for `; ` rather than the
/// first space also reads lines from servers that put a space inside a value (ProFTPD with an LDAP
/// group `domain users`, proftpd issue #1495), and a TAB there is accepted as some servers send
/// it (FileZilla parser test 78). Failing that, drafts before mlst-07 ended the facts without `;`:
/// the first space ends them (such a line whose name holds `; ` is misread; no current server
/// writes that form).
fn split_facts(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    let end = bytes
        .windows(2)
        .position(|pair| pair[0] == b';' && (pair[1] == b' ' || pair[1] == b'\t'))
        .map(|semicolon| semicolon + 1)
        .or_else(|| line.find(' '))?;
    // `end` is the index of an ASCII space or tab, so both slices are on character boundaries.
    Some((&line[..end], &line[end + 1..]))
}

/// The entry kind of a `type` fact (7.5.1): `Some(None)` for `cdir`/`pdir`, which are not
/// content; `None` for an empty value, which is no type at all.
fn kind(value: &str) -> Option<Option<Kind>> {
    (!value.is_empty()).then(|| content_kind(value))
}

fn content_kind(value: &str) -> Option<Kind> {
    let is = |name: &str| value.eq_ignore_ascii_case(name);
    // The IANA OS-specific registry form used by ProFTPD and Pure-FTPd: `OS.unix=slink:TARGET`,
    // or `OS.unix=symlink` without a target.
    let starts = |prefix: &str| {
        let head = value.as_bytes().get(..prefix.len());
        head.is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    if is("file") {
        Some(Kind::File)
    } else if is("dir") {
        Some(Kind::Dir)
    } else if is("cdir") || is("pdir") {
        None
    } else if starts("os.unix=slink") || starts("os.unix=symlink") {
        let target = value
            .split_once(':')
            .map(|(_, target)| target)
            .filter(|t| !t.is_empty());
        Some(Kind::Symlink {
            target: target.map(str::to_owned),
        })
    } else {
        Some(Kind::Other)
    }
}

/// `UNIX.mode` in octal. pyftpdlib writes it with Python's `0o` prefix (`unix.mode=0o644`).
fn unix_mode(value: &str) -> Option<u32> {
    octal_mode(value.strip_prefix("0o").unwrap_or(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn entry(line: &str) -> Entry {
        parse_mlsx_line(line).unwrap().unwrap()
    }

    fn time(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Mtime> {
        let time = NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_opt(h, mi, s)?;
        Some(Mtime {
            time,
            precision: Precision::Second,
            zone: Zone::Utc,
        })
    }

    #[test]
    fn pyftpdlib_line() {
        let e =
            entry("modify=20190605102030;perm=r;size=6;type=file;unique=fe00g98c231; plain.txt");
        assert_eq!(e.name, "plain.txt");
        assert_eq!(e.kind, Kind::File);
        assert_eq!(e.size, Some(6));
        assert_eq!(e.mtime, time(2019, 6, 5, 10, 20, 30));
        assert_eq!(e.unique.as_deref(), Some("fe00g98c231"));
        assert_eq!(e.mode, None);
    }

    #[test]
    fn proftpd_line_with_unix_facts() {
        // Line format from FileZilla's directory parser tests (a ProFTPD listing).
        let e = entry(
            "modify=20080426135501;perm=;size=65718921;type=file;unique=802U1066013B;\
             UNIX.group=1179;UNIX.mode=00;UNIX.owner=1179; 75 MLSD file with empty permissions",
        );
        assert_eq!(e.name, "75 MLSD file with empty permissions");
        assert_eq!((e.size, e.mode), (Some(65_718_921), Some(0)));
        assert_eq!(e.mtime, time(2008, 4, 26, 13, 55, 1));
    }

    #[test]
    fn fact_names_are_case_insensitive() {
        let e = entry("Type=file;mOdIfY=20081105165215;SIZE=1234;Unique=x; 72-MLSD-file");
        assert_eq!((e.kind, e.size), (Kind::File, Some(1234)));
        assert_eq!(e.mtime, time(2008, 11, 5, 16, 52, 15));
        assert_eq!(entry("type=DIR; d").kind, Kind::Dir);
    }

    #[test]
    fn name_is_everything_after_the_separating_space() {
        assert_eq!(entry("type=file;  two leading").name, " two leading");
        assert_eq!(entry("type=file; trailing  ").name, "trailing  ");
        assert_eq!(entry("type=file; a; b=c; d").name, "a; b=c; d");
        assert_eq!(entry("type=file; \t tab first").name, "\t tab first");
        assert_eq!(entry("type=file; ünïcödé 名前").name, "ünïcödé 名前");
    }

    #[test]
    fn server_quirks_in_the_separator() {
        // A TAB instead of the space (FileZilla parser test 78).
        let e = entry("size=1365694195;type=file;modify=20090722092510;\tadsl TV 2009-07-22");
        assert_eq!(
            (e.name.as_str(), e.size),
            ("adsl TV 2009-07-22", Some(1_365_694_195))
        );
        // No `;` after the last fact (drafts before mlst-07, FileZilla parser test 77).
        assert_eq!(
            entry("type=file 77 no trailing semicolon").name,
            "77 no trailing semicolon"
        );
        // A space inside a fact value (proftpd#1495: LDAP group "domain users").
        let e = entry(
            "type=file;UNIX.groupname=domain users;UNIX.mode=0777;UNIX.ownername=h; testfile",
        );
        assert_eq!((e.name.as_str(), e.mode), ("testfile", Some(0o777)));
    }

    #[test]
    fn mlst_reply_line_has_a_leading_space() {
        let e =
            entry(" modify=20190605102030;perm=r;size=6;type=file;unique=fe00g98c231; /plain.txt");
        assert_eq!(e.name, "/plain.txt");
    }

    #[test]
    fn cdir_pdir_and_dot_names_are_not_content() {
        assert_eq!(
            parse_mlsx_line("type=cdir;modify=20240101000000; /pub"),
            Ok(None)
        );
        assert_eq!(parse_mlsx_line("type=pdir; .."), Ok(None));
        assert_eq!(parse_mlsx_line("Type=CDir; ."), Ok(None));
        assert_eq!(parse_mlsx_line("type=dir; ."), Ok(None));
    }

    #[test]
    fn os_specific_types() {
        let slink = Kind::Symlink {
            target: Some("/foo".into()),
        };
        assert_eq!(
            entry("type=OS.unix=slink:/foo; 76 MLSD symlink").kind,
            slink
        );
        assert_eq!(
            entry("type=OS.UNIX=symlink; l").kind,
            Kind::Symlink { target: None }
        );
        assert_eq!(
            entry("type=OS.unix=slink; l").kind,
            Kind::Symlink { target: None }
        );
        assert_eq!(
            entry("type=OS.unix=slink:; l").kind,
            Kind::Symlink { target: None }
        );
        assert_eq!(entry("type=OS.unix=chr-1/3; null").kind, Kind::Other);
        assert_eq!(entry("type=OS.unix=blk-8/0; sda").kind, Kind::Other);
        assert_eq!(entry("type=weird; x").kind, Kind::Other);
    }

    #[test]
    fn missing_type_is_other() {
        let e = entry("size=5;modify=20240101120000; x");
        assert_eq!((e.kind, e.size), (Kind::Other, Some(5)));
    }

    #[test]
    fn modify_values() {
        assert_eq!(
            entry("type=file;modify=20240101120000.123; x").mtime,
            time(2024, 1, 1, 12, 0, 0)
        );
        assert_eq!(
            entry("type=file;modify=19681105165215; x").mtime,
            time(1968, 11, 5, 16, 52, 15)
        );
        // A time that is not one makes the line junk: nothing it says can be trusted.
        for bad in [
            "2024010112000",
            "20241301120000",
            "20240101120000.",
            "2024010112000x",
            "20240230120000",
            "20240101120060",
            "20240101120000Z",
            "+2024010112000",
            "2014",
            "",
        ] {
            let line = format!("type=file;modify={bad}; x");
            assert_eq!(parse_mlsx_line(&line), Err(()), "{line}");
        }
    }

    #[test]
    fn unknown_facts_are_ignored() {
        let e = entry("type=file;sizd=4096;perm=;x.foo=bar;size=12;UNIX.mode=9; x");
        assert_eq!((e.size, e.mode), (Some(12), None));
        assert_eq!(entry("type=file;UNIX.mode=0o755; x").mode, Some(0o755));
        assert_eq!(entry("type=file;UNIX.mode=4755; x").mode, Some(0o4755));
    }

    #[test]
    fn malformed_facts_are_junk() {
        for line in [
            "Type=;Size=3; x",
            "type=file;Size;modify=20240101000000; x",
            "type=file;size=; x",
            "type=file;size=-1; x",
            "type=file;size=12k; x",
            "type=file;garbage; x",
        ] {
            assert_eq!(parse_mlsx_line(line), Err(()), "{line:?}");
        }
    }

    #[test]
    fn unreadable_lines() {
        for line in [
            "",
            " ",
            "nospace",
            "no facts here",
            "type=file;",
            "type=file; ",
            "; name",
            ";;; name",
        ] {
            assert_eq!(parse_mlsx_line(line), Err(()), "{line:?}");
        }
    }
}
