//! The thread that owns the SQLite file. The sync loop hands it jobs and
//! awaits their answers, so while SQLite writes one page the plugin reads
//! the next on another core. Between jobs the thread commits the open batch
//! once it is due, also when no page comes for a while; when the destination
//! is dropped it commits what is open and closes the file.

use super::file::SqliteFile;
use crate::destinations::DestinationError;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&mut SqliteFile) + Send>;

pub(super) struct Writer {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub fn start(file: SqliteFile) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || serve(file, &queue))
            .expect("spawning the SQLite writer thread");
        Self {
            jobs: Some(jobs),
            thread: Some(thread),
        }
    }

    /// Run `job` on the file and wait for its answer without holding up the
    /// task's other work.
    pub async fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut SqliteFile) -> Result<R, DestinationError> + Send + 'static,
    ) -> Result<R, DestinationError> {
        let (answer, answered) = oneshot::channel();
        let sent = self.jobs.as_ref().is_some_and(|jobs| {
            jobs.send(Box::new(move |file: &mut SqliteFile| {
                let _ = answer.send(job(file));
            }))
            .is_ok()
        });
        if !sent {
            return Err(writer_gone());
        }
        answered.await.unwrap_or_else(|_| Err(writer_gone()))
    }
}

impl Drop for Writer {
    /// Close the queue and wait for the thread to commit and close the file,
    /// so that a process ending next finds the file whole and unlocked.
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(mut file: SqliteFile, queue: &mpsc::Receiver<Job>) {
    loop {
        let next = match file.due_in() {
            Some(wait) => queue.recv_timeout(wait),
            None => queue.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match next {
            Ok(job) => job(&mut file),
            // A failed commit is kept by the file and told to the next job.
            Err(RecvTimeoutError::Timeout) => {
                let _ = file.commit();
            }
            Err(RecvTimeoutError::Disconnected) => {
                let _ = file.commit();
                return;
            }
        }
        if file.is_due() {
            let _ = file.commit();
        }
    }
}

fn writer_gone() -> DestinationError {
    DestinationError::Database("the SQLite writer thread stopped".into())
}
