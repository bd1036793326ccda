//! Pandoc Markdown into the manuscript IR: blocks from the tree-sitter block grammar,
//! inline markup and citations from `markdown_inline`.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::front_matter;
use super::ir::{Citation, Language, Manuscript, Section, SectionKind};
use super::markdown_inline::Inline;
use super::prose::{render_range, trim, Mask};
use super::sections::{self, Heading};
use super::sentences;

/// Blocks without prose or citations.
const SKIPPED: &[&str] = &[
    "fenced_code_block", "indented_code_block", "html_block", "link_reference_definition",
    "thematic_break",
];

pub(crate) fn build(tree: &Tree, text: &str) -> Manuscript {
    let mut masks: Vec<Mask> = Vec::new();
    let mut citations: Vec<Citation> = Vec::new();
    let mut headings: Vec<(u8, Range<usize>, Range<usize>)> = Vec::new();
    let mut paragraphs: Vec<Range<usize>> = Vec::new();
    let mut front = front_matter::FrontMatter::default();
    let mut inline = Inline::new(text, &mut masks, &mut citations);
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        let range = node.byte_range();
        let mut enter = false;
        match node.kind() {
            "minus_metadata" => {
                front = front_matter::read(text, range);
                if let Some((_, value)) = &front.abstract_ {
                    inline.scan(value.clone(), &[]);
                    paragraphs.push(value.clone());
                }
            }
            "atx_heading" | "setext_heading" => {
                let content = child(node, &["inline", "paragraph"]).map_or(range.end..range.end, |c| c.byte_range());
                inline.scan(content.clone(), &[]);
                headings.push((heading_level(node), trim(text, range), title_range(text, content)));
            }
            "paragraph" => {
                let mut skips = Vec::new();
                let mut children = node.walk();
                for c in node.children(&mut children) {
                    if c.kind() == "block_continuation" {
                        skips.push(c.byte_range());
                    }
                }
                inline.scan(range.clone(), &skips);
                paragraphs.push(range);
            }
            "pipe_table" => inline.scan(range, &[]),
            kind => enter = !SKIPPED.contains(&kind),
        }
        if enter && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return finish(text, masks, citations, headings, paragraphs, front);
            }
        }
    }
}

fn finish(
    text: &str,
    mut masks: Vec<Mask>,
    citations: Vec<Citation>,
    headings: Vec<(u8, Range<usize>, Range<usize>)>,
    paragraphs: Vec<Range<usize>>,
    front: front_matter::FrontMatter,
) -> Manuscript {
    masks.sort_by_key(|m| m.span.start);
    let headings = headings
        .into_iter()
        .map(|(level, span, title)| Heading { level, span, title: render_range(text, title, &masks) })
        .collect();
    let mut sections = sections::close(headings, text.len());
    if let Some((key, value)) = front.abstract_ {
        sections.insert(0, Section {
            title: "Abstract".into(),
            kind: SectionKind::Abstract,
            level: 1,
            span: key.start..value.end,
            heading_span: key,
        });
    }
    let (paragraphs, sentences) = sentences::build(text, &paragraphs, &masks, &sections, &citations);
    Manuscript {
        language: Language::Markdown,
        sections,
        paragraphs,
        sentences,
        citations,
        includes: Vec::new(),
        bibliographies: front.bibliographies,
        inline_references: front.inline_references,
        is_root: true,
        root_hint: None,
    }
}

fn child<'t>(node: Node<'t>, kinds: &[&str]) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    let found = node.children(&mut cursor).find(|c| kinds.contains(&c.kind()));
    found
}

fn heading_level(node: Node) -> u8 {
    let mut cursor = node.walk();
    let level = node.children(&mut cursor).find_map(|c| match c.kind() {
        "setext_h2_underline" => Some(2),
        kind => kind.strip_prefix("atx_h")?.strip_suffix("_marker")?.parse().ok(),
    });
    level.unwrap_or(1)
}

/// A heading's text without a trailing pandoc attribute block `{#id .class}`.
fn title_range(text: &str, content: Range<usize>) -> Range<usize> {
    let content = trim(text, content);
    let s = &text[content.clone()];
    match s.rfind('{').filter(|_| s.ends_with('}')) {
        Some(open) => trim(text, content.start..content.start + open),
        None => content,
    }
}
