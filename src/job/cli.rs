//! The command line, parsed by clap into a struct that mirrors it. Nothing past `main` reads
//! these flags: `mirror` and `ls` turn theirs into [`Settings`], the same struct a job file
//! gives, and defaults are applied in one place when a job is resolved.

use crate::job::settings::{MaxDelete, MinFree, Pattern, Rate, Settings, Size, SourceUrl, TlsArg};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "ftpmirror",
    version,
    about = "Mirror a remote FTP or HTTP tree into a local directory"
)]
pub struct Cli {
    /// More output: -v for notes and unchanged files, -vv for a protocol trace (passwords masked).
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
    Mirror(Box<MirrorArgs>),
    /// Run jobs from a job file (mirror.toml): the named ones, or all, one after another.
    Run(RunArgs),
    /// Print the remote listing as ftpmirror parses it.
    Ls(LsArgs),
    /// Print a completion script for SHELL, made from these very flags.
    Completions(CompletionsArgs),
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell.
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct MirrorArgs {
    /// ftp://, ftps:// (implicit TLS), ftpes:// (explicit TLS), or http(s):// of index pages
    // A String, parsed after clap: clap would print a bad value whole, password included.
    pub source: String,
    /// The local directory to mirror into. If missing it is made, but not its parent (an
    /// unmounted filesystem?) unless --mkdir is given.
    pub target: PathBuf,
    #[command(flatten)]
    pub mirror: MirrorOptions,
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Jobs to run (default: all, in name order).
    pub jobs: Vec<String>,
    /// The job file (default: $FTPMIRROR_CONFIG, ./mirror.toml, ~/.config/ftpmirror/mirror.toml,
    /// /etc/ftpmirror/mirror.toml, the first that exists).
    #[arg(short, long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Check the job file and every selected job (keys, values, patterns, credentials, target
    /// paths) without connecting or writing anything; exit 0 when all are ready to run.
    #[arg(long, conflicts_with_all = ["dry_run", "summary_json", "wait_lock"])]
    pub check: bool,
    #[command(flatten)]
    pub run: RunOptions,
}

/// How a run behaves, whatever its jobs.
#[derive(Args, Debug, Clone)]
pub struct RunOptions {
    /// Print what would be done and change nothing.
    #[arg(short = 'n', long)]
    pub dry_run: bool,
    /// Output of --dry-run.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// When another run holds the target's lock, wait up to this many seconds for it.
    #[arg(long, value_name = "SECONDS")]
    pub wait_lock: Option<u64>,
    /// Append timestamped lines (changes, warnings, errors) to this file.
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
    /// Write a JSON summary of the run (per job: counts, bytes, duration, errors) to this file.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
}

/// What to mirror, and how.
#[derive(Args, Debug)]
pub struct MirrorOptions {
    /// Make every missing directory above the target too (as mkdir -p, rsync --mkpath).
    #[arg(long)]
    pub mkdir: bool,
    /// Keep the state and the lock in DIR instead of TARGET/.ftpmirror (for a target that is
    /// published and should hold no bookkeeping). One directory per target.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Delete local files and directories that are gone from the server.
    #[arg(long)]
    pub delete: bool,
    /// With --delete: delete nothing if more than N files (or N% of the local files) would go.
    #[arg(long, value_name = "N|N%")]
    pub max_delete: Option<MaxDelete>,
    /// Let a directory that had files on the last run be emptied when it now lists empty.
    #[arg(long)]
    pub allow_empty: bool,
    /// Mirror only files matching GLOB (repeatable; `**` crosses directories).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<Pattern>,
    /// Leave out paths matching GLOB (repeatable); excluded local files are never deleted.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<Pattern>,
    /// Fetch files matching GLOB (index files: Release, Packages*, repodata/*) only after every
    /// other transfer succeeded; deletions come after them (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub last: Vec<Pattern>,
    /// Parallel connections, each a logged-in session reused for every listing and file
    /// (default 4). Also -P/--parallel (lftp) and --transfers (rclone).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64),
          visible_short_alias = 'P', visible_aliases = ["parallel", "transfers"])]
    pub connections: Option<u16>,
    /// Attempts per file or listing when the server fails transiently (default 3).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub tries: Option<u32>,
    /// Give up on the whole job after this many seconds.
    #[arg(long, value_name = "SECONDS", value_parser = seconds())]
    pub job_timeout: Option<u64>,
    /// Cap the total bandwidth of all connections, in bytes per second (500k, 10M); 0: no cap.
    /// Also --bwlimit (rclone).
    #[arg(long, value_name = "RATE", visible_alias = "bwlimit")]
    pub limit_rate: Option<Rate>,
    /// Keep this much free on the target's filesystem: a size (2G) or a percentage (5%).
    /// Default: 1 GiB or 5 %, whichever is smaller.
    #[arg(long, value_name = "SIZE|N%")]
    pub min_free: Option<MinFree>,
    /// Fetch no file larger than SIZE (500M, 2G): a larger listed file is skipped, a body of
    /// unknown length is stopped there.
    #[arg(long, value_name = "SIZE")]
    pub max_size: Option<Size>,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// ftp(s)://[user@]host[:port]/path or http(s)://host[:port]/path/
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
    /// Most HTTP redirects followed for one request (default 10).
    #[arg(long, value_name = "N")]
    pub max_redirects: Option<u32>,
    /// Seconds to wait for a connection to open (default 30).
    #[arg(long, value_name = "SECONDS", value_parser = seconds())]
    pub connect_timeout: Option<u64>,
    /// Seconds without a byte from the server before a reply or transfer is given up (default 60).
    #[arg(long, value_name = "SECONDS", value_parser = seconds())]
    pub timeout: Option<u64>,
}

/// A timeout: 0 is refused here, as in a job file, rather than failing later as a server that
/// cannot be reached.
fn seconds() -> clap::builder::RangedU64ValueParser {
    clap::value_parser!(u64).range(1..)
}

/// A flag given is `Some(true)`; not given leaves the job file's or default value.
fn flag(given: bool) -> Option<bool> {
    given.then_some(true)
}

fn list<T>(given: Vec<T>) -> Option<Vec<T>> {
    (!given.is_empty()).then_some(given)
}

impl ConnectionArgs {
    pub fn settings(&self) -> Settings {
        Settings {
            user: self.user.clone(),
            password_file: self.password_file.clone(),
            netrc_file: self.netrc_file.clone(),
            active: flag(self.active),
            trust_pasv_address: flag(self.trust_pasv_address),
            no_epsv: flag(self.no_epsv),
            tls: self.tls,
            ca_file: self.ca_file.clone(),
            insecure: flag(self.insecure),
            allow_other_hosts: flag(self.allow_other_hosts),
            max_redirects: self.max_redirects,
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            ..Settings::default()
        }
    }
}

impl MirrorArgs {
    pub fn settings(self) -> Result<Settings, String> {
        let m = self.mirror;
        Ok(Settings {
            source: Some(self.source.parse::<SourceUrl>()?),
            target: Some(self.target),
            mkdir: flag(m.mkdir),
            state_dir: m.state_dir,
            include: list(m.include),
            exclude: list(m.exclude),
            last: list(m.last),
            delete: flag(m.delete),
            max_delete: m.max_delete,
            allow_empty: flag(m.allow_empty),
            connections: m.connections,
            tries: m.tries,
            job_timeout: m.job_timeout,
            limit_rate: m.limit_rate,
            min_free: m.min_free,
            max_size: m.max_size,
            ..self.connection.settings()
        })
    }
}

/// The manual keeps up with the command line: every flag clap knows, long or short, and every
/// visible alias, is in `man/ftpmirror.1`, so a flag cannot be added without its documentation.
#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// `--name` as roff writes it: every `-` escaped.
    fn roff(flag: &str) -> String {
        flag.replace('-', "\\-")
    }

    #[test]
    fn every_flag_is_in_the_manual() {
        let manual = include_str!("../../man/ftpmirror.1");
        let cli = Cli::command();
        let mut missing = Vec::new();
        let commands = std::iter::once(&cli).chain(cli.get_subcommands());
        for command in commands {
            if command.get_name() != cli.get_name() && !manual.contains(command.get_name()) {
                missing.push(command.get_name().to_string());
            }
            for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
                let longs = arg
                    .get_long()
                    .into_iter()
                    .chain(arg.get_visible_aliases().into_iter().flatten());
                let shorts = arg
                    .get_short()
                    .into_iter()
                    .chain(arg.get_visible_short_aliases().into_iter().flatten());
                let flags = longs
                    .map(|l| format!("--{l}"))
                    .chain(shorts.map(|s| format!("-{s}")));
                for flag in
                    flags.filter(|f| f != "--help" && f != "-h" && f != "--version" && f != "-V")
                {
                    if !manual.contains(&roff(&flag)) {
                        missing.push(format!("{} {flag}", command.get_name()));
                    }
                }
            }
        }
        assert_eq!(missing, Vec::<String>::new(), "not in man/ftpmirror.1");
    }
}
