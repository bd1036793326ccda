//! Go to definition and find references for citation keys.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::project::{Project, Workspace};

/// A place in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub span: Range<usize>,
}

/// The key under `offset` in `path`: a citation key in a manuscript, or an entry key in a
/// bibliography file of the project.
pub fn key_at(
    workspace: &Workspace,
    project: &Project,
    path: &Path,
    offset: usize,
) -> Option<String> {
    if let Some(file) = workspace.file(path) {
        return file.manuscript.key_at(offset).map(|(_, k)| k.key.clone());
    }
    let bib = workspace.bib(path).filter(|_| project.bibliographies.iter().any(|p| p == path))?;
    let entry = bib
        .bibliography
        .entries
        .iter()
        .find(|e| e.key_span.start <= offset && offset <= e.key_span.end)?;
    Some(entry.key.clone())
}

/// Where the entry for `key` is defined (case-insensitive fallback included).
pub fn definition(workspace: &Workspace, project: &Project, key: &str) -> Option<Location> {
    let found = workspace.resolve_key(project, key)?;
    let span =
        if workspace.bib(found.source).is_some() { found.entry.key_span.clone() } else { 0..0 };
    Some(Location { path: found.source.to_path_buf(), span })
}

/// Every citation of `key` in the project (letter case ignored, as BibTeX does), plus the
/// definition when asked.
pub fn references(
    workspace: &Workspace,
    project: &Project,
    key: &str,
    include_definition: bool,
) -> Vec<Location> {
    let wanted = key.to_lowercase();
    let mut out = Vec::new();
    if include_definition {
        out.extend(definition(workspace, project, key));
    }
    for path in &project.files {
        let Some(file) = workspace.file(path) else {
            continue;
        };
        out.extend(
            file.manuscript
                .cited_keys()
                .filter(|k| k.key.to_lowercase() == wanted)
                .map(|k| Location { path: path.clone(), span: k.span.clone() }),
        );
    }
    out
}
