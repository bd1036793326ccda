//! tree-sitter parsing of LaTeX and Markdown into the manuscript IR.

pub mod ir;

pub use ir::*;

use crate::text::ByteEdit;

/// Settings that change what the parser recognises.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParseOptions {
    /// Extra LaTeX citation commands (names without the backslash), e.g. `citenum`.
    pub extra_cite_commands: Vec<String>,
}

/// Incremental parse state of one document.
pub struct SyntaxTree {
    language: Language,
}

impl SyntaxTree {
    pub fn new(language: Language) -> Self {
        Self { language }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Records an edit already applied to the text, so the next parse reuses the old tree.
    pub fn edit(&mut self, _edit: &ByteEdit) {}

    /// Parses `text` (incrementally when edits were recorded) and builds its IR.
    pub fn parse(&mut self, _text: &str, _options: &ParseOptions) -> Manuscript {
        Manuscript::empty(self.language)
    }
}

/// One-shot parse of a whole text.
pub fn parse(language: Language, text: &str, options: &ParseOptions) -> Manuscript {
    SyntaxTree::new(language).parse(text, options)
}
