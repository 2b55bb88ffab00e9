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
    /// Print the remote listing as ftpmirror parses it.
    Ls(LsArgs),
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// ftp://[user@]host[:port]/path
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
pub enum Format {
    Text,
    Json,
}

/// How to reach and log in to the server.
#[derive(Args, Debug)]
pub struct ConnectionArgs {
    /// User name (default: anonymous, or the URL's user). The password comes from
    /// FTPMIRROR_PASSWORD or the URL.
    #[arg(long)]
    pub user: Option<String>,
    /// Read the password from the first line of this file.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Active mode: the server connects back to us (EPRT, then PORT).
    #[arg(long)]
    pub active: bool,
    /// Connect to the address a PASV reply names instead of the control connection's peer.
    #[arg(long)]
    pub trust_pasv_address: bool,
    /// Send PASV or PORT at once, without trying EPSV or EPRT first.
    #[arg(long)]
    pub no_epsv: bool,
    /// Seconds to wait for a connection to open.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub connect_timeout: u64,
    /// Seconds to wait for any reply or data before giving up.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
}
