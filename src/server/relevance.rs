//! Citation completion ordered by relevance to the paragraph being written: cosine
//! similarity between each entry's vector (title and abstract, computed in the background
//! and kept in the shared `VectorCache`) and the paragraph's (one short embedding, only
//! once the embedder is loaded). Nothing here waits for a model to load.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::analysis::related::{cosine, Interruptible, VectorCache};
use crate::model::Models;

/// After a failed background run (models missing), completion keeps its plain order this
/// long before trying again, so each keystroke does not retry a load.
const RETRY_AFTER: Duration = Duration::from_secs(60);

/// How completion may be ordered now.
#[derive(Debug, PartialEq)]
pub enum Ranking {
    /// Relevance per entry, in input order (entries without text score lowest).
    Scores(Vec<f32>),
    /// Entry vectors are being computed: ask again.
    Pending,
    /// No relevance (no paragraph, models unavailable): keep the plain order.
    Unavailable,
}

pub struct Relevance {
    models: Arc<Models>,
    vectors: Arc<VectorCache>,
    /// A background run embedding entries is under way.
    running: Arc<AtomicBool>,
    failed_at: Arc<Mutex<Option<Instant>>>,
}

impl Relevance {
    pub fn new(models: Arc<Models>, vectors: Arc<VectorCache>) -> Self {
        Self { models, vectors, running: Arc::default(), failed_at: Arc::default() }
    }

    /// Relevance of each entry text to `paragraph`. Entry vectors not cached yet are
    /// computed on a blocking thread (loading the embedder if needed) and `Pending` is
    /// returned; with all of them cached and the embedder loaded, the paragraph costs one
    /// embedding, also off the async threads.
    pub async fn rank(&self, entries: &[Option<String>], paragraph: String) -> Ranking {
        let texts: Vec<&str> = entries.iter().flatten().map(String::as_str).collect();
        let cached = self.vectors.cached(&texts);
        if cached.iter().any(Option::is_none) {
            let missing =
                texts.iter().zip(&cached).filter(|(_, v)| v.is_none()).map(|(t, _)| t.to_string());
            return self.embed_in_background(missing.collect());
        }
        let Some(embedder) = self.models.loaded_embedder() else {
            return Ranking::Unavailable;
        };
        // Not through the cache: the paragraph changes with every keystroke and would only
        // push entry vectors out of it.
        let embedded =
            tokio::task::spawn_blocking(move || embedder.embed(&[paragraph.as_str()])).await;
        let here = match embedded {
            Ok(Ok(mut vectors)) if !vectors.is_empty() => vectors.swap_remove(0),
            Ok(Ok(_)) => return Ranking::Unavailable,
            Ok(Err(e)) => {
                tracing::warn!("completion order: paragraph not embedded: {e}");
                return Ranking::Unavailable;
            }
            Err(e) => {
                tracing::warn!("completion order: {e}");
                return Ranking::Unavailable;
            }
        };
        let mut known = cached.into_iter().flatten();
        let scores = entries
            .iter()
            .map(|text| match text {
                Some(_) => known.next().map_or(-1.0, |v| cosine(&v, &here)),
                None => -1.0,
            })
            .collect();
        Ranking::Scores(scores)
    }

    fn embed_in_background(&self, texts: Vec<String>) -> Ranking {
        let failed = self.failed_at.lock().unwrap_or_else(|p| p.into_inner());
        if failed.is_some_and(|at| at.elapsed() < RETRY_AFTER) {
            return Ranking::Unavailable;
        }
        drop(failed);
        if self.running.swap(true, Ordering::SeqCst) {
            return Ranking::Pending;
        }
        let (models, vectors) = (self.models.clone(), self.vectors.clone());
        let (running, failed_at) = (self.running.clone(), self.failed_at.clone());
        tokio::task::spawn_blocking(move || {
            let inputs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let never = || false;
            let result = models.embedder().and_then(|embedder| {
                // Abstracts run to the model's 256 tokens: 8 at a time keep the arena
                // small (32 grew the server by about 650 MB on araa-gps's 189 entries).
                let chunked = Interruptible::new(&*embedder, &never).in_batches_of(8);
                vectors.embed_all(&chunked, &inputs).map(drop)
            });
            if let Err(e) = result {
                tracing::warn!("completion order by relevance unavailable: {e}");
                *failed_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
            }
            running.store(false, Ordering::SeqCst);
        });
        Ranking::Pending
    }
}
