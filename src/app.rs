//! Each command from resolved arguments to an exit code: the one place where flags become the
//! values the rest of the program works with, and where the pipeline's steps are put in order
//! (list, scan, diff, then render or execute).

use crate::cli::{ConnectionArgs, Format, LsArgs, MirrorArgs, TlsArg};
use crate::error::{Error, Exit};
use crate::exec::progress::{Mode, Progress};
use crate::filter::Filter;
use crate::ftp::{self, DataMode, Security};
use crate::http::{client as http, proxy::Proxies};
use crate::plan::{self, Inputs, Plan};
use crate::pool::{Pool, Retry};
use crate::remote::{self, RemoteTree};
use crate::session::{self, Connector};
use crate::source::{Scheme, Source};
use crate::state::State;
use crate::{credentials, exec, local, ls, report, tls};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::time::{Duration, Instant};

/// `ftpmirror ls`.
pub fn ls(args: LsArgs) -> Result<Exit, Error> {
    let source = Source::parse(&args.url).map_err(Error::Usage)?;
    let connector = connector(&source, &args.connection)?;
    let mut session = connector.open().map_err(|e| connect_error(&source, e))?;
    let root = source.root(session.login_dir());
    let exit = ls::run(&mut session, &root, args.recursive, args.format)?;
    session.quit();
    Ok(exit)
}

/// `ftpmirror mirror`.
pub fn mirror(args: MirrorArgs, verbose: u8, quiet: bool) -> Result<Exit, Error> {
    let started = Instant::now();
    let source = Source::parse(&args.source).map_err(Error::Usage)?;
    let filter = Filter::new(&args.include, &args.exclude).map_err(Error::Usage)?;
    check_target(&args.target)?;
    let retry = Retry {
        tries: args.tries,
        first_delay: Duration::from_secs(1),
    };
    let connector = connector(&source, &args.connection)?;
    let mut pool = Pool::open(connector, args.connections.into(), retry)
        .map_err(|e| connect_error(&source, e))?;
    let root = source.root(pool.login_dir());
    let remote = remote::walk(&mut pool, &root, &filter);
    for error in &remote.errors {
        log::error!("{error}");
    }
    let local =
        local::scan(&args.target).map_err(|e| io_error("reading the target", &args.target, e))?;
    for warning in &local.skipped {
        log::warn!("{warning}");
    }
    let state =
        State::load(&args.target).map_err(|e| io_error("reading the state in", &args.target, e))?;
    let plan = make_plan(
        &mut pool,
        &root,
        &remote,
        &local.entries,
        &state,
        &filter,
        args.delete,
    );
    let listing_failed = !remote.errors.is_empty();
    if args.dry_run {
        pool.close();
        match args.format {
            Format::Text => print!("{}", plan::render_text(&plan, verbose > 0)),
            Format::Json => println!("{}", plan::render_json(&plan)),
        }
        return Ok(if listing_failed {
            Exit::Partial
        } else {
            Exit::Success
        });
    }
    std::fs::create_dir_all(&args.target).map_err(|e| io_error("creating", &args.target, e))?;
    for skip in &plan.skipped {
        log::warn!("skipping {}: {}", skip.path, skip.reason);
    }
    let mode = match (quiet, std::io::stderr().is_terminal()) {
        (true, _) => Mode::Quiet,
        (false, true) => Mode::Bars,
        (false, false) => Mode::Lines,
    };
    let totals = plan.totals();
    let progress = Progress::new(
        mode,
        plan.fetches.len(),
        totals.bytes,
        args.connections.into(),
    );
    let ctx = exec::Context {
        target: &args.target,
        root: &root,
        offset: remote.offset,
        partials: &local.partials,
        state: &state,
    };
    let mut outcome = exec::execute(&plan, &mut pool, &ctx, &progress);
    progress.finish();
    pool.close();
    outcome.errors.splice(0..0, remote.errors.iter().cloned());
    let changed = outcome.fetched + outcome.made + outcome.deleted > 0;
    if (changed || !outcome.errors.is_empty() || verbose > 0) && !quiet {
        println!(
            "{}",
            report::summary(&outcome, totals.unchanged, started.elapsed())
        );
    }
    Ok(if outcome.errors.is_empty() {
        Exit::Success
    } else {
        Exit::Partial
    })
}

/// Plans; where the listing could not decide, probes (one MDTM or HEAD per such file) and
/// plans again with what the probes told.
fn make_plan(
    pool: &mut Pool,
    root: &str,
    remote: &RemoteTree,
    local: &BTreeMap<crate::tree::RelPath, local::LocalEntry>,
    state: &State,
    filter: &Filter,
    delete: bool,
) -> Plan {
    let diff = |entries| {
        plan::diff(&Inputs {
            remote: entries,
            failed: &remote.failed,
            offset: remote.offset,
            local,
            state,
            filter,
            delete,
        })
    };
    let plan = diff(&remote.entries);
    if plan.probes.is_empty() {
        return plan;
    }
    let mut entries = remote.entries.clone();
    remote::probe(pool, root, &plan.probes, &mut entries);
    diff(&entries)
}

/// A target that exists must be a directory: mirroring onto a file would replace it.
fn check_target(target: &Path) -> Result<(), Error> {
    match std::fs::metadata(target) {
        Ok(meta) if !meta.is_dir() => Err(Error::Usage(format!(
            "target {} exists and is not a directory",
            target.display()
        ))),
        _ => Ok(()),
    }
}

fn io_error(what: &str, path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        context: format!("{what} {}", path.display()),
        source,
    }
}

fn connect_error(source: &Source, e: session::Error) -> Error {
    Error::Connect {
        server: format!("{}:{}", source.host, source.port),
        source: e,
    }
}

/// FTP's TLS mode: the scheme's when it has one (`ftps://` implicit, `ftpes://` required), else
/// `--tls`, else auto for a password login (so it is not sent in clear where TLS is on offer) and
/// off for anonymous.
fn security(scheme: Scheme, tls: Option<TlsArg>, login: &ftp::Login) -> Result<Security, Error> {
    let conflict = |url: &str| Err(Error::Usage(format!("--tls off contradicts an {url} URL")));
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

fn connector(source: &Source, args: &ConnectionArgs) -> Result<Connector, Error> {
    let sources = credentials::Sources {
        user: args.user.clone(),
        password_file: args.password_file.clone(),
        netrc_file: args.netrc_file.clone(),
    };
    let login = credentials::resolve(source, &sources)?;
    let connect_timeout = Duration::from_secs(args.connect_timeout);
    let read_timeout = Duration::from_secs(args.timeout);
    if args.insecure {
        log::warn!("--insecure: server certificates are not checked; anyone on the path can read and change the transfer");
    }
    let trust = tls::Trust {
        ca_file: args.ca_file.clone(),
        insecure: args.insecure,
    };
    let tls_config = tls::config(&trust).map_err(Error::Usage)?;
    let ftp = ftp::Options {
        connect_timeout,
        read_timeout,
        data_mode: match args.active {
            true => DataMode::Active,
            false => DataMode::Passive,
        },
        trust_pasv_host: args.trust_pasv_address,
        extended: !args.no_epsv,
        security: security(source.scheme, args.tls, &login)?,
        tls: Some(tls_config.clone()),
    };
    let http = http::Options {
        connect_timeout,
        read_timeout,
        tls: tls_config,
        proxies: Proxies::from_env(|k| std::env::var(k).ok()).map_err(Error::Usage)?,
        max_redirects: args.max_redirects,
        other_hosts: args.allow_other_hosts,
        auth: (login.user != ftp::Login::anonymous().user)
            .then(|| (login.user.clone(), login.password.clone())),
    };
    Ok(Connector {
        source: source.clone(),
        login,
        ftp,
        http,
    })
}
