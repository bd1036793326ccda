//! The body of a paper as a drafting pipeline reads it: the sentences of every project file
//! in include order, each with the kind of section it sits in and a plain-text form.
//!
//! The abstract, back matter (acknowledgements, availability, contributions, ...) and
//! appendices are left out: an abstract summarises the body, not itself or the appendix.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::project::paths::resolve_include;
use crate::project::Workspace;
use crate::syntax::{
    Manuscript, Section, SectionKind, CITATION_PLACEHOLDER, MATH_PLACEHOLDER, NUMBER_PLACEHOLDER,
};

/// One manuscript file of a project, copied out of the workspace so model work can run
/// without it.
#[derive(Clone, Debug)]
pub struct PaperFile {
    pub path: PathBuf,
    pub text: String,
    pub manuscript: Manuscript,
}

impl PaperFile {
    /// The files of the project `path` belongs to, root first, in include order.
    pub fn project(workspace: &mut Workspace, path: &Path) -> Vec<PaperFile> {
        let project = workspace.project_of(path);
        project
            .files
            .iter()
            .filter_map(|p| workspace.file(p))
            .map(|f| PaperFile {
                path: f.path.clone(),
                text: f.document.text(),
                manuscript: f.manuscript.clone(),
            })
            .collect()
    }
}

/// A body sentence.
#[derive(Clone, Debug)]
pub struct PaperSentence {
    /// Index into `Paper::files`.
    pub file: usize,
    pub span: Range<usize>,
    pub kind: SectionKind,
    /// Sentences of one section share a group (centrality is measured within it).
    pub group: usize,
    /// The prose without citation placeholders.
    pub text: String,
    /// `text` can stand in a draft as it is: no math or cross-reference placeholders, no
    /// citation read as a noun ("[REF] showed"), between 6 and 60 words.
    pub quotable: bool,
}

#[derive(Clone, Debug)]
pub struct Paper {
    pub files: Vec<PaperFile>,
    pub sentences: Vec<PaperSentence>,
}

/// Section titles (lower case, word starts) whose content is not part of the body.
const BACK_MATTER: &[&str] = &[
    "appendix",
    "appendices",
    "supplement",
    "acknowledg",
    "funding",
    "availability",
    "contribution",
    "conflict",
    "competing",
    "ethic",
    "reference",
    "bibliograph",
];

fn is_back_matter(section: &Section) -> bool {
    let title = section.title.to_lowercase();
    title
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| BACK_MATTER.iter().any(|b| w.starts_with(b)))
}

/// What a file gets from where it is included.
#[derive(Clone, Copy)]
struct Context {
    kind: Option<SectionKind>,
    excluded: bool,
    group: Option<usize>,
}

/// Sections enclosing `at`, outermost first.
fn enclosing(manuscript: &Manuscript, at: usize) -> impl Iterator<Item = (usize, &Section)> {
    manuscript
        .sections
        .iter()
        .enumerate()
        .filter(move |(_, s)| s.span.start <= at && at < s.span.end)
}

impl Paper {
    pub fn new(files: Vec<PaperFile>) -> Self {
        let mut contexts: Vec<Option<Context>> = vec![None; files.len()];
        let mut groups = 0;
        let mut group_of = std::collections::HashMap::new();
        let mut group = |key: (usize, Option<usize>)| {
            *group_of.entry(key).or_insert_with(|| {
                groups += 1;
                groups - 1
            })
        };
        let mut sentences = Vec::new();
        let root = files.first().map(|f| f.path.clone()).unwrap_or_default();
        for (i, file) in files.iter().enumerate() {
            let context =
                contexts[i].unwrap_or(Context { kind: None, excluded: false, group: None });
            let place = |at: usize, group: &mut dyn FnMut((usize, Option<usize>)) -> usize| {
                let mut excluded = context.excluded;
                let mut innermost = None;
                for (index, section) in enclosing(&file.manuscript, at) {
                    excluded |= section.kind == SectionKind::Abstract || is_back_matter(section);
                    innermost = Some((index, section.kind));
                }
                match innermost {
                    Some((index, kind)) => (kind, excluded, group((i, Some(index)))),
                    None => (
                        context.kind.unwrap_or(SectionKind::Other),
                        excluded,
                        context.group.unwrap_or_else(|| group((i, None))),
                    ),
                }
            };
            for include in &file.manuscript.includes {
                let Some(target) = resolve_include(include.kind, &include.path, &file.path, &root)
                else {
                    continue;
                };
                if let Some(child) = files.iter().position(|f| f.path == target) {
                    if contexts[child].is_none() {
                        let (kind, excluded, g) = place(include.span.start, &mut group);
                        contexts[child] =
                            Some(Context { kind: Some(kind), excluded, group: Some(g) });
                    }
                }
            }
            for sentence in &file.manuscript.sentences {
                let (kind, excluded, group) = place(sentence.span.start, &mut group);
                if excluded {
                    continue;
                }
                let source = file.text.get(sentence.span.clone()).unwrap_or_default();
                let (text, quotable) = readable(&sentence.prose, source);
                if text.is_empty() {
                    continue;
                }
                sentences.push(PaperSentence {
                    file: i,
                    span: sentence.span.clone(),
                    kind,
                    group,
                    text,
                    quotable,
                });
            }
        }
        Self { files, sentences }
    }
}

static CITATIONS: LazyLock<Regex> = LazyLock::new(|| {
    let one = regex::escape(CITATION_PLACEHOLDER);
    Regex::new(&format!(r"\s*(\(\s*)?{one}(?:[\s,;]*{one})*(\s*\))?")).expect("valid pattern")
});
static SPACE_BEFORE_PUNCT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s+([,.;:!?])").expect("valid pattern"));

/// Words after which a citation is part of the grammar ("proposed by [REF]").
const CITATION_READ_AS_NOUN: &[&str] = &[
    "by",
    "of",
    "in",
    "from",
    "and",
    "or",
    "see",
    "to",
    "with",
    "than",
    "as",
    "following",
    "like",
    "cf",
    "cf.",
    "e.g.",
    "i.e.",
    "e.g.,",
    "i.e.,",
    "via",
    "on",
    "for",
    "the",
    "that",
];

/// The prose without citation placeholders, and whether it can be quoted in a draft.
pub fn readable(prose: &str, source: &str) -> (String, bool) {
    let mut quotable = true;
    let mut out = String::with_capacity(prose.len());
    let mut last = 0;
    for found in CITATIONS.captures_iter(prose) {
        let whole = found.get(0).expect("group 0");
        let parenthesised = found.get(1).is_some() && found.get(2).is_some();
        let before = prose[..whole.start()].split_whitespace().next_back();
        let noun = match before {
            None => true,
            Some(word) => CITATION_READ_AS_NOUN.contains(&word.to_lowercase().as_str()),
        };
        quotable &= parenthesised || !noun;
        out.push_str(&prose[last..whole.start()]);
        last = whole.end();
    }
    out.push_str(&prose[last..]);
    let out = SPACE_BEFORE_PUNCT.replace_all(out.trim(), "$1");
    // TeX ligatures the prose keeps as typed.
    let out = out.replace("---", "\u{2014}").replace("--", "\u{2013}");
    let out = out.replace("``", "\u{201c}").replace("''", "\u{201d}");
    let words = out.split_whitespace().count();
    let placeholders = [MATH_PLACEHOLDER, NUMBER_PLACEHOLDER];
    quotable &= (6..=60).contains(&words)
        && !out.contains('\\')
        && placeholders.iter().all(|p| count_word(&out, p) <= count_word(source, p));
    (out, quotable)
}

/// Whole-word occurrences of `word` (words split at anything not alphanumeric).
fn count_word(text: &str, word: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| *w == word).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse, Language, ParseOptions};

    fn paper(text: &str, language: Language) -> Paper {
        let manuscript = parse(language, text, &ParseOptions::default());
        Paper::new(vec![PaperFile { path: "/p/main.tex".into(), text: text.into(), manuscript }])
    }

    #[test]
    fn citations_leave_the_text_and_decide_whether_it_can_be_quoted() {
        let case = |prose: &str, source: &str| readable(prose, source);
        assert_eq!(
            case("Models grow fast [REF], [REF] and often fail ([REF]; [REF]).", ""),
            ("Models grow fast and often fail.".into(), true)
        );
        assert!(!case("This was proposed by [REF] for six kinds of data sets.", "").1);
        assert!(!case("[REF] showed that models of this kind fail often.", "").1);
        // X is math in the prose but not a word of the source.
        assert!(!case("We minimise X over all six data sets here.", "We minimise $f$ over").1);
        assert!(case("We minimise X over all six data sets here.", "We minimise X over").1);
        assert!(!case("Too short.", "").1);
        assert_eq!(
            case("Pages 3--4 ``quoted'' --- here.", "").0,
            "Pages 3\u{2013}4 \u{201c}quoted\u{201d} \u{2014} here."
        );
    }

    #[test]
    fn abstract_back_matter_and_appendix_are_left_out() {
        let text = "\\documentclass{article}\n\\begin{document}\n\\begin{abstract}\nOld abstract sentence here.\n\\end{abstract}\n\
            \\section{Introduction}\nIntro sentence one is here.\n\\section{Results}\nWe got 5 points.\n\
            \\section{Acknowledgements}\nWe thank the funders.\n\\section{Appendix}\n\\subsection{More results}\nHidden result.\n\\end{document}\n";
        let paper = paper(text, Language::Latex);
        let got: Vec<(&str, SectionKind)> =
            paper.sentences.iter().map(|s| (s.text.as_str(), s.kind)).collect();
        assert_eq!(
            got,
            [
                ("Intro sentence one is here.", SectionKind::Introduction),
                ("We got 5 points.", SectionKind::Results)
            ]
        );
        assert_ne!(paper.sentences[0].group, paper.sentences[1].group);
    }
}
