//! A `tokenizer.json` (Hugging Face `tokenizers` format) set up for inference:
//! truncation at the model's limit and no padding (callers pad per batch).

use std::path::{Path, PathBuf};

use tokenizers::{TruncationParams, TruncationStrategy};

use super::ModelError;

pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    path: PathBuf,
}

impl Tokenizer {
    /// `max_length`: truncate to this many tokens (special tokens included); `None`
    /// keeps whatever truncation the file sets.
    pub fn load(path: &Path, max_length: Option<usize>) -> Result<Self, ModelError> {
        let err = |reason: String| ModelError::Tokenizer {
            path: path.to_owned(),
            reason,
        };
        let mut inner = tokenizers::Tokenizer::from_file(path).map_err(|e| err(e.to_string()))?;
        inner.with_padding(None);
        if let Some(max_length) = max_length {
            inner
                .with_truncation(Some(TruncationParams {
                    max_length,
                    strategy: TruncationStrategy::LongestFirst,
                    ..Default::default()
                }))
                .map_err(|e| err(e.to_string()))?;
        }
        Ok(Self {
            inner,
            path: path.to_owned(),
        })
    }

    /// Token ids of each text, special tokens added.
    pub fn encode_all(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>, ModelError> {
        texts
            .iter()
            .map(|text| {
                self.inner
                    .encode(*text, true)
                    .map(|e| e.get_ids().to_vec())
                    .map_err(|e| ModelError::Tokenizer {
                        path: self.path.clone(),
                        reason: e.to_string(),
                    })
            })
            .collect()
    }
}
