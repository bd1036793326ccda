//! tree-sitter parsing of LaTeX and Markdown into the manuscript IR.
//!
//! Markup becomes masks (`prose`), which the shared sentence splitter and prose renderer
//! read; `latex` and `markdown` only decide what is markup.

mod front_matter;
pub mod ir;
mod latex;
mod latex_args;
mod latex_cite;
mod markdown;
mod markdown_inline;
mod pandoc_cite;
mod prose;
mod sections;
mod sentences;

pub use ir::*;
pub use prose::{CITATION_PLACEHOLDER, MATH_PLACEHOLDER, NUMBER_PLACEHOLDER};
pub use sentences::split_sentences;

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
        self.expected_len =
            self.expected_len - (edit.old_end - edit.start) + (edit.new_end - edit.start);
    }

    /// Parses `text` (incrementally when edits were recorded) and builds its IR.
    pub fn parse(&mut self, text: &str, options: &ParseOptions) -> Manuscript {
        if self.expected_len != text.len() {
            self.tree = None;
        }
        let Some(parser) = &mut self.parser else {
            return Manuscript::empty(self.language);
        };
        self.tree = parser.parse(text, self.tree.as_ref());
        self.expected_len = text.len();
        let Some(tree) = &self.tree else {
            return Manuscript::empty(self.language);
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Point as TextPoint;

    fn point(text: &str, offset: usize) -> TextPoint {
        let before = &text[..offset];
        let row = before.matches('\n').count();
        TextPoint { row, column: offset - before.rfind('\n').map_or(0, |p| p + 1) }
    }

    /// A tiny deterministic generator, so failures replay.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n.max(1)
        }
    }

    fn replace(text: &mut String, rng: &mut Lcg, snippets: &[&str]) -> ByteEdit {
        let mut start = rng.below(text.len() + 1);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut old_end = (start + rng.below(12)).min(text.len());
        while !text.is_char_boundary(old_end) {
            old_end += 1;
        }
        let insert = snippets[rng.below(snippets.len())];
        let (start_point, old_end_point) = (point(text, start), point(text, old_end));
        text.replace_range(start..old_end, insert);
        let new_end = start + insert.len();
        ByteEdit {
            start,
            old_end,
            new_end,
            start_point,
            old_end_point,
            new_end_point: point(text, new_end),
        }
    }

    fn incremental_matches_fresh(language: Language, text: &str, snippets: &[&str], seed: u64) {
        let options = ParseOptions { extra_cite_commands: vec!["citenum".into()] };
        let mut rng = Lcg(seed);
        let mut text = text.to_string();
        let mut tree = SyntaxTree::new(language);
        tree.parse(&text, &options);
        for step in 0..300 {
            let edit = replace(&mut text, &mut rng, snippets);
            tree.edit(&edit);
            let incremental = tree.parse(&text, &options);
            assert_eq!(incremental, parse(language, &text, &options), "step {step}: {text:?}");
        }
    }

    #[test]
    fn incremental_latex_parse_equals_fresh_parse() {
        let text = "\\documentclass{article}\n\\begin{document}\n\\section{Intro}\nWe cite \\citep[p.~2]{a, b}. \
                    Math $x$ here.\n\n\\begin{figure}\\caption{C \\cite{c}.}\\end{figure}\n% comment\n\
                    \\subsection{Methods} Et al. show it.\\footnote{See \\citet{d}.}\n\\end{document}\n";
        let snippets = [
            "",
            "\\cite{",
            "}",
            "{",
            "$",
            "\n\n",
            "word ",
            "\\section{Results}",
            ". The",
            "%",
            "\\citenum{k}",
            "\\begin{equation}",
            "\\end{equation}",
            "é",
            "\\emph{",
            "\\begin{abstract}",
            "\\end{document}",
        ];
        for seed in 0..4 {
            incremental_matches_fresh(Language::Latex, text, &snippets, seed);
        }
    }

    #[test]
    fn incremental_markdown_parse_equals_fresh_parse() {
        let text = "---\nbibliography: refs.bib\n---\n\n# Intro\n\nWe cite [@a; @b]. Math $x$ and `code @c`.\n\n\
                    Setext\n------\n\n- item @d\n\n```\n@e\n```\n";
        let snippets = [
            "",
            "[@",
            "]",
            "@k ",
            "`",
            "$",
            "\n\n",
            "# H\n",
            "word. The",
            "---\n",
            "> ",
            "*",
            "<!--",
            "-->",
            "ü",
        ];
        for seed in 0..4 {
            incremental_matches_fresh(Language::Markdown, text, &snippets, seed);
        }
    }

    #[test]
    fn invalid_or_missed_edits_fall_back_to_a_fresh_parse() {
        let mut tree = SyntaxTree::new(Language::Latex);
        let options = ParseOptions::default();
        tree.parse("\\cite{a}", &options);
        let p = TextPoint::default();
        let bogus = ByteEdit {
            start: 50,
            old_end: 10,
            new_end: 99,
            start_point: p,
            old_end_point: p,
            new_end_point: p,
        };
        tree.edit(&bogus);
        let text = "\\cite{b} and \\cite{c}";
        assert_eq!(tree.parse(text, &options), parse(Language::Latex, text, &options));
        // An edit the tree never heard of: the length no longer matches.
        let text = "\\cite{bb}";
        assert_eq!(tree.parse(text, &options).citations[0].keys[0].key, "bb");
    }

    #[test]
    fn hostile_input_never_panics() {
        let mut inputs = vec![
            "{".repeat(100_000),
            "}".repeat(10_000),
            "\\cite{".repeat(20_000),
            "\\section{".repeat(20_000),
            "\\begin{figure}".repeat(5_000),
            "$".repeat(10_001),
            "[@".repeat(20_000),
            "`".repeat(5_000) + "@a",
            "\\".to_string(),
            "\\cite".to_string(),
            "@".to_string(),
            "---\n".to_string(),
            "\u{0}\u{1}\u{fffd}\\\u{7f}é{@}[$".repeat(1_000),
        ];
        inputs.push((0..=255u8).map(char::from).collect::<String>().repeat(100));
        for text in &inputs {
            for language in [Language::Latex, Language::Markdown] {
                let ir = parse(language, text, &ParseOptions::default());
                for k in ir.cited_keys() {
                    assert_eq!(&text[k.span.clone()], k.key);
                }
            }
        }
    }

    #[test]
    fn a_few_megabytes_parse_in_bounded_time() {
        let paragraph =
            "We show that \\citet{a} and $x$ hold, e.g. in Fig.~\\ref{f}. Then it ends.\n\n";
        let text = paragraph.repeat(4 << 20 >> 7);
        let started = std::time::Instant::now();
        let ir = parse(Language::Latex, &text, &ParseOptions::default());
        assert_eq!(ir.sentences.len(), 2 * (4 << 20 >> 7));
        assert!(started.elapsed().as_secs() < 60, "took {:?}", started.elapsed());
    }
}
