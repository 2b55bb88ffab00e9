//! What each local file was fetched from.
//!
//! The state file remembers, per path, the remote metadata a local copy was fetched from and the
//! local size and mtime it was left with. With it, a file whose remote metadata has not changed
//! is not fetched again whatever the listing's time precision, and a local file changed behind
//! the tool's back is still caught by its size and mtime.
//!
//! Invariant: the state file on disk is always a whole document, the old one or the new one.
//! [`State::save`] writes a temp file, syncs it and renames it into place; [`State::load`] treats
//! anything it cannot fully trust (corrupt, unknown version, an unsafe path) as "no state", which
//! only makes the planner fall back to comparing sizes and times: slower, never wrong.

use crate::remote::tree::{RelPath, RemoteVersion};
use crate::remote::ListedWith;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The state file, in `TARGET/.ftpmirror/`.
pub const STATE_FILE: &str = "state.json";
/// The on-disk format this code reads and writes.
const VERSION: u32 = 1;

/// The local file as the tool left it: size in bytes, mtime in unix seconds (UTC, floor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalMeta {
    pub size: u64,
    pub mtime: i64,
}

/// One fetched file: where it came from and what it looked like once written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub remote: RemoteVersion,
    pub local: LocalMeta,
}

/// Every fetched file's record, by path relative to the target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub files: BTreeMap<RelPath, Record>,
    /// The strongest FTP listing command the last run used: a directory listed with a weaker
    /// one now may show less, and is no reason to delete.
    pub listed_with: Option<ListedWith>,
}

/// The document as written: the state plus a format version.
#[derive(Serialize)]
struct OnDiskRef<'a> {
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    listed_with: Option<ListedWith>,
    files: &'a BTreeMap<RelPath, Record>,
}

/// The document as read. Keys are parsed as `RelPath`, so an unsafe path fails the whole load.
#[derive(Deserialize)]
struct OnDisk {
    version: u32,
    #[serde(default)]
    listed_with: Option<ListedWith>,
    files: BTreeMap<RelPath, Record>,
}

/// Only the version, to say why a document of another version did not parse.
#[derive(Deserialize)]
struct VersionOnly {
    version: u32,
}

impl State {
    /// The state file in the state directory `dir` (`TARGET/.ftpmirror` unless `--state-dir`).
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(STATE_FILE)
    }

    /// Missing file → empty state. A corrupt or unreadable-format file → empty state plus a
    /// `log::warn!` naming the file (the planner then falls back to size/time, which is safe).
    /// An I/O error other than NotFound → Err.
    pub fn load(dir: &Path) -> io::Result<State> {
        let path = State::path(dir);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(State::default()),
            Err(e) => return Err(e),
        };
        match decode(&bytes) {
            Ok(state) => Ok(state),
            Err(why) => {
                log::warn!(
                    target: crate::app::logger::ACTION,
                    "ignoring state file {}: {why}",
                    path.display()
                );
                Ok(State::default())
            }
        }
    }

    /// Crash-safe: writes `TARGET/.ftpmirror/state.json.tmp` (creating `.ftpmirror` if needed),
    /// flushes, fsyncs, renames it over `state.json`, fsyncs the directory. A crash at any point
    /// leaves either the old or the new state, never a torn file.
    pub fn save(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        let temp = dir.join(format!("{STATE_FILE}.tmp"));
        let mut out = BufWriter::new(File::create(&temp)?);
        let doc = OnDiskRef {
            version: VERSION,
            listed_with: self.listed_with,
            files: &self.files,
        };
        serde_json::to_writer(&mut out, &doc)?;
        out.flush()?;
        // The data must be on disk before the rename makes it the state, or a crash could leave
        // a renamed but empty file.
        out.get_ref().sync_all()?;
        drop(out);
        fs::rename(&temp, dir.join(STATE_FILE))?;
        sync_dir(dir)
    }
}

/// Parses a state document, refusing versions other than [`VERSION`].
fn decode(bytes: &[u8]) -> Result<State, String> {
    match serde_json::from_slice::<OnDisk>(bytes) {
        Ok(doc) if doc.version == VERSION => Ok(State {
            files: doc.files,
            listed_with: doc.listed_with,
        }),
        Ok(doc) => Err(format!("format version {} is not {VERSION}", doc.version)),
        // A newer format may not parse as this one: name its version rather than a parse error.
        Err(e) => match serde_json::from_slice::<VersionOnly>(bytes) {
            Ok(doc) if doc.version != VERSION => {
                Err(format!("format version {} is not {VERSION}", doc.version))
            }
            _ => Err(format!("corrupt: {e}")),
        },
    }
}

/// Makes the rename itself durable (POSIX: a rename is recorded in the directory, which needs
/// its own fsync).
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Windows cannot open a directory as a file; its rename is as durable as NTFS makes it.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::tree::{Mtime, Precision, Zone};
    use chrono::NaiveDate;

    fn sample() -> State {
        let time = NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_opt(13, 5, 7)
            .unwrap();
        let full = Record {
            remote: RemoteVersion {
                size: Some(1234),
                mtime: Some(Mtime {
                    time,
                    precision: Precision::Minute,
                    zone: Zone::ServerLocal,
                }),
                unique: Some("801U2A3".into()),
            },
            local: LocalMeta {
                size: 1234,
                mtime: 1_709_211_900,
            },
        };
        let bare = Record {
            remote: RemoteVersion {
                size: None,
                mtime: None,
                unique: None,
            },
            local: LocalMeta { size: 0, mtime: -1 },
        };
        let mut state = State {
            listed_with: Some(ListedWith::Ftp(crate::ftp::ListCommand::ListAll)),
            ..State::default()
        };
        state
            .files
            .insert(RelPath::parse("pub/a b/x.iso").unwrap(), full);
        state.files.insert(RelPath::parse("café").unwrap(), bare);
        state
    }

    fn write_state(dir: &Path, text: &str) {
        fs::write(dir.join(STATE_FILE), text).unwrap();
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let state = sample();
        state.save(dir.path()).unwrap();
        assert_eq!(State::load(dir.path()).unwrap(), state);
        assert!(!dir.path().join("state.json.tmp").exists());
        // Saving again replaces, not appends.
        State::default().save(dir.path()).unwrap();
        assert_eq!(State::load(dir.path()).unwrap(), State::default());
    }

    #[test]
    fn on_disk_format_is_versioned_and_compact() {
        let dir = tempfile::tempdir().unwrap();
        sample().save(dir.path()).unwrap();
        let text = fs::read_to_string(dir.path().join(STATE_FILE)).unwrap();
        assert!(
            text.starts_with(r#"{"version":1,"listed_with":"LIST -a","files":{"#),
            "{text}"
        );
        assert!(text.contains(r#""time":"2024-02-29T13:05:07","precision":"minute""#));
        assert!(!text.contains('\n') && !text.contains("null"), "{text}");
    }

    #[test]
    fn missing_file_is_empty_state() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(State::load(dir.path()).unwrap(), State::default());
    }

    #[test]
    fn untrusted_files_are_empty_state() {
        let dir = tempfile::tempdir().unwrap();
        let record = r#"{"remote":{},"local":{"size":1,"mtime":2}}"#;
        for text in [
            "",
            "{\"version\":1,\"files\":{",
            "not json",
            r#"{"version":2,"files":{}}"#,
            r#"{"version":2,"files":[1,2]}"#,
            r#"{"files":{}}"#,
            &format!(r#"{{"version":1,"files":{{"../x":{record}}}}}"#),
            &format!(r#"{{"version":1,"files":{{"/etc/passwd":{record}}}}}"#),
        ] {
            write_state(dir.path(), text);
            assert_eq!(State::load(dir.path()).unwrap(), State::default(), "{text}");
        }
        // The same record under a safe key loads.
        write_state(
            dir.path(),
            &format!(r#"{{"version":1,"files":{{"x":{record}}}}}"#),
        );
        assert_eq!(State::load(dir.path()).unwrap().files.len(), 1);
    }

    #[test]
    fn decode_says_why() {
        assert!(decode(br#"{"version":2,"files":[]}"#)
            .unwrap_err()
            .contains("version 2"));
        assert!(decode(b"{").unwrap_err().starts_with("corrupt"));
    }

    #[test]
    fn other_io_errors_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be: reading it fails, and not with NotFound.
        fs::create_dir_all(dir.path().join(STATE_FILE)).unwrap();
        assert!(State::load(dir.path()).is_err());
    }
}
