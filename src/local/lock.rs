//! One run per target at a time: an advisory lock on `lock` in the target's state directory
//! (`TARGET/.ftpmirror`, or `--state-dir`), held for the whole run and released by the
//! operating system when the process ends, however it ends.

use crate::app::error::Error;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// Held while the run goes on; dropping it releases the lock.
pub struct Lock {
    _file: File,
}

/// Takes the lock of `target`, kept in its state directory `dir`, waiting up to `wait` for
/// another run to finish.
pub fn acquire(dir: &Path, target: &Path, wait: Option<Duration>) -> Result<Lock, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::target("cannot create", dir, e))?;
    let path = dir.join("lock");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::target("cannot open", &path, e))?;
    let deadline = Instant::now() + wait.unwrap_or_default();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock)
                if Instant::now() < deadline && crate::net::pace::stopped().is_none() =>
            {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(TryLockError::WouldBlock) => return Err(Error::Locked(held_by(&mut file, target))),
            Err(TryLockError::Error(e)) => return Err(Error::target("cannot lock", &path, e)),
        }
    }
    // Who holds it, for the message another run will print.
    let _ = file
        .set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| writeln!(file, "{}", std::process::id()));
    Ok(Lock { _file: file })
}

fn held_by(file: &mut File, target: &Path) -> String {
    let mut pid = String::new();
    let _ = file.read_to_string(&mut pid);
    let by = match pid.trim() {
        "" => String::new(),
        pid => format!(" (process {pid})"),
    };
    format!(
        "another ftpmirror run{by} is working on {}; --wait-lock SECONDS waits for it",
        target.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_dropped() {
        let target = tempfile::tempdir().unwrap();
        let dir = target.path().join(".ftpmirror");
        let first = acquire(&dir, target.path(), None).unwrap();
        let second = acquire(&dir, target.path(), None);
        assert!(
            matches!(&second, Err(Error::Locked(m)) if m.contains(&std::process::id().to_string()))
        );
        drop(first);
        assert!(acquire(&dir, target.path(), Some(Duration::from_secs(1))).is_ok());
    }
}
