//! Salient sentences: how central a sentence is to its own section (cosine to the mean
//! of the section's other sentences), plus priors an abstract writer would use: the
//! section's kind, contribution cues ("we propose"), figures in results.

use super::numbers::numbers;
use super::paper::Paper;
use crate::syntax::SectionKind;

/// Sentences taken from each kind of section, in the order an abstract tells them.
const SLOTS: &[(SectionKind, usize)] = &[
    (SectionKind::Introduction, 2),
    (SectionKind::Method, 2),
    (SectionKind::Results, 2),
    (SectionKind::Discussion, 1),
    (SectionKind::Conclusion, 1),
];
/// Sentences picked in all; kinds a paper lacks leave their slots to the best others.
const PICKS: usize = 8;

const CUES: &[&str] = &[
    "we propose",
    "we present",
    "we introduce",
    "we show",
    "we find",
    "we demonstrate",
    "we develop",
    "we evaluate",
    "in this paper",
    "in this work",
    "this paper",
    "this work",
    "our results",
];

/// Openings that refer back to an earlier sentence.
const ANAPHORA: &[&str] =
    &["this ", "these ", "that ", "those ", "it ", "its ", "they ", "their ", "such ", "here "];

fn prior(kind: SectionKind) -> f32 {
    match kind {
        SectionKind::Introduction | SectionKind::Results => 0.1,
        SectionKind::Method | SectionKind::Discussion => 0.05,
        SectionKind::Conclusion => 0.15,
        SectionKind::RelatedWork => -0.2,
        SectionKind::Abstract | SectionKind::Other => 0.0,
    }
}

/// Where a kind's sentences go in an abstract: problem, approach, findings, conclusion.
pub fn rank_of(kind: SectionKind) -> u8 {
    match kind {
        SectionKind::Abstract => 0,
        SectionKind::Introduction => 1,
        SectionKind::RelatedWork => 2,
        SectionKind::Other => 3,
        SectionKind::Method => 4,
        SectionKind::Results => 5,
        SectionKind::Discussion => 6,
        SectionKind::Conclusion => 7,
    }
}

/// Abstract order of a paper sentence: kind, then document order.
pub fn order_key(paper: &Paper, sentence: usize) -> (u8, usize, usize) {
    let s = &paper.sentences[sentence];
    (rank_of(s.kind), s.file, s.span.start)
}

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// One score per paper sentence; `embeddings` are unit vectors in the same order.
pub fn scores(paper: &Paper, embeddings: &[Vec<f32>]) -> Vec<f32> {
    let dim = embeddings.first().map_or(0, Vec::len);
    let groups = paper.sentences.iter().map(|s| s.group + 1).max().unwrap_or(0);
    let mut sums = vec![vec![0f32; dim]; groups];
    for (s, e) in paper.sentences.iter().zip(embeddings) {
        sums[s.group].iter_mut().zip(e).for_each(|(a, x)| *a += x);
    }
    paper
        .sentences
        .iter()
        .zip(embeddings)
        .map(|(s, e)| {
            // Leave-one-out mean, so a one-sentence section is not perfectly central.
            let rest: Vec<f32> = sums[s.group].iter().zip(e).map(|(a, x)| a - x).collect();
            let norm = dot(&rest, &rest).sqrt();
            let centrality = if norm > 1e-6 { dot(&rest, e) / norm } else { 0.0 };
            let lower = s.text.to_lowercase();
            let cue = if CUES.iter().any(|c| lower.contains(c)) {
                0.1
            } else if ANAPHORA.iter().any(|a| lower.starts_with(a)) {
                // "This shows ..." leans on a sentence the abstract will not have.
                -0.1
            } else {
                0.0
            };
            let findings = matches!(
                s.kind,
                SectionKind::Results | SectionKind::Discussion | SectionKind::Conclusion
            );
            let figures = if findings && !numbers(&s.text).is_empty() { 0.1 } else { 0.0 };
            centrality + prior(s.kind) + cue + figures
        })
        .collect()
}

/// Quotable sentences, best first.
pub fn ranking(paper: &Paper, scores: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> =
        (0..paper.sentences.len()).filter(|&i| paper.sentences[i].quotable).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    order
}

/// The sentences a draft starts from, in abstract order: the best of each kind's slots,
/// then the best of the rest up to `PICKS`.
pub fn pick(paper: &Paper, scores: &[f32]) -> Vec<usize> {
    let ranked = ranking(paper, scores);
    let mut picked: Vec<usize> = Vec::new();
    for &(kind, slots) in SLOTS {
        picked.extend(ranked.iter().filter(|&&i| paper.sentences[i].kind == kind).take(slots));
    }
    for &i in &ranked {
        if picked.len() >= PICKS {
            break;
        }
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    picked.sort_by_key(|&i| order_key(paper, i));
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::draft::paper::{PaperFile, PaperSentence};

    fn sentence(kind: SectionKind, group: usize, text: &str, start: usize) -> PaperSentence {
        PaperSentence {
            file: 0,
            span: start..start + 1,
            kind,
            group,
            text: text.into(),
            quotable: true,
        }
    }

    #[test]
    fn the_central_sentence_of_each_kind_is_picked_in_abstract_order() {
        use SectionKind::*;
        let paper = Paper {
            files: Vec::<PaperFile>::new(),
            sentences: vec![
                sentence(Conclusion, 2, "Conclusion sentence.", 0),
                sentence(Introduction, 0, "Central intro.", 10),
                sentence(Introduction, 0, "Central intro too.", 20),
                sentence(Introduction, 0, "Odd intro.", 30),
                sentence(Results, 1, "We reach 91 points.", 40),
                sentence(Results, 1, "Results without figures.", 50),
            ],
        };
        let e = |x: f32, y: f32| {
            let n = (x * x + y * y).sqrt();
            vec![x / n, y / n]
        };
        let embeddings = [e(1., 0.), e(1., 0.1), e(1., 0.12), e(0., 1.), e(1., 0.), e(1., 0.)];
        let scores = scores(&paper, &embeddings);
        assert!(scores[1] > scores[3] && scores[2] > scores[3]);
        assert!(scores[4] > scores[5], "figures count in results");
        // Two intro slots, results, conclusion; then the rest fills up to eight.
        assert_eq!(pick(&paper, &scores), [1, 2, 3, 4, 5, 0]);
    }
}
