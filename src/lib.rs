//! ftpmirror mirrors a remote directory tree served over FTP into a local directory.
//!
//! The pipeline (see DESIGN.md): the command line ([`cli`]) is resolved once ([`app`]) into a
//! [`source::Source`] and credentials; an [`ftp::Session`] lists remote directories, whose
//! listings the pure parsers in [`ftp::list`] turn into [`tree::Entry`] values. Only the
//! [`ftp`] client opens sockets.

pub mod app;
pub mod cli;
pub mod credentials;
pub mod error;
pub mod ftp;
pub mod logger;
pub mod ls;
pub mod source;
pub mod tree;
