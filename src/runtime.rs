//! The one async runtime, lent to whoever blocks on it: the session for
//! fetches, the commands for the live client's questions, the shell for
//! profile names. Cloning shares it.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Error;

/// A shared tokio runtime, and whether Ctrl-C cancels what runs on it.
#[derive(Clone)]
pub struct Runtime {
    tokio: Arc<tokio::runtime::Runtime>,
    interruptible: Arc<AtomicBool>,
}

impl Runtime {
    /// A runtime with two worker threads.
    pub fn new() -> Result<Runtime, Error> {
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|err| Error::io("cannot start the async runtime", err))?;
        Ok(Runtime {
            tokio: Arc::new(tokio),
            interruptible: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Lets Ctrl-C cancel what [`run`](Self::run) waits for (the shell).
    pub(crate) fn set_interruptible(&self, on: bool) {
        self.interruptible.store(on, Ordering::Relaxed);
    }

    /// Whether Ctrl-C cancels a wait.
    pub(crate) fn is_interruptible(&self) -> bool {
        self.interruptible.load(Ordering::Relaxed)
    }

    /// Waits for `future`; Ctrl-C cancels it when interruptible.
    pub(crate) fn run<T, E: Into<Error>>(
        &self,
        future: impl Future<Output = Result<T, E>>,
    ) -> Result<T, Error> {
        let interruptible = self.is_interruptible();
        self.tokio.block_on(async {
            if interruptible {
                tokio::select! {
                    result = future => result.map_err(Into::into),
                    _ = tokio::signal::ctrl_c() => Err(Error::Interrupted),
                }
            } else {
                future.await.map_err(Into::into)
            }
        })
    }

    /// Waits for `future`, whatever Ctrl-C does.
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.tokio.block_on(future)
    }

    /// Starts `future` in the background.
    pub(crate) fn spawn<F>(&self, future: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.tokio.spawn(future)
    }

    /// Keeps Ctrl-C from ending the process between prompts (while a
    /// result is printed or paged): once tokio listens for SIGINT, the
    /// default action no longer applies.
    pub(crate) fn catch_interrupts(&self) {
        #[cfg(unix)]
        {
            let _inside = self.tokio.enter();
            let _ = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
        }
    }
}
