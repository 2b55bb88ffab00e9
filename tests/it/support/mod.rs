//! Support for the integration tests: real FTP servers on loopback, test trees, and the built
//! `ftpmirror` binary.
//!
//! - [`pyftpd::Pyftpd`]: pyftpdlib (MLSD, optional TLS, optionally LIST-only).
//! - [`vsftpd::Vsftpd`]: Debian's vsftpd (LIST only).
//! - [`server::FtpServer`]: what both offer (port, URLs, the commands they received).
//! - [`tree`]: the awkward tree, deterministic files, snapshots and tree differences.
//! - [`wire::Control`]: a raw control connection for checking a server by hand.
//!
//! Servers need what `tests/setup.sh` installs.

// Helpers here serve tests written later; not every one is used by every build.
#![allow(dead_code)]

pub mod apache;
pub mod caddy;
pub mod fake_ftp;
pub mod http_peer;
pub mod inetutils;
pub mod installed;
pub mod lighttpd;
pub mod ports;
pub mod proftpd;
pub mod pureftpd;
pub mod pyftpd;
pub mod runs;
pub mod sentinel;
pub mod server;
pub mod tmpfs;
pub mod tree;
pub mod twisted;
pub mod vsftpd;
pub mod web;
pub mod wire;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use tempfile::TempDir;

pub use pyftpd::{Pyftpd, PyftpdOptions};
pub use server::FtpServer;
pub use tree::{awkward_tree, sized_file, snapshot, ExpectedEntry, Kind};
pub use vsftpd::{Vsftpd, VsftpdTls};

/// A command for the built binary.
///
/// `option_env!`, not `env!`: Cargo defines CARGO_BIN_EXE_ftpmirror only when the crate has a
/// `ftpmirror` binary target, and `env!` would then stop every test from compiling.
pub fn ftpmirror() -> Command {
    let Some(path) = option_env!("CARGO_BIN_EXE_ftpmirror") else {
        panic!("no `ftpmirror` binary target (src/main.rs) in this build");
    };
    Command::new(path)
}

/// A fresh directory to serve: under /tmp (not $TMPDIR, which may not be traversable by the
/// servers' unprivileged users) and mode 755 (tempfile's mode follows the umask, maybe 077).
pub fn served_dir() -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix("ftpmirror-it-")
        .tempdir_in("/tmp")
        .expect("temp dir in /tmp");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// A fresh scratch directory (a mirror's target, a config file's home).
pub fn temp_dir() -> TempDir {
    tempfile::Builder::new()
        .prefix("ftpmirror-it-")
        .tempdir()
        .expect("temp dir")
}

/// The paths the state database in the state directory `dir` holds a record for, sorted.
pub fn state_paths(dir: &std::path::Path) -> Vec<String> {
    let db = rusqlite::Connection::open_with_flags(
        dir.join("state.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the state database");
    let mut query = db
        .prepare("SELECT CASE dir WHEN '' THEN name ELSE dir || '/' || name END FROM files")
        .unwrap();
    let rows = query.query_map([], |row| row.get(0)).unwrap();
    let mut paths: Vec<String> = rows.map(Result::unwrap).collect();
    paths.sort();
    paths
}
