//! Each command from resolved arguments to an exit code: the one place where flags become the
//! values the rest of the program works with.

use crate::cli::{ConnectionArgs, LsArgs};
use crate::error::{Error, Exit};
use crate::ftp::{self, DataMode, Session};
use crate::source::Source;
use crate::{credentials, ls};
use std::time::Duration;

/// `ftpmirror ls`.
pub fn ls(args: LsArgs) -> Result<Exit, Error> {
    let source = Source::parse(&args.url).map_err(Error::Usage)?;
    let mut session = open_session(&source, &args.connection)?;
    let root = source.root(&session.login_dir);
    let exit = ls::run(&mut session, &root, args.recursive, args.format)?;
    session.client.quit();
    Ok(exit)
}

fn open_session(source: &Source, args: &ConnectionArgs) -> Result<Session, Error> {
    let login = credentials::resolve(source, args.user.as_deref(), args.password_file.as_deref())?;
    let options = ftp::Options {
        connect_timeout: Duration::from_secs(args.connect_timeout),
        read_timeout: Duration::from_secs(args.timeout),
        data_mode: match args.active {
            true => DataMode::Active,
            false => DataMode::Passive,
        },
        trust_pasv_host: args.trust_pasv_address,
        extended: !args.no_epsv,
    };
    Session::open(&source.host, source.port, &login, options).map_err(|source_err| Error::Connect {
        server: format!("{}:{}", source.host, source.port),
        source: source_err,
    })
}
