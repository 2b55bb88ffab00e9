//! The job: what to mirror and how, from the command line ([`cli`]) or a job file ([`config`]),
//! both given as one [`Settings`] struct, with credentials ([`credentials`], [`netrc`]) and the
//! include and exclude patterns ([`filter`]), resolved once into a [`Job`] with the defaults
//! applied and every value checked. [`connector`] is the one place a protocol is picked.
//!
//! Invariant: nothing past [`Job::resolve`] reads a flag or a job-file key.

pub mod cli;
pub mod config;
pub mod credentials;
pub mod filter;
pub mod netrc;
pub mod settings;

use crate::app::error::Error;
use crate::ftp::{self, DataMode, Security};
use crate::http::{self, Proxies};
use crate::job::filter::Filter;
use crate::job::settings::{MaxDelete, MinFree, Pattern, Rate, Settings, TlsArg};
use crate::local::STATE_DIR;
use crate::net::tls;
use crate::remote::pool::Retry;
use crate::remote::source::{Scheme, Source};
use crate::remote::{Connector, Dial};
use cli::{Format, RunOptions};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub const DEFAULT_CONNECTIONS: u16 = 4;
pub const DEFAULT_TRIES: u32 = 3;

/// One mirror job, ready to run.
pub struct Job {
    pub name: String,
    pub source: Source,
    pub target: PathBuf,
    /// Where the state and the lock are kept: `TARGET/.ftpmirror` unless `--state-dir`.
    pub state_dir: PathBuf,
    /// Make the target's missing parents too.
    pub mkdir: bool,
    pub filter: Filter,
    /// Files fetched after all others (`last`), if any patterns were given.
    pub last: Option<Filter>,
    pub delete: bool,
    pub max_delete: Option<MaxDelete>,
    pub allow_empty: bool,
    pub connections: usize,
    pub retry: Retry,
    pub job_timeout: Option<Duration>,
    pub limit_rate: Option<Rate>,
    /// Space kept free on the target's filesystem (`None`: the default).
    pub min_free: Option<MinFree>,
    /// No file larger than this many bytes.
    pub max_size: Option<u64>,
    pub connector: Connector,
    /// A dry run, printed in this format: nothing is locked, fetched or changed.
    pub dry_run: Option<Format>,
    /// How long to wait for another run's lock, if at all.
    pub wait_lock: Option<Duration>,
}

impl Job {
    /// The job `name` of `s`, run as `run` says (a dry run, a lock wait).
    pub fn resolve(name: &str, s: Settings, run: &RunOptions) -> Result<Job, Error> {
        let missing = |key: &str| Error::Usage(format!("job {name}: no {key} given"));
        let source = s.source.clone().ok_or_else(|| missing("source"))?.0;
        let target = s.target.clone().ok_or_else(|| missing("target"))?;
        let patterns = |p: &Option<Vec<Pattern>>| -> Vec<String> {
            p.iter().flatten().map(|p| p.0.clone()).collect()
        };
        let filter =
            Filter::new(&patterns(&s.include), &patterns(&s.exclude)).map_err(Error::Usage)?;
        let connections = s.connections.unwrap_or(DEFAULT_CONNECTIONS);
        if !(1..=64).contains(&connections) {
            return Err(Error::Usage(format!(
                "job {name}: connections must be 1 to 64, not {connections}"
            )));
        }
        let tries = s.tries.unwrap_or(DEFAULT_TRIES);
        if !(1..=100).contains(&tries) {
            return Err(Error::Usage(format!(
                "job {name}: tries must be 1 to 100, not {tries}"
            )));
        }
        let delete = s.delete.unwrap_or(false);
        if let (Some(max), false) = (s.max_delete, delete) {
            return Err(Error::Usage(format!(
                "job {name}: --max-delete {max} limits deletions, but --delete is not given, so \
                 nothing is deleted: add --delete (delete = true in a job file) or drop \
                 --max-delete"
            )));
        }
        let last = match patterns(&s.last) {
            last if last.is_empty() => None,
            last => Some(Filter::new(&last, &[]).map_err(Error::Usage)?),
        };
        Ok(Job {
            name: name.to_string(),
            connector: connector(&source, &s)?,
            source,
            state_dir: (s.state_dir.clone()).unwrap_or_else(|| target.join(STATE_DIR)),
            target,
            mkdir: s.mkdir.unwrap_or(false),
            filter,
            last,
            delete,
            max_delete: s.max_delete,
            allow_empty: s.allow_empty.unwrap_or(false),
            connections: connections.into(),
            retry: Retry {
                tries,
                first_delay: Duration::from_secs(1),
            },
            job_timeout: s.job_timeout.map(Duration::from_secs),
            limit_rate: s.limit_rate,
            min_free: s.min_free,
            max_size: s.max_size.map(|s| s.0),
            dry_run: run.dry_run.then_some(run.format),
            wait_lock: run.wait_lock.map(Duration::from_secs),
        })
    }
}

/// FTP's TLS mode: the scheme's when it has one (`ftps://` implicit, `ftpes://` required), else
/// `tls`, else auto for a password login (so it is not sent in clear where TLS is on offer) and
/// off for anonymous.
fn security(scheme: Scheme, tls: Option<TlsArg>, login: &ftp::Login) -> Result<Security, Error> {
    let conflict = |url: &str| Err(Error::Usage(format!("tls off contradicts an {url} URL")));
    Ok(match (scheme, tls) {
        (Scheme::Ftps, Some(TlsArg::Off)) => return conflict("ftps://"),
        (Scheme::Ftpes, Some(TlsArg::Off)) => return conflict("ftpes://"),
        (Scheme::Ftps, _) => Security::Implicit,
        (Scheme::Ftpes, _) | (_, Some(TlsArg::Required)) => Security::Required,
        (_, Some(TlsArg::Auto)) => Security::Auto,
        (_, Some(TlsArg::Off)) => Security::Off,
        (_, None) if login.user == ftp::Login::anonymous().user => Security::Off,
        (_, None) => Security::Auto,
    })
}

/// How to open sessions to `source`: credentials, timeouts, TLS, proxies.
pub fn connector(source: &Source, s: &Settings) -> Result<Connector, Error> {
    let sources = credentials::Sources {
        user: s.user.clone(),
        password_file: s.password_file.clone(),
        password_env: s.password_env.clone(),
        netrc_file: s.netrc_file.clone(),
    };
    let login = credentials::resolve(source, &sources)?;
    let connect_timeout = Duration::from_secs(s.connect_timeout.unwrap_or(30));
    let read_timeout = Duration::from_secs(s.timeout.unwrap_or(60));
    let insecure = s.insecure.unwrap_or(false);
    if insecure {
        log::warn!("--insecure: server certificates are not checked; anyone on the path can read and change the transfer");
    }
    let trust = tls::Trust {
        ca_file: s.ca_file.clone(),
        insecure,
    };
    let tls_config = tls::config(&trust).map_err(Error::Usage)?;
    // The one place a protocol is picked: its dial opens every session of the job.
    let dial: Arc<dyn Dial> = match source.scheme {
        Scheme::Ftp | Scheme::Ftps | Scheme::Ftpes => Arc::new(ftp::adapter::Dial {
            host: source.host.clone(),
            port: source.port,
            options: ftp::Options {
                connect_timeout,
                read_timeout,
                data_mode: match s.active.unwrap_or(false) {
                    true => DataMode::Active,
                    false => DataMode::Passive,
                },
                trust_pasv_host: s.trust_pasv_address.unwrap_or(false),
                extended: !s.no_epsv.unwrap_or(false),
                security: security(source.scheme, s.tls, &login)?,
                tls: Some(tls_config),
                deadline: None,
            },
            shared: ftp::Shared::default(),
            login,
        }),
        Scheme::Http | Scheme::Https => Arc::new(http::adapter::Dial {
            base: source.base_url(),
            options: http::Options {
                connect_timeout,
                read_timeout,
                tls: Some(tls_config),
                proxies: Proxies::from_env(|k| std::env::var(k).ok()).map_err(Error::Usage)?,
                max_redirects: s.max_redirects.unwrap_or(10),
                other_hosts: s.allow_other_hosts.unwrap_or(false),
                basic_auth: (login.user != ftp::Login::anonymous().user)
                    .then(|| (login.user.clone(), login.password.clone())),
                deadline: None,
            },
            pipelining: http::Pipelining::default(),
        }),
    };
    Ok(Connector::new(source.clone(), dial))
}
