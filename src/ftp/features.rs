//! What a server says it supports: the FEAT reply (RFC 2389 section 3).

use super::reply::Reply;
use std::collections::BTreeMap;

/// Feature names (upper case) with their parameters, e.g. `MLST` -> `type*;size*;modify*;`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features(BTreeMap<String, String>);

impl Features {
    /// Reads a `211` FEAT reply; the first and last lines are framing, each line between names
    /// one feature. RFC 2389 wants them indented by a space; some servers do not indent.
    pub fn parse(reply: &Reply) -> Features {
        let lines: Vec<&str> = reply.lines().collect();
        let inner = lines.get(1..lines.len().saturating_sub(1)).unwrap_or(&[]);
        let map = inner
            .iter()
            .filter_map(|line| {
                let line = line.trim();
                let (name, params) = line.split_once(' ').unwrap_or((line, ""));
                (!name.is_empty()).then(|| (name.to_ascii_uppercase(), params.trim().to_string()))
            })
            .collect();
        Features(map)
    }

    /// Whether the server named the feature `name` (case-insensitive), e.g. `MLST`, `UTF8`.
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(&name.to_ascii_uppercase())
    }

    /// The text after a feature's name, e.g. `type*;size*;modify*;` for `MLST`.
    pub fn params(&self, name: &str) -> Option<&str> {
        self.0.get(&name.to_ascii_uppercase()).map(String::as_str)
    }

    /// Every feature's name, in upper case.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyftpdlib_feat() {
        let reply = Reply {
            code: crate::ftp::Code::FEATURES,
            text: "Features supported:\n EPRT\n EPSV\n MDTM\n MFMT\n MLST type*;perm*;size*;modify*;unique*;unix.mode;\n REST STREAM\n SIZE\n TVFS\n UTF8\nEnd FEAT.".into(),
        };
        let f = Features::parse(&reply);
        assert!(f.has("mlst") && f.has("UTF8") && f.has("SIZE"));
        assert_eq!(f.params("REST"), Some("STREAM"));
        assert!(f.params("MLST").unwrap().starts_with("type*;"));
        assert!(!f.has("Features"), "framing lines are not features");
    }

    #[test]
    fn unindented_and_empty() {
        let f = Features::parse(&Reply {
            code: crate::ftp::Code::FEATURES,
            text: "Features:\nMDTM\n\nEnd".into(),
        });
        assert_eq!(f.names().collect::<Vec<_>>(), ["MDTM"]);
        let none = Features::parse(&Reply {
            code: crate::ftp::Code::FEATURES,
            text: "No features".into(),
        });
        assert_eq!(none, Features::default());
    }
}
