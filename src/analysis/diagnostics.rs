//! Citation diagnostics: undefined keys, keys that match only with another letter case,
//! unused entries, problems of the bibliography files and of the include graph.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::bib::{KeyMatch, Severity};
use crate::project::{Project, Workspace};

/// A diagnostic on a byte range of one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub span: Range<usize>,
    pub severity: Severity,
    /// Stable kebab-case code; the server links it to its documentation.
    pub code: &'static str,
    pub message: String,
    /// Quick fixes, best first.
    pub fixes: Vec<Fix>,
    /// Places elsewhere that explain the diagnostic (the cited entry, its evidence).
    pub related: Vec<Related>,
}

/// A span in another file (or this one) with a note.
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    pub path: PathBuf,
    pub span: Range<usize>,
    pub message: String,
}

/// A one-edit quick fix.
#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub title: String,
    pub span: Range<usize>,
    pub replacement: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiagnosticOptions {
    pub unused_entries: bool,
}

impl Default for DiagnosticOptions {
    fn default() -> Self {
        Self { unused_entries: true }
    }
}

/// Above this many entries a bibliography is a shared library, where unused entries are normal.
pub const UNUSED_ENTRIES_LIMIT: usize = 1_000;

/// Diagnostics for every file of the project inside its folder, including files with none
/// (so a client can clear what it showed before). Files outside the project get nothing.
pub fn project_diagnostics(
    workspace: &Workspace,
    project: &Project,
    options: DiagnosticOptions,
) -> BTreeMap<PathBuf, Vec<Diagnostic>> {
    let mut out: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
    let mut used = HashSet::new();
    let mut cites_everything = false;
    for path in project.files.iter().filter(|p| project.contains(p)) {
        let Some(file) = workspace.file(path) else {
            continue;
        };
        let list = out.entry(path.clone()).or_default();
        let text = file.document.rope();
        for citation in &file.manuscript.citations {
            if citation.command.contains("nocite")
                && text.byte_slice(citation.span.clone()).to_string().contains('*')
            {
                cites_everything = true;
            }
            // An empty key is a slot being typed (`\cite{}`): nothing to resolve yet.
            for key in citation.keys.iter().filter(|k| !k.key.is_empty()) {
                match workspace.resolve_key(project, &key.key) {
                    Some(found) => {
                        used.insert((found.source.to_path_buf(), found.entry.key.clone()));
                        if found.matched == KeyMatch::CaseInsensitive {
                            list.push(case_mismatch(&key.key, &found.entry.key, key.span.clone()));
                        }
                    }
                    None => list.push(undefined(&key.key, key.span.clone(), project)),
                }
            }
        }
    }
    for problem in &project.problems {
        if project.contains(&problem.file) {
            out.entry(problem.file.clone()).or_default().push(Diagnostic {
                span: problem.span.clone(),
                severity: Severity::Warning,
                code: problem.code,
                message: problem.message.clone(),
                fixes: Vec::new(),
                related: Vec::new(),
            });
        }
    }
    for path in project.bibliographies.iter().filter(|p| project.contains(p)) {
        let Some(bib) = workspace.bib(path) else {
            continue;
        };
        let list = out.entry(path.clone()).or_default();
        list.extend(bib.diagnostics().into_iter().map(|d| Diagnostic {
            span: d.span,
            severity: d.severity,
            code: d.code,
            message: d.message,
            fixes: Vec::new(),
            related: Vec::new(),
        }));
        let entries = &bib.bibliography.entries;
        if options.unused_entries && !cites_everything && entries.len() <= UNUSED_ENTRIES_LIMIT {
            list.extend(
                entries.iter().filter(|e| !used.contains(&(path.clone(), e.key.clone()))).map(
                    |e| Diagnostic {
                        span: e.key_span.clone(),
                        severity: Severity::Hint,
                        code: "unused-entry",
                        message: format!("`{}` is not cited in the project", e.key),
                        fixes: Vec::new(),
                        related: Vec::new(),
                    },
                ),
            );
        }
    }
    out
}

fn undefined(key: &str, span: Range<usize>, project: &Project) -> Diagnostic {
    let message = if project.bibliographies.is_empty() {
        format!("`{key}` cannot be resolved: this document names no bibliography")
    } else {
        let names: Vec<String> = project.bibliographies.iter().map(|p| file_name(p)).collect();
        format!("`{key}` is not defined in {}", names.join(", "))
    };
    Diagnostic {
        span,
        severity: Severity::Error,
        code: "undefined-key",
        message,
        fixes: Vec::new(),
        related: Vec::new(),
    }
}

fn case_mismatch(written: &str, defined: &str, span: Range<usize>) -> Diagnostic {
    Diagnostic {
        span: span.clone(),
        severity: Severity::Warning,
        code: "key-case-mismatch",
        message: format!(
            "`{written}` matches the entry `{defined}` only when letter case is ignored"
        ),
        fixes: vec![Fix {
            title: format!("Change to `{defined}`"),
            span,
            replacement: defined.to_owned(),
        }],
        related: Vec::new(),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
