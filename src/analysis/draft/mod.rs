//! Drafting an abstract from the manuscript: salient sentences per section, a short
//! generation over them, a filter that keeps only what the manuscript supports, then
//! extractive sentences to reach 120 words and whole-sentence cuts above 250.
//!
//! Without a generator the draft is the salient sentences themselves, cleaned of markup.

pub mod compose;
pub mod numbers;
pub mod paper;
pub mod place;
pub mod salient;

use compose::{Compose, DropReason, Dropped};
use numbers::Numbers;
use salient::dot;

pub use paper::{Paper, PaperFile};
pub use place::{locate, place, Placement, Spot, Target};

use crate::model::{Embedder, ModelError};

pub const MIN_WORDS: usize = 120;
pub const MAX_WORDS: usize = 250;
/// A manuscript sentence this close to a draft sentence is already said by it.
const COVERED: f32 = 0.8;
/// Sentences embedded per call, so cancellation is noticed between calls.
const EMBED_BATCH: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error("the manuscript has no body prose to draft an abstract from")]
    NoProse,
    #[error("drafting was cancelled")]
    Cancelled,
    #[error("cannot draft an abstract: {0}")]
    Model(#[from] ModelError),
}

/// How the text is written.
pub enum Writer<'a> {
    Model(Compose<'a>),
    /// Salient sentences only; the reason is shown with the draft.
    Extractive(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// Generated sentences that passed the filter, topped up with extractive ones.
    Generated,
    Extractive {
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct DraftSentence {
    pub text: String,
    /// Written by the generator (else taken from the manuscript).
    pub generated: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub sentences: Vec<DraftSentence>,
    pub source: Source,
    /// Generated sentences the filter left out, with why.
    pub dropped: Vec<Dropped>,
}

impl Draft {
    pub fn text(&self) -> String {
        self.sentences.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ")
    }

    pub fn words(&self) -> usize {
        self.sentences.iter().map(|s| word_count(&s.text)).sum()
    }

    /// One line saying how the draft was made, for the editor and the CLI.
    pub fn summary(&self) -> String {
        let generated = self.sentences.iter().filter(|s| s.generated).count();
        match &self.source {
            Source::Generated => format!(
                "{} words; {generated} of {} sentences generated, {} generated sentences dropped by the checks",
                self.words(),
                self.sentences.len(),
                self.dropped.len()
            ),
            Source::Extractive { reason } => {
                format!("{} words, extractive ({reason})", self.words())
            }
        }
    }
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// A draft sentence while assembling: its text, vector and where it sits in the abstract.
struct Part {
    sentence: DraftSentence,
    embedding: Vec<f32>,
    order: (u8, usize, usize),
}

/// Drafts an abstract of `paper`. `progress` hears short status lines; `cancelled` is
/// polled between model calls and at every generated token.
pub fn draft(
    paper: &Paper,
    embedder: &Embedder,
    writer: Writer<'_>,
    progress: &mut dyn FnMut(&str),
    cancelled: &dyn Fn() -> bool,
) -> Result<Draft, DraftError> {
    if paper.sentences.is_empty() {
        return Err(DraftError::NoProse);
    }
    progress(&format!("reading {} sentences", paper.sentences.len()));
    let texts: Vec<&str> = paper.sentences.iter().map(|s| s.text.as_str()).collect();
    let mut embeddings = Vec::with_capacity(texts.len());
    for batch in texts.chunks(EMBED_BATCH) {
        if cancelled() {
            return Err(DraftError::Cancelled);
        }
        embeddings.extend(embedder.embed(batch)?);
    }
    let scores = salient::scores(paper, &embeddings);
    let picked = salient::pick(paper, &scores);
    if picked.is_empty() {
        return Err(DraftError::NoProse);
    }
    let numbers = Numbers::of(paper.files.iter().map(|f| f.text.as_str()));
    let extract = |i: usize| Part {
        sentence: DraftSentence { text: paper.sentences[i].text.clone(), generated: false },
        embedding: embeddings[i].clone(),
        order: salient::order_key(paper, i),
    };

    let (mut parts, mut dropped, source) = match writer {
        Writer::Extractive(reason) => (
            picked.iter().map(|&i| extract(i)).collect(),
            Vec::new(),
            Source::Extractive { reason },
        ),
        Writer::Model(compose) => {
            progress("writing");
            let notes: Vec<&str> = picked.iter().map(|&i| texts[i]).collect();
            let mut written = 0usize;
            let mut on_text = |t: &str| {
                let before = written / 20;
                written += word_count(t);
                if written / 20 > before {
                    progress(&format!("writing: {written} words"));
                }
            };
            let generated =
                compose(&compose::prompt(&notes), &compose::options(), &mut on_text, cancelled);
            if cancelled() {
                return Err(DraftError::Cancelled);
            }
            match generated {
                Ok(text) => {
                    progress("checking the draft against the manuscript");
                    let (kept, dropped) = compose::filter(&text, &embeddings, &numbers, embedder)?;
                    let parts = kept
                        .into_iter()
                        .map(|k| Part {
                            sentence: DraftSentence { text: k.text, generated: true },
                            embedding: k.embedding,
                            order: salient::order_key(paper, k.anchor),
                        })
                        .collect();
                    (parts, dropped, Source::Generated)
                }
                Err(e) => {
                    let reason = format!("the generator failed: {e}");
                    (
                        picked.iter().map(|&i| extract(i)).collect(),
                        Vec::new(),
                        Source::Extractive { reason },
                    )
                }
            }
        }
    };
    top_up(&mut parts, salient::ranking(paper, &scores).into_iter().map(&extract));
    cut(&mut parts);
    // A last guard: the filter checks generated sentences; this holds every sentence.
    parts.retain(|p| {
        let unknown = numbers.unsupported(&p.sentence.text);
        let keep = unknown.is_empty();
        if !keep {
            let text = p.sentence.text.clone();
            dropped.push(Dropped { text, reason: DropReason::UnknownNumbers(unknown) });
        }
        keep
    });
    Ok(Draft { sentences: parts.into_iter().map(|p| p.sentence).collect(), source, dropped })
}

fn total_words(parts: &[Part]) -> usize {
    parts.iter().map(|p| word_count(&p.sentence.text)).sum()
}

/// Adds the best candidates not yet covered until the draft reaches `MIN_WORDS`, each at
/// its place in abstract order (generated sentences keep their order).
fn top_up(parts: &mut Vec<Part>, candidates: impl Iterator<Item = Part>) {
    for candidate in candidates {
        let words = total_words(parts);
        if words >= MIN_WORDS {
            break;
        }
        let covered = parts.iter().any(|p| dot(&p.embedding, &candidate.embedding) >= COVERED);
        if covered || words + word_count(&candidate.sentence.text) > MAX_WORDS {
            continue;
        }
        let at = parts.iter().position(|p| p.order > candidate.order).unwrap_or(parts.len());
        parts.insert(at, candidate);
    }
}

/// Above `MAX_WORDS`, drops the sentence most similar to another kept one (it adds
/// least) until the draft fits.
fn cut(parts: &mut Vec<Part>) {
    while total_words(parts) > MAX_WORDS && parts.len() > 1 {
        let redundancy = |i: usize| {
            parts
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, p)| dot(&p.embedding, &parts[i].embedding))
                .fold(f32::MIN, f32::max)
        };
        let most = (0..parts.len()).max_by(|&a, &b| redundancy(a).total_cmp(&redundancy(b)));
        if let Some(i) = most {
            parts.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(words: usize, direction: f32, order: usize) -> Part {
        let text = format!("{}.", vec!["word"; words].join(" "));
        let n = (1.0 + direction * direction).sqrt();
        Part {
            sentence: DraftSentence { text, generated: false },
            embedding: vec![1.0 / n, direction / n],
            order: (1, 0, order),
        }
    }

    #[test]
    fn top_up_skips_covered_sentences_and_keeps_abstract_order() {
        let mut parts = vec![part(50, 0.0, 10)];
        let candidates =
            vec![part(30, 0.05, 5), part(40, 5.0, 20), part(40, -5.0, 1), part(40, 3.0, 2)];
        top_up(&mut parts, candidates.into_iter());
        let orders: Vec<usize> = parts.iter().map(|p| p.order.2).collect();
        // The first candidate says what the draft says; two more reach 120 words.
        assert_eq!(orders, [1, 10, 20]);
        assert_eq!(total_words(&parts), 130);
    }

    #[test]
    fn cut_drops_the_most_redundant_sentence() {
        let mut parts = vec![part(100, 0.0, 1), part(100, 0.01, 2), part(100, 9.0, 3)];
        cut(&mut parts);
        assert_eq!(total_words(&parts), 200);
        assert_eq!(parts.iter().map(|p| p.order.2).collect::<Vec<_>>().len(), 2);
        assert!(parts.iter().any(|p| p.order.2 == 3), "the distinct sentence stays");
    }
}
