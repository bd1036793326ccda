//! The optional abstractive stage: the generator rewrites the sentence the head chose as
//! a shorter TL;DR. It is measured by `scholia eval tldr --abstractive` and stays off in
//! the server unless it scores higher than the extractive sentence (see
//! `docs/performance.md`).

use super::text::{cut_to_words, display_text, words, MAX_WORDS};
use crate::model::{Chat, ChatMessage, GenerateOptions, ModelError};

/// A rewrite shorter than this is taken for a failed answer and the sentence kept.
const MIN_WORDS: usize = 4;

const INSTRUCTION: &str = "Rewrite the following sentence from the abstract of a scientific \
paper as one short sentence of at most 25 words that says what the paper does or finds. \
Answer with the sentence only.";

/// The generator's rewrite of `sentence` (plain text, at most 30 words), or `None` when
/// its answer is not usable (empty or a fragment), in which case the caller keeps the
/// extractive sentence.
pub fn condense(
    chat: &dyn Chat,
    title: Option<&str>,
    sentence: &str,
) -> Result<Option<String>, ModelError> {
    let mut prompt = String::from(INSTRUCTION);
    if let Some(title) = title.filter(|t| !t.trim().is_empty()) {
        prompt.push_str(&format!("\n\nPaper title: {}", display_text(title)));
    }
    prompt.push_str(&format!("\n\nSentence: {}", display_text(sentence)));
    let messages = [ChatMessage::new("user", &prompt)];
    let options = GenerateOptions {
        max_new_tokens: 48,
        repetition_penalty: 1.1,
        stop_strings: vec!["\n".into()],
        ..GenerateOptions::default()
    };
    let generated = chat.chat(&messages, &options, &mut |_| {}, &|| false)?;
    Ok(tidy(&generated.text))
}

/// The answer as a TL;DR: first line, without a leading label or quotes, cut to the
/// 30-word rule; `None` when too short to be a sentence.
fn tidy(answer: &str) -> Option<String> {
    let line = answer.trim().lines().next().unwrap_or("").trim();
    let line = ["TL;DR:", "Summary:", "Sentence:", "Answer:"]
        .iter()
        .find_map(|label| line.strip_prefix(label))
        .unwrap_or(line)
        .trim()
        .trim_matches(['"', '\u{201c}', '\u{201d}', '\''])
        .trim();
    if words(line).len() < MIN_WORDS {
        return None;
    }
    Some(cut_to_words(&display_text(line), MAX_WORDS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_tidied_and_fragments_rejected() {
        assert_eq!(
            tidy("Summary: \"We train a small model that finds errors.\"\nMore text"),
            Some("We train a small model that finds errors.".to_owned())
        );
        assert_eq!(tidy("  Sure.  "), None);
        let long = (0..40).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        assert!(tidy(&long).unwrap().ends_with('\u{2026}'));
    }
}
