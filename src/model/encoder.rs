//! What the embedder and the classifier share: an encoder-style session fed
//! `input_ids`, `attention_mask` and optionally `token_type_ids`, run over
//! length-sorted batches padded only to the longest input in each batch.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Mutex;

use ort::session::{Session, SessionInputValue};
use ort::value::Tensor;

use super::runtime::{Runtime, RuntimeConfig};
use super::tokenize::Encoded;
use super::ModelError;

/// Inputs per session run. Padding is per batch, so smaller batches waste less on
/// mixed lengths; 32 is where CPU throughput levels off.
pub const BATCH_SIZE: usize = 32;

/// A padded batch, row-major `[rows, width]`.
pub struct Batch {
    pub rows: usize,
    pub width: usize,
    pub mask: Vec<i64>,
    ids: Vec<i64>,
    type_ids: Vec<i64>,
}

impl Batch {
    fn pad(inputs: &[&Encoded]) -> Self {
        let rows = inputs.len();
        let width = inputs.iter().map(|e| e.ids.len()).max().unwrap_or(0).max(1);
        let mut batch = Self {
            rows,
            width,
            mask: vec![0; rows * width],
            ids: vec![0; rows * width],
            type_ids: vec![0; rows * width],
        };
        for (r, e) in inputs.iter().enumerate() {
            let row = r * width..r * width + e.ids.len();
            batch.mask[row.clone()].fill(1);
            for ((id, ty), (&i, &t)) in batch.ids[row.clone()]
                .iter_mut()
                .zip(&mut batch.type_ids[row])
                .zip(e.ids.iter().zip(&e.type_ids))
            {
                *id = i64::from(i);
                *ty = i64::from(t);
            }
        }
        batch
    }
}

/// An encoder session checked to take the inputs above and give `output`.
/// `Send + Sync`: runs are serialised by the mutex (ONNX Runtime parallelises
/// inside each run).
pub struct EncoderSession {
    session: Mutex<Session>,
    output: String,
    wants_token_types: bool,
}

impl EncoderSession {
    /// Loads `path`, requiring the encoder inputs and the first of `outputs` the graph
    /// has. Returns provider fallback warnings alongside.
    pub fn load(
        runtime: &Runtime,
        path: &Path,
        config: &RuntimeConfig,
        outputs: &[&str],
    ) -> Result<(Self, Vec<String>), ModelError> {
        let (session, warnings) = runtime.session(path, config)?;
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
        let found: Vec<&str> = session.outputs().iter().map(|o| o.name()).collect();
        let Some(output) = outputs.iter().find(|n| found.contains(n)) else {
            return Err(ModelError::UnexpectedOutputs {
                path: path.to_owned(),
                expected: outputs.join(", "),
                found: found.join(", "),
            });
        };
        let wants_token_types = inputs.contains(&"token_type_ids");
        let encoder =
            Self { output: output.to_string(), wants_token_types, session: Mutex::new(session) };
        Ok((encoder, warnings))
    }

    /// Runs `inputs` in length-sorted batches; `per_batch` turns one batch and the
    /// output tensor (shape, data) into one result per row. Results come back in
    /// input order.
    pub fn map_batched<T: Clone>(
        &self,
        inputs: &[Encoded],
        mut per_batch: impl FnMut(&Batch, &[i64], &[f32]) -> Result<Vec<T>, ModelError>,
    ) -> Result<Vec<T>, ModelError> {
        let mut order: Vec<usize> = (0..inputs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(inputs[i].ids.len()));
        let mut out: Vec<Option<T>> = vec![None; inputs.len()];
        for chunk in order.chunks(BATCH_SIZE) {
            let rows: Vec<&Encoded> = chunk.iter().map(|&i| &inputs[i]).collect();
            let batch = Batch::pad(&rows);
            let results = self.run(&batch, &mut per_batch)?;
            if results.len() != chunk.len() {
                return Err(ModelError::Inference(format!(
                    "{} results for a batch of {}",
                    results.len(),
                    chunk.len()
                )));
            }
            for (&i, r) in chunk.iter().zip(results) {
                out[i] = Some(r);
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    fn run<T>(
        &self,
        batch: &Batch,
        per_batch: &mut impl FnMut(&Batch, &[i64], &[f32]) -> Result<Vec<T>, ModelError>,
    ) -> Result<Vec<T>, ModelError> {
        let shape = [batch.rows, batch.width];
        let tensor = |data: &[i64]| -> Result<SessionInputValue<'static>, ModelError> {
            Ok(Tensor::from_array((shape, data.to_vec()))?.into())
        };
        let mut inputs: Vec<(Cow<str>, SessionInputValue)> = vec![
            ("input_ids".into(), tensor(&batch.ids)?),
            ("attention_mask".into(), tensor(&batch.mask)?),
        ];
        if self.wants_token_types {
            inputs.push(("token_type_ids".into(), tensor(&batch.type_ids)?));
        }
        let mut session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let outputs = session.run(inputs)?;
        let (shape, data) = outputs[self.output.as_str()].try_extract_tensor::<f32>()?;
        per_batch(batch, shape, data)
    }

    pub fn output_name(&self) -> &str {
        &self.output
    }
}
