//! Does a sentence need a citation? The claim head (`models/claim-head`, logistic regression
//! over the MiniLM embedding of the cleaned sentence and lexical features) gives each
//! sentence a probability; a sentence is flagged at `threshold()` or above, if `eligible`.
//! `models/claim-head/features.json` is the specification this module implements, and
//! `models/train/claim_text.py` the Python twin of the text rules.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::model::{Embedder, Head, ModelError, Models};

/// The head model, embedded in the binary.
pub static HEAD_ONNX: &[u8] = include_bytes!("../../../models/claim-head/model.onnx");
/// Its specification (sha256 of the model, threshold, feature order, text rules).
pub static HEAD_SPEC: &str = include_str!("../../../models/claim-head/features.json");

/// Changes whenever the score of the same sentence could change (head, features, text
/// rules); part of a cache key for claim scores.
pub const PIPELINE_VERSION: &str = "claim-1+head-81952807";

/// Embedding width (MiniLM).
pub const EMBEDDING_DIM: usize = 384;
/// Tokens that make a sentence first person: the authors' own work.
pub const FIRST_PERSON: [&str; 4] = ["we", "our", "us", "ours"];
/// Phrases whose presence is a feature, in feature order (why each: `claim_text.py`).
pub const PHRASES: [&str; 30] = [
    "has been",
    "have been",
    "been shown",
    "been reported",
    "it is known",
    "well known",
    "widely",
    "previous",
    "previously",
    "recent",
    "recently",
    "studies",
    "et al",
    "reported",
    "proposed",
    "developed",
    "commonly",
    "typically",
    "such as",
    "than",
    "better",
    "outperform",
    "outperforms",
    "this paper",
    "this work",
    "this review",
    "this section",
    "here",
    "figure",
    "table",
];
/// Lexical features: first person, digit, percent, log length, then the phrases.
pub const LEXICAL_DIM: usize = 4 + PHRASES.len();
/// Feature width.
pub const DIM: usize = EMBEDDING_DIM + LEXICAL_DIM;
/// Fewer words with a letter than this and a sentence is never flagged.
pub const MIN_WORDS: usize = 6;

const LOG_WORDS_DENOM: f64 = 64.0;

/// `clean`'s steps on whitespace-collapsed text, in order: a `[REF]` with the lead-in words
/// before it, brackets left empty, doubled spaces, a space before closing punctuation, a
/// separator before another. Removing a citation must leave what an uncited sentence would
/// say ("as shown." rather than "as shown by ."), or the head would learn the scar.
pub const CLEAN_STEPS: [(&str, &str); 5] = [
    (r"(?i)(?:\b(?:see|also|by|in|and|of|from|to|such as|cf|e\.g|i\.e)\.?[,:]? )*\[REF\]", ""),
    (r"[(\[][ ,;]*[)\]]", ""),
    (r" {2,}", " "),
    (r" ([,.;:!?)\]])", "${1}"),
    (r"[,;]+([,.;:!?])", "${1}"),
];
/// Characters stripped from both ends after the steps.
const EDGES: &[char] = &[' ', ',', ';', ':'];

static CLEAN: LazyLock<Vec<(Regex, &str)>> = LazyLock::new(|| {
    CLEAN_STEPS
        .iter()
        .map(|&(pattern, with)| (Regex::new(pattern).expect("CLEAN_STEPS are valid"), with))
        .collect()
});

/// The sentence (IR prose) with its citation placeholders and their lead-in words removed,
/// whitespace collapsed: what the head reads.
pub fn clean(prose: &str) -> String {
    let mut text = prose.split_whitespace().collect::<Vec<_>>().join(" ");
    for (pattern, with) in CLEAN.iter() {
        if let std::borrow::Cow::Owned(replaced) = pattern.replace_all(&text, *with) {
            text = replaced;
        }
    }
    text.trim_matches(EDGES).to_string()
}

/// The never-flag rule: at least `MIN_WORDS` words of the cleaned sentence hold an ASCII
/// letter. Short fragments, list items and runs of numbers or math are not claims.
/// (Headings and captions are not IR sentences at all.)
pub fn eligible(prose: &str) -> bool {
    words_with_letters(&clean(prose)) >= MIN_WORDS
}

fn words_with_letters(text: &str) -> usize {
    text.split_whitespace().filter(|w| w.bytes().any(|b| b.is_ascii_alphabetic())).count()
}

/// Lexical part of a feature row, from a cleaned sentence (`features.json` order).
pub fn lexical_features(cleaned: &str) -> [f32; LEXICAL_DIM] {
    let lower = cleaned.to_ascii_lowercase();
    let tokens: Vec<&str> =
        lower.split(|c: char| !c.is_ascii_lowercase()).filter(|t| !t.is_empty()).collect();
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    let words = cleaned.split_whitespace().count() as f64;
    let mut row = [0f32; LEXICAL_DIM];
    row[0] = flag(tokens.iter().any(|t| FIRST_PERSON.contains(t)));
    row[1] = flag(cleaned.bytes().any(|b| b.is_ascii_digit()));
    row[2] = flag(cleaned.contains('%'));
    row[3] = ((1.0 + words).ln() / LOG_WORDS_DENOM.ln()).clamp(0.0, 1.0) as f32;
    for (slot, phrase) in row[4..].iter_mut().zip(PHRASES) {
        let phrase: Vec<&str> = phrase.split(' ').collect();
        *slot = flag(tokens.windows(phrase.len()).any(|w| w == phrase.as_slice()));
    }
    row
}

#[derive(serde::Deserialize)]
struct Spec {
    threshold: f32,
}

/// The claim detector; `Send + Sync`, share it behind an `Arc`.
pub struct ClaimDetector {
    embedder: Arc<Embedder>,
    head: Head,
    threshold: f32,
}

impl ClaimDetector {
    /// Loads the embedder (fetched models) and the embedded head.
    pub fn new(models: &Models) -> Result<Self, ModelError> {
        let embedder = models.embedder()?;
        let head = Head::from_memory(
            &models.runtime()?,
            "built-in models/claim-head/model.onnx",
            HEAD_ONNX,
            "features",
            "scores",
            DIM,
        )?;
        let spec: Spec = serde_json::from_str(HEAD_SPEC).map_err(|e| {
            ModelError::Inference(format!("built-in models/claim-head/features.json: {e}"))
        })?;
        Ok(Self { embedder, head, threshold: spec.threshold })
    }

    /// Flag a sentence whose probability is at least this (precision >= 0.7 where chosen;
    /// see `models/claim-head/MODEL_CARD.md`).
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Probability that each sentence (IR prose, citations as `[REF]`) needs a citation, in
    /// input order; 0 for sentences `eligible` refuses, which are not run through the
    /// models. One embedder call for the whole batch.
    pub fn needs_citation(&self, sentences: &[&str]) -> Result<Vec<f32>, ModelError> {
        self.needs_citation_with(sentences, |texts| self.embedder.embed(texts))
    }

    /// `needs_citation` with the embeddings of the cleaned sentences from `embed`, so a
    /// caller that keeps embeddings (the claim check embeds the same sentences for
    /// evidence retrieval) computes each once.
    pub fn needs_citation_with(
        &self,
        sentences: &[&str],
        embed: impl FnOnce(&[&str]) -> Result<Vec<Vec<f32>>, ModelError>,
    ) -> Result<Vec<f32>, ModelError> {
        let cleaned: Vec<String> = sentences.iter().map(|s| clean(s)).collect();
        let scored: Vec<usize> =
            (0..cleaned.len()).filter(|&i| words_with_letters(&cleaned[i]) >= MIN_WORDS).collect();
        let mut out = vec![0.0; sentences.len()];
        if scored.is_empty() {
            return Ok(out);
        }
        let texts: Vec<&str> = scored.iter().map(|&i| cleaned[i].as_str()).collect();
        let embeddings = embed(&texts)?;
        if embeddings.len() != texts.len() || embeddings.iter().any(|e| e.len() != EMBEDDING_DIM) {
            return Err(ModelError::Inference(format!(
                "expected {} embeddings of width {EMBEDDING_DIM}",
                texts.len()
            )));
        }
        let mut rows = Vec::with_capacity(texts.len() * DIM);
        for (text, embedding) in texts.iter().zip(&embeddings) {
            rows.extend_from_slice(embedding);
            rows.extend(lexical_features(text));
        }
        let scores = self.head.score(&rows)?;
        if scores.len() != scored.len() {
            return Err(ModelError::Inference(format!(
                "{} scores for {} sentences",
                scores.len(),
                scored.len()
            )));
        }
        for (&i, score) in scored.iter().zip(scores) {
            out[i] = score;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    fn spec() -> serde_json::Value {
        serde_json::from_str(HEAD_SPEC).unwrap()
    }

    fn strings(value: &serde_json::Value) -> Vec<&str> {
        value.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect()
    }

    #[test]
    fn embedded_head_matches_its_spec() {
        let spec = spec();
        let hex = crate::store::hex(&Sha256::digest(HEAD_ONNX));
        assert_eq!(spec["model_sha256"].as_str(), Some(hex.as_str()));
        assert!(PIPELINE_VERSION.contains(&hex[..8]), "bump PIPELINE_VERSION with the head");
        assert_eq!(spec["dimension"].as_u64(), Some(DIM as u64));
        assert_eq!(strings(&spec["phrases"]), PHRASES);
        assert_eq!(strings(&spec["first_person_tokens"]), FIRST_PERSON);
        let threshold = spec["threshold"].as_f64().unwrap();
        assert!(threshold > 0.0 && threshold < 1.0, "{threshold}");
        assert!(spec["eligible"].as_str().unwrap().contains(&format!("at least {MIN_WORDS} ")));
    }

    #[test]
    fn clean_steps_match_the_spec() {
        let steps = spec()["clean"]["steps"].as_array().unwrap().clone();
        assert_eq!(steps.len(), CLEAN_STEPS.len());
        for (step, (pattern, _)) in steps.iter().zip(CLEAN_STEPS) {
            assert_eq!(step["pattern"].as_str(), Some(pattern));
        }
    }

    #[test]
    fn clean_removes_citations_and_their_lead_ins() {
        let cases = [
            ("as shown by [REF].", "as shown."),
            (
                "GPs were used in astronomy [REF], but rarely.",
                "GPs were used in astronomy, but rarely.",
            ),
            ("It holds (see, e.g., [REF]) here.", "It holds here."),
            ("packages such as [REF] and [REF], which help", "packages, which help"),
            ("bridges disciplines.[REF]", "bridges disciplines."),
            ("Guard, [REF], to detect.", "Guard, to detect."),
            ("within ( [REF] ; [REF] ) it", "within it"),
            ("[REF] showed that  X\u{a0}holds", "showed that X holds"),
            // Lead-in words stay when no citation follows, and inside other words.
            ("seen in Figure 1 by them", "seen in Figure 1 by them"),
            ("Within [REF] it", "Within it"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "clean({input:?})");
        }
    }

    #[test]
    fn short_or_letterless_sentences_are_never_flagged() {
        assert!(!eligible("Informed consent was obtained."));
        assert!(!eligible("X = 1 + 2 [REF] [REF] [REF] [REF] [REF] [REF]."));
        assert!(!eligible("as shown by [REF] in [REF] and [REF]"));
        assert!(eligible("GPs have been used widely in astronomy [REF]."));
    }

    #[test]
    fn lexical_features_read_tokens_not_substrings() {
        let row = lexical_features("Our results beat 95% of those reported by Smith et al. here");
        let at = |name: &str| row[4 + PHRASES.iter().position(|p| *p == name).unwrap()];
        assert_eq!(row[0], 1.0, "first person");
        assert_eq!((row[1], row[2]), (1.0, 1.0), "digit, percent");
        assert_eq!((at("reported"), at("et al"), at("here")), (1.0, 1.0, 1.0));
        assert_eq!((at("previous"), at("than"), at("table")), (0.0, 0.0, 0.0));
        // "four", "source", "there" hold no token of interest.
        let row = lexical_features("Four sources there, thereby usual");
        assert_eq!(row[0], 0.0);
        assert!(row[4..].iter().all(|&v| v == 0.0));
        assert_eq!(lexical_features("")[3], 0.0);
    }

    #[test]
    fn detector_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ClaimDetector>();
    }
}
