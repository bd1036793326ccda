//! Where a drafted abstract goes, and the edit that puts it there.
//!
//! LaTeX: the body of an existing `abstract` environment, else a new environment after
//! `\maketitle`, else after `\begin{document}`, else at the top of the root file.
//! Markdown: the front matter's `abstract:` field (a `|` block scalar), a new field when
//! there is front matter without one, else a `# Abstract` section (replacing an existing
//! one's body, or after the title heading, or at the top).

use std::ops::Range;

use super::paper::PaperFile;
use crate::syntax::{Language, Section, SectionKind};

/// Columns the inserted text is wrapped to.
const WIDTH: usize = 80;

/// The kind of place found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spot {
    /// The body of an `abstract` environment or `# Abstract` section, or the front
    /// matter field; `empty` when it holds no text yet.
    Abstract {
        empty: bool,
    },
    AfterMaketitle,
    AfterBeginDocument,
    /// A new `abstract:` field at the end of the front matter.
    FrontMatter,
    AfterTitle,
    Top,
}

impl Spot {
    /// How the code action and the CLI name it.
    pub fn describe(self) -> &'static str {
        match self {
            Spot::Abstract { empty: false } => "replaces the existing abstract",
            Spot::Abstract { empty: true } => "fills the empty abstract",
            Spot::AfterMaketitle => "new abstract environment after \\maketitle",
            Spot::AfterBeginDocument => "new abstract environment after \\begin{document}",
            Spot::FrontMatter => "new abstract field in the front matter",
            Spot::AfterTitle => "new Abstract section after the title",
            Spot::Top => "new abstract at the top of the file",
        }
    }
}

/// Where the abstract goes: a file, the span its text replaces (empty to insert).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// Index into the project files.
    pub file: usize,
    pub span: Range<usize>,
    pub spot: Spot,
}

/// The replacement for `Target::span`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub target: Target,
    pub new_text: String,
}

/// Finds the place in a project (root first; an abstract may sit in an included file).
pub fn locate(files: &[PaperFile]) -> Option<Target> {
    let root = files.first()?;
    for (i, file) in files.iter().enumerate() {
        if let Some(found) = existing(file) {
            return Some(Target { file: i, ..found });
        }
    }
    let text = root.text.as_str();
    let insert = |at: usize, spot| Some(Target { file: 0, span: at..at, spot });
    match root.manuscript.language {
        Language::Latex => {
            if let Some(end) = command_end(text, "\\maketitle") {
                return insert(end, Spot::AfterMaketitle);
            }
            if let Some(end) = command_end(text, "\\begin{document}") {
                return insert(end, Spot::AfterBeginDocument);
            }
            insert(0, Spot::Top)
        }
        Language::Markdown => {
            if let Some(close) = front_matter_close(text) {
                return insert(close, Spot::FrontMatter);
            }
            let first_prose =
                root.manuscript.paragraphs.first().map_or(text.len(), |p| p.span.start);
            match root.manuscript.sections.first() {
                Some(s) if s.level == 1 && s.heading_span.end <= first_prose => {
                    insert(s.heading_span.end, Spot::AfterTitle)
                }
                _ => insert(0, Spot::Top),
            }
        }
    }
}

/// An abstract already in `file`: the text span of its body (or of the front matter field).
fn existing(file: &PaperFile) -> Option<Target> {
    let text = file.text.as_str();
    let section: &Section =
        file.manuscript.sections.iter().find(|s| s.kind == SectionKind::Abstract)?;
    let heading = text.get(section.heading_span.clone())?;
    let span = if heading.starts_with("abstract:") {
        // Front matter: the whole field, key included, is rewritten as a block scalar.
        section.span.clone()
    } else if heading.starts_with("\\begin") {
        let end = section.span.end;
        let closed = text.get(..end).is_some_and(|t| t.ends_with("\\end{abstract}"));
        let body_end = if closed { end - "\\end{abstract}".len() } else { end };
        section.heading_span.end..body_end.max(section.heading_span.end)
    } else {
        section.heading_span.end..section.span.end
    };
    let body = if heading.starts_with("abstract:") {
        text[span.clone()].trim_start_matches("abstract:")
    } else {
        &text[span.clone()]
    };
    let empty = body
        .lines()
        .map(|l| if file.manuscript.language == Language::Latex { uncommented(l) } else { l })
        .all(|l| l.trim().trim_matches(['|', '>', '-', '"', '\'']).is_empty());
    Some(Target { file: 0, span, spot: Spot::Abstract { empty } })
}

/// A LaTeX line without its comment.
fn uncommented(line: &str) -> &str {
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            '%' if !escaped => return &line[..i],
            '\\' => escaped = !escaped,
            _ => escaped = false,
        }
    }
    line
}

/// End of the first occurrence of `command` outside comments, not followed by a letter.
fn command_end(text: &str, command: &str) -> Option<usize> {
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let code = uncommented(line);
        let mut from = 0;
        while let Some(at) = code[from..].find(command) {
            let end = from + at + command.len();
            if !code[end..].starts_with(|c: char| c.is_ascii_alphabetic()) {
                return Some(line_start + end);
            }
            from = end;
        }
        line_start += line.len();
    }
    None
}

/// Start of the closing `---` (or `...`) line of front matter that opens the file.
fn front_matter_close(text: &str) -> Option<usize> {
    let mut lines = text.split_inclusive('\n');
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    let mut at = text.find('\n')? + 1;
    for line in lines {
        if matches!(line.trim_end(), "---" | "...") {
            return Some(at);
        }
        at += line.len();
    }
    None
}

/// `text` in lines of at most `width` columns (longer words stand alone), each prefixed.
fn wrap(text: &str, width: usize, prefix: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && prefix.len() + line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.iter().map(|l| format!("{prefix}{l}")).collect::<Vec<_>>().join("\n")
}

/// Plain text made safe in LaTeX prose.
fn escape_latex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' | '&' | '#' | '_' | '$' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\\' => out.push_str("\\textbackslash{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            _ => out.push(c),
        }
    }
    out
}

/// The edit that puts `abstract_text` (plain text) at `target`.
pub fn place(files: &[PaperFile], target: Target, abstract_text: &str) -> Placement {
    let language = files.get(target.file).map_or(Language::Latex, |f| f.manuscript.language);
    let new_text = match (language, target.spot) {
        (Language::Latex, Spot::Abstract { .. }) => {
            format!("\n{}\n", wrap(&escape_latex(abstract_text), WIDTH, ""))
        }
        (Language::Latex, spot) => {
            let env = format!(
                "\\begin{{abstract}}\n{}\n\\end{{abstract}}",
                wrap(&escape_latex(abstract_text), WIDTH, "")
            );
            if spot == Spot::Top {
                format!("{env}\n\n")
            } else {
                format!("\n\n{env}")
            }
        }
        (Language::Markdown, Spot::Abstract { .. })
            if files[target.file].text[target.span.clone()].starts_with("abstract:") =>
        {
            format!("abstract: |\n{}", wrap(abstract_text, WIDTH, "  "))
        }
        (Language::Markdown, Spot::FrontMatter) => {
            format!("abstract: |\n{}\n", wrap(abstract_text, WIDTH, "  "))
        }
        (Language::Markdown, Spot::Abstract { .. }) => {
            format!("\n\n{}\n\n", wrap(abstract_text, WIDTH, ""))
        }
        (Language::Markdown, Spot::Top) => {
            format!("# Abstract\n\n{}\n\n", wrap(abstract_text, WIDTH, ""))
        }
        (Language::Markdown, _) => {
            format!("\n\n# Abstract\n\n{}", wrap(abstract_text, WIDTH, ""))
        }
    };
    Placement { target, new_text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse, ParseOptions};

    fn files(language: Language, text: &str) -> Vec<PaperFile> {
        let manuscript = parse(language, text, &ParseOptions::default());
        vec![PaperFile { path: "/p/main".into(), text: text.into(), manuscript }]
    }

    /// The text after the edit, and the spot.
    fn apply(language: Language, text: &str) -> (String, Spot) {
        let files = files(language, text);
        let target = locate(&files).expect("a place");
        let spot = target.spot;
        let placement = place(&files, target, "We found 50% more & better cats.");
        let mut out = text.to_owned();
        out.replace_range(placement.target.span.clone(), &placement.new_text);
        (out, spot)
    }

    const DOC: &str = "\\documentclass{article}\n\\begin{document}\n";

    #[test]
    fn latex_empty_abstract_is_filled() {
        let text = format!("{DOC}\\maketitle\n\\begin{{abstract}}\n% todo\n\\end{{abstract}}\nBody.\n\\end{{document}}\n");
        let (out, spot) = apply(Language::Latex, &text);
        assert_eq!(spot, Spot::Abstract { empty: true });
        assert!(
            out.contains(
                "\\begin{abstract}\nWe found 50\\% more \\& better cats.\n\\end{abstract}\nBody."
            ),
            "{out}"
        );
    }

    #[test]
    fn latex_existing_abstract_is_replaced() {
        let text =
            format!("{DOC}\\begin{{abstract}}Old words.\\end{{abstract}}\n\\end{{document}}\n");
        let (out, spot) = apply(Language::Latex, &text);
        assert_eq!(spot, Spot::Abstract { empty: false });
        assert!(!out.contains("Old words"));
        assert!(out
            .contains("\\begin{abstract}\nWe found 50\\% more \\& better cats.\n\\end{abstract}"));
    }

    #[test]
    fn latex_new_abstract_after_maketitle_else_begin_document() {
        let text =
            format!("{DOC}% \\maketitle in a comment\n\\maketitle\nBody.\n\\end{{document}}\n");
        let (out, spot) = apply(Language::Latex, &text);
        assert_eq!(spot, Spot::AfterMaketitle);
        assert!(out.contains("\n\\maketitle\n\n\\begin{abstract}\nWe found 50\\% more \\& better cats.\n\\end{abstract}\nBody."), "{out}");
        let text = format!("{DOC}Body.\n\\end{{document}}\n");
        let (out, spot) = apply(Language::Latex, &text);
        assert_eq!(spot, Spot::AfterBeginDocument);
        assert!(
            out.starts_with("\\documentclass{article}\n\\begin{document}\n\n\\begin{abstract}\n"),
            "{out}"
        );
    }

    #[test]
    fn markdown_front_matter_field_is_written_or_added() {
        let text = "---\ntitle: T\nabstract: Old words.\nbibliography: b.bib\n---\n\nBody here.\n";
        let (out, spot) = apply(Language::Markdown, text);
        assert_eq!(spot, Spot::Abstract { empty: false });
        assert_eq!(out, "---\ntitle: T\nabstract: |\n  We found 50% more & better cats.\nbibliography: b.bib\n---\n\nBody here.\n");
        let text = "---\ntitle: T\n---\n\nBody here.\n";
        let (out, spot) = apply(Language::Markdown, text);
        assert_eq!(spot, Spot::FrontMatter);
        assert_eq!(
            out,
            "---\ntitle: T\nabstract: |\n  We found 50% more & better cats.\n---\n\nBody here.\n"
        );
    }

    #[test]
    fn markdown_without_front_matter_gets_a_section_after_the_title() {
        let (out, spot) =
            apply(Language::Markdown, "# My Title\n\nBody here.\n\n# Intro\n\nMore.\n");
        assert_eq!(spot, Spot::AfterTitle);
        assert_eq!(out, "# My Title\n\n# Abstract\n\nWe found 50% more & better cats.\n\nBody here.\n\n# Intro\n\nMore.\n");
        let (out, spot) = apply(Language::Markdown, "Body first.\n\n# Intro\n");
        assert_eq!(spot, Spot::Top);
        assert!(out.starts_with("# Abstract\n\nWe found 50% more & better cats.\n\nBody first."));
        let (out, spot) = apply(Language::Markdown, "# T\n\n# Abstract\n\nOld.\n\n# Intro\n");
        assert_eq!(spot, Spot::Abstract { empty: false });
        assert_eq!(out, "# T\n\n# Abstract\n\nWe found 50% more & better cats.\n\n# Intro\n");
    }

    #[test]
    fn long_text_is_wrapped() {
        let text = "word ".repeat(40);
        let wrapped = wrap(&text, 20, "  ");
        assert!(wrapped.lines().all(|l| l.len() <= 20 && l.starts_with("  word")));
        assert_eq!(wrapped.split_whitespace().count(), 40);
    }
}
