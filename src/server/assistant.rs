//! Assistant commands about claims and the index: citations for the sentence at the
//! cursor, a check of every claim of the project now, and a fresh read of the project
//! from disk. Model work runs on a blocking thread, never under the state lock.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::Client;

use super::backend::{ask, publish, with_state, SharedState};
use super::blocking;
use super::command_args::{document_of, failed, not_ready, target, Target};
use super::convert::{self, uri_of};
use super::{claims, state::State};
use crate::analysis::claims::{cite, detect, inputs, Checker};
use crate::jobs::claims::Claims;
use crate::jobs::summaries::ModelState;
use crate::text::Document;

pub const SUGGEST_COMMAND: &str = "scholia.suggestCitations";
pub const CHECK_COMMAND: &str = "scholia.checkClaims";
pub const REINDEX_COMMAND: &str = "scholia.reindex";
pub const COMMANDS: [&str; 3] = [SUGGEST_COMMAND, CHECK_COMMAND, REINDEX_COMMAND];

/// `scholia.checkClaims` gives up waiting for the models after this long.
const CHECK_PATIENCE: Duration = Duration::from_secs(600);

/// `None` for commands of other rooms.
pub async fn execute(
    client: &Client,
    shared: &SharedState,
    params: &ExecuteCommandParams,
) -> Option<Result<Option<Value>>> {
    let command = params.command.as_str();
    if !COMMANDS.contains(&command) {
        return None;
    }
    let result = match target(&params.arguments) {
        Ok(target) if command == SUGGEST_COMMAND => suggest(client, shared, target).await,
        Ok(target) if command == CHECK_COMMAND => check_all(client, shared, target).await,
        Ok(_) => reindex(client, shared).await,
        Err(e) => Err(e),
    };
    Some(result.map(Some))
}

/// "Suggest citations" on any sentence under the cursor.
pub fn actions(state: &mut State, uri: &Uri, range: Range) -> Vec<CodeActionOrCommand> {
    let Some(path) = convert::path_of(uri) else { return Vec::new() };
    let Some((document, _)) = state.document(&path) else { return Vec::new() };
    let at = convert::offset(document, range.start, state.encoding);
    let Some(file) = state.workspace.file(&path) else { return Vec::new() };
    let inside = file.manuscript.sentences.iter().any(|s| s.span.contains(&at));
    if !inside {
        return Vec::new();
    }
    let arguments = vec![json!({"uri": uri, "range": range})];
    vec![CodeActionOrCommand::CodeAction(CodeAction {
        title: "Suggest citations for this sentence".into(),
        kind: Some(CodeActionKind::REFACTOR),
        command: Some(Command {
            title: "Suggest citations".into(),
            command: SUGGEST_COMMAND.into(),
            arguments: Some(arguments),
        }),
        ..CodeAction::default()
    })]
}

/// Entries of the bibliography that would support the sentence at the cursor; the writer
/// picks one (`window/showMessageRequest`) and it is inserted in the document's style.
// `WorkspaceEdit::changes` is keyed by `Uri`, which clippy takes for interior-mutable.
#[allow(clippy::mutable_key_type)]
async fn suggest(client: &Client, shared: &SharedState, target: Target) -> Result<Value> {
    let prepared = with_state(shared, |state| Some(prepare_suggest(state, &target)));
    let (job, path, manuscript, text, encoding, thresholds) =
        match prepared.ok_or_else(not_ready)? {
            Ok(prepared) => prepared,
            // No sentence under the cursor: say so, as an answer rather than a failure.
            Err(e) => {
                client.show_message(MessageType::INFO, e.message.to_string()).await;
                return Ok(json!({"sentence": null, "suggestions": [], "message": e.message}));
            }
        };
    let (input, pool, models, sentence) = job;
    let cited: Vec<String> = input.cited.iter().map(|c| c.key.clone()).collect();
    let claim = detect::clean(&input.prose);
    let found = blocking::run(move |cancelled| {
        let (checker, _) = Checker::new(&models, thresholds).map_err(|e| e.to_string())?;
        // Loading the models is the long part of a first suggestion.
        if cancelled.is_set() {
            return Err("cancelled".into());
        }
        let cited: Vec<&str> = cited.iter().map(String::as_str).collect();
        checker.suggest(&claim, &cited, &pool).map_err(|e| e.to_string())
    })
    .await
    .map_err(failed)?
    .map_err(failed)?;
    let document = Document::new(&text, 0);
    let uri = uri_of(&path).ok_or_else(|| failed("the document has no file URI"))?;
    let mut listed = Vec::new();
    let mut edits = BTreeMap::new();
    for s in &found {
        let Some(fix) = cite::cite_fix(&manuscript, &text, sentence, &s.key, &s.title) else {
            continue;
        };
        let edit = TextEdit {
            range: convert::range(&document, &fix.span, encoding),
            new_text: fix.replacement,
        };
        listed.push(json!({"key": s.key, "title": s.title, "score": s.score, "edit": edit}));
        edits.insert(s.key.clone(), edit);
    }
    if !edits.is_empty() {
        let choices = edits
            .keys()
            .map(|k| MessageActionItem { title: k.clone(), properties: Default::default() });
        let request = client.show_message_request(
            MessageType::INFO,
            format!(
                "Cite which entry for \u{201c}{}\u{201d}?",
                input.prose.replace("[REF]", "").trim()
            ),
            Some(choices.collect()),
        );
        if let Some(Some(choice)) = ask(request).await {
            if let Some(edit) = edits.remove(&choice.title) {
                let changes = [(uri, vec![edit])].into_iter().collect();
                let workspace_edit =
                    WorkspaceEdit { changes: Some(changes), ..WorkspaceEdit::default() };
                ask(client.apply_edit(workspace_edit)).await;
            }
        }
    } else {
        client
            .show_message(MessageType::INFO, "scholia found no entry supporting this sentence")
            .await;
    }
    Ok(json!({"sentence": input.prose, "suggestions": listed}))
}

type SuggestJob = (
    crate::analysis::claims::SentenceInput,
    crate::analysis::claims::Pool,
    std::sync::Arc<crate::model::Models>,
    usize,
);

type Prepared = (
    SuggestJob,
    std::path::PathBuf,
    crate::syntax::Manuscript,
    String,
    crate::text::Encoding,
    crate::analysis::claims::Thresholds,
);

/// The sentence at the target's position (or the active cursor) and what checking it needs.
fn prepare_suggest(state: &mut State, target: &Target) -> Result<Prepared> {
    let path = document_of(state, target)?;
    let offset = match (&target.range, &state.active) {
        (Some(range), _) => {
            let (document, _) = state.document(&path).ok_or_else(not_ready)?;
            Some(convert::offset(document, range.start, state.encoding))
        }
        (None, Some(active)) if active.path == path => active.offset,
        _ => None,
    };
    let offset = offset.ok_or_else(|| failed("place the cursor in a sentence first"))?;
    let project = state.workspace.project_of(&path);
    let file = state.workspace.file(&path).ok_or_else(not_ready)?;
    let sentence = file
        .manuscript
        .sentences
        .iter()
        .position(|s| s.span.start <= offset && offset <= s.span.end)
        .ok_or_else(|| failed("the cursor is not in a sentence"))?;
    let input = inputs::sentence_input(&state.workspace, &project, &file.manuscript, sentence);
    let pool = inputs::pool(&state.workspace, &project);
    let job = (input, pool, state.models.clone(), sentence);
    let text = file.document.text();
    Ok((job, path, file.manuscript.clone(), text, state.encoding, state.settings.claims.thresholds))
}

/// Queues every sentence of the project, waits until each has a verdict, and returns
/// how many of each diagnostic the project has.
async fn check_all(client: &Client, shared: &SharedState, target: Target) -> Result<Value> {
    let path =
        with_state(shared, |state| Some(document_of(state, &target))).ok_or_else(not_ready)??;
    publish(client, shared).await;
    let started = Instant::now();
    loop {
        let progress = with_state(shared, |state| Some(pending(state, &path)));
        let (pending, sentences, problem) = progress.ok_or_else(not_ready)?;
        if let Some(reason) = problem {
            return Err(failed(format!("claims cannot be checked: {reason}")));
        }
        if pending == 0 {
            publish(client, shared).await;
            let counts =
                with_state(shared, |state| Some(counts(state, &path))).ok_or_else(not_ready)?;
            let mut result =
                json!({"sentences": sentences, "seconds": started.elapsed().as_secs_f64()});
            result["diagnostics"] = counts;
            return Ok(result);
        }
        if started.elapsed() > CHECK_PATIENCE {
            return Err(failed(format!(
                "{pending} sentences still unchecked after {CHECK_PATIENCE:?}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Sentences of `path`'s project without a verdict, all sentences, and a model failure.
fn pending(state: &mut State, path: &std::path::Path) -> (usize, usize, Option<String>) {
    if state.settings.claims.disabled {
        return (0, 0, Some("claim checks are off (claims.enabled)".into()));
    }
    if let ModelState::Failed(reason) = state.claims.status().state {
        return (0, 0, Some(reason));
    }
    let project = state.workspace.project_of(path);
    let pool = inputs::pool(&state.workspace, &project);
    let sentences = inputs::project_sentences(&state.workspace, &project);
    let open = sentences
        .iter()
        .filter(|s| state.claims.peek(&Claims::key_of(&s.input, &pool)).is_none())
        .count();
    (open, sentences.len(), None)
}

fn counts(state: &mut State, path: &std::path::Path) -> Value {
    let project = state.workspace.project_of(path);
    let mut live = Default::default();
    let found = claims::project_diagnostics(
        &state.claims,
        &state.workspace,
        &project,
        &state.settings.claims,
        &mut live,
    );
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for d in found.values().flatten() {
        *counts.entry(d.code).or_default() += 1;
    }
    json!(counts)
}

/// Forgets what was read from disk and reads the open projects again.
async fn reindex(client: &Client, shared: &SharedState) -> Result<Value> {
    let dropped = with_state(shared, |state| {
        let dropped = state.workspace.reindex();
        for project in state.open_projects() {
            state.precompute_summaries(&project);
        }
        Some(dropped)
    })
    .ok_or_else(not_ready)?;
    publish(client, shared).await;
    Ok(json!({"reread": dropped}))
}
