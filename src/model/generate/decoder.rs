//! Decoder-only graphs with a KV cache in the onnx-community layout: `input_ids`,
//! `attention_mask`, `position_ids` and `past_key_values.N.key/value` in, `logits`
//! and `present.N.key/value` out. The cache stays in the values ONNX Runtime
//! allocated for the previous step's outputs, handed back as the next step's inputs;
//! it is copied only when beam search reorders or widens it. Rows are never padded
//! (one prompt, or beams of equal length), which graphs built on ONNX Runtime's
//! GroupQueryAttention, like the converter's, rely on.

use std::borrow::Cow;
use std::path::Path;

use ort::session::{Session, SessionInputValue};
use ort::value::{DynValue, Tensor, ValueType};

use super::io::{check_names, last_position_logits};
use super::search::StepModel;
use crate::model::runtime::{Runtime, RuntimeConfig};
use crate::model::ModelError;

pub struct DecoderOnly {
    session: Session,
    layers: usize,
    kv_heads: usize,
    head_dim: usize,
}

fn names(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

impl DecoderOnly {
    pub fn load(
        runtime: &Runtime,
        path: &Path,
        config: &RuntimeConfig,
    ) -> Result<(Self, Vec<String>), ModelError> {
        let (session, warnings) = runtime.session(path, config)?;
        let layers = session
            .inputs()
            .iter()
            .filter(|i| i.name().starts_with("past_key_values.") && i.name().ends_with(".key"))
            .count();
        let mut inputs =
            vec!["input_ids".to_owned(), "attention_mask".to_owned(), "position_ids".to_owned()];
        let mut outputs = vec!["logits".to_owned()];
        for i in 0..layers {
            for kind in ["key", "value"] {
                inputs.push(format!("past_key_values.{i}.{kind}"));
                outputs.push(format!("present.{i}.{kind}"));
            }
        }
        check_names(&session, path, &names(&inputs), &names(&outputs))?;
        // [batch, kv_heads, past, head_dim] with the two inner sizes fixed.
        let dims =
            session.inputs().iter().find(|i| i.name() == "past_key_values.0.key").and_then(|i| {
                match i.dtype() {
                    ValueType::Tensor { shape, .. }
                        if shape.len() == 4 && shape[1] > 0 && shape[3] > 0 =>
                    {
                        Some((shape[1] as usize, shape[3] as usize))
                    }
                    _ => None,
                }
            });
        let Some((kv_heads, head_dim)) = dims.filter(|_| layers > 0) else {
            return Err(ModelError::UnexpectedInputs {
                path: path.to_owned(),
                expected: "past_key_values.N.key of shape [batch, kv_heads, past, head_dim]".into(),
                found: names(&inputs).join(", "),
            });
        };
        let decoder = Self { session, layers, kv_heads, head_dim };
        Ok((decoder, warnings))
    }

    /// Per-step model continuing `prompt`; without `use_cache` every step re-reads
    /// the whole sequence (for checking the cache and measuring what it saves).
    pub fn begin(&mut self, prompt: &[u32], use_cache: bool) -> Steps<'_> {
        Steps { decoder: self, prompt: prompt.to_vec(), use_cache, cache: None }
    }
}

pub struct Steps<'a> {
    decoder: &'a mut DecoderOnly,
    prompt: Vec<u32>,
    use_cache: bool,
    /// `present.*` of the last step, in input order, and the rows they hold.
    cache: Option<(Vec<DynValue>, usize)>,
}

impl Steps<'_> {
    fn empty_cache(&self, rows: usize) -> Result<Vec<DynValue>, ModelError> {
        let d = &*self.decoder;
        (0..2 * d.layers)
            .map(|_| {
                Ok(Tensor::from_array(([rows, d.kv_heads, 0, d.head_dim], Vec::<f32>::new()))?
                    .into_dyn())
            })
            .collect()
    }

    /// The cache rows `parents` name, copied out, unless they are already in order.
    fn reorder(
        cache: Vec<DynValue>,
        held: usize,
        parents: &[usize],
    ) -> Result<Vec<DynValue>, ModelError> {
        if parents.len() == held && parents.iter().enumerate().all(|(i, &p)| i == p) {
            return Ok(cache);
        }
        cache
            .iter()
            .map(|value| {
                let (shape, data) = value.try_extract_tensor::<f32>()?;
                let row = data.len() / held;
                let picked: Vec<f32> =
                    parents.iter().flat_map(|&p| &data[p * row..(p + 1) * row]).copied().collect();
                let mut dims: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
                dims[0] = parents.len();
                Ok(Tensor::from_array((dims, picked))?.into_dyn())
            })
            .collect()
    }

    fn run(
        &mut self,
        ids: Vec<i64>,
        rows: usize,
        start: usize,
        past: Vec<DynValue>,
    ) -> Result<Vec<Vec<f32>>, ModelError> {
        let new = ids.len() / rows;
        let total = start + new;
        let positions: Vec<i64> = (0..rows).flat_map(|_| start as i64..total as i64).collect();
        let mut inputs: Vec<(Cow<str>, SessionInputValue)> = vec![
            ("input_ids".into(), Tensor::from_array(([rows, new], ids))?.into()),
            (
                "attention_mask".into(),
                Tensor::from_array(([rows, total], vec![1i64; rows * total]))?.into(),
            ),
            ("position_ids".into(), Tensor::from_array(([rows, new], positions))?.into()),
        ];
        for (i, value) in past.into_iter().enumerate() {
            let kind = if i % 2 == 0 { "key" } else { "value" };
            inputs.push((format!("past_key_values.{}.{kind}", i / 2).into(), value.into()));
        }
        let mut outputs = self.decoder.session.run(inputs)?;
        let logits = last_position_logits(&outputs["logits"], rows)?;
        if self.use_cache {
            let present = (0..2 * self.decoder.layers)
                .map(|i| {
                    let kind = if i % 2 == 0 { "key" } else { "value" };
                    let name = format!("present.{}.{kind}", i / 2);
                    outputs
                        .remove(&name)
                        .ok_or_else(|| ModelError::Inference(format!("no output {name}")))
                })
                .collect::<Result<_, _>>()?;
            self.cache = Some((present, rows));
        }
        Ok(logits)
    }
}

impl StepModel for Steps<'_> {
    fn step(&mut self, rows: &[&[u32]], parents: &[usize]) -> Result<Vec<Vec<f32>>, ModelError> {
        let n = rows.len();
        let generated = rows.first().map_or(0, |r| r.len());
        let prompt = &self.prompt;
        match self.cache.take() {
            Some((cache, held)) if self.use_cache => {
                let past = Self::reorder(cache, held, parents)?;
                let ids = rows.iter().map(|r| i64::from(r[generated - 1])).collect();
                self.run(ids, n, prompt.len() + generated - 1, past)
            }
            _ => {
                // Prefill (or, without the cache, every step): prompt plus each row.
                let ids = rows
                    .iter()
                    .flat_map(|r| prompt.iter().chain(r.iter()))
                    .map(|&t| i64::from(t))
                    .collect();
                let past = self.empty_cache(n)?;
                self.run(ids, n, 0, past)
            }
        }
    }
}
