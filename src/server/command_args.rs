//! Arguments of `workspace/executeCommand` as every scholia command takes them: none (the
//! active document and cursor), a document URI, `{ "uri", "range"? }`, or the
//! `TextDocumentPositionParams` editor clients send.

use std::path::PathBuf;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::lsp_types::*;

use super::convert::path_of;
use super::state::State;

pub fn failed(message: impl std::fmt::Display) -> Error {
    // LSP's RequestFailed: a valid request that could not be carried out.
    Error { code: ErrorCode::ServerError(-32803), message: message.to_string().into(), data: None }
}

pub fn not_ready() -> Error {
    failed("scholia is not initialised")
}

/// What a command acts on.
pub struct Target {
    pub path: Option<PathBuf>,
    pub range: Option<Range>,
}

pub fn target(arguments: &[Value]) -> Result<Target> {
    let invalid = || {
        Error::invalid_params(
            "expected no argument, a document URI, { \"uri\", \"range\"? } or { \"textDocument\" }",
        )
    };
    let (uri, range) = match arguments.first() {
        None | Some(Value::Null) => return Ok(Target { path: None, range: None }),
        Some(Value::String(uri)) => (uri.clone(), None),
        Some(Value::Object(object)) => {
            // `{ uri, range? }`, or the `TextDocumentPositionParams` editor clients send.
            let uri = object
                .get("uri")
                .or_else(|| object.get("textDocument").and_then(|d| d.get("uri")))
                .and_then(Value::as_str)
                .ok_or_else(invalid)?;
            let range = match object.get("range") {
                None | Some(Value::Null) => None,
                Some(r) => Some(serde_json::from_value(r.clone()).map_err(|_| invalid())?),
            };
            (uri.to_owned(), range)
        }
        Some(_) => return Err(invalid()),
    };
    let uri: Uri = uri.parse().map_err(|_| Error::invalid_params(format!("not a URI: {uri}")))?;
    let path =
        path_of(&uri).ok_or_else(|| Error::invalid_params(format!("not a file URI: {uri:?}")))?;
    Ok(Target { path: Some(path), range })
}

/// The target's document (the active one when none is named), loaded.
pub fn document_of(state: &mut State, target: &Target) -> Result<PathBuf> {
    let path = match (&target.path, &state.active) {
        (Some(path), _) => path.clone(),
        (None, Some(active)) => active.path.clone(),
        (None, None) => {
            return Err(Error::invalid_params(
                "no active document: open a manuscript or pass its URI",
            ))
        }
    };
    state.workspace.load_source(&path).map_err(|e| Error::invalid_params(e.to_string()))?;
    Ok(path)
}
