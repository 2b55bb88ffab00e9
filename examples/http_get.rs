//! An httplib GET with ftpmirror's HTTP client: the status, the header fields and the body
//! streamed out, then a HEAD on the same kept-alive connection.
//!
//! ```text
//! cargo run --example http_get -- https://example.org/
//! ```

use ftpmirror::http::{Client, Options, Proxies, Request};
use std::error::Error;
use std::io::{self, Write};

fn main() -> Result<(), Box<dyn Error>> {
    let url = std::env::args().nth(1).ok_or("usage: http_get URL")?;
    run(&url, &mut io::stdout())
}

/// The exchange, written to `out`; tests/it/examples.rs runs it against nginx.
pub fn run(url: &str, out: &mut dyn Write) -> Result<(), Box<dyn Error>> {
    let url = url::Url::parse(url)?;
    // http_proxy, https_proxy and no_proxy as curl reads them.
    let proxies = Proxies::from_env(|k| std::env::var(k).ok())?;
    let mut client = Client::new(Options {
        proxies,
        ..Options::default()
    });
    {
        let mut response = client.send(&Request::get(&url).header("Accept", "text/html, */*"))?;
        let (status, reason) = (response.status(), response.reason().to_string());
        writeln!(out, "HTTP {status} {reason} ({})", response.url())?;
        for (name, value) in response.headers() {
            writeln!(out, "{name}: {value}")?;
        }
        writeln!(out)?;
        // Read to its end, the body leaves the connection ready for the next request.
        let bytes = io::copy(response.body(), out)?;
        writeln!(out, "\n{bytes} bytes")?;
    }
    let head = client.send(&Request::head(&url))?;
    writeln!(out, "HEAD: {} {}", head.status(), head.reason())?;
    Ok(())
}
