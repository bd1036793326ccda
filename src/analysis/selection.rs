//! A one-sentence summary of a selection, or of the paragraph at the cursor: the TL;DR
//! pipeline over the selected sentences, read as plain prose (no citation placeholders).

use std::ops::Range;

use super::draft::paper::readable;
use super::summary::Summarizer;
use crate::model::ModelError;
use crate::syntax::Manuscript;

#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    #[error("no prose to summarise there")]
    NoProse,
    #[error("cannot summarise: {0}")]
    Model(#[from] ModelError),
}

/// The sentences of `span`: those it overlaps, or for an empty span the paragraph
/// holding it. Each as plain prose.
pub fn selected_sentences(manuscript: &Manuscript, text: &str, span: Range<usize>) -> Vec<String> {
    let indices: Vec<usize> = if span.is_empty() {
        let at = span.start;
        manuscript
            .paragraphs
            .iter()
            .find(|p| p.span.start <= at && at <= p.span.end)
            .map(|p| p.sentences.clone().collect())
            .unwrap_or_default()
    } else {
        (0..manuscript.sentences.len())
            .filter(|&i| {
                let s = &manuscript.sentences[i].span;
                s.start < span.end && span.start < s.end
            })
            .collect()
    };
    indices
        .into_iter()
        .map(|i| {
            let s = &manuscript.sentences[i];
            readable(&s.prose, text.get(s.span.clone()).unwrap_or_default()).0
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// The TL;DR of some sentences.
pub fn summarize(summarizer: &Summarizer, sentences: &[String]) -> Result<String, SelectionError> {
    let refs: Vec<&str> = sentences.iter().map(String::as_str).collect();
    summarizer.tldr_sentences(None, &refs)?.map(|t| t.text).ok_or(SelectionError::NoProse)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse, Language, ParseOptions};

    #[test]
    fn a_selection_or_the_paragraph_at_the_cursor() {
        let text = "\\documentclass{article}\n\\begin{document}\nFirst one \\cite{k} here. Second one.\n\nOther paragraph.\n\\end{document}\n";
        let ir = parse(Language::Latex, text, &ParseOptions::default());
        let at = text.find("Second").unwrap();
        assert_eq!(selected_sentences(&ir, text, at..at), ["First one here.", "Second one."]);
        assert_eq!(selected_sentences(&ir, text, at..at + 3), ["Second one."]);
        let other = text.find("Other").unwrap();
        assert_eq!(selected_sentences(&ir, text, other..other + 2), ["Other paragraph."]);
        assert!(selected_sentences(&ir, text, 0..5).is_empty());
    }
}
