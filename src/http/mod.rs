//! HTTP: our own client and the pure parsers of what web servers send.
//!
//! `message` (request and response heads, chunked bodies, `Content-Range`), `proxy` (the proxy
//! environment), `request` and `index` (directory index pages) are pure and tested on bytes;
//! `client` and the body reader of `response` are the only parts that touch sockets, and
//! `adapter` puts the client behind the mirror's seam.
//!
//! As a library, in the manner of Python's `http.client`: build a [`Request`], [`Client::send`]
//! it, and read the [`Response`]'s status, fields and [`Body`]; the client keeps its connection
//! alive between requests to the same origin.
//!
//! Invariant: no request line or header holds CR, LF or NUL; the parsers never touch a
//! socket.

#![warn(missing_docs)]

pub(crate) mod adapter;
mod client;
pub mod index;
pub mod message;
pub mod proxy;
mod request;
mod response;

pub(crate) use client::Pipelining;
pub use client::{Client, Error, Options, Result};
pub use proxy::{Proxies, Proxy};
pub use request::{Method, Request};
pub use response::{Body, Response};
