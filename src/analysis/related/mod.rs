//! Related work: every bibliography entry of a project ranked by similarity to the
//! manuscript (or a selection of it), grouped into themes with labels, marked cited or
//! uncited; a Markdown report, a related-work outline in the document's citation style, and
//! a table of what the Related Work section cites.
//!
//! Gathering (`gather`, `cited_in_related_sections`) reads the workspace and is cheap;
//! `analyse` does the model work and needs no workspace, so a server can run it off its lock.

mod cited;
mod cluster;
mod outline;
mod report;
mod terms;
mod vectors;

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::summary::text::clean_latex;
use crate::bib::Entry;
use crate::model::ModelError;
use crate::project::{Project, Workspace};

pub use cited::{cited_in_related_sections, cited_table, CitedRow};
pub use outline::{cite_style, outline_edit, related_section_at, CiteStyle, OutlineEdit};
pub use report::{markdown, summary_json};
pub use vectors::{cosine, Embed, Interruptible, VectorCache};

/// Number of themes tried; fewer when the bibliography is small.
const THEME_COUNTS: std::ops::RangeInclusive<usize> = 3..=8;
/// Terms in a theme's label.
const LABEL_TERMS: usize = 3;
/// Sentences shorter than this many words say too little about the topic.
const MIN_SENTENCE_WORDS: usize = 4;
/// Label of the group of entries with neither title nor abstract (nothing to embed).
pub const UNPLACED_LABEL: &str = "Without title or abstract";

#[derive(Debug, thiserror::Error)]
pub enum RelatedError {
    #[error("the project of {0} has no bibliography entries")]
    NoEntries(String),
    #[error("{0} has no sentence to compare the bibliography with")]
    NoText(String),
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// A bibliography entry as the related-work features need it (owned, so the model work
/// can run without the workspace).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub key: String,
    pub title: Option<String>,
    pub year: Option<String>,
    #[serde(skip)]
    pub abstract_text: Option<String>,
    /// Cited somewhere in the project.
    pub cited: bool,
    pub tldr: Option<String>,
}

impl Candidate {
    /// What is embedded and labelled: title and abstract, LaTeX cleaned; `None` when the
    /// entry has neither.
    fn text(&self) -> Option<String> {
        entry_text(self.title.as_deref(), self.abstract_text.as_deref())
    }
}

/// What is embedded of an entry, here and for completion order (so both share cached
/// vectors): title and abstract, LaTeX cleaned; `None` when the entry has neither.
pub fn entry_text(title: Option<&str>, abstract_text: Option<&str>) -> Option<String> {
    let parts: Vec<String> = [title, abstract_text]
        .into_iter()
        .flatten()
        .map(clean_latex)
        .filter(|t| !t.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(". "))
}

/// What `analyse` needs: the project's entries and the manuscript's sentences.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// The document the analysis is for (shown in the report).
    pub document: PathBuf,
    /// The project's root document.
    pub root: PathBuf,
    pub candidates: Vec<Candidate>,
    /// Prose of the sentences relevance is measured against.
    pub sentences: Vec<String>,
}

/// Entries of `project` (each key once, as `Workspace::resolve_key` would find it) and
/// the prose of its sentences; with `selection` (a byte range of `document`), only the
/// sentences overlapping it. `tldr` gives an entry's TL;DR when one is at hand.
pub fn gather(
    workspace: &Workspace,
    project: &Project,
    document: &Path,
    selection: Option<Range<usize>>,
    mut tldr: impl FnMut(&Entry) -> Option<String>,
) -> Corpus {
    let mut cited: HashSet<(&Path, &str)> = HashSet::new();
    let files: Vec<_> = project.files.iter().filter_map(|p| workspace.file(p)).collect();
    for key in files.iter().flat_map(|f| f.manuscript.cited_keys()) {
        if let Some(found) = workspace.resolve_key(project, &key.key) {
            cited.insert((found.source, found.entry.key.as_str()));
        }
    }
    let mut seen = HashSet::new();
    let mut candidates = Vec::new();
    for (source, bibliography) in workspace.bibliographies_of(project) {
        for entry in &bibliography.entries {
            if !seen.insert(entry.key.as_str()) {
                continue;
            }
            candidates.push(Candidate {
                key: entry.key.clone(),
                title: entry.title.clone(),
                year: entry.year.clone(),
                abstract_text: entry.abstract_text.clone(),
                cited: cited.contains(&(source, entry.key.as_str())),
                tldr: tldr(entry),
            });
        }
    }
    let selected = |path: &Path, span: &Range<usize>| match &selection {
        Some(range) => path == document && span.start < range.end && range.start < span.end,
        None => true,
    };
    let sentences = files
        .iter()
        .flat_map(|f| f.manuscript.sentences.iter().map(move |s| (f.path.as_path(), s)))
        .filter(|(path, s)| selected(path, &s.span))
        .map(|(_, s)| s.prose.trim())
        .filter(|p| p.split_whitespace().count() >= MIN_SENTENCE_WORDS)
        .map(str::to_owned)
        .collect();
    Corpus { document: document.to_path_buf(), root: project.root.clone(), candidates, sentences }
}

/// An entry with its relevance: cosine similarity to the manuscript; `None` for an entry
/// with nothing to embed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranked {
    #[serde(flatten)]
    pub candidate: Candidate,
    pub score: Option<f32>,
}

/// A group of related entries, most relevant first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Theme {
    pub label: String,
    pub terms: Vec<String>,
    pub entries: Vec<Ranked>,
}

impl Theme {
    fn mean_score(&self) -> f32 {
        let scores: Vec<f32> = self.entries.iter().filter_map(|e| e.score).collect();
        scores.iter().sum::<f32>() / scores.len().max(1) as f32
    }
}

/// The result: every entry in exactly one theme; themes by mean relevance, the group of
/// entries without text (if any) last.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RelatedWork {
    pub document: PathBuf,
    pub root: PathBuf,
    /// Sentences relevance was measured against.
    pub sentences: usize,
    pub themes: Vec<Theme>,
}

impl RelatedWork {
    pub fn entry_count(&self) -> usize {
        self.themes.iter().map(|t| t.entries.len()).sum()
    }
}

/// Embeds entries and sentences (through `cache`), ranks, clusters and labels.
pub fn analyse(
    corpus: Corpus,
    cache: &VectorCache,
    embedder: &dyn Embed,
) -> Result<RelatedWork, RelatedError> {
    let name = corpus.document.display().to_string();
    if corpus.candidates.is_empty() {
        return Err(RelatedError::NoEntries(name));
    }
    if corpus.sentences.is_empty() {
        return Err(RelatedError::NoText(name));
    }
    let (placed, unplaced): (Vec<_>, Vec<_>) =
        corpus.candidates.into_iter().map(|c| (c.text(), c)).partition(|(t, _)| t.is_some());
    let texts: Vec<String> = placed.iter().filter_map(|(t, _)| t.clone()).collect();
    let mut inputs: Vec<&str> = texts.iter().map(String::as_str).collect();
    inputs.extend(corpus.sentences.iter().map(String::as_str));
    let vectors = cache.embed_all(embedder, &inputs)?;
    let (entry_vectors, sentence_vectors) = vectors.split_at(texts.len());
    let manuscript =
        vectors::centroid(sentence_vectors.iter().map(|v| &**v)).expect("sentences is not empty");
    let points: Vec<Vec<f32>> = entry_vectors.iter().map(|v| v.to_vec()).collect();
    let clusters = cluster::themes(&points, THEME_COUNTS);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); clusters.k];
    for (i, &c) in clusters.assignment.iter().enumerate() {
        members[c].push(i);
    }
    let label_input: Vec<Vec<&str>> =
        members.iter().map(|m| m.iter().map(|&i| texts[i].as_str()).collect()).collect();
    let labels = terms::labels(&label_input, LABEL_TERMS);
    let mut candidates: Vec<Option<Candidate>> = placed.into_iter().map(|(_, c)| Some(c)).collect();
    let mut themes: Vec<Theme> = members
        .iter()
        .zip(labels)
        .map(|(member, terms)| {
            let mut entries: Vec<Ranked> = member
                .iter()
                .map(|&i| Ranked {
                    candidate: candidates[i].take().expect("each entry in one cluster"),
                    score: Some(vectors::cosine(&points[i], &manuscript)),
                })
                .collect();
            entries.sort_by(|a, b| {
                b.score
                    .unwrap_or(0.0)
                    .total_cmp(&a.score.unwrap_or(0.0))
                    .then_with(|| a.candidate.key.cmp(&b.candidate.key))
            });
            Theme { label: label_of(&terms), terms, entries }
        })
        .collect();
    themes.sort_by(|a, b| b.mean_score().total_cmp(&a.mean_score()).then(a.label.cmp(&b.label)));
    if !unplaced.is_empty() {
        let mut entries: Vec<Ranked> =
            unplaced.into_iter().map(|(_, candidate)| Ranked { candidate, score: None }).collect();
        entries.sort_by(|a, b| a.candidate.key.cmp(&b.candidate.key));
        themes.push(Theme { label: UNPLACED_LABEL.to_owned(), terms: Vec::new(), entries });
    }
    Ok(RelatedWork {
        document: corpus.document,
        root: corpus.root,
        sentences: sentence_vectors.len(),
        themes,
    })
}

/// "Language, models, chemistry" from its terms; a theme without terms is "miscellaneous".
fn label_of(terms: &[String]) -> String {
    let joined = terms.join(", ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Miscellaneous".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::vectors::tests::LetterEmbedder;
    use super::*;

    fn candidate(key: &str, title: Option<&str>, cited: bool) -> Candidate {
        Candidate {
            key: key.into(),
            title: title.map(str::to_owned),
            year: Some("2024".into()),
            abstract_text: None,
            cited,
            tldr: None,
        }
    }

    fn corpus() -> Corpus {
        let titles = [
            ("a1", "aaaa aaab"),
            ("a2", "aaab aaaa aaaa"),
            ("a3", "aaaa aaba"),
            ("b1", "bbbb bbbc"),
            ("b2", "bbbc bbbb bbbb"),
            ("b3", "bbbb bbcb"),
            ("c1", "cccc cccd"),
            ("c2", "cccd cccc cccc"),
            ("c3", "cccc ccdc"),
        ];
        let mut candidates: Vec<Candidate> =
            titles.iter().map(|(k, t)| candidate(k, Some(t), k.ends_with('1'))).collect();
        candidates.push(candidate("blank", None, false));
        Corpus {
            document: "/p/main.tex".into(),
            root: "/p/main.tex".into(),
            candidates,
            sentences: vec!["aaaa aaaa aaaa aaab".into()],
        }
    }

    #[test]
    fn analysis_ranks_groups_and_keeps_every_entry_once() {
        let cache = VectorCache::default();
        let work = analyse(corpus(), &cache, &LetterEmbedder::default()).unwrap();
        assert_eq!(work.entry_count(), 10);
        let keys: Vec<Vec<&str>> = work
            .themes
            .iter()
            .map(|t| t.entries.iter().map(|e| e.candidate.key.as_str()).collect())
            .collect();
        assert_eq!(keys[0].len(), 3);
        assert!(keys[0].iter().all(|k| k.starts_with('a')), "{keys:?}");
        assert_eq!(keys.last().unwrap(), &["blank"]);
        assert_eq!(work.themes.last().unwrap().label, UNPLACED_LABEL);
        let first = &work.themes[0].entries;
        assert!(first.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(first[0].score.unwrap() > 0.9);
        assert!(work.themes.iter().flat_map(|t| &t.entries).any(|e| e.candidate.cited));
    }

    #[test]
    fn empty_inputs_are_clear_errors() {
        let cache = VectorCache::default();
        let embedder = LetterEmbedder::default();
        let mut no_entries = corpus();
        no_entries.candidates.clear();
        let e = analyse(no_entries, &cache, &embedder).unwrap_err();
        assert_eq!(e.to_string(), "the project of /p/main.tex has no bibliography entries");
        let mut no_text = corpus();
        no_text.sentences.clear();
        let e = analyse(no_text, &cache, &embedder).unwrap_err();
        assert!(e.to_string().contains("no sentence"), "{e}");
    }

    #[test]
    fn labels_are_capitalised_term_lists() {
        assert_eq!(label_of(&["language".into(), "models".into()]), "Language, models");
        assert_eq!(label_of(&[]), "Miscellaneous");
    }
}
