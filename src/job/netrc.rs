//! `~/.netrc` as ftp(1) and curl read it: `machine NAME login USER password PASS [account
//! ACCT]` entries, a `default` entry for any other host, `macdef` blocks skipped up to the
//! next blank line. Pure: the file's text is passed in.

/// One entry; `machine` is `None` for `default`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    pub machine: Option<String>,
    pub login: Option<String>,
    pub password: Option<String>,
    pub account: Option<String>,
}

pub fn parse(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let mut tokens = line.split_whitespace();
        while let Some(token) = tokens.next() {
            match token {
                "machine" => entries.push(Entry {
                    machine: tokens.next().map(str::to_string),
                    ..Entry::default()
                }),
                "default" => entries.push(Entry::default()),
                "login" | "password" | "account" => {
                    let (Some(entry), Some(value)) = (entries.last_mut(), tokens.next()) else {
                        continue;
                    };
                    let field = match token {
                        "login" => &mut entry.login,
                        "password" => &mut entry.password,
                        _ => &mut entry.account,
                    };
                    *field = Some(value.to_string());
                }
                "macdef" => {
                    // A macro runs to the next empty line.
                    for body in lines.by_ref() {
                        if body.trim().is_empty() {
                            break;
                        }
                    }
                    break;
                }
                _ => {}
            }
        }
    }
    entries
}

/// The entry for `host` (and `user`, when given): the first matching machine, else `default`.
pub fn find<'a>(entries: &'a [Entry], host: &str, user: Option<&str>) -> Option<&'a Entry> {
    let fits = |e: &&Entry| user.is_none() || e.login.is_none() || e.login.as_deref() == user;
    entries
        .iter()
        .filter(|e| {
            e.machine
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(host))
        })
        .find(fits)
        .or_else(|| entries.iter().filter(|e| e.machine.is_none()).find(fits))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NETRC: &str = "machine ftp.example.org login alice password s3cret\n\
        machine ftp.example.org\n  login bob\n  password hunter2 account acct\n\
        macdef init\nmachine evil login x password y\n\n\
        default login anonymous password me@example.org\n";

    #[test]
    fn entries_by_host_and_user() {
        let entries = parse(NETRC);
        assert_eq!(
            entries.len(),
            3,
            "the macro body is not an entry: {entries:?}"
        );
        let alice = find(&entries, "FTP.example.org", None).unwrap();
        assert_eq!(
            (alice.login.as_deref(), alice.password.as_deref()),
            (Some("alice"), Some("s3cret"))
        );
        let bob = find(&entries, "ftp.example.org", Some("bob")).unwrap();
        assert_eq!(
            (bob.password.as_deref(), bob.account.as_deref()),
            (Some("hunter2"), Some("acct"))
        );
        let other = find(&entries, "other.org", None).unwrap();
        assert_eq!(other.login.as_deref(), Some("anonymous"));
        assert_eq!(find(&entries, "other.org", Some("carol")), None);
        assert_eq!(
            find(&entries, "evil", None).unwrap().machine,
            None,
            "macro text is not read"
        );
    }

    #[test]
    fn odd_files_do_not_panic() {
        for text in [
            "",
            "machine",
            "login x",
            "password",
            "machine a login",
            "default default",
        ] {
            parse(text);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]
        #[test]
        fn any_text_is_read_without_a_panic(text in ".*") {
            parse(&text);
        }
    }
}
