//! Encoder-decoder graphs in the Optimum layout without a cache: `encoder.onnx`
//! (`input_ids`, `attention_mask` -> `last_hidden_state`) runs once, `decoder.onnx`
//! (`input_ids`, `encoder_hidden_states`, `encoder_attention_mask` -> `logits`)
//! re-reads the whole decoded prefix every step.

use std::borrow::Cow;

use ort::session::{Session, SessionInputValue};
use ort::value::Tensor;

use super::io::{check_names, last_position_logits};
use super::search::StepModel;
use crate::model::registry::ResolvedModel;
use crate::model::runtime::{Runtime, RuntimeConfig};
use crate::model::ModelError;

pub struct EncoderDecoder {
    encoder: Session,
    decoder: Session,
    start: u32,
}

impl EncoderDecoder {
    pub fn load(
        runtime: &Runtime,
        model: &ResolvedModel,
        config: &RuntimeConfig,
    ) -> Result<(Self, Vec<String>), ModelError> {
        let start = model.generation.decoder_start_token_id.ok_or_else(|| {
            ModelError::Manifest(format!(
                "encoder-decoder model `{}` needs generation.decoder_start_token_id",
                model.id
            ))
        })?;
        let encoder_path = model.file("encoder.onnx")?;
        let decoder_path = model.file("decoder.onnx")?;
        let (encoder, mut warnings) = runtime.session(encoder_path, config)?;
        check_names(
            &encoder,
            encoder_path,
            &["input_ids", "attention_mask"],
            &["last_hidden_state"],
        )?;
        let (decoder, more) = runtime.session(decoder_path, config)?;
        warnings.extend(more);
        let inputs = ["input_ids", "encoder_hidden_states", "encoder_attention_mask"];
        check_names(&decoder, decoder_path, &inputs, &["logits"])?;
        Ok((Self { encoder, decoder, start }, warnings))
    }

    /// Runs the encoder over `prompt` and returns the per-step decoder.
    pub fn begin(&mut self, prompt: &[u32]) -> Result<Steps<'_>, ModelError> {
        let ids: Vec<i64> = prompt.iter().map(|&t| i64::from(t)).collect();
        let len = ids.len();
        let outputs = self.encoder.run(ort::inputs![
            "input_ids" => Tensor::from_array(([1, len], ids))?,
            "attention_mask" => Tensor::from_array(([1, len], vec![1i64; len]))?,
        ])?;
        let (shape, hidden) = outputs["last_hidden_state"].try_extract_tensor::<f32>()?;
        let dim = match **shape {
            [1, l, d] if l as usize == len => d as usize,
            _ => return Err(ModelError::Inference(format!("encoder output has shape {shape:?}"))),
        };
        let hidden = hidden.to_vec();
        drop(outputs);
        Ok(Steps { decoder: &mut self.decoder, hidden, len, dim, start: self.start })
    }
}

pub struct Steps<'a> {
    decoder: &'a mut Session,
    hidden: Vec<f32>,
    len: usize,
    dim: usize,
    start: u32,
}

impl StepModel for Steps<'_> {
    fn step(&mut self, rows: &[&[u32]], _parents: &[usize]) -> Result<Vec<Vec<f32>>, ModelError> {
        let n = rows.len();
        let width = 1 + rows.first().map_or(0, |r| r.len());
        let ids: Vec<i64> = rows
            .iter()
            .flat_map(|r| std::iter::once(self.start).chain(r.iter().copied()))
            .map(i64::from)
            .collect();
        let hidden = self.hidden.repeat(n);
        let inputs: Vec<(Cow<str>, SessionInputValue)> = vec![
            ("input_ids".into(), Tensor::from_array(([n, width], ids))?.into()),
            (
                "encoder_hidden_states".into(),
                Tensor::from_array(([n, self.len, self.dim], hidden))?.into(),
            ),
            (
                "encoder_attention_mask".into(),
                Tensor::from_array(([n, self.len], vec![1i64; n * self.len]))?.into(),
            ),
        ];
        let outputs = self.decoder.run(inputs)?;
        last_position_logits(&outputs["logits"], n)
    }
}
