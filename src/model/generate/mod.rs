//! Text generation over decoder-only graphs with a KV cache and encoder-decoder
//! graphs: greedy, beam search and seeded sampling, chat templates, streaming, stop
//! tokens and strings, and a cancellation check at every step.

mod chat;
mod decoder;
mod encdec;
mod io;
pub mod logits;
mod search;
mod stream;

use std::sync::Mutex;

pub use chat::ChatMessage;
pub(crate) use stream::SettledText;

use chat::ChatTemplate;
use decoder::DecoderOnly;
use encdec::EncoderDecoder;
use search::Limits;
use stream::TextStream;

use super::manifest::Architecture;
use super::registry::ResolvedModel;
use super::runtime::{Runtime, RuntimeConfig};
use super::tokenize::Tokenizer;
use super::ModelError;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Strategy {
    Greedy,
    /// Softmax sampling at `temperature` from the `top_k` best tokens (0: all), cut
    /// to the smallest set with probability `top_p`; the same seed gives the same text.
    Sample {
        temperature: f32,
        top_k: usize,
        top_p: f32,
        seed: u64,
    },
    /// Beam search; beams are scored by `logprob / length^length_penalty`.
    Beam {
        width: usize,
        length_penalty: f32,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct GenerateOptions {
    pub max_new_tokens: usize,
    pub strategy: Strategy,
    /// 1.0 is off; above 1 discourages tokens already in the prompt or output.
    pub repetition_penalty: f32,
    /// Extra tokens that end generation, besides the model's end-of-sequence ones.
    pub stop_tokens: Vec<u32>,
    /// Generation stops when the text contains one; the text is cut before it.
    pub stop_strings: Vec<String>,
    /// Keep the decoder's key/value cache between steps (decoder-only graphs).
    /// Off re-reads the whole sequence every step, which gives the same tokens.
    pub use_cache: bool,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            max_new_tokens: 64,
            strategy: Strategy::Greedy,
            repetition_penalty: 1.0,
            stop_tokens: Vec::new(),
            stop_strings: Vec::new(),
            use_cache: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    EndOfSequence,
    StopString,
    MaxNewTokens,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub text: String,
    /// Generated token ids, the final end-of-sequence token included.
    pub tokens: Vec<u32>,
    pub stop: StopReason,
}

enum Backend {
    DecoderOnly(DecoderOnly),
    EncoderDecoder(EncoderDecoder),
}

/// A loaded generator. `Send + Sync`; one generation runs at a time.
pub struct Generator {
    /// The model's id, as the manifest or its local folder names it.
    id: String,
    backend: Mutex<Backend>,
    tokenizer: Tokenizer,
    eos: Vec<u32>,
    chat: Option<ChatTemplate>,
}

/// `eos_token_id` from a Hugging Face `generation_config.json` (a number or a list).
fn read_eos(path: &std::path::Path) -> Result<Vec<u32>, ModelError> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Ids {
        One(u32),
        Many(Vec<u32>),
    }
    #[derive(serde::Deserialize)]
    struct Config {
        eos_token_id: Option<Ids>,
    }
    let text = std::fs::read_to_string(path).map_err(ModelError::io(path))?;
    let config: Config = serde_json::from_str(&text)
        .map_err(|e| ModelError::Manifest(format!("{}: {e}", path.display())))?;
    Ok(match config.eos_token_id {
        Some(Ids::One(id)) => vec![id],
        Some(Ids::Many(ids)) => ids,
        None => Vec::new(),
    })
}

impl Generator {
    pub fn load(
        runtime: &Runtime,
        model: &ResolvedModel,
        config: &RuntimeConfig,
    ) -> Result<(Self, Vec<String>), ModelError> {
        let tokenizer = Tokenizer::load(model.file("tokenizer.json")?, model.max_length)?;
        let (backend, warnings) = match model.architecture {
            Architecture::DecoderOnly => {
                let (m, w) = DecoderOnly::load(runtime, model.file("model.onnx")?, config)?;
                (Backend::DecoderOnly(m), w)
            }
            Architecture::EncoderDecoder => {
                let (m, w) = EncoderDecoder::load(runtime, model, config)?;
                (Backend::EncoderDecoder(m), w)
            }
            other => {
                return Err(ModelError::Manifest(format!(
                    "model `{}` is {other:?}, which the generator cannot run yet",
                    model.id
                )))
            }
        };
        // The manifest's ids win; otherwise the model's own generation config.
        let eos = match model.optional_file("generation_config.json") {
            Some(path) if model.generation.eos_token_id.is_empty() => read_eos(path)?,
            _ => model.generation.eos_token_id.clone(),
        };
        let chat =
            model.optional_file("tokenizer_config.json").map(ChatTemplate::load).transpose()?;
        let generator =
            Self { id: model.id.clone(), backend: Mutex::new(backend), tokenizer, eos, chat };
        Ok((generator, warnings))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Answers a conversation: renders the model's chat template with the assistant's
    /// turn opened, then generates as [`Generator::generate`] does.
    pub fn chat(
        &self,
        messages: &[ChatMessage],
        options: &GenerateOptions,
        on_text: &mut dyn FnMut(&str),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Generated, ModelError> {
        let template = self.chat.as_ref().ok_or_else(|| {
            ModelError::Manifest(
                "the model has no tokenizer_config.json with a chat template".into(),
            )
        })?;
        self.generate(&template.render(messages)?, options, on_text, cancelled)
    }

    /// Generates a continuation of `prompt`. `on_text` receives the text as it
    /// settles (all at once for beam search); `cancelled` is polled before every
    /// step and ends generation with [`StopReason::Cancelled`].
    pub fn generate(
        &self,
        prompt: &str,
        options: &GenerateOptions,
        on_text: &mut dyn FnMut(&str),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Generated, ModelError> {
        let prompt_ids = self.tokenizer.encode_texts(&[prompt])?.swap_remove(0).ids;
        let stop_tokens: Vec<u32> = self.eos.iter().chain(&options.stop_tokens).copied().collect();
        let mut stream = TextStream::new(&self.tokenizer, &options.stop_strings, on_text);
        let mut backend = self.backend.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, stop) = match &mut *backend {
            Backend::DecoderOnly(m) => {
                let limits = Limits {
                    options,
                    stop_tokens: &stop_tokens,
                    seen_before: &prompt_ids,
                    cancelled,
                };
                let mut steps = m.begin(&prompt_ids, options.use_cache);
                search::search(&mut steps, &limits, &mut |t| stream.push(t))?
            }
            Backend::EncoderDecoder(m) => {
                let limits = Limits {
                    options,
                    stop_tokens: &stop_tokens,
                    // The decoder never sees the prompt's tokens as its own output.
                    seen_before: &[],
                    cancelled,
                };
                search::search(&mut m.begin(&prompt_ids)?, &limits, &mut |t| stream.push(t))?
            }
        };
        let text = stream.finish(&tokens)?;
        Ok(Generated { text, tokens, stop })
    }
}
