//! HTTP: our own client and the pure parsers of what web servers send.
//!
//! `message` (request and response heads, chunked bodies, `Content-Range`), `proxy` (the proxy
//! environment) and `index` (directory index pages) are pure and tested on bytes; `client` is
//! the only part that opens sockets, and `adapter` puts it behind the mirror's seam.
//!
//! Invariant: no request line or header holds CR, LF or NUL; the parsers never touch a
//! socket.

pub(crate) mod adapter;
pub mod client;
pub mod index;
pub mod message;
pub mod proxy;
