//! A small ONNX head mapping a float matrix `[N, dim]` to one score per row (e.g. the
//! TL;DR sentence scorer), built from bytes embedded in the binary. Runs on CPU: the
//! graphs are tiny, so an accelerator would only add transfer time.

use std::sync::Mutex;

use ort::session::Session;
use ort::value::Tensor;

use super::runtime::Runtime;
use super::ModelError;

/// A loaded `[N, dim] -> [N]` head; `Send + Sync` (runs are serialised by the mutex).
pub struct Head {
    session: Mutex<Session>,
    name: String,
    input: String,
    output: String,
    dim: usize,
}

impl Head {
    /// Builds the session from `bytes`, checking it has the named input and output.
    /// `name` is shown in errors in place of a file path.
    pub fn from_memory(
        runtime: &Runtime,
        name: &str,
        bytes: &[u8],
        input: &str,
        output: &str,
        dim: usize,
    ) -> Result<Self, ModelError> {
        let session_err = |reason: String| ModelError::Session { path: name.into(), reason };
        // One thread: a [N, 405] x [405] product gains nothing from a pool, and idle
        // pool threads would spin on the cores the embedder needs.
        let session = Session::builder(runtime.environment())
            .and_then(|b| b.with_intra_threads(1).map_err(Into::into))
            .and_then(|mut b| b.commit_from_memory(bytes))
            .map_err(|e| session_err(e.to_string()))?;
        let inputs: Vec<&str> = session.inputs().iter().map(|i| i.name()).collect();
        if inputs != [input] {
            return Err(ModelError::UnexpectedInputs {
                path: name.into(),
                expected: input.into(),
                found: inputs.join(", "),
            });
        }
        let outputs: Vec<&str> = session.outputs().iter().map(|o| o.name()).collect();
        if !outputs.contains(&output) {
            return Err(ModelError::UnexpectedOutputs {
                path: name.into(),
                expected: output.into(),
                found: outputs.join(", "),
            });
        }
        Ok(Self {
            session: Mutex::new(session),
            name: name.into(),
            input: input.into(),
            output: output.into(),
            dim,
        })
    }

    /// Width of each input row.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// One score per row of `rows` (row-major, `rows.len()` a multiple of `dim`).
    pub fn score(&self, rows: &[f32]) -> Result<Vec<f32>, ModelError> {
        if !rows.len().is_multiple_of(self.dim) {
            return Err(ModelError::Inference(format!(
                "{}: {} values are not rows of {}",
                self.name,
                rows.len(),
                self.dim
            )));
        }
        let n = rows.len() / self.dim;
        if n == 0 {
            return Ok(Vec::new());
        }
        let tensor = Tensor::from_array(([n, self.dim], rows.to_vec()))?;
        let mut session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let outputs = session.run(ort::inputs![self.input.as_str() => tensor])?;
        let (shape, data) = outputs[self.output.as_str()].try_extract_tensor::<f32>()?;
        if data.len() != n {
            return Err(ModelError::Inference(format!(
                "{}: output {} has shape {shape:?}; expected [{n}]",
                self.name, self.output
            )));
        }
        Ok(data.to_vec())
    }
}
