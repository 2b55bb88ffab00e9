//! Which user and password to log in with, from the flags, the environment and the URL.
//!
//! Order: `--user` (else the URL's user, else anonymous); the password from `--password-file`,
//! else `FTPMIRROR_PASSWORD`, else the URL (with a warning: a URL shows in `ps`).

use crate::error::Error;
use crate::ftp::Login;
use crate::source::Source;
use std::path::Path;

pub const PASSWORD_ENV: &str = "FTPMIRROR_PASSWORD";

pub fn resolve(
    source: &Source,
    user: Option<&str>,
    password_file: Option<&Path>,
) -> Result<Login, Error> {
    let Some(user) = user.or(source.user.as_deref()) else {
        return Ok(Login::anonymous());
    };
    let password = if let Some(file) = password_file {
        read_password_file(file)?
    } else if let Ok(password) = std::env::var(PASSWORD_ENV) {
        password
    } else if let Some(password) = &source.password {
        log::warn!("the password is in the URL, where other users can see it in ps; use --password-file or {PASSWORD_ENV}");
        password.clone()
    } else if user == "anonymous" || user == "ftp" {
        Login::anonymous().password
    } else {
        return Err(Error::Usage(format!(
            "no password for user {user:?}: give --password-file FILE or set {PASSWORD_ENV}"
        )));
    };
    Ok(Login {
        user: user.to_string(),
        password,
        account: None,
    })
}

fn read_password_file(file: &Path) -> Result<String, Error> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::Usage(format!("cannot read password file {}: {e}", file.display())))?;
    Ok(text.lines().next().unwrap_or("").to_string())
}
