//! The command line, parsed by clap into a struct that mirrors it. Nothing past `main` reads
//! these flags: they are resolved once into the values each command needs.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "ftpmirror",
    version,
    about = "Mirror a remote FTP tree into a local directory"
)]
pub struct Cli {
    /// More output: -v for progress notes, -vv for a protocol trace (passwords masked).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Make TARGET an exact copy of the remote tree at SOURCE, and keep it so.
    Mirror(MirrorArgs),
    /// Print the remote listing as ftpmirror parses it.
    Ls(LsArgs),
}

#[derive(Args, Debug)]
pub struct MirrorArgs {
    /// ftp://, ftps:// (implicit TLS), ftpes:// (explicit TLS), or http(s):// of index pages
    pub source: String,
    /// The local directory to mirror into (created if missing).
    pub target: PathBuf,
    /// Print what would be done and change nothing.
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// Output of --dry-run.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Delete local files and directories that are gone from the server.
    #[arg(long)]
    pub delete: bool,
    /// Mirror only files matching GLOB (repeatable; `**` crosses directories).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Leave out paths matching GLOB (repeatable); excluded local files are never deleted.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Parallel connections, each a logged-in session reused for every listing and file.
    #[arg(short = 'j', long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub connections: u16,
    /// Attempts per file or listing when the server fails transiently (4xx, reset, timeout).
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub tries: u32,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// ftp://[user@]host[:port]/path or http(s)://host[:port]/path/
    pub url: String,
    /// List subdirectories too.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum TlsArg {
    Off,
    Auto,
    Required,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// How to reach and log in to the server.
#[derive(Args, Debug)]
pub struct ConnectionArgs {
    /// User name (default: the URL's, else ~/.netrc's for the host, else anonymous). The password
    /// comes from --password-file, FTPMIRROR_PASSWORD, ~/.netrc, or the URL.
    #[arg(long)]
    pub user: Option<String>,
    /// Read the password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Read user and password for the host from this netrc file instead of ~/.netrc.
    #[arg(long, value_name = "FILE")]
    pub netrc_file: Option<PathBuf>,
    /// Active mode: the server connects back to us (EPRT, then PORT).
    #[arg(long)]
    pub active: bool,
    /// Connect to the address a PASV reply names instead of the control connection's peer.
    #[arg(long)]
    pub trust_pasv_address: bool,
    /// Send PASV or PORT at once, without trying EPSV or EPRT first.
    #[arg(long)]
    pub no_epsv: bool,
    /// TLS for ftp:// sources: off, auto (AUTH TLS, clear if the server has none) or required.
    /// Default: auto when logging in with a password, off for anonymous logins.
    #[arg(long, value_enum, value_name = "WHEN")]
    pub tls: Option<TlsArg>,
    /// Trust the certificate authorities in this PEM file too (HTTPS, FTPS).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not check server certificates at all (says so on stderr).
    #[arg(long)]
    pub insecure: bool,
    /// Follow HTTP redirects to other hosts (never to another scheme).
    #[arg(long)]
    pub allow_other_hosts: bool,
    /// Most HTTP redirects followed for one request.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_redirects: u32,
    /// Seconds to wait for a connection to open.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub connect_timeout: u64,
    /// Seconds to wait for any reply or data before giving up.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
}
