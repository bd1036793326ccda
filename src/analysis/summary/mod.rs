//! One-sentence TL;DR of a paper's abstract: every sentence is scored by the TL;DR head
//! (`models/tldr-head`, logistic regression over MiniLM embeddings and hand features), the
//! best one is cleaned (LaTeX, leading discourse markers) and kept to at most 30 words.
//! `models/tldr-head/features.json` is the specification this module implements.

pub mod condense;
pub mod features;
pub mod text;

use std::sync::Arc;

use crate::model::{Embedder, Head, ModelError, Models};

pub use features::{paper_features, DIM};

/// Changes whenever the output for the same abstract could change (head model, features,
/// text rules, sentence splitting); part of the TL;DR cache key.
pub const PIPELINE_VERSION: &str = "tldr-2+head-6890f7cf";

/// The head model, embedded in the binary.
pub static HEAD_ONNX: &[u8] = include_bytes!("../../../models/tldr-head/model.onnx");
/// Its specification (sha256 of the model, feature order, rules).
pub static HEAD_SPEC: &str = include_str!("../../../models/tldr-head/features.json");

/// A TL;DR: the shown text, the index of the sentence it comes from, and that sentence's
/// score (probability that it is the abstract's TL;DR sentence).
#[derive(Clone, Debug, PartialEq)]
pub struct Tldr {
    pub text: String,
    pub sentence: usize,
    pub score: f32,
}

/// Per-sentence details of a TL;DR run (for tests and evaluation).
#[derive(Clone, Debug)]
pub struct Scored {
    pub features: Vec<Vec<f32>>,
    pub scores: Vec<f32>,
    pub tldr: Option<Tldr>,
}

/// The TL;DR pipeline; `Send + Sync`, share it behind an `Arc`.
pub struct Summarizer {
    embedder: Arc<Embedder>,
    head: Head,
}

impl Summarizer {
    /// Loads the embedder (fetched models) and the embedded head.
    pub fn new(models: &Models) -> Result<Self, ModelError> {
        let embedder = models.embedder()?;
        let runtime = models.runtime()?;
        let head = Head::from_memory(
            &runtime,
            "built-in models/tldr-head/model.onnx",
            HEAD_ONNX,
            "features",
            "scores",
            DIM,
        )?;
        Ok(Self { embedder, head })
    }

    /// The TL;DR of an abstract, split into sentences by the manuscript splitter; `None`
    /// when the abstract has no sentence.
    pub fn tldr(
        &self,
        title: Option<&str>,
        abstract_text: &str,
    ) -> Result<Option<Tldr>, ModelError> {
        let sentences = split_abstract(abstract_text);
        self.tldr_sentences(title, &sentences)
    }

    /// The TL;DR of an abstract already split into sentences (as SciTLDR gives them);
    /// `Tldr::sentence` indexes `sentences`.
    pub fn tldr_sentences(
        &self,
        title: Option<&str>,
        sentences: &[&str],
    ) -> Result<Option<Tldr>, ModelError> {
        Ok(self.score_sentences(title, sentences)?.tldr)
    }

    /// Features, scores and the TL;DR of pre-split sentences.
    pub fn score_sentences(
        &self,
        title: Option<&str>,
        sentences: &[&str],
    ) -> Result<Scored, ModelError> {
        if sentences.is_empty() {
            return Ok(Scored { features: Vec::new(), scores: Vec::new(), tldr: None });
        }
        let title = title.filter(|t| !t.is_empty());
        // One embed call: the sentences, then the title.
        let mut texts = sentences.to_vec();
        texts.extend(title);
        let mut embeddings = self.embedder.embed(&texts)?;
        if embeddings.len() != texts.len() {
            return Err(ModelError::Inference(format!(
                "{} embeddings for {} texts",
                embeddings.len(),
                texts.len()
            )));
        }
        let title_embedding = title.and_then(|_| embeddings.pop());
        let features = paper_features(sentences, &embeddings, title_embedding.as_deref())?;
        let scores = self.head.score(&features.concat())?;
        if scores.len() != sentences.len() {
            return Err(ModelError::Inference(format!(
                "{} scores for {} sentences",
                scores.len(),
                sentences.len()
            )));
        }
        let shown: Vec<String> = sentences.iter().map(|s| text::display_text(s)).collect();
        let tldr = text::choose(&scores, &shown).map(|(sentence, text)| Tldr {
            text,
            sentence,
            score: scores[sentence],
        });
        Ok(Scored { features, scores, tldr })
    }
}

/// An abstract's sentences (trimmed), by the manuscript sentence splitter; a blank line
/// also ends a sentence (so a heading without a full stop stays apart).
pub fn split_abstract(abstract_text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for line in abstract_text.split_inclusive('\n') {
        pos += line.len();
        if line.trim().is_empty() || pos == abstract_text.len() {
            let paragraph = &abstract_text[start..pos];
            out.extend(
                crate::syntax::split_sentences(paragraph).into_iter().map(|r| &paragraph[r]),
            );
            start = pos;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    #[test]
    fn embedded_head_matches_its_spec() {
        let spec: serde_json::Value = serde_json::from_str(HEAD_SPEC).unwrap();
        let digest = Sha256::digest(HEAD_ONNX);
        let hex = crate::store::hex(&digest);
        assert_eq!(spec["model_sha256"].as_str(), Some(hex.as_str()));
        assert!(PIPELINE_VERSION.contains(&hex[..8]), "bump PIPELINE_VERSION with the head");
        assert_eq!(spec["dimension"].as_u64(), Some(DIM as u64));
        assert_eq!(spec["selection"]["max_words"].as_u64(), Some(text::MAX_WORDS as u64));
        assert_eq!(spec["selection"]["margin"].as_f64(), Some(text::MARGIN));
        let cues: Vec<&str> =
            spec["cue_phrases"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(cues, text::CUE_PHRASES);
        let markers: Vec<&str> = spec["strip_markers"]["markers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(markers, text::MARKERS);
    }

    #[test]
    fn abstracts_split_at_sentences_and_blank_lines() {
        let text = "Background\n\n  We use 3.5 units, e.g. cats. Then\nit ends.\n \nLast one";
        assert_eq!(
            split_abstract(text),
            ["Background", "We use 3.5 units, e.g. cats.", "Then\nit ends.", "Last one"]
        );
        assert!(split_abstract("").is_empty());
        assert!(split_abstract("\n\n").is_empty());
        assert_eq!(split_abstract("One. Two."), ["One.", "Two."]);
    }

    #[test]
    fn summarizer_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Summarizer>();
    }
}
