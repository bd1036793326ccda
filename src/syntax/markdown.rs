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
    "fenced_code_block",
    "indented_code_block",
    "html_block",
    "link_reference_definition",
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
                let content = child(node, &["inline", "paragraph"])
                    .map_or(range.end..range.end, |c| c.byte_range());
                inline.scan(content.clone(), &[]);
                headings.push((heading_level(node), trim(text, range), title_range(text, content)));
            }
            "paragraph" => {
                inline.scan(range.clone(), &continuations(node));
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
        .map(|(level, span, title)| Heading {
            level,
            span,
            title: render_range(text, title, &masks),
        })
        .collect();
    let mut sections = sections::close(headings, text.len());
    if let Some((key, value)) = front.abstract_ {
        sections.insert(
            0,
            Section {
                title: "Abstract".into(),
                kind: SectionKind::Abstract,
                level: 1,
                span: key.start..value.end,
                heading_span: key,
            },
        );
    }
    let (paragraphs, sentences) =
        sentences::build(text, &paragraphs, &masks, &sections, &citations);
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

/// Block-quote markers and indentation inside a paragraph's lines.
fn continuations(paragraph: Node) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut cursor = paragraph.walk();
    let mut stack = vec![paragraph];
    while let Some(node) = stack.pop() {
        if node.kind() == "block_continuation" {
            out.push(node.byte_range());
        }
        stack.extend(node.children(&mut cursor));
    }
    out.sort_by_key(|r| r.start);
    out
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

#[cfg(test)]
mod tests {
    use crate::syntax::{parse, Language, Manuscript, ParseOptions, SectionKind};

    fn markdown(text: &str) -> Manuscript {
        parse(Language::Markdown, text, &ParseOptions::default())
    }

    /// Each citation's command with the text its key spans cover.
    fn cites(text: &str) -> Vec<(String, Vec<&str>)> {
        let ir = markdown(text);
        ir.citations
            .iter()
            .map(|c| (c.command.clone(), c.keys.iter().map(|k| &text[k.span.clone()]).collect()))
            .collect()
    }

    fn c(command: &str, keys: &[&'static str]) -> (String, Vec<&'static str>) {
        (command.to_string(), keys.to_vec())
    }

    #[test]
    fn pandoc_citation_forms_with_key_spans() {
        let text = "A [@key]. B [-@sup]. C [see @a, p. 3; @b]. D [@c; @d]. \
                    E @intext says. F @loc [p. 3] too. G @{key.with:punct}. H @end.\n";
        assert_eq!(
            cites(text),
            [
                c("[@]", &["key"]),
                c("[@]", &["sup"]),
                c("[@]", &["a", "b"]),
                c("[@]", &["c", "d"]),
                c("@", &["intext"]),
                c("@", &["loc"]),
                c("@", &["key.with:punct"]),
                c("@", &["end"]),
            ]
        );
        let ir = markdown(text);
        assert_eq!(&text[ir.citations[5].span.clone()], "@loc [p. 3]");
        assert_eq!(ir.sentences[2].prose, "C [REF].");
    }

    #[test]
    fn emails_code_and_comments_do_not_cite() {
        let text =
            "Mail a@b.com or <x@y.org>. Code `@no` here.\n\n```\n@no\n```\n\n    @indented\n\n\
                    <!-- @hidden -->\n\nText <!-- @inline --> and [@yes].\n";
        assert_eq!(cites(text), [c("[@]", &["yes"])]);
    }

    #[test]
    fn crossrefs_read_as_numbers_not_citations() {
        let ir = markdown("See @fig:plot and [@sec:intro], as @doe shows.\n");
        assert_eq!(ir.cited_keys().map(|k| k.key.as_str()).collect::<Vec<_>>(), ["doe"]);
        assert_eq!(ir.sentences[0].prose, "See 1 and 1, as [REF] shows.");
    }

    #[test]
    fn headings_front_matter_and_prose() {
        let text = "---\ntitle: T\nbibliography: [a.bib, b.bib]\nabstract: We did it. It works.\n---\n\n\
                    # Introduction {#sec:intro}\n\nWe use $x^2$ and *emph* with a [link](http://x.org) here.\n\n\
                    Related Work\n------------\n\n> Quoted text about it.\n> Still quoted.\n\n## Results\n\n- An item [@k].\n";
        let ir = markdown(text);
        assert!(ir.is_root);
        let bibs: Vec<_> = ir.bibliographies.iter().map(|b| &text[b.span.clone()]).collect();
        assert_eq!(bibs, ["a.bib", "b.bib"]);
        let sections: Vec<_> =
            ir.sections.iter().map(|s| (s.level, s.title.as_str(), s.kind)).collect();
        assert_eq!(
            sections,
            [
                (1, "Abstract", SectionKind::Abstract),
                (1, "Introduction", SectionKind::Introduction),
                (2, "Related Work", SectionKind::RelatedWork),
                (2, "Results", SectionKind::Results),
            ]
        );
        let prose: Vec<_> = ir.sentences.iter().map(|s| s.prose.as_str()).collect();
        assert_eq!(
            prose,
            [
                "We did it.",
                "It works.",
                "We use X and emph with a link here.",
                "Quoted text about it.",
                "Still quoted.",
                "An item [REF].",
            ]
        );
        let in_section: Vec<_> = ir.paragraphs.iter().map(|p| p.section).collect();
        assert_eq!(in_section, [Some(0), Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn half_typed_bracket_citation_is_found() {
        let text = "As shown [@smi";
        let ir = markdown(text);
        let (citation, key) = ir.key_at(text.len()).expect("inside a citation");
        assert_eq!((citation.command.as_str(), key.key.as_str()), ("[@]", "smi"));
        let text = "As shown [@]";
        assert_eq!(markdown(text).key_at(11).map(|(_, k)| k.span.clone()), Some(11..11));
    }
}
