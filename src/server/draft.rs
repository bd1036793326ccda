//! LSP glue for drafting an abstract (code action resolved lazily, and a command that
//! applies the edit) and for summarising a selection.
//!
//! Model work runs on a blocking thread with a copy of the project taken under the state
//! lock; dropping the request's future (the client cancelled) raises the flag that the
//! generator polls at every token (see `blocking`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::request::WorkDoneProgressCreate;
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::Client;

use super::backend::{with_state, SharedState};
use super::blocking;
use super::command_args::{document_of, not_ready, target};
use super::convert::{offset, path_of, range, uri_of};
use super::state::State;
use crate::analysis::draft::{self, compose, Paper, PaperFile, Spot, Writer};
use crate::analysis::selection;
use crate::analysis::summary::Summarizer;
use crate::model::{chat_backend, GeneratorSettings, Models};
use crate::text::{Document, Encoding};

pub const DRAFT_COMMAND: &str = "scholia.draftAbstract";
pub const SUMMARIZE_COMMAND: &str = "scholia.summarizeSelection";
/// Marks the unresolved draft action's `data`.
const DRAFT_DATA: &str = "draftAbstract";
/// How long the client may take to accept a progress token.
const PROGRESS_PATIENCE: Duration = Duration::from_secs(5);

/// The draft action (edit computed on resolve) and, for a non-empty range, the summary.
pub fn actions(state: &mut State, uri: &Uri, selected: Range) -> Vec<CodeActionOrCommand> {
    let Some(path) = path_of(uri) else { return Vec::new() };
    let Some(version) = state.workspace.file(&path).map(|f| f.document.version()) else {
        return Vec::new();
    };
    let files = PaperFile::project(&mut state.workspace, &path);
    let Some(target) = draft::locate(&files) else { return Vec::new() };
    let title = match target.spot {
        Spot::Abstract { empty: false } => "Replace abstract with a draft",
        _ => "Draft abstract",
    };
    let mut actions = vec![CodeActionOrCommand::CodeAction(CodeAction {
        title: title.into(),
        kind: Some(CodeActionKind::REFACTOR_REWRITE),
        data: Some(json!({"scholia": DRAFT_DATA, "uri": uri, "version": version})),
        ..CodeAction::default()
    })];
    if selected.start != selected.end {
        let command = Command {
            title: "Summarize selection".into(),
            command: SUMMARIZE_COMMAND.into(),
            arguments: Some(vec![json!({"uri": uri, "range": selected})]),
        };
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: command.title.clone(),
            kind: Some(CodeActionKind::REFACTOR),
            command: Some(command),
            ..CodeAction::default()
        }));
    }
    actions
}

/// Computes the edit of an unresolved draft action; other actions come back unchanged.
pub async fn resolve(
    client: &Client,
    state: &SharedState,
    mut action: CodeAction,
) -> Result<CodeAction> {
    let data = action.data.as_ref();
    if data.and_then(|d| d.get("scholia")).and_then(Value::as_str) != Some(DRAFT_DATA) {
        return Ok(action);
    }
    let uri: Uri = data
        .and_then(|d| d.get("uri"))
        .and_then(|u| serde_json::from_value(u.clone()).ok())
        .ok_or_else(|| Error::invalid_params("the draft action has no uri"))?;
    let path = path_of(&uri).ok_or_else(|| Error::invalid_params("not a file uri"))?;
    let drafted = run(client, state, path, None).await?;
    action.edit = Some(drafted.edit);
    Ok(action)
}

/// `scholia.draftAbstract` and `scholia.summarizeSelection`; `None` for other commands.
pub async fn execute(
    client: &Client,
    state: &SharedState,
    params: &ExecuteCommandParams,
) -> Option<Result<Option<Value>>> {
    let argument = params.arguments.first().filter(|a| !a.is_null());
    let token = params.work_done_progress_params.work_done_token.clone();
    match params.command.as_str() {
        DRAFT_COMMAND => Some(draft_command(client, state, argument, token).await),
        SUMMARIZE_COMMAND => Some(summarize_command(client, state, argument).await),
        _ => None,
    }
}

/// The document a command acts on: a `uri` (or `textDocument.uri`, as editors send a
/// `TextDocumentPositionParams`) in its argument, else the active one.
fn target_path(state: &SharedState, argument: Option<&Value>) -> Result<PathBuf> {
    let arguments: Vec<Value> = argument.cloned().into_iter().collect();
    let target = target(&arguments)?;
    with_state(state, |s| Some(document_of(s, &target))).ok_or_else(not_ready)?
}

async fn draft_command(
    client: &Client,
    state: &SharedState,
    argument: Option<&Value>,
    token: Option<ProgressToken>,
) -> Result<Option<Value>> {
    let path = target_path(state, argument)?;
    let drafted = match run(client, state, path, token).await {
        Ok(drafted) => drafted,
        // A manuscript with nothing to draft from is an answer, not a failed request.
        Err(e) => {
            client.show_message(MessageType::WARNING, e.message.to_string()).await;
            return Ok(Some(json!({"applied": false, "message": e.message})));
        }
    };
    let applied = tokio::time::timeout(PROGRESS_PATIENCE, client.apply_edit(drafted.edit))
        .await
        .ok()
        .and_then(|r| r.ok())
        .is_some_and(|r| r.applied);
    Ok(Some(json!({
        "applied": applied,
        "text": drafted.text,
        "words": drafted.words,
        "extractive": drafted.extractive,
        "message": drafted.message,
    })))
}

/// A computed draft as the editor gets it.
struct Drafted {
    edit: WorkspaceEdit,
    text: String,
    words: usize,
    extractive: bool,
    message: String,
}

/// What model work needs, copied out of the state.
struct Job {
    files: Vec<PaperFile>,
    versions: HashMap<PathBuf, i32>,
    models: Arc<Models>,
    /// Local model or the opt-in remote server.
    generator: GeneratorSettings,
    encoding: Encoding,
    progress: bool,
}

fn prepare(state: &SharedState, path: &Path) -> Result<Job> {
    with_state(state, |s| {
        s.workspace.load_source(path).ok()?;
        let files = PaperFile::project(&mut s.workspace, path);
        let versions =
            files.iter().filter_map(|f| Some((f.path.clone(), s.document(&f.path)?.1?))).collect();
        Some(Job {
            files,
            versions,
            models: s.models.clone(),
            generator: s.settings.generator.clone(),
            encoding: s.encoding,
            progress: s.client.work_done_progress,
        })
    })
    .ok_or_else(|| Error::invalid_params(format!("{} is not a manuscript", path.display())))
}

fn failed(message: String) -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
        message: message.into(),
        data: None,
    }
}

/// Drafts the abstract of `path`'s project with progress reports, and builds the edit.
async fn run(
    client: &Client,
    state: &SharedState,
    path: PathBuf,
    token: Option<ProgressToken>,
) -> Result<Drafted> {
    let job = prepare(state, &path)?;
    let (tx, mut reports) = tokio::sync::mpsc::unbounded_channel::<String>();
    let progress = begin_progress(client, token, job.progress).await;
    let (versions, encoding) = (job.versions, job.encoding);
    let mut work = std::pin::pin!(blocking::run(move |cancel| {
        let cancelled = || cancel.is_set();
        let embedder =
            job.models.embedder().map_err(|e| format!("{e}; run `scholia models fetch`"))?;
        let local;
        let writer = match chat_backend(&job.models, &job.generator) {
            Ok(backend) => {
                local = compose::with(backend);
                Writer::Model(&*local)
            }
            Err(e) => Writer::Extractive(format!("no generator: {e}")),
        };
        let paper = Paper::new(job.files);
        let target = draft::locate(&paper.files).ok_or("no manuscript to draft from")?;
        let mut report = |m: &str| drop(tx.send(m.to_owned()));
        let result = draft::draft(&paper, &embedder, writer, &mut report, &cancelled)
            .map_err(|e| e.to_string())?;
        let placement = draft::place(&paper.files, target, &result.text());
        let file = &paper.files[placement.target.file];
        let document = Document::new(&file.text, 0);
        Ok::<_, String>((
            result,
            placement.new_text,
            range(&document, &placement.target.span, encoding),
            file.path.clone(),
        ))
    }));
    let outcome = loop {
        tokio::select! {
            Some(message) = reports.recv() => {
                if let Some(p) = &progress {
                    p.report(message).await;
                }
            }
            joined = &mut work => break joined,
        }
    };
    if let Some(p) = progress {
        p.finish().await;
    }
    let (result, new_text, edit_range, file) = outcome
        .map_err(|e| failed(format!("drafting stopped: {e}")))?
        .map_err(|e| failed(format!("cannot draft an abstract: {e}")))?;
    let uri = uri_of(&file).ok_or_else(|| failed(format!("no uri for {}", file.display())))?;
    let edit = TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri,
            version: versions.get(&file).copied(),
        },
        edits: vec![OneOf::Left(TextEdit { range: edit_range, new_text })],
    };
    Ok(Drafted {
        edit: WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![edit])),
            ..WorkspaceEdit::default()
        },
        text: result.text(),
        words: result.words(),
        extractive: matches!(result.source, draft::Source::Extractive { .. }),
        message: result.summary(),
    })
}

/// Work-done progress on the client's token, or on one we create when the client allows.
async fn begin_progress(
    client: &Client,
    token: Option<ProgressToken>,
    supported: bool,
) -> Option<
    tower_lsp_server::OngoingProgress<
        tower_lsp_server::Unbounded,
        tower_lsp_server::NotCancellable,
    >,
> {
    let token = match token {
        Some(token) => token,
        None if supported => {
            let token = NumberOrString::String(format!("scholia-draft-{}", std::process::id()));
            let params = WorkDoneProgressCreateParams { token: token.clone() };
            let created = tokio::time::timeout(
                PROGRESS_PATIENCE,
                client.send_request::<WorkDoneProgressCreate>(params),
            )
            .await;
            matches!(created, Ok(Ok(()))).then_some(token)?
        }
        None => return None,
    };
    Some(client.progress(token, "Drafting abstract").begin().await)
}

async fn summarize_command(
    client: &Client,
    state: &SharedState,
    argument: Option<&Value>,
) -> Result<Option<Value>> {
    let path = target_path(state, argument)?;
    // A `range`, or an editor's cursor `position` (an empty range).
    let selected: Option<Range> = argument
        .and_then(|a| {
            a.get("range")
                .cloned()
                .or_else(|| Some(json!({"start": a.get("position")?, "end": a.get("position")?})))
        })
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| Error::invalid_params(format!("range: {e}")))?;
    let (sentences, models) = with_state(state, |s| {
        let encoding = s.encoding;
        let cursor = s.active.as_ref().filter(|a| a.path == path).and_then(|a| a.offset);
        let file = s.workspace.file(&path)?;
        let span = match selected {
            Some(r) => {
                offset(&file.document, r.start, encoding)..offset(&file.document, r.end, encoding)
            }
            // No cursor known yet (just opened): the first paragraph.
            None => cursor
                .or_else(|| file.manuscript.paragraphs.first().map(|p| p.span.start))
                .map(|at| at..at)?,
        };
        let text = file.document.text();
        Some((selection::selected_sentences(&file.manuscript, &text, span), s.models.clone()))
    })
    .ok_or_else(|| Error::invalid_params("no selection or cursor in an open manuscript"))?;
    if sentences.is_empty() {
        return Err(Error::invalid_params("no prose to summarise there"));
    }
    let summary = blocking::run(move |cancelled| {
        let summarizer = Summarizer::new(&models).map_err(|e| e.to_string())?;
        if cancelled.is_set() {
            return Err("cancelled".into());
        }
        selection::summarize(&summarizer, &sentences).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| failed(e.to_string()))?
    .map_err(failed)?;
    client.show_message(MessageType::INFO, format!("Summary: {summary}")).await;
    Ok(Some(json!({ "summary": summary })))
}
