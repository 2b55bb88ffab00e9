//! ftpmirror mirrors a remote directory tree served over FTP into a local directory.
//!
//! The pipeline (README.md, "Layout"): the command line ([`cli`]) is resolved once ([`app`]) into a
//! [`source::Source`] and credentials; an [`ftp::Session`] lists remote directories, whose
//! listings the pure parsers in [`ftp::list`] turn into [`tree::Entry`] values. Only the
//! [`ftp`] client opens sockets.

pub mod app;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod error;
pub mod exec;
pub mod filter;
pub mod ftp;
pub mod http;
pub mod job;
pub mod local;
pub mod lock;
pub mod logger;
pub mod ls;
pub mod netrc;
pub mod pace;
pub mod plan;
pub mod pool;
pub mod remote;
pub mod report;
pub mod session;
pub mod settings;
pub mod signal;
pub mod source;
pub mod space;
pub mod state;
pub mod target;
pub mod tls;
pub mod tree;
