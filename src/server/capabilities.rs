//! What scholia tells the client it can do, and the position encoding it picks.

use tower_lsp_server::lsp_types::*;

use super::draft::{DRAFT_COMMAND, SUMMARIZE_COMMAND};
use super::{assistant, related};
use crate::text::Encoding;

/// Files whose changes on disk matter: manuscripts, bibliographies, the project file.
pub const WATCHED_GLOB: &str = "**/*.{tex,md,markdown,rmd,qmd,bib,json,yaml,yml,toml}";

/// Reports the model state, the queue and the cache counters.
pub const STATUS_COMMAND: &str = "scholia.status";

/// UTF-8 when the client offers it (no conversion needed), else the LSP default UTF-16.
pub fn negotiate_encoding(capabilities: &ClientCapabilities) -> Encoding {
    let offered = capabilities.general.as_ref().and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

pub fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            ..TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["{".into(), ",".into(), "@".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: [STATUS_COMMAND, DRAFT_COMMAND, SUMMARIZE_COMMAND]
                .iter()
                .chain(&related::COMMANDS)
                .chain(&assistant::COMMANDS)
                .map(|c| c.to_string())
                .collect(),
            ..ExecuteCommandOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::REFACTOR_REWRITE,
                CodeActionKind::SOURCE,
            ]),
            resolve_provider: Some(true),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}
