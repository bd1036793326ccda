//! Per-sentence features of the TL;DR head, in `features.json` order: the embedding, cosine
//! to the abstract's centroid and to the title, position, length and cue phrases.

use super::text::{cue_features, words, CUE_PHRASES};
use crate::model::ModelError;

/// Embedding width (MiniLM).
pub const EMBEDDING_DIM: usize = 384;
/// Feature width: embedding, 6 hand features, the cue phrases.
pub const DIM: usize = EMBEDDING_DIM + 6 + CUE_PHRASES.len();

const LOG_WORDS_DENOM: f64 = 64.0;

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// One feature row per sentence. `embeddings` are the sentences' L2-normalised vectors;
/// `title` the title's, if there is a non-empty title.
pub fn paper_features(
    sentences: &[&str],
    embeddings: &[Vec<f32>],
    title: Option<&[f32]>,
) -> Result<Vec<Vec<f32>>, ModelError> {
    let n = sentences.len();
    let bad = embeddings.len() != n
        || embeddings.iter().any(|e| e.len() != EMBEDDING_DIM)
        || title.is_some_and(|t| t.len() != EMBEDDING_DIM);
    if bad {
        return Err(ModelError::Inference(format!(
            "expected {n} embeddings of width {EMBEDDING_DIM}"
        )));
    }
    // Centroid in f64, as in training.
    let mut mean = vec![0f64; EMBEDDING_DIM];
    for e in embeddings {
        mean.iter_mut().zip(e).for_each(|(m, &x)| *m += f64::from(x));
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    let norm = mean.iter().map(|m| m * m).sum::<f64>().sqrt().max(1e-12);
    let centroid: Vec<f32> = mean.iter().map(|m| (m / norm) as f32).collect();
    Ok(sentences
        .iter()
        .zip(embeddings)
        .enumerate()
        .map(|(i, (sentence, e))| {
            let w = words(sentence).len() as f64;
            let mut row = Vec::with_capacity(DIM);
            row.extend_from_slice(e);
            row.push(dot(e, &centroid));
            row.push(title.map_or(0.0, |t| dot(e, t)));
            row.push(if n > 1 { (i as f64 / (n - 1) as f64) as f32 } else { 0.0 });
            row.push(if i == 0 { 1.0 } else { 0.0 });
            row.push(if i == n - 1 { 1.0 } else { 0.0 });
            row.push(((1.0 + w).ln() / LOG_WORDS_DENOM.ln()).clamp(0.0, 1.0) as f32);
            row.extend(cue_features(sentence));
            row
        })
        .collect())
}
