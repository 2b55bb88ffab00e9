//! Where tests/setup.sh put the test servers: Debian packages unpacked under a private prefix
//! (target/test-servers, or FTPMIRROR_TEST_PREFIX), PyPI packages in its `python/`; and the
//! test user's password.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The prefix tests/setup.sh fills.
pub fn prefix() -> PathBuf {
    match std::env::var_os("FTPMIRROR_TEST_PREFIX") {
        Some(prefix) => PathBuf::from(prefix),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-servers"),
    }
}

/// An unpacked server program, e.g. `usr/sbin/vsftpd`; panics naming the fix when missing.
pub fn program(path: &str) -> PathBuf {
    let full = prefix().join("root").join(path);
    assert!(
        full.exists(),
        "{} missing: run tests/setup.sh (as root)",
        full.display()
    );
    full
}

/// `python3` with the PyPI packages of the prefix importable.
pub fn python() -> Command {
    let mut cmd = Command::new("python3");
    cmd.env("PYTHONPATH", prefix().join("python"));
    cmd
}

/// The local test user's password, made by tests/setup.sh and kept where only root reads it,
/// shared by every checkout on the machine (the user is the machine's).
pub fn test_user_password() -> &'static str {
    static PASSWORD: OnceLock<String> = OnceLock::new();
    PASSWORD.get_or_init(|| {
        let path = std::path::Path::new("/var/lib/ftpmirror-test/password");
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("{}: {e}: run tests/setup.sh (as root)", path.display()));
        text.trim().to_string()
    })
}
