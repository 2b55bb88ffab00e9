//! The target directory, checked and made before a job takes its lock, so that a target that
//! cannot be used stops the job before anything is fetched, with the exit code that says so.
//!
//! Only the target's last component is made unless the job asks for more (`--mkdir`, as
//! rsync's `--mkpath`): a missing parent is more often a filesystem that is not mounted than a
//! wish, and a mirror made in its place would fill the filesystem below the mount point.

use crate::app::error::Error;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Where a target stands.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    /// The nearest directory that exists: the target itself, or the one it is made in.
    pub base: PathBuf,
    /// The directories to make, outermost first, the target last; none when it exists.
    pub missing: Vec<PathBuf>,
}

/// Where `target` stands, changing nothing; an error when it cannot be had: it, or a directory
/// above it, exists and is not a directory, or is a symbolic link to nothing.
pub fn inspect(target: &Path) -> Result<Found, Error> {
    let mut missing = Vec::new();
    for dir in target.ancestors() {
        // The ancestors of a relative path end in "", the working directory.
        let dir = match dir.as_os_str().is_empty() {
            true => Path::new("."),
            false => dir,
        };
        match std::fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => {
                missing.reverse();
                let base = dir.to_path_buf();
                return Ok(Found { base, missing });
            }
            Ok(_) if missing.is_empty() => {
                return Err(Error::Target(format!(
                    "the target {} exists and is not a directory: give a directory",
                    target.display()
                )))
            }
            Ok(_) => {
                return Err(Error::Target(format!(
                    "the target {} is below {}, which is not a directory",
                    target.display(),
                    dir.display()
                )))
            }
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                if let Ok(to) = std::fs::read_link(dir) {
                    return Err(Error::Target(format!(
                        "{} is a symbolic link to {}, which does not exist (a filesystem not \
                         mounted?): the target {} cannot be made",
                        dir.display(),
                        to.display(),
                        target.display()
                    )));
                }
                missing.push(dir.to_path_buf());
            }
            Err(e) => return Err(Error::target("cannot look at", dir, e)),
        }
    }
    Err(Error::Target(format!(
        "the target {}: no directory above it exists",
        target.display()
    )))
}

/// Makes the target if it is missing: its last component, or with `mkdir` every missing
/// directory, after checking that it can be written. A dry run makes nothing and writes
/// nothing (it may report on a read-only mirror), but fails where the paths are wrong.
pub fn prepare(target: &Path, mkdir: bool, dry_run: bool) -> Result<(), Error> {
    let found = inspect(target)?;
    if found.missing.len() > 1 && !mkdir {
        return Err(Error::Target(missing_parent(target, &found.missing[0])));
    }
    if dry_run {
        return Ok(());
    }
    writable(&found)?;
    if found.missing.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(target).map_err(|e| Error::target("cannot make the target", target, e))
}

/// Whether this user may write where the target is, or where it would be made (a read-only
/// filesystem stops even root).
fn writable(found: &Found) -> Result<(), Error> {
    use rustix::fs::{access, Access};
    access(&found.base, Access::WRITE_OK | Access::EXEC_OK)
        .map_err(|e| Error::target("cannot write in", &found.base, e.into()))
}

fn missing_parent(target: &Path, top: &Path) -> String {
    format!(
        "{} does not exist (a filesystem not mounted?), so the target {} is not made: create \
         it, or give --mkdir (mkdir = true in a job file) to make the missing directories",
        top.display(),
        target.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn what_a_target_needs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let found = |p: &str| inspect(&d.join(p)).unwrap();
        fs::create_dir(d.join("there")).unwrap();
        assert_eq!(
            found("there"),
            Found {
                base: d.join("there"),
                missing: vec![]
            }
        );
        assert_eq!(found("new").missing, [d.join("new")]);
        assert_eq!(found("new").base, d);
        assert_eq!(
            found("a/b/c").missing,
            [d.join("a"), d.join("a/b"), d.join("a/b/c")]
        );
    }

    #[test]
    fn a_relative_target_is_made_in_the_working_directory() {
        let found = inspect(Path::new("surely-not-here-ftpmirror")).unwrap();
        assert_eq!(found.base, Path::new("."));
        assert_eq!(found.missing, [Path::new("surely-not-here-ftpmirror")]);
    }

    #[test]
    fn files_and_dangling_links_in_the_way() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("file"), b"x").unwrap();
        std::os::unix::fs::symlink(d.join("unmounted"), d.join("link")).unwrap();
        let error = |p: &str| inspect(&d.join(p)).unwrap_err().to_string();
        assert!(error("file").contains("exists and is not a directory"));
        assert!(error("file/x/y").contains(&format!(
            "is below {}, which is not a directory",
            d.join("file").display()
        )));
        assert!(error("link/debian").contains("which does not exist (a filesystem not mounted?)"));
        assert!(error("link").contains("is a symbolic link to"));
    }

    #[test]
    fn only_the_last_component_is_made_without_mkdir() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        prepare(&d.join("last"), false, false).unwrap();
        assert!(d.join("last").is_dir());
        let deep = d.join("mnt/mirror/debian");
        let error = prepare(&deep, false, false).unwrap_err();
        assert!(matches!(error, Error::Target(_)));
        assert!(error.to_string().contains("give --mkdir"), "{error}");
        assert!(!d.join("mnt").exists());
        prepare(&deep, true, true).unwrap();
        assert!(!d.join("mnt").exists(), "a dry run makes nothing");
        prepare(&deep, true, false).unwrap();
        assert!(deep.is_dir());
    }
}
