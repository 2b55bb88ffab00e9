//! FTP: our own blocking client and the pure parsers of what FTP servers send.
//!
//! `reply`, `command`, `features`, `passive` and `timeval` are the vocabulary (RFC 959, 2389,
//! 2428, 3659), pure and tested on bytes; `list` turns listings into [`crate::remote::tree::Entry`]
//! values. `client` (control connection) and `transfer` (data connections) are the only parts
//! that open sockets; `session` is the mirror's logged-in session and `adapter` puts it behind
//! the mirror's seam.
//!
//! Invariant: no argument holding CR, LF or NUL reaches a command line; the parsers never touch
//! a socket.

#![warn(missing_docs)]

pub(crate) mod adapter;
mod client;
mod command;
mod complete;
mod error;
mod features;
pub mod list;
mod passive;
mod paths;
mod pipeline;
mod reply;
mod secure;
mod session;
pub(crate) mod timeval;
mod transfer;

pub(crate) use client::Shared;
pub use client::{parse_mdtm, Client, DataMode, Options, Security, MAX_LINE};
pub use command::{Command, Prot};
pub use error::{Error, Result};
pub use features::Features;
pub use paths::MAX_PATH_LINE;
pub use reply::{Class, Code, Reply, ReplyReader};
pub(crate) use session::{ListCommand, Login, Session};
pub(crate) use transfer::Prepared;
pub use transfer::{ListData, Retr, Stor, MAX_LISTING};
