//! A related-work outline: one line per theme citing its entries (cited ones first) in the
//! document's own citation style, inserted after the Related Work heading.

use std::collections::HashMap;

use super::RelatedWork;
use crate::syntax::{Language, Manuscript, Section, SectionKind};

/// How the document cites: a LaTeX command (`\citep`) or pandoc's `[@a; @b]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CiteStyle {
    Latex(String),
    Pandoc,
}

impl CiteStyle {
    pub fn cite(&self, keys: &[&str]) -> String {
        match self {
            Self::Latex(command) => format!("{command}{{{}}}", keys.join(",")),
            Self::Pandoc => {
                let keys: Vec<String> = keys.iter().map(|k| format!("@{k}")).collect();
                format!("[{}]", keys.join("; "))
            }
        }
    }
}

/// Markdown cites pandoc-style; LaTeX with the command `document` uses most (the first
/// used on a tie, stars dropped), else the most used in `others`, else `\cite`.
pub fn cite_style<'a>(
    document: &Manuscript,
    others: impl IntoIterator<Item = &'a Manuscript>,
) -> CiteStyle {
    if document.language == Language::Markdown {
        return CiteStyle::Pandoc;
    }
    let most_used = |manuscripts: &[&Manuscript]| {
        let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
        let commands =
            manuscripts.iter().flat_map(|m| &m.citations).map(|c| c.command.trim_end_matches('*'));
        for (order, command) in commands.filter(|c| c.starts_with('\\')).enumerate() {
            counts.entry(command).or_insert((0, order)).0 += 1;
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
            .map(|(command, _)| command.to_owned())
    };
    let others: Vec<&Manuscript> = others.into_iter().collect();
    let command = most_used(&[document]).or_else(|| most_used(&others));
    CiteStyle::Latex(command.unwrap_or_else(|| "\\cite".to_owned()))
}

/// The innermost Related Work section containing `offset`.
pub fn related_section_at(manuscript: &Manuscript, offset: usize) -> Option<&Section> {
    manuscript
        .sections
        .iter()
        .filter(|s| s.kind == SectionKind::RelatedWork)
        .filter(|s| s.span.start <= offset && offset <= s.span.end)
        .max_by_key(|s| s.span.start)
}

/// Text to insert at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutlineEdit {
    pub offset: usize,
    pub text: String,
}

/// One paragraph per theme, `Label: \citep{a,b}.`, cited entries first, each group by
/// relevance.
pub fn outline_lines(work: &RelatedWork, style: &CiteStyle) -> Vec<String> {
    work.themes
        .iter()
        .map(|theme| {
            let (cited, uncited): (Vec<_>, Vec<_>) =
                theme.entries.iter().partition(|e| e.candidate.cited);
            let keys: Vec<&str> =
                cited.iter().chain(&uncited).map(|e| e.candidate.key.as_str()).collect();
            format!("{}: {}.", theme.label, style.cite(&keys))
        })
        .collect()
}

/// Inserts the outline at the end of the section's heading line, as paragraphs of their
/// own (blank lines around them), in the source's line-ending style.
pub fn outline_edit(
    source: &str,
    section: &Section,
    work: &RelatedWork,
    style: &CiteStyle,
) -> OutlineEdit {
    let from = section.heading_span.end.min(source.len());
    let newline = source[from..].find('\n').map(|i| from + i);
    let (offset, eol) = match newline {
        Some(at) if source[..at].ends_with('\r') => (at - 1, "\r\n"),
        Some(at) => (at, "\n"),
        None => (source.len(), "\n"),
    };
    let blank = format!("{eol}{eol}");
    let mut text = blank.clone() + &outline_lines(work, style).join(&blank);
    let next_line = newline.map(|at| source[at + 1..].lines().next().unwrap_or(""));
    if next_line.is_some_and(|line| !line.trim().is_empty()) {
        text.push_str(eol);
    }
    OutlineEdit { offset, text }
}

#[cfg(test)]
mod tests {
    use super::super::{Candidate, Ranked, Theme};
    use super::*;
    use crate::syntax::{parse, ParseOptions};

    fn ranked(key: &str, cited: bool, score: f32) -> Ranked {
        Ranked {
            candidate: Candidate {
                key: key.into(),
                title: None,
                year: None,
                abstract_text: None,
                cited,
                tldr: None,
            },
            score: Some(score),
        }
    }

    fn work() -> RelatedWork {
        RelatedWork {
            document: "/p/a.tex".into(),
            root: "/p/a.tex".into(),
            sentences: 1,
            themes: vec![
                Theme {
                    label: "Language, models".into(),
                    terms: vec![],
                    entries: vec![
                        ranked("u1", false, 0.9),
                        ranked("c1", true, 0.5),
                        ranked("c2", true, 0.4),
                    ],
                },
                Theme {
                    label: "Crystals".into(),
                    terms: vec![],
                    entries: vec![ranked("x", false, 0.2)],
                },
            ],
        }
    }

    fn latex(text: &str) -> Manuscript {
        parse(Language::Latex, text, &ParseOptions::default())
    }

    #[test]
    fn style_is_the_most_used_command() {
        let m = latex("\\citep{a} \\cite{b} \\citep*{c} \\autocite{d}");
        assert_eq!(cite_style(&m, []), CiteStyle::Latex("\\citep".into()));
        let tie = latex("\\autocite{a} \\cite{b}");
        assert_eq!(cite_style(&tie, []), CiteStyle::Latex("\\autocite".into()));
        let none = latex("No citations here.");
        assert_eq!(cite_style(&none, [&m]), CiteStyle::Latex("\\citep".into()));
        assert_eq!(cite_style(&none, []), CiteStyle::Latex("\\cite".into()));
        let md = parse(Language::Markdown, "# A\n\nText [@a].\n", &ParseOptions::default());
        assert_eq!(cite_style(&md, []), CiteStyle::Pandoc);
        assert_eq!(CiteStyle::Pandoc.cite(&["a", "b"]), "[@a; @b]");
    }

    #[test]
    fn outline_goes_after_the_heading_line_cited_first() {
        let source =
            "\\section{Related Work}\\label{rw}\nExisting text \\citep{c1}.\n\\section{Method}\n";
        let m = latex(source);
        let section = related_section_at(&m, source.find("Existing").unwrap()).unwrap();
        let style = cite_style(&m, []);
        let edit = outline_edit(source, section, &work(), &style);
        assert_eq!(edit.offset, source.find('\n').unwrap());
        let mut out = source.to_owned();
        out.insert_str(edit.offset, &edit.text);
        assert_eq!(
            out,
            "\\section{Related Work}\\label{rw}\n\nLanguage, models: \\citep{c1,c2,u1}.\n\nCrystals: \\citep{x}.\n\nExisting text \\citep{c1}.\n\\section{Method}\n"
        );
        assert!(related_section_at(&m, source.find("Method").unwrap()).is_none());
    }

    #[test]
    fn markdown_outline_keeps_crlf_and_an_existing_blank_line() {
        let source = "# Paper\r\n\r\n## Related work\r\n\r\nText [@c1].\r\n";
        let m = parse(Language::Markdown, source, &ParseOptions::default());
        let section = related_section_at(&m, source.find("Text").unwrap()).unwrap();
        let edit = outline_edit(source, section, &work(), &CiteStyle::Pandoc);
        let mut out = source.to_owned();
        out.insert_str(edit.offset, &edit.text);
        assert_eq!(
            out,
            "# Paper\r\n\r\n## Related work\r\n\r\nLanguage, models: [@c1; @c2; @u1].\r\n\r\nCrystals: [@x].\r\n\r\nText [@c1].\r\n"
        );
    }
}
