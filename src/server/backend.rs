//! The `LanguageServer` implementation: decodes requests, runs them against `State`
//! under a short synchronous lock, and sends what results.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::capabilities::{capabilities, negotiate_encoding, STATUS_COMMAND, WATCHED_GLOB};
use super::convert::{offset, path_of, range, text_position, uri_of};
use super::relevance::Ranking;
use super::settings::{ClaimSettings, InlineSummaries, Settings};
use super::state::{ClientInfo, State};
use super::{assistant, claims, convert, draft, related, status, summaries};
use crate::analysis::{completion, hover, navigation, symbols};
use crate::bib::BibFormat;
use crate::jobs::claims::Claims;
use crate::jobs::summaries::{Lookup, Summaries};
use crate::jobs::Priority;
use crate::model::Models;
use crate::project::config::CONFIG_FILE;
use crate::syntax::Language;

/// Documents larger than this get their diagnostics after typing pauses for
/// `LARGE_DOCUMENT_PAUSE`, so a burst of keystrokes costs one reparse, not one each.
const LARGE_DOCUMENT_BYTES: usize = 512 * 1024;
const LARGE_DOCUMENT_PAUSE: Duration = Duration::from_millis(300);

pub(super) type SharedState = Arc<Mutex<Option<State>>>;

pub struct Backend {
    client: Client,
    state: SharedState,
    /// Counts applied changes; a delayed publish goes ahead only if no change followed it.
    changes: Arc<AtomicU64>,
    /// Set by `shutdown`: the exit code after `exit` depends on it.
    shut_down: Arc<AtomicBool>,
    /// One settings reload at a time, so a slow pull of the configuration cannot finish
    /// after a later change and put older values back. Holds the settings the editor
    /// pushed last (`didChangeConfiguration`).
    reloading: tokio::sync::Mutex<Option<Value>>,
}

impl Backend {
    pub fn new(client: Client, shut_down: Arc<AtomicBool>) -> Self {
        Self {
            client,
            state: Arc::default(),
            changes: Arc::default(),
            shut_down,
            reloading: Default::default(),
        }
    }

    fn with_state<T>(&self, f: impl FnOnce(&mut State) -> Option<T>) -> Option<T> {
        with_state(&self.state, f)
    }

    async fn publish(&self) {
        publish(&self.client, &self.state).await;
    }

    /// Publishes now for small documents; for large ones once typing pauses.
    fn publish_after_change(&self, size: usize) {
        let generation = self.changes.fetch_add(1, Ordering::SeqCst) + 1;
        let (client, state, changes) =
            (self.client.clone(), self.state.clone(), self.changes.clone());
        let delay = if size > LARGE_DOCUMENT_BYTES { LARGE_DOCUMENT_PAUSE } else { Duration::ZERO };
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if changes.load(Ordering::SeqCst) == generation {
                publish(&client, &state).await;
            }
        });
    }

    /// Starts the TL;DR service, forwarding its events to the client; warnings are for the
    /// user.
    fn start_summaries(
        &self,
        models: Arc<Models>,
        caps: summaries::EventCapabilities,
    ) -> (Summaries, Vec<String>) {
        let (service, events, warnings) = summaries::start(models);
        tokio::spawn(summaries::forward_events(self.client.clone(), events, caps));
        (service, warnings)
    }

    /// Starts claim checking, republishing diagnostics as verdicts arrive.
    fn start_claims(&self, models: Arc<Models>, settings: &ClaimSettings) -> Claims {
        let (service, events) = claims::start(models, settings);
        let (client, state) = (self.client.clone(), self.state.clone());
        let republish = move || {
            let (client, state) = (client.clone(), state.clone());
            tokio::spawn(async move { publish(&client, &state).await })
        };
        tokio::spawn(claims::forward_events(self.client.clone(), events, republish));
        service
    }

    async fn warn(&self, messages: Vec<String>) {
        for message in messages {
            tracing::warn!("{message}");
            self.client.show_message(MessageType::WARNING, message).await;
        }
    }

    /// Settings in layers: defaults (model folders from `SCHOLIA_MODEL_<ROLE>`),
    /// `scholia.toml` at the workspace folders, `initializationOptions`, then the editor's
    /// current configuration (pushed or pulled). Changed model settings drop the models
    /// they affect (loaded again when next needed) and restart the model services.
    async fn reload_settings(&self, editor: Option<Value>) {
        let mut last_pushed = self.reloading.lock().await;
        let Some(client) = self.with_state(|s| Some(s.client.clone())) else { return };
        let mut settings = Settings::from_env();
        let mut errors = Vec::new();
        for folder in &client.folders {
            if let Ok(text) = std::fs::read_to_string(folder.join(CONFIG_FILE)) {
                errors.extend(settings.merge_toml(&text));
            }
        }
        if let Some(options) = &client.initialization_options {
            errors.extend(settings.merge_json(options));
        }
        let editor = match editor {
            Some(value) => {
                *last_pushed = Some(value.clone()).filter(|v| !v.is_null());
                Some(value)
            }
            None => {
                let pulled = if client.pull_configuration {
                    let item =
                        ConfigurationItem { scope_uri: None, section: Some("scholia".into()) };
                    ask(self.client.configuration(vec![item])).await.and_then(|mut v| v.pop())
                } else {
                    None
                };
                // A client that answers the pull with nothing (or cannot be pulled) keeps
                // what it pushed: a pull started before a push and answered after it
                // would otherwise put the older values back.
                pulled.filter(|v| !v.is_null()).or_else(|| last_pushed.clone())
            }
        };
        if let Some(value) = editor.filter(|v| !v.is_null()) {
            errors.extend(settings.merge_json(&value));
        }
        let Some((models, thresholds_changed)) = self.with_state(|s| {
            Some((s.models.clone(), s.settings.claims.thresholds != settings.claims.thresholds))
        }) else {
            return;
        };
        // Dropping loaded models waits for a load in progress, so not on this thread.
        let reconfigure = models.clone();
        let config = settings.models.clone();
        let models_changed =
            tokio::task::spawn_blocking(move || reconfigure.reconfigure(config)).await;
        let models_changed = models_changed.unwrap_or_else(|e| {
            errors.push(format!("scholia could not apply the model settings: {e}"));
            false
        });
        // Other thresholds mean other verdicts, other models other results: fresh services
        // with their own cache keys.
        let claims = (thresholds_changed || models_changed)
            .then(|| self.start_claims(models.clone(), &settings.claims));
        let summaries = models_changed.then(|| self.start_summaries(models, client.events()));
        self.with_state(|s| {
            if let Some(fresh) = claims {
                std::mem::replace(&mut s.claims, fresh).shutdown();
            }
            s.apply_settings(settings);
            if let Some((fresh, warnings)) = summaries {
                std::mem::replace(&mut s.summaries, fresh).shutdown();
                s.vectors.clear();
                errors.extend(warnings);
                for project in s.open_projects() {
                    s.precompute_summaries(&project);
                }
            }
            Some(())
        });
        self.warn(errors).await;
    }

    /// A frame the transport guard could not pass on (see `framing`).
    pub async fn malformed_message(&self, params: Value) {
        let problem = params.get("problem").and_then(Value::as_str).unwrap_or("unknown problem");
        tracing::error!("dropped a malformed message: {problem}");
        self.client
            .log_message(
                MessageType::ERROR,
                format!("scholia dropped a malformed message: {problem}"),
            )
            .await;
    }

    /// Path and byte offset of a position in an open or loaded file.
    fn locate(state: &State, uri: &Uri, position: Position) -> Option<(PathBuf, usize)> {
        let path = path_of(uri)?;
        let (document, _) = state.document(&path)?;
        let at = offset(document, position, state.encoding);
        Some((path, at))
    }

    fn location(state: &State, target: &navigation::Location) -> Option<Location> {
        let (document, _) = state.document(&target.path)?;
        Some(Location {
            uri: uri_of(&target.path)?,
            range: range(document, &target.span, state.encoding),
        })
    }
}

/// The state; `None` before `initialize`. A panic while holding the lock must not take
/// every later request down with it, hence the poison recovery.
pub(super) fn with_state<T>(
    state: &SharedState,
    f: impl FnOnce(&mut State) -> Option<T>,
) -> Option<T> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).as_mut().and_then(f)
}

pub(super) async fn publish(client: &Client, state: &SharedState) {
    let batch = with_state(state, |state| Some(state.diagnostics())).unwrap_or_default();
    for p in batch {
        client.publish_diagnostics(p.uri, p.diagnostics, p.version).await;
    }
}

/// How long a request to the client may stay unanswered. The transport finishes every
/// pending handler before it honours `exit`, so an unanswered request must not wait forever.
const CLIENT_PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

/// A request to the client, `None` when it fails or goes unanswered.
pub(super) async fn ask<T>(request: impl std::future::Future<Output = Result<T>>) -> Option<T> {
    match tokio::time::timeout(CLIENT_PATIENCE, request).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(e)) => {
            tracing::warn!("client request failed: {e}");
            None
        }
        Err(_) => {
            tracing::warn!("client did not answer within {CLIENT_PATIENCE:?}");
            None
        }
    }
}

/// A TL;DR as an inlay hint: whole, or cut at a word near the short width.
fn inline_text(text: &str, mode: InlineSummaries) -> String {
    match mode {
        InlineSummaries::Short => hover::preview(text, InlineSummaries::SHORT_WIDTH),
        _ => text.to_owned(),
    }
}

fn changes_of(params: &DidChangeTextDocumentParams) -> Vec<crate::text::ContentChange> {
    params
        .content_changes
        .iter()
        .map(|c| (c.range.map(|r| (text_position(r.start), text_position(r.end))), c.text.clone()))
        .collect()
}

fn is_bibliography(path: &Path, language_id: &str) -> bool {
    language_id == "bibtex" || BibFormat::from_path(path).is_some()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let mut folders: Vec<PathBuf> =
            params.workspace_folders.iter().flatten().filter_map(|f| path_of(&f.uri)).collect();
        #[allow(deprecated)]
        if folders.is_empty() {
            folders.extend(params.root_uri.as_ref().and_then(path_of));
        }
        let encoding = negotiate_encoding(&params.capabilities);
        let workspace = params.capabilities.workspace.as_ref();
        let progress =
            params.capabilities.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false);
        let client = ClientInfo {
            work_done_progress: progress,
            folders,
            encoding,
            pull_configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            dynamic_watchers: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false),
            initialization_options: params.initialization_options.filter(|v| !v.is_null()),
            show_document: params
                .capabilities
                .window
                .as_ref()
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|s| s.support),
            inlay_refresh: workspace
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|h| h.refresh_support)
                .unwrap_or(false),
            resolve_code_actions: params
                .capabilities
                .text_document
                .as_ref()
                .and_then(|t| t.code_action.as_ref())
                .and_then(|c| c.resolve_support.as_ref())
                .is_some_and(|r| r.properties.iter().any(|p| p == "edit")),
        };
        let models = summaries::shared_models();
        let (shown, mut to_show) = tokio::sync::mpsc::unbounded_channel::<String>();
        models.set_warning_sink(Box::new(move |warning| drop(shown.send(warning))));
        let messenger = self.client.clone();
        tokio::spawn(async move {
            while let Some(warning) = to_show.recv().await {
                messenger.show_message(MessageType::WARNING, format!("scholia: {warning}")).await;
            }
        });
        let (summaries, warnings) = self.start_summaries(models.clone(), client.events());
        let claims = self.start_claims(models.clone(), &ClaimSettings::default());
        *self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) =
            Some(State::new(client, models, summaries, claims));
        self.warn(warnings).await;
        // No request may reach the client before `initialize` is answered: no pull yet.
        self.reload_settings(Some(Value::Null)).await;
        Ok(InitializeResult {
            capabilities: capabilities(encoding),
            server_info: Some(ServerInfo {
                name: "scholia".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if self.with_state(|s| Some(s.client.dynamic_watchers)).unwrap_or(false) {
            let options = DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher {
                    glob_pattern: GlobPattern::String(WATCHED_GLOB.into()),
                    kind: None,
                }],
            };
            let registration = Registration {
                id: "scholia-watched-files".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            if ask(self.client.register_capability(vec![registration])).await.is_none() {
                tracing::warn!("could not register file watchers");
            }
        }
        self.reload_settings(None).await;
        self.publish().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        self.with_state(|s| {
            s.claims.shutdown();
            s.summaries.shutdown();
            Some(())
        });
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let Some(path) = path_of(&doc.uri) else {
            return;
        };
        let opened = self.with_state(|state| {
            if is_bibliography(&path, &doc.language_id) {
                state.workspace.open_bib(path.clone(), &doc.text, doc.version);
                return Some(());
            }
            let language = Language::from_language_id(&doc.language_id).or_else(|| {
                path.extension().and_then(|e| e.to_str()).and_then(Language::from_extension)
            })?;
            state.workspace.open(path.clone(), language, &doc.text, doc.version);
            state.touch(&path, None);
            let project = state.workspace.project_of(&path);
            state.precompute_summaries(&project);
            Some(())
        });
        if opened.is_some() {
            self.publish().await;
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        let version = params.text_document.version;
        let changes = changes_of(&params);
        let result = self.with_state(|state| {
            state.claims.typed();
            let applied = if state.workspace.is_open_bib(&path) {
                state.workspace.change_bib(&path, version, &changes, state.encoding)
            } else {
                state.workspace.change(&path, version, &changes, state.encoding)
            };
            if applied.is_ok() {
                state.touch(&path, None);
            }
            let size = state.document(&path).map_or(0, |(d, _)| d.rope().len_bytes());
            Some(applied.map(|()| size))
        });
        match result {
            Some(Ok(size)) => self.publish_after_change(size),
            Some(Err(e)) => tracing::warn!("{}: change ignored: {e}", path.display()),
            None => {}
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        self.with_state(|state| {
            state.workspace.close(&path);
            // Work for a closed project stops; what the open ones still need is queued again.
            state.summaries.cancel_background();
            for project in state.open_projects() {
                state.precompute_summaries(&project);
            }
            Some(())
        });
        self.publish().await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let pushed = Some(params.settings)
            .filter(|v| !v.is_null() && !v.as_object().is_some_and(|o| o.is_empty()));
        self.reload_settings(pushed).await;
        self.publish().await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths: Vec<PathBuf> = params.changes.iter().filter_map(|c| path_of(&c.uri)).collect();
        let config_changed = paths.iter().any(|p| p.file_name().is_some_and(|n| n == CONFIG_FILE));
        self.with_state(|state| {
            paths.iter().for_each(|p| state.workspace.disk_changed(p));
            Some(())
        });
        if config_changed {
            self.reload_settings(None).await;
        }
        self.publish().await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        Ok(self.with_state(|state| {
            let (path, offset) = Self::locate(state, &at.text_document.uri, at.position)?;
            state.touch(&path, Some(offset));
            let project = state.workspace.project_of(&path);
            let file = state.workspace.file(&path)?;
            let (_, key) = file.manuscript.key_at(offset)?;
            let found = state.workspace.resolve_key(&project, &key.key)?;
            let entry = found.entry;
            let lookup = state.summaries.lookup(
                entry.title.as_deref(),
                entry.abstract_text.as_deref(),
                Priority::Hover,
            );
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: hover::entry_markdown(&found, summaries::hover_tldr(&lookup)),
                }),
                range: Some(range(&file.document, &key.span, state.encoding)),
            })
        }))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let found = self.with_state(|state| {
            let (path, offset) = Self::locate(state, &at.text_document.uri, at.position)?;
            state.touch(&path, Some(offset));
            let project = state.workspace.project_of(&path);
            let file = state.workspace.file(&path)?;
            let rope = file.document.rope();
            let line_index = rope.byte_to_line(offset);
            let line_start = rope.line_to_byte(line_index);
            let line = rope.line(line_index).to_string();
            let context = completion::key_context(
                file.language(),
                line.trim_end_matches(['\n', '\r']),
                line_start,
                offset,
                &state.settings.cite_commands,
            )?;
            let edit_range = range(&file.document, &context.replace, state.encoding);
            let paragraph = completion::paragraph_prose(&file.manuscript, offset);
            let summaries = &state.summaries;
            let candidates = completion::key_candidates(&state.workspace, &project, |entry| {
                summaries.peek(entry.title.as_deref(), entry.abstract_text.as_deref())
            });
            Some((candidates, context.prefix, edit_range, paragraph, state.relevance.clone()))
        });
        let Some((candidates, prefix, edit_range, paragraph, relevance)) = found else {
            return Ok(None);
        };
        // Relevance is worked out outside the state lock: typing goes on meanwhile.
        let ranking = match paragraph {
            Some(paragraph) if !candidates.is_empty() => {
                let texts: Vec<Option<String>> =
                    candidates.iter().map(|c| c.text.clone()).collect();
                relevance.rank(&texts, paragraph).await
            }
            _ => Ranking::Unavailable,
        };
        let scores = match &ranking {
            Ranking::Scores(scores) => Some(scores.as_slice()),
            _ => None,
        };
        let sort_texts = completion::sort_texts(&candidates, &prefix, scores);
        let (kept, truncated) = completion::best(candidates, sort_texts, completion::MAX_ITEMS);
        let items = kept
            .into_iter()
            .map(|(c, sort_text)| CompletionItem {
                label: c.key.clone(),
                kind: Some(CompletionItemKind::REFERENCE),
                detail: Some(c.detail),
                documentation: Some(Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: c.documentation,
                })),
                filter_text: Some(c.filter_text),
                sort_text: Some(sort_text),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range: edit_range,
                    new_text: c.key,
                })),
                ..CompletionItem::default()
            })
            .collect();
        // While entry vectors are computed, or when the list was cut, the client asks
        // again as typing goes on.
        let is_incomplete = truncated || ranking == Ranking::Pending;
        Ok(Some(CompletionResponse::List(CompletionList { is_incomplete, items })))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        Ok(self.with_state(|state| {
            let (path, offset) = Self::locate(state, &at.text_document.uri, at.position)?;
            let project = state.workspace.project_of(&path);
            let key = navigation::key_at(&state.workspace, &project, &path, offset)?;
            let target = navigation::definition(&state.workspace, &project, &key)?;
            Self::location(state, &target).map(GotoDefinitionResponse::Scalar)
        }))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        Ok(self.with_state(|state| {
            let (path, offset) = Self::locate(state, &at.text_document.uri, at.position)?;
            // From a `.bib`, use the project of any open manuscript that uses it.
            let project = if state.workspace.file(&path).is_some() {
                state.workspace.project_of(&path)
            } else {
                state.open_projects().into_iter().find(|p| p.bibliographies.contains(&path))?
            };
            let key = navigation::key_at(&state.workspace, &project, &path, offset)?;
            let found = navigation::references(
                &state.workspace,
                &project,
                &key,
                params.context.include_declaration,
            );
            Some(found.iter().filter_map(|l| Self::location(state, l)).collect())
        }))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        Ok(self.with_state(|state| {
            let path = path_of(&params.text_document.uri)?;
            let encoding = state.encoding;
            let file = state.workspace.load_source(&path).ok()?;
            let convert = |s: &symbols::Symbol| to_document_symbol(s, &file.document, encoding);
            Some(DocumentSymbolResponse::Nested(
                symbols::outline(&file.manuscript).iter().map(convert).collect(),
            ))
        }))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        Ok(self.with_state(|state| {
            let mode = state.settings.inline_summaries;
            if mode == InlineSummaries::Off {
                return Some(Vec::new());
            }
            let path = path_of(&params.text_document.uri)?;
            let project = state.workspace.project_of(&path);
            let file = state.workspace.file(&path)?;
            let visible = offset(&file.document, params.range.start, state.encoding)
                ..offset(&file.document, params.range.end, state.encoding);
            let mut hints = Vec::new();
            for citation in file
                .manuscript
                .citations
                .iter()
                .filter(|c| c.span.end >= visible.start && c.span.start <= visible.end)
            {
                let texts: Vec<String> = citation
                    .keys
                    .iter()
                    .filter_map(|k| state.workspace.resolve_key(&project, &k.key))
                    .filter_map(|found| {
                        let entry = found.entry;
                        match state.summaries.lookup(
                            entry.title.as_deref(),
                            entry.abstract_text.as_deref(),
                            Priority::Background,
                        ) {
                            Lookup::Ready(text) => Some(inline_text(&text, mode)),
                            _ => None,
                        }
                    })
                    .collect();
                if texts.is_empty() {
                    continue;
                }
                hints.push(InlayHint {
                    position: convert::position(&file.document, citation.span.end, state.encoding),
                    label: InlayHintLabel::String(format!(" {}", texts.join(" | "))),
                    kind: None,
                    text_edits: None,
                    tooltip: None,
                    padding_left: Some(true),
                    padding_right: None,
                    data: None,
                });
            }
            Some(hints)
        }))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        if let Some(result) = draft::execute(&self.client, &self.state, &params).await {
            return result;
        }
        if let Some(result) = assistant::execute(&self.client, &self.state, &params).await {
            return result;
        }
        match params.command.as_str() {
            STATUS_COMMAND => Ok(self.with_state(|s| Some(status::status(s)))),
            c if related::COMMANDS.contains(&c) => {
                related::execute(&self.client, &self.state, params).await
            }
            other => Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "unknown command {other}"
            ))),
        }
    }

    // `WorkspaceEdit::changes` is keyed by `Uri`, which clippy takes for interior-mutable.
    #[allow(clippy::mutable_key_type)]
    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.with_state(|state| {
            let (path, offset) =
                Self::locate(state, &params.text_document.uri, params.range.start)?;
            state.touch(&path, Some(offset));
            Some(())
        });
        let mut actions: Vec<CodeActionOrCommand> = params
            .context
            .diagnostics
            .iter()
            .filter(|d| d.source.as_deref() == Some(super::state::SOURCE))
            .flat_map(|d| {
                let fixes = d.data.as_ref().and_then(|data| data.get("fixes")?.as_array());
                fixes.into_iter().flatten().enumerate().filter_map(|(i, fix)| {
                    let title = fix.get("title")?.as_str()?.to_owned();
                    let edit: TextEdit = serde_json::from_value(fix.clone()).ok()?;
                    let changes =
                        [(params.text_document.uri.clone(), vec![edit])].into_iter().collect();
                    Some(CodeActionOrCommand::CodeAction(CodeAction {
                        title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![d.clone()]),
                        edit: Some(WorkspaceEdit {
                            changes: Some(changes),
                            ..WorkspaceEdit::default()
                        }),
                        is_preferred: Some(i == 0),
                        ..CodeAction::default()
                    }))
                })
            })
            .collect();
        let uri = &params.text_document.uri;
        actions.extend(
            self.with_state(|s| {
                let mut offered = draft::actions(s, uri, params.range);
                offered.extend(assistant::actions(s, uri, params.range));
                Some(offered)
            })
            .unwrap_or_default(),
        );
        actions.extend(related::code_actions(&self.state, &params).await);
        Ok(Some(actions))
    }

    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        let action = draft::resolve(&self.client, &self.state, action).await?;
        related::resolve(&self.state, action).await
    }
}

#[allow(deprecated)]
fn to_document_symbol(
    symbol: &symbols::Symbol,
    document: &crate::text::Document,
    encoding: crate::text::Encoding,
) -> DocumentSymbol {
    DocumentSymbol {
        name: symbol.name.clone(),
        detail: Some(format!("{:?}", symbol.kind).to_lowercase()),
        kind: SymbolKind::MODULE,
        tags: None,
        deprecated: None,
        range: range(document, &symbol.span, encoding),
        selection_range: range(document, &symbol.heading_span, encoding),
        children: Some(
            symbol.children.iter().map(|c| to_document_symbol(c, document, encoding)).collect(),
        ),
    }
}
