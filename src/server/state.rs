//! The server's synchronous state: the workspace plus what the client negotiated, and
//! the diagnostics to publish after a change. No awaiting happens while it is borrowed.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::json;
use tower_lsp_server::lsp_types as lsp;

use super::claims;
use super::convert::{range, severity, uri_of};
use super::relevance::Relevance;
use super::settings::Settings;
use super::summaries::EventCapabilities;
use crate::analysis::related::VectorCache;
use crate::analysis::{project_diagnostics, Diagnostic, DiagnosticOptions};
use crate::jobs::claims::Claims;
use crate::jobs::summaries::Summaries;
use crate::jobs::Priority;
use crate::model::Models;
use crate::project::{Project, Workspace, WorkspaceOptions};
use crate::syntax::ParseOptions;
use crate::text::{Document, Encoding};

pub const SOURCE: &str = "scholia";

/// What the client told us in `initialize`.
#[derive(Clone, Debug)]
pub struct ClientInfo {
    pub folders: Vec<PathBuf>,
    pub encoding: Encoding,
    /// Supports `workspace/configuration`.
    pub pull_configuration: bool,
    /// Supports registering `workspace/didChangeWatchedFiles` watchers.
    pub dynamic_watchers: bool,
    pub initialization_options: Option<serde_json::Value>,
    /// Supports `window/showDocument`.
    pub show_document: bool,
    /// Can resolve a code action's edit lazily (`codeAction/resolve`).
    pub resolve_code_actions: bool,
    /// Supports server-initiated `$/progress` (`window.workDoneProgress`).
    pub work_done_progress: bool,
    /// Supports `workspace/inlayHint/refresh`.
    pub inlay_refresh: bool,
}

impl ClientInfo {
    /// What the TL;DR service's events may use.
    pub fn events(&self) -> EventCapabilities {
        EventCapabilities { progress: self.work_done_progress, inlay_refresh: self.inlay_refresh }
    }
}

pub struct State {
    /// Loaded once, shared by every model feature.
    pub models: Arc<Models>,
    pub summaries: Summaries,
    pub claims: Claims,
    /// Embeddings of entries and sentences, for related work and completion order.
    pub vectors: Arc<VectorCache>,
    pub relevance: Arc<Relevance>,
    pub workspace: Workspace,
    pub encoding: Encoding,
    pub settings: Settings,
    pub client: ClientInfo,
    /// The document and cursor the writer last touched, for commands sent without
    /// arguments (Helix sends none).
    pub active: Option<Active>,
    /// Files for which non-empty diagnostics were last published.
    published: HashSet<PathBuf>,
}

/// A document and, when known, the byte offset of the cursor in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Active {
    pub path: PathBuf,
    pub offset: Option<usize>,
}

/// One `publishDiagnostics` to send.
pub struct Publish {
    pub uri: lsp::Uri,
    pub version: Option<i32>,
    pub diagnostics: Vec<lsp::Diagnostic>,
}

impl State {
    pub fn new(
        client: ClientInfo,
        models: Arc<Models>,
        summaries: Summaries,
        claims: Claims,
    ) -> Self {
        let settings = Settings::default();
        let workspace = Workspace::new(client.folders.clone(), workspace_options(&settings));
        let vectors = Arc::<VectorCache>::default();
        Self {
            relevance: Arc::new(Relevance::new(models.clone(), vectors.clone())),
            models,
            summaries,
            claims,
            vectors,
            workspace,
            encoding: client.encoding,
            settings,
            client,
            active: None,
            published: HashSet::new(),
        }
    }

    /// Records where the writer is; a known cursor is kept when a later touch of the
    /// same document does not say where.
    pub fn touch(&mut self, path: &Path, offset: Option<usize>) {
        let offset = match &self.active {
            Some(a) if a.path == path && offset.is_none() => a.offset,
            _ => offset,
        };
        self.active = Some(Active { path: path.to_path_buf(), offset });
    }

    /// Queues TL;DRs of every entry cited by `project` as background work (entries already
    /// summarised cost a cache lookup).
    pub fn precompute_summaries(&mut self, project: &Project) {
        let mut seen = HashSet::new();
        for file in project.files.iter().filter_map(|p| self.workspace.file(p)) {
            for key in file.manuscript.cited_keys() {
                let Some(found) = self.workspace.resolve_key(project, &key.key) else { continue };
                if seen.insert(found.entry.key.clone()) {
                    let entry = found.entry;
                    self.summaries.lookup(
                        entry.title.as_deref(),
                        entry.abstract_text.as_deref(),
                        Priority::Background,
                    );
                }
            }
        }
    }

    pub fn apply_settings(&mut self, settings: Settings) {
        self.workspace.set_options(workspace_options(&settings));
        self.settings = settings;
    }

    /// Projects of all open files, each once.
    pub fn open_projects(&mut self) -> Vec<Project> {
        let open: Vec<PathBuf> = self.workspace.open_files().map(Path::to_path_buf).collect();
        let mut projects: Vec<Project> = Vec::new();
        for path in open {
            if projects.iter().any(|p| p.files.contains(&path)) {
                continue;
            }
            projects.push(self.workspace.project_of(&path));
        }
        projects
    }

    /// Diagnostics of every file of every open project, and empty lists for files that
    /// had diagnostics before but are no longer part of any open project.
    pub fn diagnostics(&mut self) -> Vec<Publish> {
        let options = DiagnosticOptions { unused_entries: self.settings.unused_entries };
        let mut all: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
        let mut live = HashSet::new();
        for project in self.open_projects() {
            for (path, list) in project_diagnostics(&self.workspace, &project, options) {
                all.entry(path).or_default().extend(list);
            }
            let claims = &self.settings.claims;
            let found = claims::project_diagnostics(
                &self.claims,
                &self.workspace,
                &project,
                claims,
                &mut live,
            );
            for (path, list) in found {
                all.entry(path).or_default().extend(list);
            }
        }
        // Checks of sentences no longer in any open project's text are not needed.
        self.claims.keep_only(&live);
        let mut out = Vec::new();
        let stale: Vec<PathBuf> =
            self.published.iter().filter(|p| !all.contains_key(*p)).cloned().collect();
        for path in stale {
            self.published.remove(&path);
            if let Some(uri) = uri_of(&path) {
                out.push(Publish { uri, version: None, diagnostics: Vec::new() });
            }
        }
        for (path, list) in all {
            let Some(uri) = uri_of(&path) else { continue };
            let Some((document, version)) = self.document(&path) else {
                continue;
            };
            let diagnostics = list.iter().map(|d| self.to_lsp(document, d)).collect();
            if list.is_empty() {
                self.published.remove(&path);
            } else {
                self.published.insert(path.clone());
            }
            out.push(Publish { uri, version, diagnostics });
        }
        out
    }

    /// An analysis diagnostic as LSP wants it; quick fixes travel in `data`.
    fn to_lsp(&self, document: &Document, d: &Diagnostic) -> lsp::Diagnostic {
        let encoding = self.encoding;
        let fixes: Vec<_> = d
            .fixes
            .iter()
            .map(|fix| {
                json!({
                    "title": fix.title,
                    "range": range(document, &fix.span, encoding),
                    "newText": fix.replacement,
                })
            })
            .collect();
        let related: Vec<lsp::DiagnosticRelatedInformation> = d
            .related
            .iter()
            .filter_map(|r| {
                let (target, _) = self.document(&r.path)?;
                Some(lsp::DiagnosticRelatedInformation {
                    location: lsp::Location {
                        uri: uri_of(&r.path)?,
                        range: range(target, &r.span, encoding),
                    },
                    message: r.message.clone(),
                })
            })
            .collect();
        lsp::Diagnostic {
            range: range(document, &d.span, encoding),
            severity: Some(severity(d.severity)),
            code: Some(lsp::NumberOrString::String(d.code.to_owned())),
            code_description: code_description(d.code),
            source: Some(SOURCE.to_owned()),
            message: d.message.clone(),
            tags: (d.code == "unused-entry").then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
            related_information: (!related.is_empty()).then_some(related),
            data: (!fixes.is_empty()).then(|| json!({ "fixes": fixes })),
        }
    }

    /// The text of a manuscript or bibliography file, with its version if open.
    pub fn document(&self, path: &Path) -> Option<(&Document, Option<i32>)> {
        if let Some(file) = self.workspace.file(path) {
            return Some((&file.document, file.open.then(|| file.document.version())));
        }
        self.workspace.bib(path).map(|b| (&b.document, None))
    }
}

fn workspace_options(settings: &Settings) -> WorkspaceOptions {
    WorkspaceOptions {
        parse: ParseOptions { extra_cite_commands: settings.cite_commands.clone() },
        default_bibliography: settings.default_bibliography.clone(),
    }
}

/// Where a diagnostic code is explained: `docs/diagnostics.md` of the source tree this
/// binary was built from.
fn code_description(code: &str) -> Option<lsp::CodeDescription> {
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md");
    let mut uri = uri_of(Path::new(docs))?.to_string();
    uri.push('#');
    uri.push_str(code);
    Some(lsp::CodeDescription { href: uri.parse().ok()? })
}
