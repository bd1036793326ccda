//! Embeddings of entries and sentences, kept in memory by a hash of the text so a second
//! related-work run embeds only what changed.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::model::{Embedder, ModelError};
use crate::store::hash_input;

/// The cache forgets everything past this many vectors (about 60 MB for 384 dimensions),
/// so a long editing session with many sentence versions cannot grow it without end.
const MAX_VECTORS: usize = 40_000;

/// Turns texts into unit vectors, one per text in input order.
pub trait Embed {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, ModelError>;
}

impl Embed for Embedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, ModelError> {
        Embedder::embed(self, texts)
    }
}

/// An embedder that gives up between batches once `cancelled` says so, so a cancelled
/// request stops embedding a large bibliography instead of finishing it unseen. Texts go
/// longest first, as the encoder batches them, so splitting costs no extra padding.
pub struct Interruptible<'a> {
    inner: &'a dyn Embed,
    cancelled: &'a dyn Fn() -> bool,
    batch: usize,
}

/// Texts per call between two looks at the flag: one encoder batch.
const INTERRUPTIBLE_BATCH: usize = 32;

impl<'a> Interruptible<'a> {
    pub fn new(inner: &'a dyn Embed, cancelled: &'a dyn Fn() -> bool) -> Self {
        Self { inner, cancelled, batch: INTERRUPTIBLE_BATCH }
    }

    /// Smaller calls for long texts where memory matters more than speed: ONNX
    /// Runtime's arena keeps the attention buffers of the largest batch it has run for
    /// the life of the session.
    pub fn in_batches_of(self, batch: usize) -> Self {
        Self { batch: batch.max(1), ..self }
    }
}

impl Embed for Interruptible<'_> {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, ModelError> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(texts[i].len()));
        let mut vectors = vec![Vec::new(); texts.len()];
        for batch in order.chunks(self.batch) {
            if (self.cancelled)() {
                return Err(ModelError::Cancelled);
            }
            let inputs: Vec<&str> = batch.iter().map(|&i| texts[i]).collect();
            let computed = self.inner.embed(&inputs)?;
            if computed.len() != batch.len() {
                return Err(ModelError::Inference(format!(
                    "{} embeddings for {} texts",
                    computed.len(),
                    batch.len()
                )));
            }
            for (&i, vector) in batch.iter().zip(computed) {
                vectors[i] = vector;
            }
        }
        Ok(vectors)
    }
}

/// Vectors by text hash; shared by every run of the server (`Send + Sync`).
#[derive(Default)]
pub struct VectorCache {
    vectors: Mutex<HashMap<String, Arc<[f32]>>>,
}

impl VectorCache {
    /// The vector of every text: cached ones at once, the others in one batched call.
    pub fn embed_all(
        &self,
        embedder: &dyn Embed,
        texts: &[&str],
    ) -> Result<Vec<Arc<[f32]>>, ModelError> {
        let hashes: Vec<String> = texts.iter().map(|t| hash_input(&[t])).collect();
        let mut found: Vec<Option<Arc<[f32]>>> = {
            let vectors = self.vectors.lock().unwrap_or_else(|p| p.into_inner());
            hashes.iter().map(|h| vectors.get(h).cloned()).collect()
        };
        // Texts not cached, each distinct text once.
        let mut queued = HashSet::new();
        let unique: Vec<usize> = (0..texts.len())
            .filter(|&i| found[i].is_none() && queued.insert(hashes[i].as_str()))
            .collect();
        if !unique.is_empty() {
            let inputs: Vec<&str> = unique.iter().map(|&i| texts[i]).collect();
            let computed = embedder.embed(&inputs)?;
            if computed.len() != inputs.len() {
                return Err(ModelError::Inference(format!(
                    "{} embeddings for {} texts",
                    computed.len(),
                    inputs.len()
                )));
            }
            let mut vectors = self.vectors.lock().unwrap_or_else(|p| p.into_inner());
            if vectors.len() + computed.len() > MAX_VECTORS {
                vectors.clear();
            }
            for (&i, vector) in unique.iter().zip(computed) {
                vectors.insert(hashes[i].clone(), vector.into());
            }
            for (slot, hash) in found.iter_mut().zip(&hashes).filter(|(s, _)| s.is_none()) {
                *slot = vectors.get(hash).cloned();
            }
        }
        Ok(found.into_iter().map(|v| v.expect("every text was embedded")).collect())
    }

    /// The cached vector of each text, computing none.
    pub fn cached(&self, texts: &[&str]) -> Vec<Option<Arc<[f32]>>> {
        let vectors = self.vectors.lock().unwrap_or_else(|p| p.into_inner());
        texts.iter().map(|t| vectors.get(&hash_input(&[t])).cloned()).collect()
    }

    /// Forgets every vector (the embed model changed).
    pub fn clear(&self) {
        self.vectors.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    pub fn len(&self) -> usize {
        self.vectors.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The mean of unit vectors, scaled back to unit length; `None` for no vectors.
pub fn centroid<'a>(vectors: impl IntoIterator<Item = &'a [f32]>) -> Option<Vec<f32>> {
    let mut sum: Option<Vec<f32>> = None;
    for v in vectors {
        match &mut sum {
            Some(s) => s.iter_mut().zip(v).for_each(|(a, b)| *a += b),
            None => sum = Some(v.to_vec()),
        }
    }
    let mut sum = sum?;
    let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    sum.iter_mut().for_each(|x| *x /= norm);
    Some(sum)
}

/// Cosine similarity of unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Letter counts over a-z, unit length: similar spelling, similar vector. Counts texts.
    #[derive(Default)]
    pub struct LetterEmbedder {
        pub embedded: AtomicUsize,
    }

    impl Embed for LetterEmbedder {
        fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, ModelError> {
            self.embedded.fetch_add(texts.len(), Ordering::SeqCst);
            Ok(texts
                .iter()
                .map(|t| {
                    let mut v = vec![0f32; 26];
                    for c in t.to_ascii_lowercase().bytes().filter(u8::is_ascii_lowercase) {
                        v[usize::from(c - b'a')] += 1.0;
                    }
                    centroid([v.as_slice()]).unwrap_or(v)
                })
                .collect())
        }
    }

    #[test]
    fn an_interruptible_embedder_stops_between_batches() {
        let inner = LetterEmbedder::default();
        let texts = vec!["abc"; INTERRUPTIBLE_BATCH * 3];
        let calls = AtomicUsize::new(0);
        let cancelled = || calls.fetch_add(1, Ordering::SeqCst) >= 1;
        let embedder = Interruptible::new(&inner, &cancelled);
        assert!(matches!(embedder.embed(&texts), Err(ModelError::Cancelled)));
        assert_eq!(inner.embedded.load(Ordering::SeqCst), INTERRUPTIBLE_BATCH, "one batch ran");
        let never = || false;
        let mixed = ["a", "bbbbbb", "cc", "dddd"];
        let whole = Interruptible::new(&inner, &never).embed(&mixed).unwrap();
        assert_eq!(whole, inner.embed(&mixed).unwrap(), "vectors come back in input order");
    }

    #[test]
    fn cache_embeds_each_text_once() {
        let cache = VectorCache::default();
        let embedder = LetterEmbedder::default();
        let first = cache.embed_all(&embedder, &["abc", "xyz", "abc"]).unwrap();
        assert_eq!(embedder.embedded.load(Ordering::SeqCst), 2);
        assert_eq!(first[0], first[2]);
        let again = cache.embed_all(&embedder, &["xyz", "abd"]).unwrap();
        assert_eq!(embedder.embedded.load(Ordering::SeqCst), 3);
        assert_eq!(again[0], first[1]);
        assert_eq!(cache.len(), 3);
        let peeked = cache.cached(&["abd", "new"]);
        assert_eq!((peeked[0].as_ref(), peeked[1].is_none()), (Some(&again[1]), true));
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn centroid_and_cosine_of_unit_vectors() {
        let c = centroid([[1.0f32, 0.0].as_slice(), [0.0, 1.0].as_slice()]).unwrap();
        assert!((cosine(&c, &c) - 1.0).abs() < 1e-6);
        assert!((c[0] - c[1]).abs() < 1e-6);
        assert!(centroid(std::iter::empty()).is_none());
    }
}
