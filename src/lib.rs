//! ftpmirror mirrors a remote directory tree, served over FTP, FTPS, HTTP or HTTPS, into a
//! local directory, and keeps it in step on every later run: the successor of Python's
//! `Tools/scripts/ftpmirror.py`, on clients of its own that succeed `ftplib` and `httplib`.
//!
//! # The pipeline
//!
//! Each folder of `src/` is one step; they are declared below in the order a run takes them.
//!
//! 1. `job/`: flags and `mirror.toml` are resolved once into a job; nothing later reads a flag.
//! 2. `remote/`: a pool of sessions, one per worker, each behind one interface whatever the
//!    protocol (list a directory, probe a file, fetch it into a temp file); one directory is
//!    listed at a time into entries keyed by checked paths. Each protocol plugs in from its own
//!    folder (`ftp/`, `http/`).
//! 3. `local/`: the target as it is: one directory's scan, the state of what each file was
//!    fetched from (read one directory at a time), partial files, free space, the lock.
//! 4. `plan/`: the pure decision for every path of one directory (fetch, keep, link, delete,
//!    skip); `--dry-run` renders each as it comes.
//! 5. `exec/`: the march, which drives the three steps above one directory at a time as the
//!    listings arrive and carries each plan out: batches over the sessions, each download into
//!    a temp file, checked, timed and renamed; deletions last, and only when all else
//!    succeeded.
//! 6. `app/`: the commands, the report, the exit code, the log.
//!
//! Under them, `net/` (TLS, the job's pace and end) and the two clients.
//!
//! # As a library
//!
//! Public: [`ftp`], an FTP client in the manner of Python's `ftplib`, with parsers for every
//! listing dialect met in the wild; [`http`], a small blocking HTTP/1.1 client with parsers for
//! directory index pages; and [`tree`], the entry model a listing becomes. Everything else is
//! the program's own and may change. `examples/ftp_session.rs` (an `ftplib` session) and
//! `examples/http_get.rs` (an `http.client` GET and HEAD) show each client at work.

pub use remote::tree;

mod app;
mod exec;
pub mod ftp;
pub mod http;
mod job;
mod local;
mod net;
mod plan;
mod remote;

/// The `ftpmirror` command: parses the arguments, runs, returns the exit code.
#[doc(hidden)]
pub fn main() -> std::process::ExitCode {
    app::main()
}
