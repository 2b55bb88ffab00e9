//! What each local file was fetched from.
//!
//! The state remembers, per path, the remote version a local copy was fetched from and the
//! local size and mtime it was left with. With it, a file whose remote version has not changed
//! is not fetched again whatever the listing's time precision, and a local file changed behind
//! the tool's back is still caught by its size and mtime.
//!
//! It is an SQLite database (`state.db`, in write-ahead-log mode), one row per file: a file's
//! row is written as soon as the file is in place ([`Recorder`]), so a run killed midway keeps
//! the record of everything it finished; at the end of a run [`State::save_changes`] writes the
//! rows that changed in one transaction (a run that changed nothing writes none). A `state.json` of earlier versions is read once and
//! replaced by the database.
//!
//! Invariant: the state on disk is always whole (SQLite's transactions); [`State::load`] treats
//! anything it cannot fully trust (corrupt, unknown version, an unsafe path) as "no state", which
//! only makes the planner fall back to comparing sizes and times: slower, never wrong.

use crate::remote::tree::{RelPath, RemoteVersion};
use crate::remote::ListedWith;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The state database, in the state directory (`TARGET/.ftpmirror/` by default).
pub const STATE_FILE: &str = "state.db";
/// The document earlier versions wrote, migrated on first use.
const LEGACY_FILE: &str = "state.json";
/// The format of the database this code reads and writes.
const VERSION: u32 = 2;
/// The format of the legacy document.
const LEGACY_VERSION: u32 = 1;

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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub files: BTreeMap<RelPath, Record>,
    /// The strongest FTP listing command the last run used: a directory listed with a weaker
    /// one now may show less, and is no reason to delete.
    pub listed_with: Option<ListedWith>,
}

/// The legacy document as read. Keys are parsed as `RelPath`, so an unsafe path fails the load.
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
    /// The state database in the state directory `dir` (`TARGET/.ftpmirror` unless
    /// `--state-dir`).
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(STATE_FILE)
    }

    /// No state yet → empty state (a legacy `state.json` is read and migrated). A database or
    /// document that cannot be trusted → empty state plus a warning naming it (the planner then
    /// falls back to size/time, which is safe); such a database is moved aside to
    /// `state.db.ignored`. Any other failure to read it → Err.
    pub fn load(dir: &Path) -> io::Result<State> {
        State::read(dir, true)
    }

    /// [`State::load`] for a dry run: the same state, and nothing on disk changed (no
    /// migration, nothing moved aside).
    pub fn peek(dir: &Path) -> io::Result<State> {
        State::read(dir, false)
    }

    fn read(dir: &Path, change: bool) -> io::Result<State> {
        let path = State::path(dir);
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return load_legacy(dir, change),
            Err(e) => return Err(e),
            Ok(meta) if meta.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "Is a directory",
                ))
            }
            Ok(_) => {}
        }
        let why = match read(&path) {
            Ok(Ok(state)) => return Ok(state),
            Ok(Err(why)) => why,
            Err(e) if is_io(&e) => return Err(io::Error::other(e)),
            // Corrupt, or not the tables this code writes (another program's file, an empty one).
            Err(e) => e.to_string(),
        };
        match change {
            true => set_aside(dir, &why),
            false => Ok(untrusted(&path, &why)),
        }
    }

    /// Makes the database hold exactly this state, in one transaction: a crash leaves the old
    /// state or the new one. Creates the state directory if needed.
    pub fn save(&self, dir: &Path) -> io::Result<()> {
        self.write(dir, None)
    }

    /// [`State::save`] for a database that holds `before` (what the run loaded, and the rows
    /// its [`Recorder`] wrote since): only the rows that differ are written, so a run that
    /// changed nothing writes nothing but its listing command.
    pub fn save_changes(&self, dir: &Path, before: &State) -> io::Result<()> {
        self.write(dir, Some(before))
    }

    fn write(&self, dir: &Path, before: Option<&State>) -> io::Result<()> {
        fs::create_dir_all(dir)?;
        let mut db = open(&State::path(dir)).map_err(io::Error::other)?;
        let mut write = || -> rusqlite::Result<()> {
            let tx = db.transaction()?;
            {
                let mut insert = tx.prepare(INSERT)?;
                let mut delete = tx.prepare("DELETE FROM files WHERE path = ?1")?;
                match before {
                    None => drop(tx.execute("DELETE FROM files", [])?),
                    Some(before) => {
                        let gone = before.files.keys().filter(|p| !self.files.contains_key(*p));
                        for path in gone {
                            delete.execute([path.as_str()])?;
                        }
                    }
                }
                for (path, record) in &self.files {
                    if before.is_none_or(|b| b.files.get(path) != Some(record)) {
                        insert_record(&mut insert, path, record)?;
                    }
                }
            }
            set_listed_with(&tx, self.listed_with)?;
            tx.commit()
        };
        write().map_err(io::Error::other)
    }
}

/// Writes each file's record as the file is put in place, from any worker: a run killed midway
/// keeps the records of the files it finished.
pub struct Recorder(Mutex<Connection>);

impl Recorder {
    /// The recorder of the state in `dir`.
    pub fn open(dir: &Path) -> io::Result<Recorder> {
        fs::create_dir_all(dir)?;
        let db = open(&State::path(dir)).map_err(io::Error::other)?;
        Ok(Recorder(Mutex::new(db)))
    }

    /// Forgets a file recorded by this run that is not kept after all (its transfer was not
    /// confirmed).
    pub fn forget(&self, path: &RelPath) {
        let db = self.0.lock().expect("state lock");
        if let Err(e) = db.execute("DELETE FROM files WHERE path = ?1", [path.as_str()]) {
            log::warn!("{path}: removing it from the state: {e}");
        }
    }

    /// Records one file (a failure is said, and the record is written again at the end).
    pub fn record(&self, path: &RelPath, record: &Record) {
        let db = self.0.lock().expect("state lock");
        let written = db
            .prepare_cached(INSERT)
            .and_then(|mut insert| insert_record(&mut insert, path, record));
        if let Err(e) = written {
            log::warn!("{path}: recording it in the state: {e}");
        }
    }
}

const INSERT: &str =
    "INSERT OR REPLACE INTO files (path, remote, local_size, local_mtime) VALUES (?1, ?2, ?3, ?4)";

fn insert_record(
    insert: &mut rusqlite::Statement,
    path: &RelPath,
    record: &Record,
) -> rusqlite::Result<()> {
    let remote = serde_json::to_string(&record.remote).expect("plain data serializes");
    let size = i64::try_from(record.local.size).unwrap_or(i64::MAX);
    insert.execute(params![path.as_str(), remote, size, record.local.mtime])?;
    Ok(())
}

/// Opens (or creates) the database with its tables. The write-ahead log makes each commit
/// cheap (no sync per file) and durable across a crash of the process.
fn open(path: &Path) -> rusqlite::Result<Connection> {
    let db = Connection::open(path)?;
    db.busy_timeout(std::time::Duration::from_secs(10))?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "NORMAL")?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE IF NOT EXISTS files (
             path TEXT PRIMARY KEY,
             remote TEXT NOT NULL,
             local_size INTEGER NOT NULL,
             local_mtime INTEGER NOT NULL
         ) WITHOUT ROWID;",
    )?;
    db.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('version', ?1)",
        [VERSION.to_string()],
    )?;
    Ok(db)
}

fn set_listed_with(db: &Connection, listed_with: Option<ListedWith>) -> rusqlite::Result<()> {
    match listed_with {
        Some(command) => db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('listed_with', ?1)",
            [command.to_string()],
        ),
        None => db.execute("DELETE FROM meta WHERE key = 'listed_with'", []),
    }
    .map(drop)
}

/// The whole state from the database; the inner `Err` says why its content cannot be trusted.
fn read(path: &Path) -> rusqlite::Result<Result<State, String>> {
    let db = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let meta = |key: &str| -> rusqlite::Result<Option<String>> {
        db.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()
    };
    match meta("version")? {
        Some(v) if v == VERSION.to_string() => {}
        Some(v) => return Ok(Err(format!("format version {v} is not {VERSION}"))),
        None => return Ok(Err("no format version".into())),
    }
    let listed_with = match meta("listed_with")? {
        None => None,
        Some(name) => match serde_json::from_value(serde_json::Value::String(name.clone())) {
            Ok(listed) => Some(listed),
            Err(_) => return Ok(Err(format!("unknown listing command {name:?}"))),
        },
    };
    let mut query = db.prepare("SELECT path, remote, local_size, local_mtime FROM files")?;
    let rows = query.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, i64>(3)?,
        ))
    })?;
    let mut files = BTreeMap::new();
    for row in rows {
        let (path, remote, size, mtime) = row?;
        let Ok(path) = RelPath::parse(&path) else {
            return Ok(Err(format!("unsafe path {path:?}")));
        };
        let Ok(remote) = serde_json::from_str(&remote) else {
            return Ok(Err(format!("{path}: unreadable remote version")));
        };
        let size = u64::try_from(size).unwrap_or(0);
        let local = LocalMeta { size, mtime };
        files.insert(path, Record { remote, local });
    }
    Ok(Ok(State { files, listed_with }))
}

/// A failure to read the file at all, rather than a content that cannot be trusted.
fn is_io(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(
            ErrorCode::CannotOpen
                | ErrorCode::SystemIoFailure
                | ErrorCode::PermissionDenied
                | ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
        )
    )
}

/// A database that cannot be trusted is moved aside (kept for whoever wants to look: another
/// version's, say), so that this run starts a new one and no row of it is ever read again.
fn set_aside(dir: &Path, why: &str) -> io::Result<State> {
    let path = State::path(dir);
    let aside = dir.join(format!("{STATE_FILE}.ignored"));
    fs::rename(&path, &aside)?;
    for suffix in ["-wal", "-shm"] {
        let _ = fs::remove_file(dir.join(format!("{STATE_FILE}{suffix}")));
    }
    Ok(untrusted(
        &path,
        &format!("{why}; moved to {}", aside.display()),
    ))
}

fn untrusted(path: &Path, why: &str) -> State {
    log::warn!(
        target: crate::app::logger::ACTION,
        "ignoring state file {}: {why}",
        path.display()
    );
    State::default()
}

/// The `state.json` of earlier versions, if there is one: read, and (with `migrate`) written
/// as the database and removed, so it is read once. A document that cannot be trusted is left
/// where it is.
fn load_legacy(dir: &Path, migrate: bool) -> io::Result<State> {
    let path = dir.join(LEGACY_FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(State::default()),
        Err(e) => return Err(e),
    };
    match decode(&bytes) {
        Ok(state) if !migrate => Ok(state),
        Ok(state) => {
            state.save(dir)?;
            fs::remove_file(&path)?;
            log::info!("{}: migrated to {STATE_FILE}", path.display());
            Ok(state)
        }
        Err(why) => Ok(untrusted(&path, &why)),
    }
}

/// Parses a legacy state document, refusing versions other than [`LEGACY_VERSION`].
fn decode(bytes: &[u8]) -> Result<State, String> {
    match serde_json::from_slice::<OnDisk>(bytes) {
        Ok(doc) if doc.version == LEGACY_VERSION => Ok(State {
            files: doc.files,
            listed_with: doc.listed_with,
        }),
        Ok(doc) => Err(format!(
            "format version {} is not {LEGACY_VERSION}",
            doc.version
        )),
        // A newer format may not parse as this one: name its version rather than a parse error.
        Err(e) => match serde_json::from_slice::<VersionOnly>(bytes) {
            Ok(doc) if doc.version != LEGACY_VERSION => Err(format!(
                "format version {} is not {LEGACY_VERSION}",
                doc.version
            )),
            _ => Err(format!("corrupt: {e}")),
        },
    }
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

    fn write_legacy(dir: &Path, text: &str) {
        fs::write(dir.join(LEGACY_FILE), text).unwrap();
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let state = sample();
        state.save(dir.path()).unwrap();
        assert_eq!(State::load(dir.path()).unwrap(), state);
        // Saving again replaces, not appends.
        State::default().save(dir.path()).unwrap();
        assert_eq!(State::load(dir.path()).unwrap(), State::default());
    }

    #[test]
    fn on_disk_format_is_versioned_with_one_row_per_file() {
        let dir = tempfile::tempdir().unwrap();
        sample().save(dir.path()).unwrap();
        let db = Connection::open(State::path(dir.path())).unwrap();
        let meta = |key: &str| -> String {
            db.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(
            (meta("version"), meta("listed_with")),
            ("2".into(), "LIST -a".into())
        );
        let remote: String = db
            .query_row(
                "SELECT remote FROM files WHERE path = 'pub/a b/x.iso'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(remote.contains(r#""time":"2024-02-29T13:05:07","precision":"minute""#));
        assert!(!remote.contains("null"), "{remote}");
    }

    #[test]
    fn a_legacy_state_json_is_migrated_once() {
        let dir = tempfile::tempdir().unwrap();
        let record = r#"{"remote":{"size":3},"local":{"size":3,"mtime":2}}"#;
        let text = format!(r#"{{"version":1,"listed_with":"MLSD","files":{{"a/x":{record}}}}}"#);
        write_legacy(dir.path(), &text);
        let peeked = State::peek(dir.path()).unwrap();
        assert!(dir.path().join(LEGACY_FILE).exists() && !State::path(dir.path()).exists());
        let state = State::load(dir.path()).unwrap();
        assert_eq!(state, peeked);
        assert_eq!(state.files.len(), 1);
        assert!(!dir.path().join(LEGACY_FILE).exists());
        assert_eq!(
            State::load(dir.path()).unwrap(),
            state,
            "read from the database"
        );
    }

    #[test]
    fn records_written_as_files_land_survive_a_run_that_never_saves() {
        let dir = tempfile::tempdir().unwrap();
        let recorder = Recorder::open(dir.path()).unwrap();
        let (path, record) = sample().files.into_iter().next().unwrap();
        recorder.record(&path, &record);
        drop(recorder);
        assert_eq!(State::load(dir.path()).unwrap().files[&path], record);
    }

    #[test]
    fn saving_changes_writes_only_what_differs_and_drops_what_went() {
        let dir = tempfile::tempdir().unwrap();
        let before = sample();
        before.save(dir.path()).unwrap();
        let mut after = before.clone();
        let (first, _) = after.files.pop_first().unwrap();
        let recorder = Recorder::open(dir.path()).unwrap();
        let late = RelPath::parse("late").unwrap();
        let record = before.files.values().next().unwrap().clone();
        recorder.record(&late, &record);
        recorder.forget(&late);
        after.files.insert(RelPath::parse("new").unwrap(), record);
        after.save_changes(dir.path(), &before).unwrap();
        let loaded = State::load(dir.path()).unwrap();
        assert_eq!(loaded, after);
        assert!(!loaded.files.contains_key(&first) && !loaded.files.contains_key(&late));
    }

    #[test]
    fn missing_file_is_empty_state() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(State::load(dir.path()).unwrap(), State::default());
    }

    #[test]
    fn untrusted_legacy_files_are_empty_state_and_stay() {
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
            write_legacy(dir.path(), text);
            assert_eq!(State::load(dir.path()).unwrap(), State::default(), "{text}");
            assert!(dir.path().join(LEGACY_FILE).exists());
        }
    }

    #[test]
    fn untrusted_databases_are_empty_state() {
        let dir = tempfile::tempdir().unwrap();
        let db_path = State::path(dir.path());
        let ignored = dir.path().join("state.db.ignored");
        // Each is moved aside, so that the next save starts a new database.
        let load = || {
            assert_eq!(State::load(dir.path()).unwrap(), State::default());
            assert!(ignored.exists() && !db_path.exists());
            fs::remove_file(&ignored).unwrap();
        };
        // Not a database; an empty file.
        let garbage = b"not a database at all, but long enough to be read as one....";
        fs::write(&db_path, garbage).unwrap();
        load();
        fs::write(&db_path, b"").unwrap();
        load();
        // Another version; an unsafe path.
        for change in [
            "UPDATE meta SET value = '3' WHERE key = 'version'",
            "UPDATE files SET path = '../x' WHERE path = 'café'",
        ] {
            sample().save(dir.path()).unwrap();
            let db = Connection::open(&db_path).unwrap();
            db.execute(change, []).unwrap();
            drop(db);
            load();
        }
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
        // A directory where the database should be: it cannot be opened at all.
        fs::create_dir_all(State::path(dir.path())).unwrap();
        assert!(State::load(dir.path()).is_err());
    }
}
