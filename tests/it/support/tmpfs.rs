//! A small tmpfs mounted for one test (as root), so that a full disk really happens: ENOSPC
//! from the kernel, not a simulation. Unmounted when dropped.

use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

pub struct Tmpfs {
    dir: TempDir,
}

impl Tmpfs {
    /// A tmpfs of `size` (`2m`, `4m`) at a fresh directory.
    pub fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::Builder::new()
            .prefix("ftpmirror-tmpfs-")
            .tempdir()
            .expect("temp dir");
        let status = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=755"),
                "tmpfs",
            ])
            .arg(dir.path())
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mount -t tmpfs failed (the tests run as root)"
        );
        Tmpfs { dir }
    }

    /// Remounts it read-only: even root cannot write there then (EROFS).
    pub fn read_only(&self) {
        let status = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.dir.path())
            .status()
            .expect("run mount");
        assert!(status.success(), "mount -o remount,ro failed");
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Bytes free on the filesystem holding `dir`, as `df` tells.
pub fn free_bytes(dir: &Path) -> u64 {
    let out = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(dir)
        .output()
        .expect("run df");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("df output")
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}
