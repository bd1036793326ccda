//! Sentence embeddings: tokenise, run the encoder in length-sorted batches padded
//! only to the longest text in each batch, mean-pool over the attention mask and
//! L2-normalise.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Mutex;

use ort::session::{Session, SessionInputValue};
use ort::value::Tensor;

use super::registry::ResolvedModel;
use super::runtime::{Runtime, RuntimeConfig};
use super::tokenize::Tokenizer;
use super::ModelError;

/// Texts per encoder call. Padding is per batch, so smaller batches waste less on
/// mixed lengths; 32 is where throughput levels off on CPU.
pub const BATCH_SIZE: usize = 32;

const HIDDEN_OUTPUTS: [&str; 2] = ["last_hidden_state", "token_embeddings"];

/// A loaded embedding model. `Send + Sync`: runs are serialised by an internal mutex
/// (ONNX Runtime parallelises inside each run), so share it behind an `Arc`.
pub struct Embedder {
    session: Mutex<Session>,
    tokenizer: Tokenizer,
    output: String,
    wants_token_types: bool,
}

impl Embedder {
    /// Loads `model.onnx` and `tokenizer.json` from a resolved model. Returns provider
    /// fallback warnings alongside.
    pub fn load(
        runtime: &Runtime,
        model: &ResolvedModel,
        config: &RuntimeConfig,
    ) -> Result<(Self, Vec<String>), ModelError> {
        let onnx = model.file("model.onnx")?;
        let tokenizer = Tokenizer::load(model.file("tokenizer.json")?, model.max_length)?;
        let (session, warnings) = runtime.session(onnx, config)?;
        let (output, wants_token_types) = check_io(&session, onnx)?;
        let embedder = Self {
            session: Mutex::new(session),
            tokenizer,
            output,
            wants_token_types,
        };
        Ok((embedder, warnings))
    }

    /// One unit-length vector per text, in input order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, ModelError> {
        let encodings = self.tokenizer.encode_all(texts)?;
        // Sorting by length keeps each batch's padding small.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(encodings[i].len()));
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH_SIZE) {
            let batch: Vec<&[u32]> = chunk.iter().map(|&i| encodings[i].as_slice()).collect();
            for (&i, vector) in chunk.iter().zip(self.run_batch(&batch)?) {
                out[i] = vector;
            }
        }
        Ok(out)
    }

    fn run_batch(&self, batch: &[&[u32]]) -> Result<Vec<Vec<f32>>, ModelError> {
        let rows = batch.len();
        let width = batch.iter().map(|ids| ids.len()).max().unwrap_or(0).max(1);
        let mut ids = vec![0i64; rows * width];
        let mut mask = vec![0i64; rows * width];
        for (r, tokens) in batch.iter().enumerate() {
            for (c, &t) in tokens.iter().enumerate() {
                ids[r * width + c] = i64::from(t);
                mask[r * width + c] = 1;
            }
        }
        let tensor = |data: Vec<i64>| -> Result<SessionInputValue<'static>, ModelError> {
            Ok(Tensor::from_array(([rows, width], data))?.into())
        };
        let mut inputs: Vec<(Cow<str>, SessionInputValue)> = Vec::with_capacity(3);
        if self.wants_token_types {
            inputs.push(("token_type_ids".into(), tensor(vec![0; rows * width])?));
        }
        inputs.push(("input_ids".into(), tensor(ids)?));
        inputs.push(("attention_mask".into(), tensor(mask.clone())?));

        let mut session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let outputs = session.run(inputs)?;
        let (shape, hidden) = outputs[self.output.as_str()].try_extract_tensor::<f32>()?;
        let dim = match **shape {
            [r, w, d] if r as usize == rows && w as usize == width => d as usize,
            _ => {
                return Err(ModelError::Inference(format!(
                    "{} has shape {shape:?}; expected [{rows}, {width}, hidden]",
                    self.output
                )))
            }
        };
        Ok((0..rows)
            .map(|r| {
                let mask = &mask[r * width..(r + 1) * width];
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

/// The graph must take `input_ids` and `attention_mask` (and optionally
/// `token_type_ids`) and give per-token states. Returns the output name and whether
/// token types are wanted.
fn check_io(session: &Session, path: &Path) -> Result<(String, bool), ModelError> {
    let inputs: Vec<&str> = session.inputs().iter().map(|i| i.name()).collect();
    let required = ["input_ids", "attention_mask"];
    let known = |n: &&str| required.contains(n) || *n == "token_type_ids";
    if !required.iter().all(|r| inputs.contains(r)) || !inputs.iter().all(known) {
        return Err(ModelError::UnexpectedInputs {
            path: path.to_owned(),
            expected: "input_ids, attention_mask[, token_type_ids]".into(),
            found: inputs.join(", "),
        });
    }
    let outputs: Vec<&str> = session.outputs().iter().map(|o| o.name()).collect();
    let Some(output) = HIDDEN_OUTPUTS.iter().find(|n| outputs.contains(n)) else {
        return Err(ModelError::UnexpectedOutputs {
            path: path.to_owned(),
            expected: HIDDEN_OUTPUTS.join(", "),
            found: outputs.join(", "),
        });
    };
    Ok((output.to_string(), inputs.contains(&"token_type_ids")))
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
