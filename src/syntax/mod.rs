//! tree-sitter parsing of LaTeX and Markdown into the manuscript IR.
//!
//! Markup becomes masks (`prose`), which the shared sentence splitter and prose renderer
//! read; `latex` and `markdown` only decide what is markup.

pub mod ir;
mod latex;
mod latex_args;
mod latex_cite;
mod markdown;
mod markdown_inline;
mod pandoc_cite;
mod front_matter;
mod prose;
mod sections;
mod sentences;

pub use ir::*;
pub use prose::{CITATION_PLACEHOLDER, MATH_PLACEHOLDER, NUMBER_PLACEHOLDER};

use tree_sitter::{InputEdit, Parser, Point, Tree};

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
    parser: Option<Parser>,
    tree: Option<Tree>,
    /// Length the text must have for `tree` (edited) to be reused; anything else means an
    /// edit was missed or invalid, and the next parse starts fresh.
    expected_len: usize,
}

impl SyntaxTree {
    pub fn new(language: Language) -> Self {
        let grammar = match language {
            Language::Latex => codebook_tree_sitter_latex::LANGUAGE,
            Language::Markdown => tree_sitter_md::LANGUAGE,
        };
        let mut parser = Parser::new();
        let parser = parser.set_language(&grammar.into()).is_ok().then_some(parser);
        Self { language, parser, tree: None, expected_len: 0 }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Records an edit already applied to the text, so the next parse reuses the old tree.
    pub fn edit(&mut self, edit: &ByteEdit) {
        let Some(tree) = &mut self.tree else { return };
        let valid = edit.start <= edit.old_end
            && edit.start <= edit.new_end
            && edit.old_end <= self.expected_len;
        if !valid {
            self.tree = None;
            return;
        }
        let point = |p: crate::text::Point| Point { row: p.row, column: p.column };
        tree.edit(&InputEdit {
            start_byte: edit.start,
            old_end_byte: edit.old_end,
            new_end_byte: edit.new_end,
            start_position: point(edit.start_point),
            old_end_position: point(edit.old_end_point),
            new_end_position: point(edit.new_end_point),
        });
        self.expected_len = self.expected_len - (edit.old_end - edit.start) + (edit.new_end - edit.start);
    }

    /// Parses `text` (incrementally when edits were recorded) and builds its IR.
    pub fn parse(&mut self, text: &str, options: &ParseOptions) -> Manuscript {
        if self.expected_len != text.len() {
            self.tree = None;
        }
        let Some(parser) = &mut self.parser else { return Manuscript::empty(self.language) };
        self.tree = parser.parse(text, self.tree.as_ref());
        self.expected_len = text.len();
        let Some(tree) = &self.tree else { return Manuscript::empty(self.language) };
        match self.language {
            Language::Latex => latex::build(tree, text, options),
            Language::Markdown => markdown::build(tree, text),
        }
    }
}

/// One-shot parse of a whole text.
pub fn parse(language: Language, text: &str, options: &ParseOptions) -> Manuscript {
    SyntaxTree::new(language).parse(text, options)
}
