//! What a claim check reads from a project: one input per sentence (its prose and the
//! abstracts it cites) and the pool of entries citations may be suggested from.

use std::collections::HashSet;
use std::path::PathBuf;

use super::check::{Candidate, CitedAbstract, Pool, SentenceInput};
use super::ignore::is_ignored;
use crate::project::{Project, Workspace};
use crate::store::hash_input;
use crate::syntax::{Manuscript, SectionKind};

/// A sentence of a project file, by index into its manuscript's sentences.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectSentence {
    pub path: PathBuf,
    pub sentence: usize,
    pub input: SentenceInput,
}

/// Every entry of the project's bibliographies that has a title, each key once.
pub fn pool(workspace: &Workspace, project: &Project) -> Pool {
    let mut seen = HashSet::new();
    let mut candidates = Vec::new();
    for (_, bibliography) in workspace.bibliographies_of(project) {
        for entry in &bibliography.entries {
            let Some(title) = entry.title.as_deref().filter(|t| !t.trim().is_empty()) else {
                continue;
            };
            if seen.insert(entry.key.clone()) {
                candidates.push(Candidate {
                    key: entry.key.clone(),
                    title: title.to_owned(),
                    abstract_text: entry.abstract_text.clone().filter(|a| !a.trim().is_empty()),
                });
            }
        }
    }
    let parts: Vec<&str> = candidates
        .iter()
        .flat_map(|c| [c.key.as_str(), c.title.as_str(), c.abstract_text.as_deref().unwrap_or("")])
        .collect();
    let fingerprint = hash_input(&parts);
    Pool { candidates, fingerprint }
}

/// Files larger than this are not claim-checked: a manuscript is far smaller, and checking
/// a generated or concatenated file would keep the models busy for minutes.
pub const MAX_CHECKED_BYTES: usize = 1024 * 1024;

/// The check input of every sentence of the project's files inside its folder, except
/// sentences on lines marked `scholia: ignore` and files over `MAX_CHECKED_BYTES`.
pub fn project_sentences(workspace: &Workspace, project: &Project) -> Vec<ProjectSentence> {
    let mut out = Vec::new();
    for path in project.files.iter().filter(|p| project.contains(p)) {
        let Some(file) = workspace.file(path) else { continue };
        if file.document.rope().len_bytes() > MAX_CHECKED_BYTES {
            continue;
        }
        let text = file.document.text();
        let manuscript = &file.manuscript;
        for (index, sentence) in manuscript.sentences.iter().enumerate() {
            if is_ignored(manuscript.language, &text, &sentence.span) {
                continue;
            }
            let input = sentence_input(workspace, project, manuscript, index);
            out.push(ProjectSentence { path: path.clone(), sentence: index, input });
        }
    }
    out
}

/// The check input of one sentence: cited keys resolved in the project, each once.
pub fn sentence_input(
    workspace: &Workspace,
    project: &Project,
    manuscript: &Manuscript,
    index: usize,
) -> SentenceInput {
    let sentence = &manuscript.sentences[index];
    let keys = sentence
        .citations
        .iter()
        .filter_map(|&i| manuscript.citations.get(i))
        .filter(|c| !c.command.contains("nocite"))
        .flat_map(|c| c.keys.iter())
        .filter(|k| !k.key.is_empty());
    let mut has_citation = false;
    let mut cited: Vec<CitedAbstract> = Vec::new();
    for key in keys {
        has_citation = true;
        let Some(found) = workspace.resolve_key(project, &key.key) else { continue };
        let Some(abstract_text) = found.entry.abstract_text.as_deref() else { continue };
        if !abstract_text.trim().is_empty() && cited.iter().all(|c| c.key != found.entry.key) {
            cited.push(CitedAbstract {
                key: found.entry.key.clone(),
                abstract_text: abstract_text.to_owned(),
            });
        }
    }
    let in_abstract =
        manuscript.section_of(sentence).is_some_and(|s| s.kind == SectionKind::Abstract);
    SentenceInput { prose: sentence.prose.clone(), has_citation, in_abstract, cited }
}
