//! LSP <-> analysis conversions: URIs and paths, byte spans and ranges, severities.

use std::ops::Range;
use std::path::{Path, PathBuf};

use tower_lsp_server::lsp_types::{self as lsp, Uri};
use tower_lsp_server::UriExt;

use crate::bib::Severity;
use crate::text::{Document, Encoding, TextPosition};

pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().map(|s| s.as_str()) != Some("file") {
        return None;
    }
    uri.to_file_path().map(|p| crate::project::paths::normalize(&p))
}

pub fn uri_of(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

pub fn text_position(pos: lsp::Position) -> TextPosition {
    TextPosition { line: pos.line, character: pos.character }
}

pub fn position(doc: &Document, offset: usize, encoding: Encoding) -> lsp::Position {
    let p = doc.position(offset, encoding);
    lsp::Position { line: p.line, character: p.character }
}

pub fn range(doc: &Document, span: &Range<usize>, encoding: Encoding) -> lsp::Range {
    lsp::Range {
        start: position(doc, span.start, encoding),
        end: position(doc, span.end, encoding),
    }
}

pub fn offset(doc: &Document, pos: lsp::Position, encoding: Encoding) -> usize {
    doc.offset(text_position(pos), encoding)
}

pub fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}
