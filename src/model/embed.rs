//! Sentence embeddings: attention-masked mean of the encoder's token states,
//! L2-normalised.

use super::encoder::{Batch, EncoderSession};
use super::registry::ResolvedModel;
use super::runtime::{Runtime, RuntimeConfig};
use super::tokenize::Tokenizer;
use super::ModelError;

const HIDDEN_OUTPUTS: [&str; 2] = ["last_hidden_state", "token_embeddings"];

/// A loaded embedding model; `Send + Sync`, share it behind an `Arc`.
pub struct Embedder {
    encoder: EncoderSession,
    tokenizer: Tokenizer,
}

impl Embedder {
    /// Loads `model.onnx` and `tokenizer.json` from a resolved model. Returns provider
    /// fallback warnings alongside.
    pub fn load(
        runtime: &Runtime,
        model: &ResolvedModel,
        config: &RuntimeConfig,
    ) -> Result<(Self, Vec<String>), ModelError> {
        let tokenizer = Tokenizer::load(model.file("tokenizer.json")?, model.max_length)?;
        let (encoder, warnings) =
            EncoderSession::load(runtime, model.file("model.onnx")?, config, &HIDDEN_OUTPUTS)?;
        Ok((Self { encoder, tokenizer }, warnings))
    }

    /// One unit-length vector per text, in input order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, ModelError> {
        let inputs = self.tokenizer.encode_texts(texts)?;
        self.encoder.map_batched(&inputs, |batch, shape, hidden| self.pool(batch, shape, hidden))
    }

    fn pool(
        &self,
        batch: &Batch,
        shape: &[i64],
        hidden: &[f32],
    ) -> Result<Vec<Vec<f32>>, ModelError> {
        let (rows, width) = (batch.rows, batch.width);
        let dim = match *shape {
            [r, w, d] if r as usize == rows && w as usize == width => d as usize,
            _ => {
                return Err(ModelError::Inference(format!(
                    "{} has shape {shape:?}; expected [{rows}, {width}, hidden]",
                    self.encoder.output_name()
                )))
            }
        };
        Ok((0..rows)
            .map(|r| {
                let mask = &batch.mask[r * width..(r + 1) * width];
                let states = &hidden[r * width * dim..(r + 1) * width * dim];
                mean_pool_normalised(states, mask, dim)
            })
            .collect())
    }
}

/// Attention-masked mean over token states (`[width, dim]`, row-major), L2-normalised.
fn mean_pool_normalised(states: &[f32], mask: &[i64], dim: usize) -> Vec<f32> {
    let mut sum = vec![0f32; dim];
    let mut count = 0f32;
    for (token, _) in states.chunks_exact(dim).zip(mask).filter(|(_, &m)| m != 0) {
        sum.iter_mut().zip(token).for_each(|(s, x)| *s += x);
        count += 1.0;
    }
    let count = count.max(1.0);
    sum.iter_mut().for_each(|s| *s /= count);
    let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    sum.iter_mut().for_each(|s| *s /= norm);
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_pool_ignores_padding_and_normalises() {
        let states = [1.0, 0.0, 3.0, 0.0, 100.0, 100.0];
        let v = mean_pool_normalised(&states, &[1, 1, 0], 2);
        assert_eq!(v, vec![1.0, 0.0]);
        let v = mean_pool_normalised(&[3.0, 4.0], &[1], 2);
        assert!((v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6);
    }
}
