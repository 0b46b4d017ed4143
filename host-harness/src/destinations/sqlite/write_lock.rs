//! One writer per SQLite file. SQLite serialises transactions but not runs:
//! two syncs into one file would both walk the same streams and overwrite each
//! other's checkpoints. A writer holds an exclusive lock on `<file>.lock` for
//! as long as it is open, and a second one stops at once, saying who holds it.
//!
//! The lock file stays after the run: removing it would let a process that
//! opened it just before lock a file nobody else sees any more.

use super::DestinationError;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The lock of one SQLite file, released when dropped (the OS releases it too
/// if the process dies).
#[derive(Debug)]
pub struct WriteLock {
    file: File,
}

/// The lock file of a database: `<file>.lock`, beside it.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl WriteLock {
    /// Take the lock of `database`, or say which process holds it.
    pub fn acquire(database: &Path) -> Result<Self, DestinationError> {
        let path = lock_path(database);
        let failed = |e: std::io::Error| DestinationError::Open {
            location: path.display().to_string(),
            reason: e.to_string(),
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(DestinationError::Busy {
                    location: database.display().to_string(),
                    holder: holder(&path),
                });
            }
            Err(TryLockError::Error(e)) => return Err(failed(e)),
        }
        // Who holds it, for the message of the next one who tries.
        file.set_len(0).map_err(failed)?;
        write!(file, "{}", std::process::id()).map_err(failed)?;
        Ok(Self { file })
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        // A pid left in the file would name a process that no longer writes.
        // Failing to clear it is harmless: the lock itself goes with the file.
        let _ = self.file.set_len(0);
    }
}

/// The holder as the lock file names it (it may not have written its pid yet).
fn holder(path: &Path) -> String {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.trim().parse::<u32>().ok())
        .map_or_else(|| "pid unknown".to_owned(), |pid| format!("pid {pid}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_with_the_holder_until_the_first_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("w.sqlite");
        let first = WriteLock::acquire(&database).unwrap();
        let err = WriteLock::acquire(&database).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "another sync is writing to {} (pid {}); wait for it or use another --into",
                database.display(),
                std::process::id()
            )
        );
        drop(first);
        assert_eq!(
            std::fs::read_to_string(lock_path(&database)).unwrap(),
            "",
            "no stale pid"
        );
        WriteLock::acquire(&database).expect("free again");
    }
}
