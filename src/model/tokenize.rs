//! A `tokenizer.json` (Hugging Face `tokenizers` format) set up for inference:
//! truncation at the model's limit and no padding (callers pad per batch).

use std::path::{Path, PathBuf};

use tokenizers::{EncodeInput, TruncationParams, TruncationStrategy};

use super::ModelError;

/// Token ids of one input (a text or a text pair), special tokens included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub ids: Vec<u32>,
    /// Segment of each token: 0 for the first text, 1 for the second of a pair.
    pub type_ids: Vec<u32>,
}

pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    path: PathBuf,
}

impl Tokenizer {
    /// `max_length`: truncate to this many tokens (special tokens included); `None`
    /// keeps whatever truncation the file sets.
    pub fn load(path: &Path, max_length: Option<usize>) -> Result<Self, ModelError> {
        let err = |reason: String| ModelError::Tokenizer { path: path.to_owned(), reason };
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
        Ok(Self { inner, path: path.to_owned() })
    }

    pub fn encode_texts(&self, texts: &[&str]) -> Result<Vec<Encoded>, ModelError> {
        texts.iter().map(|&t| self.encode(t.into())).collect()
    }

    pub fn encode_pairs(&self, pairs: &[(&str, &str)]) -> Result<Vec<Encoded>, ModelError> {
        pairs.iter().map(|&p| self.encode(p.into())).collect()
    }

    /// Text of `ids`, special tokens left out.
    pub fn decode(&self, ids: &[u32]) -> Result<String, ModelError> {
        self.inner
            .decode(ids, true)
            .map_err(|e| ModelError::Tokenizer { path: self.path.clone(), reason: e.to_string() })
    }

    fn encode(&self, input: EncodeInput) -> Result<Encoded, ModelError> {
        let encoding = self.inner.encode(input, true).map_err(|e| ModelError::Tokenizer {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        Ok(Encoded { ids: encoding.get_ids().to_vec(), type_ids: encoding.get_type_ids().to_vec() })
    }
}
