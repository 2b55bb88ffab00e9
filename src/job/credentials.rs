//! Who to log in as, and with which password.
//!
//! The user: `--user`, else the URL's user, else the netrc entry for the host, else anonymous.
//! The password, first found: `--password-file` (or a job's `password_file`), the variable a
//! job's `password_env` names, `FTPMIRROR_PASSWORD`, the netrc entry for the host and user
//! (`--netrc-file`, else `~/.netrc`), the URL (with a warning: a URL shows in `ps`). A job's
//! own settings come before what the environment offers to every job. A password is never printed: commands are masked in traces, URLs in messages.

use crate::app::error::Error;
use crate::ftp::Login;
use crate::job::netrc;
use crate::remote::source::Source;
use std::path::{Path, PathBuf};

pub const PASSWORD_ENV: &str = "FTPMIRROR_PASSWORD";

/// Where credentials may come from, besides the URL.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub user: Option<String>,
    pub password_file: Option<PathBuf>,
    /// A netrc file named explicitly: it must exist.
    pub netrc_file: Option<PathBuf>,
    /// The name of an environment variable holding the password (job files).
    pub password_env: Option<String>,
}

pub fn resolve(source: &Source, given: &Sources) -> Result<Login, Error> {
    let entries = read_netrc(given.netrc_file.as_deref())?;
    let user = given.user.as_deref().or(source.user.as_deref());
    let entry = netrc::find(&entries, &source.host, user);
    let Some(user) = user.or_else(|| entry.and_then(|e| e.login.as_deref())) else {
        return Ok(Login::anonymous());
    };
    let password = if let Some(file) = &given.password_file {
        read_password_file(file)?
    } else if let Some(password) = env_password(given.password_env.as_deref())? {
        password
    } else if let Ok(password) = std::env::var(PASSWORD_ENV) {
        password
    } else if let Some(password) = entry.and_then(|e| e.password.clone()) {
        password
    } else if let Some(password) = &source.password {
        log::warn!(target: crate::app::logger::ACTION, "the password is in the URL, where other users can see it in ps; use --password-file or {PASSWORD_ENV}");
        password.clone()
    } else if user == "anonymous" || user == "ftp" {
        Login::anonymous().password
    } else {
        return Err(Error::Usage(format!(
            "no password for user {user:?} on {}: give --password-file FILE, set {PASSWORD_ENV}, or add it to ~/.netrc",
            source.host
        )));
    };
    Ok(Login {
        user: user.to_string(),
        password,
        account: entry.and_then(|e| e.account.clone()),
    })
}

/// The netrc entries: from the named file (which must be readable), else from `~/.netrc` if
/// there is one.
fn read_netrc(named: Option<&Path>) -> Result<Vec<netrc::Entry>, Error> {
    let path = match named {
        Some(path) => path.to_path_buf(),
        None => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(".netrc"),
            None => return Ok(Vec::new()),
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            warn_if_readable_by_others(&path);
            Ok(netrc::parse(&text))
        }
        Err(e) if named.is_none() && e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::Usage(format!(
            "cannot read netrc file {}: {e}",
            path.display()
        ))),
    }
}

/// ftp(1) refuses such a file; we read it, but say so.
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).map_or(0, |m| m.permissions().mode());
    if mode & 0o077 != 0 {
        log::warn!(
            target: crate::app::logger::ACTION,
            "{} can be read by other users (mode {:o}); chmod 600 it",
            path.display(),
            mode & 0o777
        );
    }
}

/// The variable `name` must be set when a job names it: a silent fallback would log in wrong.
fn env_password(name: Option<&str>) -> Result<Option<String>, Error> {
    let Some(name) = name else {
        return Ok(None);
    };
    std::env::var(name)
        .map(Some)
        .map_err(|_| Error::Usage(format!("password_env names {name}, which is not set: set it where the job runs, or give password_file")))
}

fn read_password_file(file: &Path) -> Result<String, Error> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::Usage(format!("cannot read password file {}: {e}", file.display())))?;
    Ok(text.lines().next().unwrap_or("").to_string())
}
