//! Model work of a request on a blocking thread. tower-lsp-server answers
//! `$/cancelRequest` (and `exit`) by dropping the request's future, which would leave the
//! blocking thread running to the end; here dropping the future also raises a flag that
//! the work polls, so a cancelled draft or analysis stops at its next check.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::task::JoinError;

/// Raised once the request that started the work is cancelled or finished.
#[derive(Clone, Default)]
pub struct Cancelled(Arc<AtomicBool>);

impl Cancelled {
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Raises the flag when the request's future is dropped.
struct RaiseOnDrop(Cancelled);

impl Drop for RaiseOnDrop {
    fn drop(&mut self) {
        self.0 .0.store(true, Ordering::SeqCst);
    }
}

/// Runs `job` on a blocking thread, handing it the flag that this future's drop raises.
pub async fn run<T: Send + 'static>(
    job: impl FnOnce(Cancelled) -> T + Send + 'static,
) -> Result<T, JoinError> {
    let cancelled = Cancelled::default();
    let _raise = RaiseOnDrop(cancelled.clone());
    tokio::task::spawn_blocking(move || job(cancelled)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn dropping_the_future_stops_the_work() {
        let (tx, rx) = std::sync::mpsc::channel();
        let work = run(move |cancelled| {
            let started = Instant::now();
            while !cancelled.is_set() && started.elapsed() < Duration::from_secs(30) {
                std::thread::sleep(Duration::from_millis(5));
            }
            tx.send(started.elapsed()).unwrap();
        });
        // Poll it once so the job starts, then drop it as the transport does on cancel.
        let _ = tokio::time::timeout(Duration::from_millis(50), work).await;
        let ran = rx.recv_timeout(Duration::from_secs(5)).expect("the job stopped");
        assert!(ran < Duration::from_secs(5), "{ran:?}");
    }
}
