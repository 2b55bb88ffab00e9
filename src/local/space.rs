//! Room on the target's filesystem: a run never fills the disk.
//!
//! - Before anything is written, the bytes the plan will write are compared with the free space
//!   minus a reserve (`--min-free`): a plan that cannot fit writes nothing.
//! - Each download claims its size before its first byte; what parallel downloads have claimed
//!   and not yet written counts as taken, so they cannot together overrun what one check
//!   allowed. A file that does not fit is refused before its first byte.
//! - A body of unknown length is watched as it is written: it stops before it would cross the
//!   reserve, or `--max-size`.
//! - A write that fails for want of space (ENOSPC, EDQUOT) marks the disk full: no new
//!   transfer starts.

use crate::job::settings::MinFree;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// How often a body of unknown length looks at the free space.
const CHECK_EVERY: u64 = 1024 * 1024;

/// Why a file is not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shortage {
    /// Larger than `--max-size`.
    TooLarge { size: u64, max: u64 },
    /// It does not fit above the reserve, with what other downloads under way have claimed.
    NoRoom { need: u64, free: u64, reserve: u64 },
}

impl fmt::Display for Shortage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shortage::TooLarge { size, max } => {
                write!(f, "{size} bytes or more, over --max-size {max}")
            }
            Shortage::NoRoom {
                need,
                free,
                reserve,
            } => write!(
                f,
                "needs {need} bytes, and {free} are free with {reserve} kept free (--min-free)"
            ),
        }
    }
}

impl std::error::Error for Shortage {}

/// The target's filesystem, as the run sees it.
pub struct Space {
    /// A path on the filesystem (the target, or its nearest existing ancestor).
    on: PathBuf,
    reserve: u64,
    max_size: Option<u64>,
    /// Bytes claimed by downloads under way and not written yet.
    claimed: Mutex<u64>,
    full: AtomicBool,
}

impl Space {
    /// The filesystem holding `target` (which may not exist yet).
    pub fn new(
        target: &Path,
        min_free: Option<MinFree>,
        max_size: Option<u64>,
    ) -> io::Result<Space> {
        let on = target
            .ancestors()
            .find(|p| p.exists())
            .unwrap_or(Path::new("/"))
            .to_path_buf();
        let (_, total) = stat(&on)?;
        Ok(Space {
            on,
            reserve: MinFree::reserve(min_free, total),
            max_size,
            claimed: Mutex::new(0),
            full: AtomicBool::new(false),
        })
    }

    /// Bytes free to unprivileged writers now.
    pub fn free(&self) -> io::Result<u64> {
        stat(&self.on).map(|(free, _)| free)
    }

    pub fn reserve(&self) -> u64 {
        self.reserve
    }

    /// What the plan may write: the free space above the reserve.
    pub fn room(&self) -> io::Result<u64> {
        Ok(self.free()?.saturating_sub(self.reserve))
    }

    /// A download of `size` bytes (more to come, when a part is there already) may start: it
    /// is over no limit and fits with what others have claimed.
    pub fn claim(&self, size: u64) -> Result<Claim<'_>, Shortage> {
        self.check_size(size)?;
        let mut claimed = self.claimed.lock().expect("claimed lock");
        let free = self.free().unwrap_or(u64::MAX);
        if size > free.saturating_sub(self.reserve).saturating_sub(*claimed) {
            return Err(Shortage::NoRoom {
                need: size,
                free: free.saturating_sub(*claimed),
                reserve: self.reserve,
            });
        }
        *claimed += size;
        Ok(Claim {
            space: self,
            left: size,
        })
    }

    fn check_size(&self, size: u64) -> Result<(), Shortage> {
        match self.max_size {
            Some(max) if size > max => Err(Shortage::TooLarge { size, max }),
            _ => Ok(()),
        }
    }

    /// A write failed for want of space: no new transfer starts.
    pub fn set_full(&self) {
        self.full.store(true, Ordering::SeqCst);
    }

    pub fn is_full(&self) -> bool {
        self.full.load(Ordering::SeqCst)
    }
}

/// Free and total bytes of the filesystem holding `path`.
fn stat(path: &Path) -> io::Result<(u64, u64)> {
    let s = rustix::fs::statvfs(path)?;
    Ok((s.f_bavail * s.f_frsize, s.f_blocks * s.f_frsize))
}

/// Bytes a download under way has claimed and not written yet; given back when dropped.
pub struct Claim<'a> {
    space: &'a Space,
    left: u64,
}

impl Claim<'_> {
    fn wrote(&mut self, n: u64) {
        let n = n.min(self.left);
        self.left -= n;
        *self.space.claimed.lock().expect("claimed lock") -= n;
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        *self.space.claimed.lock().expect("claimed lock") -= self.left;
    }
}

/// Whether an I/O error means the filesystem is out of space (or the user's quota).
pub fn is_full(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::StorageFull
        || e.kind() == io::ErrorKind::QuotaExceeded
        || matches!(e.raw_os_error(), Some(28 | 122))
}

/// The [`Shortage`] an I/O error carries, if it is one.
pub fn shortage(e: &io::Error) -> Option<&Shortage> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<Shortage>())
}

/// A writer that keeps a download within its claim, or, for a body of unknown length, within
/// `--max-size` and above the reserve. Its errors carry a [`Shortage`].
pub struct Watched<'a, W> {
    inner: W,
    space: &'a Space,
    claim: Option<Claim<'a>>,
    /// The file's length so far: what a resumed download started from, and what came since.
    written: u64,
    since_check: u64,
}

impl<'a, W: Write> Watched<'a, W> {
    /// A file that holds `from` bytes already; `size`: the bytes still to come, when known.
    /// `Err` when they do not fit.
    pub fn new(inner: W, space: &'a Space, from: u64, size: Option<u64>) -> Result<Self, Shortage> {
        let claim = size.map(|size| space.claim(size)).transpose()?;
        Ok(Watched {
            inner,
            space,
            claim,
            written: from,
            since_check: CHECK_EVERY,
        })
    }

    /// The bytes still to come are known now (an HTTP `Content-Length`): they are claimed.
    pub fn expect(&mut self, size: u64) -> Result<(), Shortage> {
        self.claim = None;
        self.claim = Some(self.space.claim(size)?);
        Ok(())
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    pub fn into_inner(self) -> W {
        self.inner
    }

    /// Before writing `n` more bytes of a body of unknown length.
    fn check(&mut self, n: u64) -> Result<(), Shortage> {
        self.space.check_size(self.written + n)?;
        self.since_check += n;
        if self.since_check < CHECK_EVERY {
            return Ok(());
        }
        self.since_check = 0;
        let free = self.space.free().unwrap_or(u64::MAX);
        let claimed = *self.space.claimed.lock().expect("claimed lock");
        let room = free
            .saturating_sub(self.space.reserve)
            .saturating_sub(claimed);
        match room >= CHECK_EVERY.max(n) {
            true => Ok(()),
            false => Err(Shortage::NoRoom {
                need: CHECK_EVERY.max(n),
                free: free.saturating_sub(claimed),
                reserve: self.space.reserve,
            }),
        }
    }
}

impl<W: Write> Write for Watched<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len() as u64;
        if self.claim.is_none() {
            self.check(n).map_err(io::Error::other)?;
        }
        let wrote = self.inner.write(buf)?;
        self.written += wrote as u64;
        if let Some(claim) = &mut self.claim {
            claim.wrote(wrote as u64);
        }
        Ok(wrote)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(reserve: u64, max_size: Option<u64>) -> Space {
        Space::new(
            &std::env::temp_dir(),
            Some(MinFree::Bytes(reserve)),
            max_size,
        )
        .unwrap()
    }

    #[test]
    fn claims_count_until_written_or_dropped() {
        let space = space(0, None);
        let room = space.room().unwrap();
        let mut first = space.claim(room / 2).unwrap();
        // What the first claimed is taken: the second cannot have it too.
        assert!(matches!(space.claim(room), Err(Shortage::NoRoom { .. })));
        first.wrote(room / 2);
        drop(first);
        assert_eq!(*space.claimed.lock().unwrap(), 0);
        assert!(space.claim(room / 4).is_ok());
    }

    #[test]
    fn a_file_over_the_room_or_the_cap_is_refused_before_its_first_byte() {
        let space = space(0, Some(1000));
        let refused = Watched::new(Vec::new(), &space, 0, Some(1001)).err();
        assert_eq!(
            refused,
            Some(Shortage::TooLarge {
                size: 1001,
                max: 1000
            })
        );
        let huge = Space::new(&std::env::temp_dir(), None, None).unwrap();
        let refused = huge.claim(1 << 60).err();
        assert!(matches!(refused, Some(Shortage::NoRoom { need, .. }) if need == 1 << 60));
    }

    #[test]
    fn an_unknown_length_stops_at_the_cap() {
        let space = space(0, Some(10));
        let mut out = Watched::new(Vec::new(), &space, 4, None).unwrap();
        out.write_all(b"012345").unwrap();
        let e = out.write_all(b"x").unwrap_err();
        // Counted from the four bytes a resumed download started with.
        assert_eq!(
            shortage(&e),
            Some(&Shortage::TooLarge { size: 11, max: 10 })
        );
        assert_eq!(out.into_inner(), b"012345");
    }

    #[test]
    fn a_reserve_larger_than_the_free_space_leaves_no_room() {
        let space = space(u64::MAX, None);
        assert_eq!(space.room().unwrap(), 0);
        let mut out = Watched::new(Vec::new(), &space, 0, None).unwrap();
        let e = out.write_all(b"x").unwrap_err();
        assert!(matches!(shortage(&e), Some(Shortage::NoRoom { .. })));
    }

    #[test]
    fn enospc_and_quota_are_full() {
        assert!(is_full(&io::Error::from_raw_os_error(28)));
        assert!(is_full(&io::Error::from_raw_os_error(122)));
        assert!(!is_full(&io::Error::from_raw_os_error(13)));
    }
}
