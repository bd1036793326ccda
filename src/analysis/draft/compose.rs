//! Writing the draft: a short chat prompt of the salient sentences, generation, then a
//! filter that keeps only generated sentences the manuscript supports.

use std::sync::Arc;

use super::numbers::Numbers;
use super::salient::dot;
use crate::model::{Chat, ChatMessage, Embedder, GenerateOptions, ModelError, Strategy};
use crate::syntax::{split_sentences, CITATION_PLACEHOLDER};

/// A text generator behind a plain function, so a remote backend can replace the local
/// model: messages, options, streamed text, cancellation check -> the whole text.
pub type ComposeFn = dyn Fn(
        &[ChatMessage],
        &GenerateOptions,
        &mut dyn FnMut(&str),
        &dyn Fn() -> bool,
    ) -> Result<String, ModelError>
    + Send
    + Sync;
pub type Compose<'a> = &'a ComposeFn;

/// A generator backend (local model or remote server) as a [`ComposeFn`].
pub fn with(backend: Arc<dyn Chat>) -> Box<ComposeFn> {
    Box::new(move |messages, options, on_text, cancelled| {
        backend.chat(messages, options, on_text, cancelled).map(|g| g.text)
    })
}

/// A generated sentence whose best match in the manuscript scores below this is dropped.
/// Measured with all-MiniLM-L6-v2 (int8): a sentence of one paper against another
/// (fixture, gmr-joss, chembench, 263 sentences) scores at most 0.53 (p90 0.42); faithful
/// paraphrases of fixture sentences score 0.78 to 0.93 (two terse ones 0.49, 0.52); fabricated
/// claims on the fixture's topic 0.27 to 0.71. Cosine catches drift off the paper, not every
/// invented detail in its domain; the number check and the prompt do the rest. 0.6 rejects
/// every cross-paper sentence with a margin and keeps the clear paraphrases.
pub const SUPPORT: f32 = 0.6;
/// A generated sentence this close to one already kept says the same thing again.
pub const REPEATED: f32 = 0.9;

/// Greedy decoding (the same manuscript gives the same draft), room for about 250 words,
/// and a repetition penalty because a 135M model loops without one.
pub fn options() -> GenerateOptions {
    GenerateOptions {
        max_new_tokens: 320,
        strategy: Strategy::Greedy,
        repetition_penalty: 1.05,
        ..GenerateOptions::default()
    }
}

/// The prompt: the salient sentences only, so a small model reads little.
pub fn prompt(sentences: &[&str]) -> Vec<ChatMessage> {
    vec![ChatMessage::new(
        "user",
        &format!(
            "Summarize this text from a research paper in one paragraph:\n\n{}",
            sentences.join(" ")
        ),
    )]
}

/// Why a generated sentence was left out.
#[derive(Clone, Debug, PartialEq)]
pub enum DropReason {
    /// Its best match in the manuscript is this similar only.
    Unsupported(f32),
    /// Numbers the manuscript never mentions.
    UnknownNumbers(Vec<String>),
    Repeated,
    /// Cut off, too short to be a sentence, or carrying markup.
    Malformed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dropped {
    pub text: String,
    pub reason: DropReason,
}

/// A generated sentence that passed the filter.
pub struct Kept {
    pub text: String,
    pub embedding: Vec<f32>,
    /// The manuscript sentence it matches best (index into the embeddings searched).
    pub anchor: usize,
}

/// Generated text without a heading the model may put first ("Abstract:", "**Abstract**").
fn strip_heading(text: &str) -> &str {
    let trimmed = text.trim_start();
    let lower = trimmed.to_lowercase();
    for heading in ["**abstract:**", "**abstract**", "# abstract", "abstract:", "abstract\n"] {
        if lower.starts_with(heading) {
            return trimmed[heading.len()..].trim_start_matches([':', ' ', '\n', '*']);
        }
    }
    trimmed
}

/// Splits generated text into sentences and keeps those the manuscript supports:
/// similar enough to one of its sentences (`manuscript` embeddings), every number found
/// in it, not a repeat of an earlier kept sentence.
pub fn filter(
    generated: &str,
    manuscript: &[Vec<f32>],
    numbers: &Numbers,
    embedder: &Embedder,
) -> Result<(Vec<Kept>, Vec<Dropped>), ModelError> {
    let text = strip_heading(generated);
    let candidates: Vec<String> = split_sentences(text)
        .into_iter()
        .map(|r| text[r].split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .collect();
    let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
    let embeddings = if refs.is_empty() { Vec::new() } else { embedder.embed(&refs)? };
    let mut kept: Vec<Kept> = Vec::new();
    let mut dropped = Vec::new();
    for (text, embedding) in candidates.into_iter().zip(embeddings) {
        let (anchor, support) = manuscript
            .iter()
            .enumerate()
            .map(|(i, m)| (i, dot(m, &embedding)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        let unknown = numbers.unsupported(&text);
        let reason = if !text.ends_with(['.', '!', '?'])
            || text.split_whitespace().count() < 5
            || text.contains('\\')
            || text.contains(CITATION_PLACEHOLDER)
        {
            Some(DropReason::Malformed)
        } else if !unknown.is_empty() {
            Some(DropReason::UnknownNumbers(unknown))
        } else if support < SUPPORT {
            Some(DropReason::Unsupported(support))
        } else if kept.iter().any(|k| dot(&k.embedding, &embedding) >= REPEATED) {
            Some(DropReason::Repeated)
        } else {
            None
        };
        match reason {
            Some(reason) => dropped.push(Dropped { text, reason }),
            None => kept.push(Kept { text, embedding, anchor }),
        }
    }
    Ok((kept, dropped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_heading_is_not_part_of_the_draft() {
        assert_eq!(strip_heading("**Abstract:** We study cats."), "We study cats.");
        assert_eq!(strip_heading("Abstract\n\nWe study cats."), "We study cats.");
        assert_eq!(strip_heading("  We study abstracts."), "We study abstracts.");
    }

    #[test]
    fn the_prompt_lists_every_note() {
        let messages = prompt(&["First fact.", "Second fact."]);
        assert!(messages[0].content.ends_with("\n\nFirst fact. Second fact."));
    }
}
