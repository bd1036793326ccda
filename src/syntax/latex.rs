//! LaTeX into the manuscript IR, in one walk over the tree-sitter tree.
//!
//! The tree says what is a comment, inline math or verbatim; commands are recognised at
//! their backslash token and their arguments read from the text (`latex_args`), so the IR
//! does not depend on which commands the grammar happens to know.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::ir::{
    BibliographyRef, Include, IncludeKind, Language, Manuscript, Section, SectionKind,
};
use super::latex_args::Args;
use super::latex_cite;
use super::prose::{
    render_range, trim, Mask, Replace, CITATION_PLACEHOLDER, MATH_PLACEHOLDER, NUMBER_PLACEHOLDER,
};
use super::sections::{self, Heading};
use super::sentences;
use super::ParseOptions;

/// Environments that are read as one piece of math inside a sentence.
const MATH_ENVIRONMENTS: &[&str] = &[
    "equation",
    "equation*",
    "align",
    "align*",
    "alignat",
    "alignat*",
    "gather",
    "gather*",
    "multline",
    "multline*",
    "flalign",
    "flalign*",
    "eqnarray",
    "eqnarray*",
    "displaymath",
    "math",
    "dmath",
    "dmath*",
];

/// Environments without running prose (their citations still count).
const NON_PROSE_ENVIRONMENTS: &[&str] = &[
    "figure",
    "figure*",
    "table",
    "table*",
    "tabular",
    "tabular*",
    "tabularx",
    "tabulary",
    "xltabular",
    "longtable",
    "sidewaysfigure",
    "sidewaystable",
    "wrapfigure",
    "wraptable",
    "subfigure",
    "algorithm",
    "algorithmic",
    "algorithm2e",
    "lstlisting",
    "verbatim",
    "Verbatim",
    "minted",
    "comment",
    "tikzpicture",
    "thebibliography",
    "filecontents",
    "filecontents*",
    "deluxetable",
    "deluxetable*",
    "titlepage",
    "keywords",
];

/// Tree nodes whose content is not LaTeX prose.
const RAW_NODES: &[&str] = &[
    "block_comment",
    "comment_environment",
    "verbatim_environment",
    "listing_environment",
    "minted_environment",
    "asy_environment",
    "asydef_environment",
    "pycode_environment",
    "luacode_environment",
    "sagesilent_environment",
    "sageblock_environment",
];

/// Commands whose arguments are prose (`\emph{x}` reads `x`).
const TRANSPARENT: &[&str] = &[
    "emph",
    "textbf",
    "textit",
    "textsl",
    "textsc",
    "texttt",
    "textsf",
    "textrm",
    "textmd",
    "textup",
    "textnormal",
    "underline",
    "uline",
    "mbox",
    "hbox",
    "text",
    "enquote",
    "hl",
    "textsuperscript",
    "textsubscript",
    "NoCaseChange",
    "gls",
    "Gls",
    "glspl",
    "Glspl",
    "ac",
    "Ac",
    "acp",
    "acs",
    "acl",
    "acrshort",
    "acrlong",
    "acrfull",
    "textquote",
];

/// Commands showing only their last argument (`\href{url}{text}`).
const LAST_ARGUMENT: &[&str] = &["href", "textcolor", "colorbox"];

/// Argument-less commands with no prose.
const SILENT: &[&str] = &[
    "noindent",
    "indent",
    "centering",
    "raggedright",
    "raggedleft",
    "small",
    "footnotesize",
    "scriptsize",
    "tiny",
    "normalsize",
    "large",
    "Large",
    "LARGE",
    "huge",
    "Huge",
    "bfseries",
    "itshape",
    "ttfamily",
    "rmfamily",
    "sffamily",
    "scshape",
    "mdseries",
    "upshape",
    "em",
    "bf",
    "it",
    "rm",
    "sf",
    "tt",
    "sc",
    "newpage",
    "clearpage",
    "cleardoublepage",
    "pagebreak",
    "linebreak",
    "medskip",
    "bigskip",
    "smallskip",
    "vfill",
    "hfill",
    "maketitle",
    "tableofcontents",
    "listoffigures",
    "listoftables",
    "appendix",
    "printbibliography",
    "frontmatter",
    "mainmatter",
    "backmatter",
    "protect",
    "relax",
    "nobreak",
    "hline",
    "toprule",
    "midrule",
    "bottomrule",
    "selectfont",
    "xspace",
    "ignorespaces",
    "unskip",
    "phantomsection",
    "and",
    "fi",
    "else",
];

/// Cross-reference commands, read as a number (also raw TeX in Markdown).
pub(crate) const REFERENCES: &[&str] = &[
    "ref", "eqref", "autoref", "cref", "Cref", "pageref", "vref", "Vref", "cpageref", "Cpageref",
    "nameref", "subref",
];

pub(crate) fn build(tree: &Tree, text: &str, options: &ParseOptions) -> Manuscript {
    let mut walker = Walker::new(text, options, Kinds::new(&tree.language()));
    walker.walk(tree.root_node());
    walker.finish()
}

/// Ids of the node kinds the walk reacts to: comparing ids, not names, keeps the walk fast.
struct Kinds {
    comment: u16,
    math: [u16; 2],
    raw: Vec<u16>,
}

impl Kinds {
    fn new(language: &tree_sitter::Language) -> Self {
        let id = |kind| language.id_for_node_kind(kind, true);
        Self {
            comment: id("line_comment"),
            math: [id("inline_formula"), id("displayed_equation")],
            raw: RAW_NODES.iter().map(|kind| id(kind)).collect(),
        }
    }
}

struct Walker<'a> {
    text: &'a str,
    kinds: Kinds,
    args: Args<'a>,
    extra_cites: &'a [String],
    masks: Vec<Mask>,
    /// Ranges that end paragraphs and hold no prose (headings, floats, `\item`, ...).
    blocks: Vec<Range<usize>>,
    headings: Vec<(u8, Range<usize>, Option<Range<usize>>)>,
    abstracts: Vec<Section>,
    body: (Option<usize>, Option<usize>),
    /// Per environment name: searched from, and where its `\end{..}` was found.
    env_ends: HashMap<&'a str, (usize, Option<Range<usize>>)>,
    ir: Manuscript,
}

impl<'a> Walker<'a> {
    fn new(text: &'a str, options: &'a ParseOptions, kinds: Kinds) -> Self {
        Self {
            text,
            kinds,
            args: Args::new(text),
            extra_cites: &options.extra_cite_commands,
            masks: Vec::new(),
            blocks: Vec::new(),
            headings: Vec::new(),
            abstracts: Vec::new(),
            body: (None, None),
            env_ends: HashMap::new(),
            ir: Manuscript::empty(Language::Latex),
        }
    }

    /// Pre-order walk with a cursor (no recursion, so nesting depth is no risk); everything
    /// before `done` has been consumed by a command's arguments.
    fn walk(&mut self, root: Node) {
        let mut cursor = root.walk();
        let mut done = 0;
        loop {
            let node = cursor.node();
            let enter = if node.end_byte() <= done {
                false
            } else if node.start_byte() < done {
                true
            } else {
                match self.visit(node) {
                    Some(end) => {
                        done = done.max(end);
                        false
                    }
                    None => true,
                }
            };
            if enter && self.may_hold_markup(&node) && cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    /// Whether a node's children can hold anything the walk handles: commands, comments and
    /// math all start with `\\`, `%` or `$`. Plain runs of words are skipped whole, which
    /// saves visiting most leaves of a manuscript.
    fn may_hold_markup(&self, node: &Node) -> bool {
        let bytes = &self.text.as_bytes()[node.start_byte()..node.end_byte().min(self.text.len())];
        bytes.iter().any(|b| matches!(b, b'\\' | b'%' | b'$'))
    }

    /// Handles one node; `Some(end)` when it consumed the text up to `end`.
    fn visit(&mut self, node: Node) -> Option<usize> {
        let kind = node.kind_id();
        let start = node.start_byte();
        if self.args.byte(start) == Some(b'\\') && node.child_count() == 0 {
            return Some(self.command(start));
        }
        let range = start..node.end_byte();
        if kind == self.kinds.comment {
            self.root_hint(range.clone());
            self.masks.push(Mask::new(range.clone(), Replace::Hide));
        } else if self.kinds.math.contains(&kind) {
            self.masks.push(Mask::new(range.clone(), Replace::Text(MATH_PLACEHOLDER)));
        } else if self.kinds.raw.contains(&kind) {
            self.blocks.push(range.clone());
        } else {
            return None;
        }
        Some(range.end)
    }

    /// Handles the command at `start`; returns how far its handling consumed the text.
    fn command(&mut self, start: usize) -> usize {
        let text = self.text;
        let name_range = self.args.command_name(start);
        let name = &text[name_range.clone()];
        let bare = name.trim_end_matches('*');
        let end = name_range.end;
        if latex_cite::is_cite(name, self.extra_cites) {
            let Some(citation) = latex_cite::parse(text, &self.args, start, name_range) else {
                return end;
            };
            let replace = match bare {
                "nocite" => Replace::Hide,
                _ => Replace::Text(CITATION_PLACEHOLDER),
            };
            let span = citation.span.clone();
            self.masks.push(Mask::citation(span.clone(), replace));
            self.ir.citations.push(citation);
            return span.end;
        }
        if let Some(level) = section_level(name) {
            let title = self.args.required_group(end);
            let heading_end = title.as_ref().map_or(end, |t| t.end + 1);
            self.headings.push((level, start..heading_end, title));
            self.blocks.push(start..heading_end);
            return end;
        }
        match bare {
            "begin" => self.begin(start, end),
            "end" => {
                let env = self.args.required_group(end);
                let cmd_end = env.as_ref().map_or(end, |g| g.end + 1);
                if env.is_some_and(|g| &text[g] == "document") && self.body.1.is_none() {
                    self.body.1 = Some(start);
                }
                self.blocks.push(start..cmd_end);
                cmd_end
            }
            "item" | "par" | "bibitem" => {
                let cmd_end = self.args.arguments_end(end);
                self.blocks.push(start..cmd_end);
                cmd_end
            }
            "documentclass" => {
                self.ir.is_root = true;
                self.hide(start, self.args.arguments_end(end))
            }
            "input" | "include" | "subfile" | "subfileinclude" => {
                let kind = match bare {
                    "input" => IncludeKind::Input,
                    "include" => IncludeKind::Include,
                    _ => IncludeKind::Subfile,
                };
                self.include(start, end, kind, 1)
            }
            "import" | "subimport" | "inputfrom" | "subinputfrom" | "includefrom"
            | "subincludefrom" => self.include(start, end, IncludeKind::Import, 2),
            "bibliography" | "addbibresource" | "addglobalbib" | "addsectionbib" => {
                let Some(group) = self.args.required_group(end) else {
                    return end;
                };
                let mut from = group.start;
                let paths = if bare == "bibliography" {
                    text[group.clone()].split(',').collect()
                } else {
                    vec![&text[group.clone()]]
                };
                for path in paths {
                    let span = trim(text, from..from + path.len());
                    from += path.len() + 1;
                    if !span.is_empty() {
                        let path = text[span.clone()].to_string();
                        self.ir.bibliographies.push(BibliographyRef { path, span });
                    }
                }
                self.hide(start, group.end + 1)
            }
            _ if REFERENCES.contains(&bare) => {
                let cmd_end = self.args.arguments_end(end);
                self.masks.push(Mask::new(start..cmd_end, Replace::Text(NUMBER_PLACEHOLDER)));
                cmd_end
            }
            "label" => self.hide(start, self.args.arguments_end(end)),
            "url" | "nolinkurl" => {
                let cmd_end = self.args.arguments_end(end);
                let inner = end + 1..cmd_end.saturating_sub(1).max(end + 1);
                self.masks.push(Mask::new(start..cmd_end, Replace::Source(inner)));
                cmd_end
            }
            _ if TRANSPARENT.contains(&bare) => self.hide(start, end),
            _ if LAST_ARGUMENT.contains(&bare) => match self.args.required_group(end) {
                Some(first) => self.hide(start, first.end + 1),
                None => end,
            },
            _ => self.other_command(start, name_range),
        }
    }

    /// Commands with arguments are hidden whole (their citations are still found inside);
    /// argument-less ones read as their name (`\LaTeX`, a paper's `\gaia` macro), except
    /// spacing, escapes and accents.
    fn other_command(&mut self, start: usize, name: Range<usize>) -> usize {
        let args_end = self.args.arguments_end(name.end);
        if args_end > name.end {
            self.masks.push(Mask::new(start..args_end, Replace::Hide));
            return name.end;
        }
        let replace = match &self.text[name.clone()] {
            "%" | "&" | "$" | "#" | "_" | "{" | "}" => Replace::Source(name.clone()),
            "\\" | "," | ";" | ":" | " " | ">" | "quad" | "qquad" | "newline" => Replace::Text(" "),
            "ldots" | "dots" | "textellipsis" => Replace::Text("..."),
            "textendash" | "textemdash" => Replace::Text("-"),
            n if SILENT.contains(&n) || !n.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                Replace::Hide
            }
            _ => Replace::Source(name.clone()),
        };
        self.masks.push(Mask::new(start..name.end, replace));
        name.end
    }

    fn hide(&mut self, start: usize, end: usize) -> usize {
        self.masks.push(Mask::new(start..end, Replace::Hide));
        end
    }

    fn include(&mut self, start: usize, end: usize, kind: IncludeKind, parts: usize) -> usize {
        let mut at = end;
        let mut path = String::new();
        for _ in 0..parts {
            let Some(group) = self.args.required_group(at) else {
                return end;
            };
            let part = self.text[trim(self.text, group.clone())].to_string();
            if !path.is_empty() && !path.ends_with('/') {
                path.push('/');
            }
            path.push_str(&part);
            at = group.end + 1;
        }
        self.ir.includes.push(Include { kind, path, span: start..at });
        self.hide(start, at)
    }

    fn begin(&mut self, start: usize, end: usize) -> usize {
        let Some(group) = self.args.required_group(end) else {
            return end;
        };
        let text = self.text;
        let name = &text[group.clone()];
        let mut cmd_end = group.end + 1;
        if self.args.byte(cmd_end) == Some(b'[') {
            cmd_end = self.args.optional_end(cmd_end).unwrap_or(cmd_end);
        }
        let env_end = self.env_end(name, cmd_end);
        if MATH_ENVIRONMENTS.contains(&name) {
            let math_end = env_end.map_or(cmd_end, |e| e.end);
            self.masks.push(Mask::new(start..math_end, Replace::Text(MATH_PLACEHOLDER)));
            return math_end;
        }
        if NON_PROSE_ENVIRONMENTS.contains(&name) {
            self.blocks.push(start..env_end.map_or(cmd_end, |e| e.end));
            return cmd_end;
        }
        self.blocks.push(start..cmd_end);
        match name {
            "document" if self.body.0.is_none() => self.body.0 = Some(cmd_end),
            "abstract" => self.abstracts.push(Section {
                title: "Abstract".into(),
                kind: SectionKind::Abstract,
                level: 1,
                span: start..env_end.map_or(cmd_end, |e| e.end),
                heading_span: start..cmd_end,
            }),
            _ => {}
        }
        cmd_end
    }

    /// The next `\end{name}` from `from`, searching each stretch of text once per name.
    fn env_end(&mut self, name: &'a str, from: usize) -> Option<Range<usize>> {
        if let Some((searched_from, found)) = self.env_ends.get(name) {
            if *searched_from <= from && found.as_ref().is_none_or(|f| f.start >= from) {
                return found.clone();
            }
        }
        let needle = format!("\\end{{{name}}}");
        let found = self.text[from..].find(&needle).map(|p| from + p..from + p + needle.len());
        self.env_ends.insert(name, (from, found.clone()));
        found
    }

    /// `%!TEX root = path` (also `% !TeX root`), the first one found.
    fn root_hint(&mut self, comment: Range<usize>) {
        if self.ir.root_hint.is_some() {
            return;
        }
        let line = self.text[comment].trim_start_matches('%').trim_start();
        let Some(rest) = line.strip_prefix('!') else {
            return;
        };
        let mut words = rest.splitn(2, '=');
        let key: Vec<_> = words.next().unwrap_or_default().split_whitespace().collect();
        let is_root = key.len() == 2
            && key[0].eq_ignore_ascii_case("tex")
            && key[1].eq_ignore_ascii_case("root");
        if let Some(path) = words.next().map(str::trim).filter(|p| is_root && !p.is_empty()) {
            self.ir.root_hint = Some(path.to_string());
        }
    }

    fn finish(mut self) -> Manuscript {
        let text = self.text;
        self.masks.sort_by_key(|m| m.span.start);
        let body = self.body.0.unwrap_or(0)
            ..self.body.1.unwrap_or(text.len()).max(self.body.0.unwrap_or(0));
        let headings = std::mem::take(&mut self.headings)
            .into_iter()
            .map(|(level, span, title)| Heading {
                level,
                span,
                title: title.map_or_else(String::new, |t| render_range(text, t, &self.masks)),
            })
            .collect();
        let mut sections = sections::close(headings, body.end);
        sections.append(&mut self.abstracts);
        sections.sort_by_key(|s| s.heading_span.start);
        let spans = paragraph_spans(text, body, &mut self.blocks, &self.masks);
        let (paragraphs, sentences) =
            sentences::build(text, &spans, &self.masks, &sections, &self.ir.citations);
        Manuscript { sections, paragraphs, sentences, ..self.ir }
    }
}

fn section_level(name: &str) -> Option<u8> {
    Some(match name.trim_end_matches('*') {
        "part" | "addpart" | "chapter" | "addchap" => 0,
        "section" | "addsec" => 1,
        "subsection" => 2,
        "subsubsection" => 3,
        "paragraph" => 4,
        "subparagraph" => 5,
        _ => return None,
    })
}

/// Stretches of `body` outside blocks, split at blank lines that are not inside a mask.
fn paragraph_spans(
    text: &str,
    body: Range<usize>,
    blocks: &mut [Range<usize>],
    masks: &[Mask],
) -> Vec<Range<usize>> {
    blocks.sort_by_key(|b| b.start);
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut gap_start = body.start;
    let gap_ends = blocks.iter().map(|b| (b.start, b.end)).chain([(body.end, body.end)]);
    for (block_start, block_end) in gap_ends {
        let gap = gap_start..block_start.min(body.end);
        gap_start = gap_start.max(block_end);
        if gap.start >= gap.end {
            continue;
        }
        let mut start = gap.start;
        let mut pos = gap.start;
        let mut next = masks.partition_point(|m| m.span.start < pos);
        while pos < gap.end {
            if let Some(mask) = masks.get(next).filter(|m| m.span.start <= pos) {
                pos = pos.max(mask.span.end);
                while masks.get(next).is_some_and(|m| m.span.start < pos) {
                    next += 1;
                }
                continue;
            }
            if bytes[pos] == b'\n' {
                let spaces = bytes[pos + 1..gap.end]
                    .iter()
                    .take_while(|b| matches!(b, b' ' | b'\t' | b'\r'))
                    .count();
                if bytes.get(pos + 1 + spaces) == Some(&b'\n') && pos + 1 + spaces < gap.end {
                    out.push(start..pos);
                    start = pos + 1 + spaces;
                    pos = start;
                    continue;
                }
            }
            pos += 1;
        }
        out.push(start..gap.end.max(start));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::syntax::{parse, IncludeKind, Language, Manuscript, ParseOptions, SectionKind};

    fn latex(text: &str) -> Manuscript {
        parse(Language::Latex, text, &ParseOptions::default())
    }

    fn prose(ir: &Manuscript) -> Vec<&str> {
        ir.sentences.iter().map(|s| s.prose.as_str()).collect()
    }

    #[test]
    fn sections_have_plain_titles_kinds_levels_and_spans() {
        let text = "\\documentclass{article}\n\\begin{document}\n\\begin{abstract}\nWe show it.\n\\end{abstract}\n\
                    \\section{Intro \\emph{to} GPs}\nText.\n\\subsection*[short]{Related work}\nMore.\n\
                    \\section{Methods}\nHow.\n\\paragraph{Results.} Run-in.\n\\end{document}\n";
        let ir = latex(text);
        let found: Vec<_> =
            ir.sections.iter().map(|s| (s.level, s.title.as_str(), s.kind)).collect();
        assert_eq!(
            found,
            [
                (1, "Abstract", SectionKind::Abstract),
                (1, "Intro to GPs", SectionKind::Introduction),
                (2, "Related work", SectionKind::RelatedWork),
                (1, "Methods", SectionKind::Method),
                (4, "Results.", SectionKind::Results),
            ]
        );
        assert_eq!(&text[ir.sections[1].heading_span.clone()], "\\section{Intro \\emph{to} GPs}");
        assert!(text[ir.sections[1].span.clone()].ends_with("More.\n"));
        assert!(text[ir.sections[3].span.clone()].ends_with("Run-in.\n"));
        let in_section: Vec<_> = ir.paragraphs.iter().map(|p| p.section).collect();
        assert_eq!(in_section, [Some(0), Some(1), Some(2), Some(3), Some(4)]);
        assert_eq!(prose(&ir), ["We show it.", "Text.", "More.", "How.", "Run-in."]);
    }

    #[test]
    fn paragraphs_skip_preamble_floats_and_keep_display_math_inline() {
        let text = "\\documentclass{article}\n\\title{No}\n\\begin{document}\nOne two.\n\n\
                    We have\n\\begin{equation}\nx = 1.\n\\end{equation}\nwhere x is big.\n\
                    \\begin{figure}\nCaption text \\citep{fig}.\n\\end{figure}\n\
                    \\begin{itemize}\n\\item First point.\n\\item Second point.\n\\end{itemize}\n\\end{document}\n";
        let ir = latex(text);
        assert_eq!(
            prose(&ir),
            ["One two.", "We have X where x is big.", "First point.", "Second point."]
        );
        assert_eq!(ir.paragraphs.len(), 4);
        assert_eq!(ir.citations[0].keys[0].key, "fig", "citations in captions still count");
    }

    #[test]
    fn prose_uses_placeholders() {
        let text =
            "As \\citet{a} show in Fig.~\\ref{f}, $x^2$ is \\emph{large} \\textbf{here} % note\n\
                    and \\url{x.org} 50\\% of \\LaTeX\\ users\\footnote{Not \\cite{b}.} agree.";
        let ir = latex(text);
        assert_eq!(
            prose(&ir),
            ["As [REF] show in Fig. 1, X is large here and x.org 50% of LaTeX users agree."]
        );
        assert_eq!(ir.sentences[0].citations, [0, 1]);
    }

    #[test]
    fn sentences_end_after_trailing_citations_and_braces() {
        let ir = latex("It holds.\\cite{a} Then \\emph{it ends.} \\citet{b} show more. Last one");
        assert_eq!(prose(&ir), ["It holds.[REF]", "Then it ends.", "[REF] show more.", "Last one"]);
        assert_eq!(
            ir.sentences.iter().map(|s| s.citations.clone()).collect::<Vec<_>>(),
            [vec![0], vec![], vec![1], vec![]]
        );
    }

    #[test]
    fn comments_and_verbatim_hold_no_citations() {
        let ir = latex("% \\cite{no}\n\\begin{verbatim}\n\\cite{no}\n\\end{verbatim}\n\\iffalse \\cite{no} \\fi\n\\cite{yes}");
        assert_eq!(ir.cited_keys().map(|k| k.key.as_str()).collect::<Vec<_>>(), ["yes"]);
    }

    #[test]
    fn extra_cite_commands_are_citations() {
        let options = ParseOptions { extra_cite_commands: vec!["citenumx".into()] };
        let ir = parse(Language::Latex, "See \\citenumx{k1,k2}.", &options);
        assert_eq!(ir.cited_keys().map(|k| k.key.as_str()).collect::<Vec<_>>(), ["k1", "k2"]);
        assert!(latex("See \\citenumx{k1}.").citations.is_empty());
    }

    #[test]
    fn half_typed_cite_is_found_at_the_cursor() {
        let text = "Shown by \\cite{";
        let ir = latex(text);
        let (citation, key) = ir.key_at(text.len()).expect("cursor inside the citation");
        assert_eq!((citation.command.as_str(), key.key.as_str()), ("\\cite", ""));
        assert_eq!(ir.cited_keys().count(), 0, "empty keys are not cited keys");
        let text = "Shown by \\citep{smi\n\nNext paragraph.";
        let ir = latex(text);
        let (_, key) = ir.key_at(text.find("smi").unwrap() + 3).unwrap();
        assert_eq!(key.key, "smi");
        assert_eq!(prose(&ir).last(), Some(&"Next paragraph."));
    }

    #[test]
    fn includes_bibliographies_and_roots() {
        let text =
            "%!TEX root = ../main.tex\n\\input{sections/intro}\\include{ch1} \\subfile{sub.tex}\n\
                    \\import{dir/}{file}\\subimport{a}{b.tex}\n\\bibliography{refs, more}\n\
                    \\addbibresource[label=x]{x.bib}\\addglobalbib{g.bib}";
        let ir = latex(text);
        let includes: Vec<_> = ir.includes.iter().map(|i| (i.kind, i.path.as_str())).collect();
        assert_eq!(
            includes,
            [
                (IncludeKind::Input, "sections/intro"),
                (IncludeKind::Include, "ch1"),
                (IncludeKind::Subfile, "sub.tex"),
                (IncludeKind::Import, "dir/file"),
                (IncludeKind::Import, "a/b.tex"),
            ]
        );
        assert_eq!(&text[ir.includes[0].span.clone()], "\\input{sections/intro}");
        let bibs: Vec<_> =
            ir.bibliographies.iter().map(|b| (b.path.as_str(), &text[b.span.clone()])).collect();
        assert_eq!(
            bibs,
            [("refs", "refs"), ("more", "more"), ("x.bib", "x.bib"), ("g.bib", "g.bib")]
        );
        assert_eq!(ir.root_hint.as_deref(), Some("../main.tex"));
        assert!(!ir.is_root);
        let root = latex("% !TeX root=main.tex\n\\documentclass{article}");
        assert!(root.is_root);
        assert_eq!(root.root_hint.as_deref(), Some("main.tex"));
    }
}
