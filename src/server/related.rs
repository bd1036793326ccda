//! LSP glue for related work: the `scholia.relatedWork` and `scholia.extractRelatedWork`
//! commands and the outline code action. What is needed is copied out under the state lock;
//! model work runs on a blocking thread after the lock is released.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::Client;

use super::backend::{ask, with_state, SharedState};
use super::blocking;
use super::command_args::{document_of, failed, not_ready, target, Target};
use super::convert::{self, path_of, uri_of};
use super::state::State;
use crate::analysis::related::{
    analyse, cite_style, cited_in_related_sections, cited_table, markdown, outline_edit,
    related_section_at, summary_json, Corpus, Interruptible, RelatedWork, VectorCache,
};
use crate::bib::Entry;
use crate::model::Models;
use crate::syntax::Section;
use crate::text::{Document, Encoding};

/// Ranks, groups and reports the project's bibliography; arguments: none (the active
/// document), a document URI, `{ "uri", "range"? }` (relevance to the range) or a
/// `TextDocumentPositionParams`.
pub const RELATED_COMMAND: &str = "scholia.relatedWork";
/// Tabulates the papers cited in the Related Work section(s); arguments as above.
pub const EXTRACT_COMMAND: &str = "scholia.extractRelatedWork";
pub const COMMANDS: [&str; 2] = [RELATED_COMMAND, EXTRACT_COMMAND];

/// Reports go to `<folder of the root document>/.scholia/`.
const OUTPUT_FOLDER: &str = ".scholia";
const REPORT_FILE: &str = "related-work.md";
const CITED_FILE: &str = "related-work-cited.md";
const OUTLINE_TITLE: &str = "Insert related-work outline";
/// Marks the outline action's `data` for `codeAction/resolve`.
const OUTLINE_DATA: &str = "scholia.relatedOutline";

/// Inputs of an analysis, copied out of the state.
struct Prepared {
    corpus: Corpus,
    models: Arc<Models>,
    vectors: Arc<VectorCache>,
}

/// Gathers the project of `path`; `selection` is a byte range of `path`.
fn prepare(state: &mut State, path: &Path, selection: Option<std::ops::Range<usize>>) -> Prepared {
    let project = state.workspace.project_of(path);
    let summaries = state.summaries.clone();
    let tldr = |e: &Entry| summaries.peek(e.title.as_deref(), e.abstract_text.as_deref());
    Prepared {
        corpus: crate::analysis::related::gather(&state.workspace, &project, path, selection, tldr),
        models: state.models.clone(),
        vectors: state.vectors.clone(),
    }
}

/// Runs the analysis on a blocking thread, then `finish` there too (file writes).
async fn analyse_off_thread<T: Send + 'static>(
    prepared: Prepared,
    finish: impl FnOnce(RelatedWork) -> std::result::Result<T, String> + Send + 'static,
) -> Result<T> {
    let job = move |cancelled: blocking::Cancelled| {
        let embedder = prepared.models.embedder().map_err(|e| e.to_string())?;
        let stop = || cancelled.is_set();
        let embedder = Interruptible::new(&*embedder, &stop);
        let work =
            analyse(prepared.corpus, &prepared.vectors, &embedder).map_err(|e| e.to_string())?;
        finish(work)
    };
    match blocking::run(job).await {
        Ok(result) => result.map_err(failed),
        Err(e) => Err(failed(format!("related-work analysis stopped: {e}"))),
    }
}

pub async fn execute(
    client: &Client,
    shared: &SharedState,
    params: ExecuteCommandParams,
) -> Result<Option<Value>> {
    let target = target(&params.arguments)?;
    let result = if params.command == EXTRACT_COMMAND {
        extract(client, shared, target).await
    } else {
        report(client, shared, target).await
    };
    if let Err(e) = &result {
        tracing::warn!("{}: {}", params.command, e.message);
    }
    result.map(Some)
}

async fn report(client: &Client, shared: &SharedState, target: Target) -> Result<Value> {
    let (prepared, show) = with_state(shared, |state| {
        Some(document_of(state, &target).map(|path| {
            let selection = target.range.and_then(|range| {
                let (document, _) = state.document(&path)?;
                let bytes = convert::offset(document, range.start, state.encoding)
                    ..convert::offset(document, range.end, state.encoding);
                (!bytes.is_empty()).then_some(bytes)
            });
            (prepare(state, &path, selection), state.client.show_document)
        }))
    })
    .ok_or_else(not_ready)??;
    let output = output_path(&prepared.corpus.root, REPORT_FILE);
    let written = output.clone();
    let summary = analyse_off_thread(prepared, move |work| {
        write(&written, &markdown(&work))?;
        Ok(summary_json(&work, &written))
    })
    .await?;
    if show {
        show_document(client, &output).await;
    }
    Ok(summary)
}

async fn extract(client: &Client, shared: &SharedState, target: Target) -> Result<Value> {
    let (rows, root, name, show) = with_state(shared, |state| {
        Some(document_of(state, &target).map(|path| {
            let project = state.workspace.project_of(&path);
            let summaries = &state.summaries;
            let rows = cited_in_related_sections(&state.workspace, &project, |e| {
                summaries.peek(e.title.as_deref(), e.abstract_text.as_deref())
            });
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            (rows, project.root, name.unwrap_or_default(), state.client.show_document)
        }))
    })
    .ok_or_else(not_ready)??;
    let output = output_path(&root, CITED_FILE);
    let table = cited_table(&name, &rows);
    let written = output.clone();
    tokio::task::spawn_blocking(move || write(&written, &table))
        .await
        .map_err(failed)?
        .map_err(failed)?;
    if show {
        show_document(client, &output).await;
    }
    Ok(json!({ "path": output, "entries": rows.len(), "rows": rows }))
}

fn output_path(root: &Path, file: &str) -> PathBuf {
    root.parent().unwrap_or(Path::new(".")).join(OUTPUT_FOLDER).join(file)
}

fn write(path: &Path, text: &str) -> std::result::Result<(), String> {
    let folder = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)
        .and_then(|()| std::fs::write(path, text))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

async fn show_document(client: &Client, path: &Path) {
    let Some(uri) = uri_of(path) else { return };
    let params =
        ShowDocumentParams { uri, external: None, take_focus: Some(true), selection: None };
    if ask(client.show_document(params)).await != Some(true) {
        tracing::warn!("the client did not show {}", path.display());
    }
}

/// Code actions at `params.range`: in a Related Work section the outline (its edit computed
/// on `codeAction/resolve` when the client can resolve) and the extraction; with a
/// selection, the report ranked by relevance to it.
pub async fn code_actions(
    shared: &SharedState,
    params: &CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let uri = &params.text_document.uri;
    let Some((offset, in_section, selection, resolve)) = with_state(shared, |state| {
        let path = path_of(uri)?;
        let file = state.workspace.load_source(&path).ok()?;
        let offset = convert::offset(&file.document, params.range.start, state.encoding);
        let in_section = related_section_at(&file.manuscript, offset).is_some();
        Some((
            offset,
            in_section,
            params.range.start != params.range.end,
            state.client.resolve_code_actions,
        ))
    }) else {
        return Vec::new();
    };
    let wanted = |kind: &CodeActionKind| {
        params.context.only.as_ref().is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let mut actions = Vec::new();
    if in_section && wanted(&CodeActionKind::REFACTOR_REWRITE) {
        let data = json!({ OUTLINE_DATA: { "uri": uri.as_str(), "offset": offset } });
        let mut action = CodeAction {
            title: OUTLINE_TITLE.into(),
            kind: Some(CodeActionKind::REFACTOR_REWRITE),
            data: Some(data),
            ..CodeAction::default()
        };
        if resolve {
            actions.push(CodeActionOrCommand::CodeAction(action));
        } else {
            match outline(shared, uri, offset).await {
                Ok(edit) => {
                    action.edit = Some(edit);
                    action.data = None;
                    actions.push(CodeActionOrCommand::CodeAction(action));
                }
                Err(e) => tracing::warn!("related-work outline: {}", e.message),
            }
        }
    }
    let command = |title: &str, name: &str, argument: Value| {
        CodeActionOrCommand::CodeAction(CodeAction {
            title: title.into(),
            kind: Some(CodeActionKind::SOURCE),
            command: Some(Command::new(title.into(), name.into(), Some(vec![argument]))),
            ..CodeAction::default()
        })
    };
    if wanted(&CodeActionKind::SOURCE) {
        if selection {
            let argument = json!({ "uri": uri.as_str(), "range": params.range });
            actions.push(command(
                "Related-work report for the selection",
                RELATED_COMMAND,
                argument,
            ));
        } else if in_section {
            let argument = json!({ "uri": uri.as_str() });
            actions.push(command(
                "Related-work report: rank and group the bibliography",
                RELATED_COMMAND,
                argument,
            ));
        }
        if in_section {
            let argument = json!({ "uri": uri.as_str() });
            actions.push(command(
                "Tabulate the papers cited in Related Work",
                EXTRACT_COMMAND,
                argument,
            ));
        }
    }
    actions
}

/// Fills in the outline action's edit; other actions come back unchanged.
pub async fn resolve(shared: &SharedState, mut action: CodeAction) -> Result<CodeAction> {
    let Some(data) = action.data.as_ref().and_then(|d| d.get(OUTLINE_DATA)) else {
        return Ok(action);
    };
    let uri: Option<Uri> = data.get("uri").and_then(Value::as_str).and_then(|u| u.parse().ok());
    let offset = data.get("offset").and_then(Value::as_u64).map(|o| o as usize);
    let (Some(uri), Some(offset)) = (uri, offset) else {
        return Err(Error::invalid_params("the outline action's data lacks its uri or offset"));
    };
    action.edit = Some(outline(shared, &uri, offset).await?);
    Ok(action)
}

/// The outline edit for the Related Work section at `offset` of `uri`.
async fn outline(shared: &SharedState, uri: &Uri, offset: usize) -> Result<WorkspaceEdit> {
    struct Input {
        prepared: Prepared,
        source: String,
        section: Section,
        style: crate::analysis::related::CiteStyle,
        encoding: Encoding,
    }
    let input = with_state(shared, |state| {
        let path = path_of(uri)?;
        let project = state.workspace.project_of(&path);
        let file = state.workspace.file(&path)?;
        let section = related_section_at(&file.manuscript, offset)?.clone();
        let others = project
            .files
            .iter()
            .filter(|p| **p != path)
            .filter_map(|p| state.workspace.file(p))
            .map(|f| &f.manuscript);
        let style = cite_style(&file.manuscript, others);
        let source = file.document.text();
        Some(Input {
            prepared: prepare(state, &path, None),
            source,
            section,
            style,
            encoding: state.encoding,
        })
    })
    .ok_or_else(|| failed("no Related Work section there any more"))?;
    let uri = uri.clone();
    analyse_off_thread(input.prepared, move |work| {
        let edit = outline_edit(&input.source, &input.section, &work, &input.style);
        // Positions in the text the outline was computed for.
        let document = Document::new(&input.source, 0);
        let at = convert::position(&document, edit.offset, input.encoding);
        let text_edit = TextEdit { range: Range { start: at, end: at }, new_text: edit.text };
        Ok(WorkspaceEdit {
            changes: Some([(uri, vec![text_edit])].into_iter().collect()),
            ..WorkspaceEdit::default()
        })
    })
    .await
}
