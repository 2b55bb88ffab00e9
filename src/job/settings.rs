//! Every option of a mirror job, as given: on the command line (`ftpmirror mirror`) or in a job
//! file (`mirror.toml`). One struct for both, so a flag and a key can never drift apart; values
//! are checked as they are read (a job file's bad value is reported at its line and column), and
//! [`crate::job::Job::resolve`] turns the whole into a job.

use crate::remote::source::Source;
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// `--tls`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsArg {
    Off,
    Auto,
    Required,
}

/// `--max-delete`: a count, or a percentage of the local files.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum MaxDelete {
    Count(u64),
    Percent(f64),
}

impl MaxDelete {
    /// The most deletions allowed among `files` local files.
    pub fn limit(self, files: usize) -> u64 {
        match self {
            MaxDelete::Count(n) => n,
            MaxDelete::Percent(p) => (files as f64 * p / 100.0).floor() as u64,
        }
    }
}

impl FromStr for MaxDelete {
    type Err = String;
    fn from_str(text: &str) -> Result<MaxDelete, String> {
        let bad = || format!("bad max-delete {text:?}: give a count (500) or a percentage (10%)");
        match text.trim().strip_suffix('%') {
            Some(p) => p
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=100.0).contains(p))
                .map(MaxDelete::Percent)
                .ok_or_else(bad),
            None => text.trim().parse().map(MaxDelete::Count).map_err(|_| bad()),
        }
    }
}

impl fmt::Display for MaxDelete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaxDelete::Count(n) => write!(f, "{n}"),
            MaxDelete::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// A byte count written `250000`, `500k`, `10M`, `1.5G` or `2T` (powers of 1024); `None` when
/// it is not one.
fn bytes(text: &str) -> Option<u64> {
    let t = text.trim();
    let (number, unit) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&t[..i], &t[i..]),
        None => (t, ""),
    };
    let scale: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return None,
    };
    let value: f64 = number.trim().parse().ok()?;
    let bytes = value * scale as f64;
    (bytes >= 0.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// `--limit-rate`: bytes per second, as `250000`, `500k`, `10M` or `1G` (powers of 1024).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Rate(pub u64);

impl FromStr for Rate {
    type Err = String;
    fn from_str(text: &str) -> Result<Rate, String> {
        bytes(text).map(Rate).ok_or_else(|| {
            format!("bad rate {text:?}: give bytes per second, e.g. 500k or 10M, or 0 for no cap")
        })
    }
}

/// `--max-size`: a size in bytes, as `4096`, `500M` or `2G` (powers of 1024).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Size(pub u64);

impl FromStr for Size {
    type Err = String;
    fn from_str(text: &str) -> Result<Size, String> {
        bytes(text)
            .map(Size)
            .ok_or_else(|| format!("bad size {text:?}: give bytes, e.g. 4096, 500M or 2G"))
    }
}

/// `--min-free`: the space kept free on the target's filesystem, a size or a percentage of the
/// filesystem's size.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum MinFree {
    Bytes(u64),
    Percent(f64),
}

impl MinFree {
    /// The bytes to keep free on a filesystem of `total` bytes: as given, else 1 GiB or 5 %,
    /// whichever is smaller.
    pub fn reserve(min_free: Option<MinFree>, total: u64) -> u64 {
        match min_free {
            Some(MinFree::Bytes(n)) => n,
            Some(MinFree::Percent(p)) => (total as f64 * p / 100.0) as u64,
            None => (total / 20).min(1 << 30),
        }
    }
}

impl FromStr for MinFree {
    type Err = String;
    fn from_str(text: &str) -> Result<MinFree, String> {
        let bad = || format!("bad min-free {text:?}: give a size (2G) or a percentage (5%)");
        match text.trim().strip_suffix('%') {
            Some(p) => p
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..100.0).contains(p))
                .map(MinFree::Percent)
                .ok_or_else(bad),
            None => bytes(text).map(MinFree::Bytes).ok_or_else(bad),
        }
    }
}

/// A glob checked as it is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern(pub String);

impl FromStr for Pattern {
    type Err = String;
    fn from_str(text: &str) -> Result<Pattern, String> {
        crate::job::filter::Filter::new(&[text.to_string()], &[])?;
        Ok(Pattern(text.to_string()))
    }
}

/// A source URL checked as it is read.
#[derive(Clone, Debug)]
pub struct SourceUrl(pub Source);

impl FromStr for SourceUrl {
    type Err = String;
    fn from_str(text: &str) -> Result<SourceUrl, String> {
        Source::parse(text).map(SourceUrl)
    }
}

/// Reads a value written as a string (or, for numbers, as a number) through its `FromStr`.
fn parsed<'de, D: Deserializer<'de>, T: FromStr<Err = String>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged, expecting = "a string or a whole number")]
    enum Raw {
        Text(String),
        Number(u64),
    }
    let text = match Raw::deserialize(d)? {
        Raw::Text(t) => t,
        Raw::Number(n) => n.to_string(),
    };
    text.parse().map(Some).map_err(serde::de::Error::custom)
}

/// A timeout in whole seconds. 0 is refused as the value is read: it would not mean "no limit"
/// (every wait is bounded) but a run that fails at once, later, as an unreachable server.
fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match u64::deserialize(d)? {
        0 => Err(serde::de::Error::custom(
            "a timeout of 0 seconds: give at least 1 (every wait has a limit; leave the key \
             out for the default)",
        )),
        n => Ok(Some(n)),
    }
}

fn parsed_list<'de, D: Deserializer<'de>, T: FromStr<Err = String>>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    let texts = Vec::<String>::deserialize(d)?;
    texts
        .iter()
        .map(|t| t.parse().map_err(serde::de::Error::custom))
        .collect::<Result<_, _>>()
        .map(Some)
}

/// Every option of a job; `None` where not given. In a job file, `[defaults]` fills what a job
/// leaves out ([`Settings::or`]).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default, deserialize_with = "parsed")]
    pub source: Option<SourceUrl>,
    pub target: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    pub mkdir: Option<bool>,
    #[serde(default, deserialize_with = "parsed_list")]
    pub include: Option<Vec<Pattern>>,
    #[serde(default, deserialize_with = "parsed_list")]
    pub exclude: Option<Vec<Pattern>>,
    #[serde(default, deserialize_with = "parsed_list")]
    pub last: Option<Vec<Pattern>>,
    pub delete: Option<bool>,
    #[serde(default, deserialize_with = "parsed")]
    pub max_delete: Option<MaxDelete>,
    pub allow_empty: Option<bool>,
    pub connections: Option<u16>,
    pub tries: Option<u32>,
    #[serde(default, deserialize_with = "seconds")]
    pub connect_timeout: Option<u64>,
    #[serde(default, deserialize_with = "seconds")]
    pub timeout: Option<u64>,
    #[serde(default, deserialize_with = "seconds")]
    pub job_timeout: Option<u64>,
    #[serde(default, deserialize_with = "parsed")]
    pub limit_rate: Option<Rate>,
    #[serde(default, deserialize_with = "parsed")]
    pub min_free: Option<MinFree>,
    #[serde(default, deserialize_with = "parsed")]
    pub max_size: Option<Size>,
    pub tls: Option<TlsArg>,
    pub ca_file: Option<PathBuf>,
    pub insecure: Option<bool>,
    pub user: Option<String>,
    pub password_file: Option<PathBuf>,
    pub password_env: Option<String>,
    pub netrc_file: Option<PathBuf>,
    pub active: Option<bool>,
    pub no_epsv: Option<bool>,
    pub trust_pasv_address: Option<bool>,
    pub allow_other_hosts: Option<bool>,
    pub max_redirects: Option<u32>,
}

macro_rules! or_fields {
    ($a:ident, $b:ident, $($field:ident),*) => {
        Settings { $($field: $a.$field.or_else(|| $b.$field.clone())),* }
    };
}

impl Settings {
    /// These settings, with `defaults` where these have none.
    pub fn or(self, defaults: &Settings) -> Settings {
        or_fields!(
            self,
            defaults,
            source,
            target,
            state_dir,
            mkdir,
            include,
            exclude,
            last,
            delete,
            max_delete,
            allow_empty,
            connections,
            tries,
            connect_timeout,
            timeout,
            job_timeout,
            limit_rate,
            min_free,
            max_size,
            tls,
            ca_file,
            insecure,
            user,
            password_file,
            password_env,
            netrc_file,
            active,
            no_epsv,
            trust_pasv_address,
            allow_other_hosts,
            max_redirects
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_delete_values() {
        assert_eq!("500".parse::<MaxDelete>(), Ok(MaxDelete::Count(500)));
        assert_eq!(" 10 % ".parse::<MaxDelete>(), Ok(MaxDelete::Percent(10.0)));
        assert_eq!(MaxDelete::Percent(10.0).limit(1234), 123);
        for bad in ["", "-1", "ten", "101%", "x%"] {
            assert!(bad.parse::<MaxDelete>().is_err(), "{bad}");
        }
    }

    #[test]
    fn rates() {
        assert_eq!("250000".parse::<Rate>(), Ok(Rate(250_000)));
        assert_eq!("500k".parse::<Rate>(), Ok(Rate(512_000)));
        assert_eq!("1.5M".parse::<Rate>(), Ok(Rate(1_572_864)));
        assert_eq!("0".parse::<Rate>(), Ok(Rate(0)), "no cap");
        for bad in ["", "10X", "M", "-1k"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_and_reserves() {
        assert_eq!("0".parse::<Size>(), Ok(Size(0)));
        assert_eq!("2G".parse::<Size>(), Ok(Size(2 << 30)));
        assert_eq!("1T".parse::<Size>(), Ok(Size(1 << 40)));
        assert!("big".parse::<Size>().is_err() && "-1".parse::<Size>().is_err());
        assert_eq!("5%".parse::<MinFree>(), Ok(MinFree::Percent(5.0)));
        assert_eq!("500M".parse::<MinFree>(), Ok(MinFree::Bytes(500 << 20)));
        assert!("100%".parse::<MinFree>().is_err() && "x".parse::<MinFree>().is_err());
        const GIB: u64 = 1 << 30;
        assert_eq!(MinFree::reserve(None, 1000 * GIB), GIB);
        assert_eq!(MinFree::reserve(None, 10 * GIB), GIB / 2);
        assert_eq!(
            MinFree::reserve(Some(MinFree::Percent(1.0)), 100 * GIB),
            GIB
        );
        assert_eq!(MinFree::reserve(Some(MinFree::Bytes(0)), 100 * GIB), 0);
    }

    #[test]
    fn job_settings_fall_back_to_defaults() {
        let defaults = Settings {
            connections: Some(8),
            delete: Some(true),
            ..Settings::default()
        };
        let job = Settings {
            connections: Some(2),
            ..Settings::default()
        }
        .or(&defaults);
        assert_eq!(
            (job.connections, job.delete, job.tries),
            (Some(2), Some(true), None)
        );
    }
}
