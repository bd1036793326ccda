//! Cross-encoder over a text pair (claim verification, claim detection): one logit
//! per label, the labels named by `id2label` in the model's `config.json`.

use std::collections::BTreeMap;
use std::path::Path;

use super::encoder::{Batch, EncoderSession};
use super::registry::ResolvedModel;
use super::runtime::{Runtime, RuntimeConfig};
use super::tokenize::Tokenizer;
use super::ModelError;

/// A loaded pair classifier; `Send + Sync`, share it behind an `Arc`.
pub struct Classifier {
    encoder: EncoderSession,
    tokenizer: Tokenizer,
    labels: Vec<String>,
}

impl Classifier {
    /// Loads `model.onnx`, `tokenizer.json` and `config.json` from a resolved model.
    /// Returns provider fallback warnings alongside.
    pub fn load(
        runtime: &Runtime,
        model: &ResolvedModel,
        config: &RuntimeConfig,
    ) -> Result<(Self, Vec<String>), ModelError> {
        let labels = read_labels(model.file("config.json")?)?;
        let tokenizer = Tokenizer::load(model.file("tokenizer.json")?, model.max_length)?;
        let (encoder, warnings) =
            EncoderSession::load(runtime, model.file("model.onnx")?, config, &["logits"])?;
        let classifier = Self { encoder, tokenizer, labels };
        Ok((classifier, warnings))
    }

    /// Label names, in the order of each score vector.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Per pair, a probability per label (softmax over the logits; a single-logit
    /// model gives its sigmoid).
    pub fn classify(&self, pairs: &[(&str, &str)]) -> Result<Vec<Vec<f32>>, ModelError> {
        let inputs = self.tokenizer.encode_pairs(pairs)?;
        self.encoder
            .map_batched(&inputs, |batch, shape, logits| self.probabilities(batch, shape, logits))
    }

    fn probabilities(
        &self,
        batch: &Batch,
        shape: &[i64],
        logits: &[f32],
    ) -> Result<Vec<Vec<f32>>, ModelError> {
        let n = self.labels.len();
        if shape != [batch.rows as i64, n as i64] {
            return Err(ModelError::Inference(format!(
                "logits have shape {shape:?}; expected [{}, {n}] for labels {:?}",
                batch.rows, self.labels
            )));
        }
        Ok(logits.chunks_exact(n).map(normalise).collect())
    }
}

fn normalise(logits: &[f32]) -> Vec<f32> {
    if let [x] = logits {
        return vec![1.0 / (1.0 + (-x).exp())];
    }
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = logits.iter().map(|x| (x - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.into_iter().map(|e| e / sum).collect()
}

/// `id2label` from a Hugging Face `config.json`, ordered by id; ids must be 0..n.
fn read_labels(path: &Path) -> Result<Vec<String>, ModelError> {
    #[derive(serde::Deserialize)]
    struct Config {
        id2label: BTreeMap<String, String>,
    }
    let bad = |reason: String| ModelError::Manifest(format!("{}: {reason}", path.display()));
    let text = std::fs::read_to_string(path).map_err(ModelError::io(path))?;
    let config: Config = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let mut by_id = BTreeMap::new();
    for (id, label) in config.id2label {
        let id: usize =
            id.parse().map_err(|_| bad(format!("id2label key `{id}` is not a number")))?;
        by_id.insert(id, label);
    }
    if by_id.is_empty() || by_id.keys().enumerate().any(|(i, &id)| i != id) {
        return Err(bad("id2label ids must be 0, 1, ... without gaps".into()));
    }
    Ok(by_id.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_and_sigmoid() {
        let p = normalise(&[0.0, 0.0]);
        assert_eq!(p, vec![0.5, 0.5]);
        assert!((normalise(&[0.0])[0] - 0.5).abs() < 1e-6);
        let p = normalise(&[1000.0, 0.0]);
        assert!((p[0] - 1.0).abs() < 1e-6, "stable for large logits");
    }

    #[test]
    fn labels_are_ordered_by_numeric_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, r#"{"id2label": {"10": "k", "2": "c", "0": "a", "1": "b", "3": "d", "4": "e", "5": "f", "6": "g", "7": "h", "8": "i", "9": "j"}}"#).unwrap();
        assert_eq!(read_labels(&path).unwrap().concat(), "abcdefghijk");
        std::fs::write(&path, r#"{"id2label": {"0": "a", "2": "c"}}"#).unwrap();
        assert!(read_labels(&path).is_err());
    }
}
