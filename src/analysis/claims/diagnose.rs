//! Verdicts as diagnostics: the sentence's span, a message that says what is wrong, the
//! cited entries (with their evidence sentences) as related information, and citation
//! suggestions as quick fixes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::check::{Judgement, Suggestion, Verdict};
use super::cite::cite_fix;
use super::inputs::ProjectSentence;
use super::verify::Label;
use crate::analysis::{Diagnostic, Related};
use crate::bib::Severity;
use crate::project::{Project, Workspace};
use crate::syntax::Manuscript;

pub const UNCITED: &str = "uncited-claim";
pub const UNSUPPORTED: &str = "unsupported-citation";
pub const CONTRADICTING: &str = "contradicting-citation";

/// Severity per claim code (a setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Severities {
    pub uncited: Severity,
    pub unsupported: Severity,
    pub contradicting: Severity,
}

impl Default for Severities {
    fn default() -> Self {
        Self {
            uncited: Severity::Information,
            unsupported: Severity::Hint,
            contradicting: Severity::Warning,
        }
    }
}

/// Diagnostics of verdicts on a project's sentences, by file; each file's text is read once.
pub struct Collector<'a> {
    workspace: &'a Workspace,
    project: &'a Project,
    severities: Severities,
    texts: BTreeMap<PathBuf, String>,
    pub found: BTreeMap<PathBuf, Vec<Diagnostic>>,
}

impl<'a> Collector<'a> {
    pub fn new(workspace: &'a Workspace, project: &'a Project, severities: Severities) -> Self {
        Self { workspace, project, severities, texts: BTreeMap::new(), found: BTreeMap::new() }
    }

    pub fn add(&mut self, sentence: &ProjectSentence, verdict: &Verdict) {
        let Some(file) = self.workspace.file(&sentence.path) else { return };
        let text = self.texts.entry(sentence.path.clone()).or_insert_with(|| file.document.text());
        let found = diagnostic(
            self.workspace,
            self.project,
            &file.manuscript,
            text,
            sentence.sentence,
            verdict,
            self.severities,
        );
        if let Some(d) = found {
            self.found.entry(sentence.path.clone()).or_default().push(d);
        }
    }
}

/// The diagnostic for sentence `index` of `manuscript` (`text` is its file's text);
/// `None` when the verdict is fine.
pub fn diagnostic(
    workspace: &Workspace,
    project: &Project,
    manuscript: &Manuscript,
    text: &str,
    index: usize,
    verdict: &Verdict,
    severities: Severities,
) -> Option<Diagnostic> {
    let span = manuscript.sentences.get(index)?.span.clone();
    let fixes = |suggestions: &[Suggestion]| {
        suggestions
            .iter()
            .filter_map(|s| cite_fix(manuscript, text, index, &s.key, &s.title))
            .collect()
    };
    // One entry per judged key (those labelled `only`, if given) and quoted sentence: each
    // key's first `quoted` evidence sentences.
    let related = |judged: &[Judgement], only: Option<Label>, quoted: usize| {
        let mut out = Vec::new();
        for j in judged.iter().filter(|j| only.is_none_or(|l| j.label == l)) {
            let Some(found) = workspace.resolve_key(project, &j.key) else { continue };
            out.extend(j.evidence.iter().take(quoted).map(|sentence| Related {
                path: found.source.to_path_buf(),
                span: found.entry.key_span.clone(),
                message: format!("{}: \u{201c}{sentence}\u{201d}", j.key),
            }));
        }
        out
    };
    let diagnostic = match verdict {
        Verdict::Fine => return None,
        Verdict::Uncited { probability, suggestions } => Diagnostic {
            span,
            severity: severities.uncited,
            code: UNCITED,
            message: format!(
                "This reads as a claim that needs a citation ({:.0}% sure){}",
                probability * 100.0,
                offer(suggestions)
            ),
            fixes: fixes(suggestions),
            related: Vec::new(),
        },
        Verdict::Unsupported { judged, suggestions } => Diagnostic {
            span,
            severity: severities.unsupported,
            code: UNSUPPORTED,
            message: format!(
                "No cited abstract supports this sentence ({}){}",
                keys(judged),
                offer(suggestions)
            ),
            fixes: fixes(suggestions),
            related: related(judged, None, 1),
        },
        Verdict::Contradicted { judged } => {
            let against: Vec<&Judgement> =
                judged.iter().filter(|j| j.label == Label::Contradict).collect();
            let first = against.first()?;
            Diagnostic {
                span,
                severity: severities.contradicting,
                code: CONTRADICTING,
                message: format!(
                    "The abstract of {} appears to contradict this sentence: \u{201c}{}\u{201d}",
                    first.key,
                    first.quote()
                ),
                fixes: Vec::new(),
                // Every sentence the model read: the closest one is the contradicting one
                // in only about 2 of 5 SciFact contradictions, the three together in 9 of 10.
                related: related(judged, Some(Label::Contradict), usize::MAX),
            }
        }
    };
    Some(diagnostic)
}

fn keys(judged: &[Judgement]) -> String {
    judged.iter().map(|j| j.key.as_str()).collect::<Vec<_>>().join(", ")
}

fn offer(suggestions: &[Suggestion]) -> String {
    match suggestions {
        [] => String::new(),
        list => format!(
            "; perhaps cite {}",
            list.iter().map(|s| s.key.as_str()).collect::<Vec<_>>().join(", ")
        ),
    }
}
