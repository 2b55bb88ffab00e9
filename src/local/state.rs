//! What each local file was fetched from.
//!
//! The state remembers, per path, the remote version a local copy was fetched from and the
//! local size and mtime it was left with. With it, a file whose remote version has not changed
//! is not fetched again whatever the listing's time precision, and a local file changed behind
//! the tool's back is still caught by its size and mtime.
//!
//! It is an SQLite database (`state.db`, in write-ahead-log mode), one row per file keyed by
//! its directory and name, so that the march reads one directory's rows as it reaches that
//! directory ([`Store::records`]) and never holds the whole state. A file's row is written as
//! soon as the file is in place ([`Store::record`]), so a run killed midway keeps the record of
//! everything it finished; a run that changes nothing writes nothing. A `state.json` of earlier
//! versions, and a database of format 2 (one row per path), are migrated on first use by a real
//! run; a dry run reads them into memory and changes nothing.
//!
//! Invariant: the state on disk is always whole (SQLite's transactions); a database or document
//! that cannot be trusted (corrupt, unknown version) is "no state", and a row whose path is not
//! safe is never read: that only makes the planner fall back to comparing sizes and times:
//! slower, never wrong.

use crate::remote::tree::{RelPath, RemoteVersion};
use crate::remote::ListedWith;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension};
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
const VERSION: u32 = 3;
/// The database format with one row per path, migrated on first use.
const VERSION_BY_PATH: u32 = 2;
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

/// A whole state in memory: what a legacy document or a database of format 2 holds, read
/// once to be migrated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub files: BTreeMap<RelPath, Record>,
    /// The strongest FTP listing command the last run used.
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

/// The state of one target, open for a run: rows read per directory, written per file, from
/// any worker.
pub struct Store {
    db: Mutex<Connection>,
    /// False for a dry run's: nothing is written.
    writes: bool,
    /// The strongest FTP listing command the last run used: a directory listed with a weaker
    /// one now may show less, and is no reason to delete.
    listed_with: Option<ListedWith>,
}

/// The state database in the state directory `dir` (`TARGET/.ftpmirror` unless
/// `--state-dir`).
pub fn path(dir: &Path) -> PathBuf {
    dir.join(STATE_FILE)
}

impl Store {
    /// The state in `dir` for a real run: made when there is none (and the directory with it),
    /// a legacy `state.json` or a format-2 database migrated, a database that cannot be trusted
    /// moved aside to `state.db.ignored` with a warning (the planner then falls back to size
    /// and time, which is safe). Any other failure to read it is an error.
    pub fn open(dir: &Path) -> io::Result<Store> {
        fs::create_dir_all(dir)?;
        let file = path(dir);
        if !exists(&file)? {
            let legacy = load_legacy(dir)?;
            let mut store = Store::on(open(&file).map_err(io::Error::other)?, true)?;
            if let Some(state) = legacy {
                store = store.replace(&state)?;
                fs::remove_file(dir.join(LEGACY_FILE))?;
                log::info!(
                    "{}: migrated to {STATE_FILE}",
                    dir.join(LEGACY_FILE).display()
                );
            }
            return Ok(store);
        }
        match check(&file) {
            Ok(Ok(Format::Current)) => Store::on(open(&file).map_err(io::Error::other)?, true),
            Ok(Ok(Format::ByPath)) => match read_by_path(&file).map_err(io::Error::other)? {
                Ok(state) => {
                    let old = dir.join(format!("{STATE_FILE}.v{VERSION_BY_PATH}"));
                    fs::rename(&file, &old)?;
                    let store = Store::on(open(&file).map_err(io::Error::other)?, true)?;
                    let store = store.replace(&state)?;
                    remove_db(&old);
                    log::info!("{}: migrated to format {VERSION}", file.display());
                    Ok(store)
                }
                Err(why) => {
                    set_aside(dir, &why)?;
                    Store::on(open(&file).map_err(io::Error::other)?, true)
                }
            },
            Ok(Err(why)) => {
                set_aside(dir, &why)?;
                Store::on(open(&file).map_err(io::Error::other)?, true)
            }
            Err(e) if is_io(&e) => Err(io::Error::other(e)),
            // Corrupt, or not the tables this code writes (another program's file, an empty one).
            Err(e) => {
                set_aside(dir, &e.to_string())?;
                Store::on(open(&file).map_err(io::Error::other)?, true)
            }
        }
    }

    /// The same state for a dry run, nothing on disk changed: the database read-only, or a
    /// legacy document or format-2 database read into memory.
    pub fn peek(dir: &Path) -> io::Result<Store> {
        let file = path(dir);
        if !exists(&file)? {
            let store = Store::on(memory().map_err(io::Error::other)?, false)?;
            return match load_legacy(dir)? {
                Some(state) => store.fill(&state),
                None => Ok(store),
            };
        }
        let why = match check(&file) {
            Ok(Ok(Format::Current)) => {
                let db = Connection::open_with_flags(&file, OpenFlags::SQLITE_OPEN_READ_ONLY)
                    .map_err(io::Error::other)?;
                return Store::on(db, false);
            }
            Ok(Ok(Format::ByPath)) => match read_by_path(&file).map_err(io::Error::other)? {
                Ok(state) => {
                    return Store::on(memory().map_err(io::Error::other)?, false)?.fill(&state)
                }
                Err(why) => why,
            },
            Ok(Err(why)) => why,
            Err(e) if is_io(&e) => return Err(io::Error::other(e)),
            Err(e) => e.to_string(),
        };
        untrusted(&file, &why);
        Store::on(memory().map_err(io::Error::other)?, false)
    }

    fn on(db: Connection, writes: bool) -> io::Result<Store> {
        let listed_with = match meta(&db, "listed_with").map_err(io::Error::other)? {
            None => None,
            Some(name) => serde_json::from_value(serde_json::Value::String(name.clone())).ok(),
        };
        Ok(Store {
            db: Mutex::new(db),
            writes,
            listed_with,
        })
    }

    /// The strongest FTP listing command the last run used.
    pub fn listed_with(&self) -> Option<ListedWith> {
        self.listed_with
    }

    /// The records of the files directly in `dir`. A row whose name is not safe is never read.
    pub fn records(&self, dir: &RelPath) -> io::Result<BTreeMap<RelPath, Record>> {
        let db = self.db.lock().expect("state lock");
        let mut query = db
            .prepare_cached(
                "SELECT name, remote, local_size, local_mtime FROM files WHERE dir = ?1",
            )
            .map_err(io::Error::other)?;
        let rows = query
            .query_map([dir.as_str()], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, i64>(3)?,
                ))
            })
            .map_err(io::Error::other)?;
        let mut found = BTreeMap::new();
        for row in rows {
            let (name, remote, size, mtime) = row.map_err(io::Error::other)?;
            let (Ok(path), Some(record)) = (dir.join(&name), record(&remote, size, mtime)) else {
                log::warn!("state: ignoring the unreadable record of {dir}/{name:?}");
                continue;
            };
            found.insert(path, record);
        }
        Ok(found)
    }

    /// Whether the file `path` has a record.
    pub fn holds(&self, path: &RelPath) -> bool {
        let db = self.db.lock().expect("state lock");
        let dir = path.parent().unwrap_or_default();
        let found = db
            .prepare_cached("SELECT 1 FROM files WHERE dir = ?1 AND name = ?2")
            .and_then(|mut query| query.exists([dir.as_str(), path.name()]));
        found.unwrap_or(false)
    }

    /// Whether any file below `dir` (at any depth) has a record.
    pub fn holds_below(&self, dir: &RelPath) -> bool {
        let db = self.db.lock().expect("state lock");
        let found = match dir.is_root() {
            true => db.query_row("SELECT 1 FROM files LIMIT 1", [], |_| Ok(())),
            false => db.query_row(
                "SELECT 1 FROM files WHERE dir = ?1 OR (dir >= ?1 || '/' AND dir < ?1 || '0') \
                 LIMIT 1",
                [dir.as_str()],
                |_| Ok(()),
            ),
        };
        found.optional().ok().flatten().is_some()
    }

    /// Every directory that holds a record.
    pub fn dirs(&self) -> io::Result<Vec<String>> {
        let db = self.db.lock().expect("state lock");
        let mut query = db
            .prepare("SELECT DISTINCT dir FROM files")
            .map_err(io::Error::other)?;
        let dirs = query
            .query_map([], |row| row.get(0))
            .map_err(io::Error::other)?;
        dirs.collect::<Result<_, _>>().map_err(io::Error::other)
    }

    /// Records one file as it is put in place (a failure is said; the next run then compares
    /// sizes and times).
    pub fn record(&self, path: &RelPath, record: &Record) {
        if let Err(e) = self.write(|tx| insert(tx, path, record)) {
            log::warn!("{path}: recording it in the state: {e}");
        }
    }

    /// Forgets a file recorded by this run that is not kept after all (its transfer was not
    /// confirmed).
    pub fn forget(&self, path: &RelPath) {
        if let Err(e) = self.write(|tx| remove(tx, path)) {
            log::warn!("{path}: removing it from the state: {e}");
        }
    }

    /// One directory's changes in one transaction: the records of kept files that changed, and
    /// the files that are gone.
    pub fn update(&self, records: &[(RelPath, Record)], gone: &[RelPath]) -> io::Result<()> {
        if records.is_empty() && gone.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            for (path, record) in records {
                insert(tx, path, record)?;
            }
            for path in gone {
                remove(tx, path)?;
            }
            Ok(())
        })
        .map_err(io::Error::other)
    }

    /// Forgets every record of the directories `dirs` (not below them: each is named).
    pub fn forget_dirs(&self, dirs: &[String]) -> io::Result<()> {
        if dirs.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            let mut delete = tx.prepare_cached("DELETE FROM files WHERE dir = ?1")?;
            for dir in dirs {
                delete.execute([dir])?;
            }
            Ok(())
        })
        .map_err(io::Error::other)
    }

    /// Keeps the strongest FTP listing command of this run for the next one.
    pub fn set_listed_with(&self, listed_with: Option<ListedWith>) -> io::Result<()> {
        self.write(|tx| set_listed_with(tx, listed_with))
            .map_err(io::Error::other)
    }

    /// Runs `change` in one transaction (nothing, for a dry run's store).
    fn write(
        &self,
        change: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<()>,
    ) -> rusqlite::Result<()> {
        if !self.writes {
            return Ok(());
        }
        let mut db = self.db.lock().expect("state lock");
        let tx = db.transaction()?;
        change(&tx)?;
        tx.commit()
    }

    /// Makes the database hold exactly `state`, in one transaction.
    fn replace(mut self, state: &State) -> io::Result<Store> {
        self.listed_with = state.listed_with;
        self.write(|tx| {
            tx.execute("DELETE FROM files", [])?;
            for (path, record) in &state.files {
                insert(tx, path, record)?;
            }
            set_listed_with(tx, state.listed_with)
        })
        .map_err(io::Error::other)?;
        Ok(self)
    }

    /// A dry run's in-memory copy of `state`.
    fn fill(mut self, state: &State) -> io::Result<Store> {
        let db = self.db.get_mut().expect("state lock");
        let tx = db.transaction().map_err(io::Error::other)?;
        for (path, record) in &state.files {
            insert(&tx, path, record).map_err(io::Error::other)?;
        }
        tx.commit().map_err(io::Error::other)?;
        self.listed_with = state.listed_with;
        Ok(self)
    }
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE IF NOT EXISTS files (
         dir TEXT NOT NULL,
         name TEXT NOT NULL,
         remote TEXT NOT NULL,
         local_size INTEGER NOT NULL,
         local_mtime INTEGER NOT NULL,
         PRIMARY KEY (dir, name)
     ) WITHOUT ROWID;";

/// Opens (or creates) the database with its tables. The write-ahead log makes each commit
/// cheap (no sync per file) and durable across a crash of the process.
fn open(path: &Path) -> rusqlite::Result<Connection> {
    let db = Connection::open(path)?;
    db.busy_timeout(std::time::Duration::from_secs(10))?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "NORMAL")?;
    tables(db)
}

/// A dry run's database, in memory.
fn memory() -> rusqlite::Result<Connection> {
    tables(Connection::open_in_memory()?)
}

fn tables(db: Connection) -> rusqlite::Result<Connection> {
    db.execute_batch(SCHEMA)?;
    db.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('version', ?1)",
        [VERSION.to_string()],
    )?;
    Ok(db)
}

fn exists(file: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(file) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
        Ok(meta) if meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "Is a directory",
        )),
        Ok(_) => Ok(true),
    }
}

fn meta(db: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    db.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
        row.get(0)
    })
    .optional()
}

/// The database formats this code reads.
enum Format {
    Current,
    ByPath,
}

/// The database's format; the inner `Err` says why its content cannot be trusted.
fn check(file: &Path) -> rusqlite::Result<Result<Format, String>> {
    let db = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let format = match meta(&db, "version")? {
        Some(v) if v == VERSION.to_string() => Format::Current,
        Some(v) if v == VERSION_BY_PATH.to_string() => Format::ByPath,
        Some(v) => return Ok(Err(format!("format version {v} is not {VERSION}"))),
        None => return Ok(Err("no format version".into())),
    };
    if let Some(name) = meta(&db, "listed_with")? {
        if serde_json::from_value::<ListedWith>(serde_json::Value::String(name.clone())).is_err() {
            return Ok(Err(format!("unknown listing command {name:?}")));
        }
    }
    // The columns this code reads, so that a table of another shape is caught here.
    let columns = match format {
        Format::Current => "dir, name, remote, local_size, local_mtime",
        Format::ByPath => "path, remote, local_size, local_mtime",
    };
    db.prepare(&format!("SELECT {columns} FROM files LIMIT 1"))?;
    Ok(Ok(format))
}

/// A whole database of format 2 (one row per path), to be migrated.
fn read_by_path(file: &Path) -> rusqlite::Result<Result<State, String>> {
    let db = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let listed_with = meta(&db, "listed_with")?
        .and_then(|name| serde_json::from_value(serde_json::Value::String(name)).ok());
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
        let Some(record) = record(&remote, size, mtime) else {
            return Ok(Err(format!("{path}: unreadable remote version")));
        };
        files.insert(path, record);
    }
    Ok(Ok(State { files, listed_with }))
}

/// A row's record: the remote version as JSON, the local size and mtime.
fn record(remote: &str, size: i64, mtime: i64) -> Option<Record> {
    let remote = serde_json::from_str(remote).ok()?;
    let size = u64::try_from(size).unwrap_or(0);
    Some(Record {
        remote,
        local: LocalMeta { size, mtime },
    })
}

fn insert(db: &Connection, path: &RelPath, record: &Record) -> rusqlite::Result<()> {
    let mut insert = db.prepare_cached(
        "INSERT OR REPLACE INTO files (dir, name, remote, local_size, local_mtime) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let remote = serde_json::to_string(&record.remote).expect("plain data serializes");
    let size = i64::try_from(record.local.size).unwrap_or(i64::MAX);
    let dir = path.parent().unwrap_or_default();
    insert.execute(params![
        dir.as_str(),
        path.name(),
        remote,
        size,
        record.local.mtime
    ])?;
    Ok(())
}

fn remove(db: &Connection, path: &RelPath) -> rusqlite::Result<()> {
    let mut delete = db.prepare_cached("DELETE FROM files WHERE dir = ?1 AND name = ?2")?;
    let dir = path.parent().unwrap_or_default();
    delete.execute([dir.as_str(), path.name()])?;
    Ok(())
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
fn set_aside(dir: &Path, why: &str) -> io::Result<()> {
    let file = path(dir);
    let aside = dir.join(format!("{STATE_FILE}.ignored"));
    fs::rename(&file, &aside)?;
    for suffix in ["-wal", "-shm"] {
        let _ = fs::remove_file(dir.join(format!("{STATE_FILE}{suffix}")));
    }
    untrusted(&file, &format!("{why}; moved to {}", aside.display()));
    Ok(())
}

/// Removes a database file and its write-ahead log.
fn remove_db(file: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = fs::remove_file(PathBuf::from(name));
    }
}

fn untrusted(file: &Path, why: &str) {
    log::warn!(
        target: crate::app::logger::ACTION,
        "ignoring state file {}: {why}",
        file.display()
    );
}

/// The `state.json` of earlier versions, if there is one and it can be trusted (one that
/// cannot is said and left where it is).
fn load_legacy(dir: &Path) -> io::Result<Option<State>> {
    let file = dir.join(LEGACY_FILE);
    let bytes = match fs::read(&file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    match decode(&bytes) {
        Ok(state) => Ok(Some(state)),
        Err(why) => {
            untrusted(&file, &why);
            Ok(None)
        }
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
        state.files.insert(p("pub/a b/x.iso"), full);
        state.files.insert(p("café"), bare);
        state
    }

    fn p(s: &str) -> RelPath {
        RelPath::parse(s).unwrap()
    }

    fn write_legacy(dir: &Path, text: &str) {
        fs::write(dir.join(LEGACY_FILE), text).unwrap();
    }

    /// Everything `store` holds, read directory by directory.
    fn all(store: &Store) -> State {
        let mut files = BTreeMap::new();
        for dir in store.dirs().unwrap() {
            files.extend(store.records(&p(&dir)).unwrap());
        }
        State {
            files,
            listed_with: store.listed_with(),
        }
    }

    /// A database of format 2 holding `state`, as the last version wrote it.
    fn write_by_path(dir: &Path, state: &State) {
        let db = Connection::open(path(dir)).unwrap();
        db.execute_batch(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE files (path TEXT PRIMARY KEY, remote TEXT NOT NULL,
                 local_size INTEGER NOT NULL, local_mtime INTEGER NOT NULL) WITHOUT ROWID;
             INSERT INTO meta VALUES ('version', '2');",
        )
        .unwrap();
        set_listed_with(&db, state.listed_with).unwrap();
        for (path, r) in &state.files {
            let remote = serde_json::to_string(&r.remote).unwrap();
            db.execute(
                "INSERT INTO files VALUES (?1, ?2, ?3, ?4)",
                params![path.as_str(), remote, r.local.size as i64, r.local.mtime],
            )
            .unwrap();
        }
    }

    #[test]
    fn rows_are_read_per_directory_and_written_per_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let state = sample();
        for (path, record) in &state.files {
            store.record(path, record);
        }
        store.set_listed_with(state.listed_with).unwrap();
        let pub_ab = store.records(&p("pub/a b")).unwrap();
        assert_eq!(pub_ab.keys().collect::<Vec<_>>(), [&p("pub/a b/x.iso")]);
        assert!(store.records(&p("pub")).unwrap().is_empty());
        assert!(store.holds_below(&p("pub")) && store.holds_below(&RelPath::root()));
        assert!(!store.holds_below(&p("pu")) && !store.holds_below(&p("pub/a")));
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(all(&store), state, "a killed run keeps every row it wrote");
        store.forget(&p("café"));
        store
            .update(&[(p("new"), state.files[&p("café")].clone())], &[])
            .unwrap();
        store.forget_dirs(&["pub/a b".to_string()]).unwrap();
        assert_eq!(all(&store).files.keys().collect::<Vec<_>>(), [&p("new")]);
    }

    #[test]
    fn on_disk_format_is_versioned_with_one_row_per_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap().replace(&sample()).unwrap();
        drop(store);
        let db = Connection::open(path(dir.path())).unwrap();
        assert_eq!(
            (
                meta(&db, "version").unwrap(),
                meta(&db, "listed_with").unwrap()
            ),
            (Some("3".into()), Some("LIST -a".into()))
        );
        let remote: String = db
            .query_row(
                "SELECT remote FROM files WHERE dir = 'pub/a b' AND name = 'x.iso'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(remote.contains(r#""time":"2024-02-29T13:05:07","precision":"minute""#));
        assert!(!remote.contains("null"), "{remote}");
    }

    #[test]
    fn a_legacy_state_json_is_migrated_once_and_only_by_a_real_run() {
        let dir = tempfile::tempdir().unwrap();
        let record = r#"{"remote":{"size":3},"local":{"size":3,"mtime":2}}"#;
        let text = format!(r#"{{"version":1,"listed_with":"MLSD","files":{{"a/x":{record}}}}}"#);
        write_legacy(dir.path(), &text);
        let peeked = all(&Store::peek(dir.path()).unwrap());
        assert!(dir.path().join(LEGACY_FILE).exists() && !path(dir.path()).exists());
        assert_eq!(peeked.files.len(), 1);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(all(&store), peeked);
        assert!(!dir.path().join(LEGACY_FILE).exists());
        drop(store);
        assert_eq!(all(&Store::open(dir.path()).unwrap()), peeked);
    }

    #[test]
    fn a_database_of_format_2_is_migrated_and_a_dry_run_reads_it_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        write_by_path(dir.path(), &sample());
        let peeked = Store::peek(dir.path()).unwrap();
        assert_eq!(all(&peeked), sample());
        peeked.record(&p("dry"), &sample().files[&p("café")]);
        drop(peeked);
        let db = Connection::open(path(dir.path())).unwrap();
        assert_eq!(meta(&db, "version").unwrap(), Some("2".into()));
        drop(db);
        assert_eq!(all(&Store::open(dir.path()).unwrap()), sample());
        assert_eq!(all(&Store::open(dir.path()).unwrap()), sample());
        assert!(!dir.path().join("state.db.v2").exists());
    }

    #[test]
    fn missing_file_is_empty_state_and_a_dry_run_makes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let dry = Store::peek(&dir.path().join("none")).unwrap();
        assert_eq!(all(&dry), State::default());
        assert!(!dir.path().join("none").exists());
        assert_eq!(all(&Store::open(dir.path()).unwrap()), State::default());
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
            assert_eq!(all(&Store::peek(dir.path()).unwrap()), State::default());
            assert!(dir.path().join(LEGACY_FILE).exists());
        }
    }

    #[test]
    fn untrusted_databases_are_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let db_path = path(dir.path());
        let ignored = dir.path().join("state.db.ignored");
        let load = || {
            assert_eq!(all(&Store::peek(dir.path()).unwrap()), State::default());
            assert!(!ignored.exists(), "a dry run moves nothing");
            assert_eq!(all(&Store::open(dir.path()).unwrap()), State::default());
            assert!(ignored.exists() && db_path.exists());
            fs::remove_file(&ignored).unwrap();
            remove_db(&db_path);
        };
        let garbage = b"not a database at all, but long enough to be read as one....";
        fs::write(&db_path, garbage).unwrap();
        load();
        fs::write(&db_path, b"").unwrap();
        load();
        // Another version; a format-2 database with an unsafe path.
        Store::open(dir.path()).unwrap();
        let db = Connection::open(&db_path).unwrap();
        db.execute("UPDATE meta SET value = '9' WHERE key = 'version'", [])
            .unwrap();
        drop(db);
        load();
        write_by_path(dir.path(), &sample());
        let db = Connection::open(&db_path).unwrap();
        db.execute("UPDATE files SET path = '../x' WHERE path = 'café'", [])
            .unwrap();
        drop(db);
        load();
    }

    #[test]
    fn a_row_with_an_unsafe_name_is_never_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap().replace(&sample()).unwrap();
        let db = store.db.lock().unwrap();
        db.execute("UPDATE files SET name = '..' WHERE name = 'café'", [])
            .unwrap();
        drop(db);
        assert!(store.records(&RelPath::root()).unwrap().is_empty());
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
        fs::create_dir_all(path(dir.path())).unwrap();
        assert!(Store::open(dir.path()).is_err());
        assert!(Store::peek(dir.path()).is_err());
    }
}
