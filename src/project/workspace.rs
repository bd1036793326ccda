//! The workspace: every loaded file, and which project (root, files, bibliographies)
//! each manuscript belongs to.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::files::{read_text, BibFile, LoadError, SourceFile};
use super::paths::{normalize, resolve_bibliography, resolve_include};
use super::scan::find_latex_roots;
use crate::bib::{BibFormat, Entry, KeyMatch};
use crate::syntax::{Language, ParseOptions};
use crate::text::{ContentChange, Document, EditError, Encoding};

/// Includes nested deeper than this are not followed (a runaway chain, not a paper).
const MAX_INCLUDE_DEPTH: usize = 32;

/// Settings the workspace needs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkspaceOptions {
    pub parse: ParseOptions,
    /// Bibliographies every project uses, besides those its files name.
    pub default_bibliography: Vec<PathBuf>,
}

/// A problem with the project's structure, reported where the file names it.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectProblem {
    pub file: PathBuf,
    pub span: std::ops::Range<usize>,
    pub code: &'static str,
    pub message: String,
}

/// One manuscript project: a root, the files it includes, the bibliographies it uses.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    pub root: PathBuf,
    /// Diagnostics are published only for files under this folder.
    pub boundary: PathBuf,
    /// Manuscript files in include order, root first.
    pub files: Vec<PathBuf>,
    /// Bibliography files (existing or not) in the order they are named.
    pub bibliographies: Vec<PathBuf>,
    /// Files whose front matter holds references, in include order: kept apart so a key
    /// lookup does not visit every file of a large project.
    pub inline_bibliographies: Vec<PathBuf>,
    pub problems: Vec<ProjectProblem>,
}

impl Project {
    pub fn contains(&self, path: &Path) -> bool {
        path.starts_with(&self.boundary)
    }
}

/// Where a key's entry was found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResolvedKey<'a> {
    pub entry: &'a Entry,
    /// The `.bib`/CSL file, or the Markdown file whose front matter holds the entry.
    pub source: &'a Path,
    pub matched: KeyMatch,
}

#[derive(Default)]
pub struct Workspace {
    folders: Vec<PathBuf>,
    files: HashMap<PathBuf, SourceFile>,
    bibs: HashMap<PathBuf, LoadedBib>,
    /// Bibliographies open in the editor: their unsaved text wins over the disk.
    open_bibs: HashMap<PathBuf, Document>,
    options: WorkspaceOptions,
    /// LaTeX files with `\documentclass` under the folders, found on first need.
    latex_roots: Option<Vec<PathBuf>>,
}

struct LoadedBib {
    file: BibFile,
    /// The other `.bib` files whose `@string`s were in scope when this one was parsed.
    macro_paths: Vec<PathBuf>,
}

impl Workspace {
    pub fn new(folders: Vec<PathBuf>, options: WorkspaceOptions) -> Self {
        let folders = folders.iter().map(|f| normalize(f)).collect();
        Self { folders, options, ..Self::default() }
    }

    pub fn options(&self) -> &WorkspaceOptions {
        &self.options
    }

    /// New settings: every file is reparsed, every bibliography reloaded.
    pub fn set_options(&mut self, options: WorkspaceOptions) {
        if options == self.options {
            return;
        }
        let reparse = options.parse != self.options.parse;
        self.options = options;
        if reparse {
            for file in self.files.values_mut() {
                file.reparse(&self.options.parse);
            }
        }
    }

    pub fn file(&self, path: &Path) -> Option<&SourceFile> {
        self.files.get(path)
    }

    pub fn bib(&self, path: &Path) -> Option<&BibFile> {
        self.bibs.get(path).map(|b| &b.file)
    }

    pub fn open_files(&self) -> impl Iterator<Item = &Path> {
        self.files.values().filter(|f| f.open).map(|f| f.path.as_path())
    }

    /// The editor opened a manuscript: its text replaces what was read from disk.
    pub fn open(&mut self, path: PathBuf, language: Language, text: &str, version: i32) {
        let mut file = SourceFile::new(path.clone(), language, text, version, &self.options.parse);
        file.open = true;
        self.files.insert(path, file);
    }

    /// The editor opened a bibliography file.
    pub fn open_bib(&mut self, path: PathBuf, text: &str, version: i32) {
        self.bibs.remove(&path);
        self.open_bibs.insert(path, Document::new(text, version));
    }

    /// Applies a `didChange` to an open bibliography; it is reparsed on next use.
    pub fn change_bib(
        &mut self,
        path: &Path,
        version: i32,
        changes: &[ContentChange],
        encoding: Encoding,
    ) -> Result<(), ChangeError> {
        let document = self.open_bibs.get_mut(path).ok_or(ChangeError::NotOpen)?;
        document.apply_change(version, changes, encoding)?;
        self.bibs.remove(path);
        Ok(())
    }

    pub fn is_open_bib(&self, path: &Path) -> bool {
        self.open_bibs.contains_key(path)
    }

    /// Applies one `didChange`: its content changes in order. The reparse waits for the
    /// next reader (`load_source`, and so `project_of`).
    pub fn change(
        &mut self,
        path: &Path,
        version: i32,
        changes: &[ContentChange],
        encoding: Encoding,
    ) -> Result<(), ChangeError> {
        let file = self.files.get_mut(path).ok_or(ChangeError::NotOpen)?;
        for edit in file.document.apply_change(version, changes, encoding)? {
            file.record_edit(&edit);
        }
        Ok(())
    }

    /// The editor closed a file: from now on the disk is the truth.
    pub fn close(&mut self, path: &Path) {
        if self.open_bibs.remove(path).is_some() {
            self.bibs.remove(path);
            return;
        }
        self.files.remove(path);
        let _ = self.load_source(path);
    }

    /// A watched file changed, appeared or vanished on disk.
    pub fn disk_changed(&mut self, path: &Path) {
        if !self.open_bibs.contains_key(path) {
            self.bibs.remove(path);
        }
        if self.files.get(path).is_some_and(|f| !f.open) {
            self.files.remove(path);
        }
        if path.extension().is_some_and(|e| e == "tex") {
            self.latex_roots = None;
        }
    }

    /// Forgets everything read from disk (closed manuscripts, parsed bibliographies, the
    /// root scan) so the next request reads it afresh; open documents keep the editor's
    /// text. Returns how many files were dropped.
    pub fn reindex(&mut self) -> usize {
        let closed = self.files.len() - self.open_files().count();
        self.files.retain(|_, f| f.open);
        let bibs = self.bibs.len();
        self.bibs.clear();
        self.latex_roots = None;
        closed + bibs
    }

    /// A manuscript with an up-to-date IR: loaded from disk unless already loaded,
    /// reparsed if edits arrived since its last parse.
    pub fn load_source(&mut self, path: &Path) -> Result<&SourceFile, LoadError> {
        if let Some(file) = self.files.get_mut(path) {
            file.refresh(&self.options.parse);
        } else {
            let language = path
                .extension()
                .and_then(|e| e.to_str())
                .and_then(Language::from_extension)
                .unwrap_or(Language::Latex);
            let text = read_text(path)?;
            let file = SourceFile::new(path.to_path_buf(), language, &text, 0, &self.options.parse);
            self.files.insert(path.to_path_buf(), file);
        }
        Ok(&self.files[path])
    }

    /// The project `path` belongs to, with its files and bibliographies loaded.
    pub fn project_of(&mut self, path: &Path) -> Project {
        let root = self.find_root(path);
        let mut project = self.walk(&root);
        if !project.files.iter().any(|f| f == path) && self.files.contains_key(path) {
            // A root hint or scan pointed elsewhere but the file is not included there.
            project = self.walk(path);
        }
        self.load_bibliographies(&project.bibliographies);
        project
    }

    fn boundary_of(&self, root: &Path) -> PathBuf {
        self.folders
            .iter()
            .filter(|f| root.starts_with(f))
            .max_by_key(|f| f.components().count())
            .cloned()
            .unwrap_or_else(|| root.parent().map(Path::to_path_buf).unwrap_or_default())
    }

    /// Root detection: `%!TEX root`, then a file that is a root itself, then `scholia.toml`,
    /// then a LaTeX root under the workspace folders that includes the file.
    fn find_root(&mut self, path: &Path) -> PathBuf {
        let Ok(file) = self.load_source(path) else {
            return path.to_path_buf();
        };
        let (hint, is_root) = (file.manuscript.root_hint.clone(), file.manuscript.is_root);
        if let Some(hint) = hint {
            let dir = path.parent().unwrap_or(Path::new(""));
            let target = normalize(&dir.join(hint.trim()));
            if self.load_source(&target).is_ok() {
                return target;
            }
        }
        if is_root {
            return path.to_path_buf();
        }
        if let Some(root) = super::config::root_from_config(path, &self.boundary_of(path)) {
            if self.load_source(&root).is_ok() {
                return root;
            }
        }
        let roots = self
            .latex_roots
            .get_or_insert_with(|| {
                let folders = self.folders.clone();
                find_latex_roots(&folders)
            })
            .clone();
        for root in roots {
            if root != path && self.walk(&root).files.iter().any(|f| f == path) {
                return root;
            }
        }
        path.to_path_buf()
    }

    /// Follows includes depth-first from `root`, loading files; reports missing files,
    /// cycles and paths outside the project instead of following them.
    fn walk(&mut self, root: &Path) -> Project {
        let boundary = self.boundary_of(root);
        let mut project = Project {
            root: root.to_path_buf(),
            boundary: boundary.clone(),
            files: Vec::new(),
            bibliographies: Vec::new(),
            inline_bibliographies: Vec::new(),
            problems: Vec::new(),
        };
        let mut visited = HashSet::new();
        let mut chain = Vec::new();
        self.visit(root, &mut chain, &mut visited, &mut project);
        for path in &self.options.default_bibliography {
            let path = normalize(&boundary.join(path));
            if !project.bibliographies.contains(&path) {
                project.bibliographies.push(path);
            }
        }
        project
    }

    fn visit(
        &mut self,
        path: &Path,
        chain: &mut Vec<PathBuf>,
        visited: &mut HashSet<PathBuf>,
        project: &mut Project,
    ) {
        if !visited.insert(path.to_path_buf()) || self.load_source(path).is_err() {
            return;
        }
        project.files.push(path.to_path_buf());
        chain.push(path.to_path_buf());
        let file = &self.files[path];
        if file.inline_bibliography.is_some() {
            project.inline_bibliographies.push(path.to_path_buf());
        }
        let language = file.language();
        let includes = file.manuscript.includes.clone();
        for bib in &file.manuscript.bibliographies {
            let Some(target) = resolve_bibliography(language, &bib.path, path, &project.root)
            else {
                continue;
            };
            if !target.is_file() {
                project.problems.push(ProjectProblem {
                    file: path.to_path_buf(),
                    span: bib.span.clone(),
                    code: "missing-bibliography",
                    message: format!("bibliography file not found: {}", target.display()),
                });
            }
            if !project.bibliographies.contains(&target) {
                project.bibliographies.push(target);
            }
        }
        for include in includes {
            let Some(target) = resolve_include(include.kind, &include.path, path, &project.root)
            else {
                continue;
            };
            let problem = |code, message| ProjectProblem {
                file: path.to_path_buf(),
                span: include.span.clone(),
                code,
                message,
            };
            if chain.contains(&target) {
                project.problems.push(problem(
                    "include-cycle",
                    format!("{} includes itself through this file", target.display()),
                ));
            } else if !target.starts_with(&project.boundary) {
                project.problems.push(problem(
                    "include-outside-project",
                    format!(
                        "{} is outside the project folder {}; not read",
                        target.display(),
                        project.boundary.display()
                    ),
                ));
            } else if chain.len() >= MAX_INCLUDE_DEPTH {
                project.problems.push(problem(
                    "include-too-deep",
                    format!("includes nested over {MAX_INCLUDE_DEPTH} deep; not followed"),
                ));
            } else if let Err(error) = self.load_source(&target) {
                let code = if target.exists() { "unreadable-include" } else { "missing-include" };
                let message = if target.exists() {
                    error.to_string()
                } else {
                    format!("file not found: {}", target.display())
                };
                project.problems.push(problem(code, message));
            } else {
                self.visit(&target, chain, visited, project);
            }
        }
        chain.pop();
    }

    /// Loads (or reuses) each bibliography; BibTeX files see each other's `@string`s.
    fn load_bibliographies(&mut self, paths: &[PathBuf]) {
        let is_bibtex =
            |p: &Path| matches!(BibFormat::from_path(p), Some(BibFormat::Bibtex) | None);
        let bibtex: Vec<&PathBuf> = paths.iter().filter(|p| is_bibtex(p)).collect();
        for path in paths {
            let macro_paths: Vec<PathBuf> = if bibtex.contains(&path) {
                bibtex.iter().filter(|p| **p != path).map(|p| (*p).clone()).collect()
            } else {
                Vec::new()
            };
            if self.bibs.get(path).is_some_and(|b| b.macro_paths == macro_paths) {
                continue;
            }
            let macro_texts: Vec<String> = macro_paths
                .iter()
                .filter_map(|p| match (self.open_bibs.get(p), self.bibs.get(p)) {
                    (Some(open), _) => Some(open.text()),
                    (None, Some(b)) => Some(b.file.document.text()),
                    (None, None) => read_text(p).ok(),
                })
                .collect();
            let sources: Vec<&str> = macro_texts.iter().map(String::as_str).collect();
            let file = match self.open_bibs.get(path) {
                Some(open) => {
                    let format = BibFormat::from_path(path).unwrap_or(BibFormat::Bibtex);
                    BibFile::from_text(path, &open.text(), format, &sources)
                }
                None => BibFile::load(path, &sources),
            };
            self.bibs.insert(path.clone(), LoadedBib { file, macro_paths });
        }
    }

    /// Looks a key up in the project: exact match anywhere first, then case-insensitive.
    pub fn resolve_key<'a>(&'a self, project: &'a Project, key: &str) -> Option<ResolvedKey<'a>> {
        let mut folded = None;
        for (source, bibliography) in self.bibliographies_of(project) {
            match bibliography.lookup(key) {
                Some((entry, KeyMatch::Exact)) => {
                    return Some(ResolvedKey { entry, source, matched: KeyMatch::Exact })
                }
                Some((entry, KeyMatch::CaseInsensitive)) if folded.is_none() => {
                    folded = Some(ResolvedKey { entry, source, matched: KeyMatch::CaseInsensitive })
                }
                _ => {}
            }
        }
        folded
    }

    /// Every bibliography of the project with where it lives: front-matter references
    /// of its Markdown files first, then the bibliography files.
    pub fn bibliographies_of<'a>(
        &'a self,
        project: &'a Project,
    ) -> impl Iterator<Item = (&'a Path, &'a crate::bib::Bibliography)> {
        let inline = project
            .inline_bibliographies
            .iter()
            .filter_map(|p| self.files.get(p))
            .filter_map(|f| f.inline_bibliography.as_ref().map(|b| (f.path.as_path(), b)));
        let files = project
            .bibliographies
            .iter()
            .filter_map(|p| self.bibs.get(p))
            .map(|b| (b.file.path.as_path(), &b.file.bibliography));
        inline.chain(files)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ChangeError {
    #[error("document is not open")]
    NotOpen,
    #[error(transparent)]
    Edit(#[from] EditError),
}
