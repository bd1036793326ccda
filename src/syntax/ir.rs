//! The manuscript IR: what every feature reads instead of the source text.
//!
//! All spans are byte ranges into the document text they were built from.

use std::ops::Range;

/// Markup language of a manuscript.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    Latex,
    Markdown,
}

impl Language {
    /// Language from a file extension (`tex`, `md`, ...); `None` for anything else.
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext.to_ascii_lowercase().as_str() {
            "tex" | "ltx" | "latex" | "sty" | "cls" => Some(Self::Latex),
            "md" | "markdown" | "rmd" | "qmd" | "pandoc" => Some(Self::Markdown),
            _ => None,
        }
    }

    /// Language from an LSP `languageId`.
    pub fn from_language_id(id: &str) -> Option<Self> {
        match id {
            "latex" | "tex" | "plaintex" | "context" => Some(Self::Latex),
            "markdown" | "rmd" | "rmarkdown" | "quarto" | "pandoc" => Some(Self::Markdown),
            _ => None,
        }
    }
}

/// What a section is for, guessed from its heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionKind {
    Abstract,
    Introduction,
    RelatedWork,
    Method,
    Results,
    Discussion,
    Conclusion,
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// Heading text with markup removed.
    pub title: String,
    pub kind: SectionKind,
    /// 0 = part/chapter, 1 = section, 2 = subsection, ... (Markdown: `#` count).
    pub level: u8,
    /// From the heading to the end of the section's content.
    pub span: Range<usize>,
    /// The heading itself (command or `#` line).
    pub heading_span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Paragraph {
    pub span: Range<usize>,
    /// Index into `Manuscript::sections` of the innermost enclosing section.
    pub section: Option<usize>,
    /// Indices into `Manuscript::sentences`.
    pub sentences: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sentence {
    pub span: Range<usize>,
    /// The sentence with markup replaced by placeholders: a citation becomes a neutral
    /// word, inline math a symbol, commands their text argument, so models read grammar.
    pub prose: String,
    /// Index into `Manuscript::paragraphs`.
    pub paragraph: usize,
    /// Indices into `Manuscript::citations` of citations inside this sentence.
    pub citations: Vec<usize>,
}

/// One citation command or pandoc citation group.
///
/// While a citation is being typed its keys may include an empty key: `\cite{}`,
/// `\cite{a, }` and `[@]` have one whose span is the empty slot, so `key_at` finds the
/// cursor there. An unclosed LaTeX group (`\cite{ab`) ends at its line's end and each of
/// its keys at the first space.
#[derive(Clone, Debug, PartialEq)]
pub struct Citation {
    /// `\citep`, `\autocite*` (as written), `[@]` (a bracketed pandoc group), `@` (in-text).
    pub command: String,
    /// The whole citation in the source.
    pub span: Range<usize>,
    pub keys: Vec<CitationKey>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CitationKey {
    pub key: String,
    /// Exactly the key's characters (without `@`, braces or commas).
    pub span: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludeKind {
    Input,
    Include,
    Subfile,
    /// `\import{dir}{file}` and `\subimport`: `path` is already `dir/file`.
    Import,
}

/// A reference from this file to another manuscript file.
#[derive(Clone, Debug, PartialEq)]
pub struct Include {
    pub kind: IncludeKind,
    /// Path as written (joined for `\import`), without guessing an extension.
    pub path: String,
    pub span: Range<usize>,
}

/// A bibliography file named by this document (`\bibliography{a,b}` yields two).
#[derive(Clone, Debug, PartialEq)]
pub struct BibliographyRef {
    /// Path as written; `.bib` is not appended here.
    pub path: String,
    pub span: Range<usize>,
}

/// Everything a feature needs to know about one manuscript file.
#[derive(Clone, Debug, PartialEq)]
pub struct Manuscript {
    pub language: Language,
    pub sections: Vec<Section>,
    pub paragraphs: Vec<Paragraph>,
    pub sentences: Vec<Sentence>,
    pub citations: Vec<Citation>,
    pub includes: Vec<Include>,
    pub bibliographies: Vec<BibliographyRef>,
    /// Inline CSL-YAML `references:` from Markdown front matter, as YAML text.
    pub inline_references: Option<String>,
    /// The file has `\documentclass` (LaTeX) or is Markdown: it can be a project root.
    pub is_root: bool,
    /// `%!TEX root = path` magic comment, as written.
    pub root_hint: Option<String>,
}

impl Manuscript {
    pub fn empty(language: Language) -> Self {
        Self {
            language,
            sections: Vec::new(),
            paragraphs: Vec::new(),
            sentences: Vec::new(),
            citations: Vec::new(),
            includes: Vec::new(),
            bibliographies: Vec::new(),
            inline_references: None,
            is_root: false,
            root_hint: None,
        }
    }

    /// The innermost section enclosing a sentence (through its paragraph).
    pub fn section_of(&self, sentence: &Sentence) -> Option<&Section> {
        let index = self.paragraphs.get(sentence.paragraph)?.section?;
        self.sections.get(index)
    }

    /// The citation key whose span contains (or touches the end of) `offset`.
    pub fn key_at(&self, offset: usize) -> Option<(&Citation, &CitationKey)> {
        self.citations.iter().find_map(|citation| {
            citation
                .keys
                .iter()
                .find(|k| k.span.start <= offset && offset <= k.span.end)
                .map(|k| (citation, k))
        })
    }

    /// Every cited key with its span, in document order; empty keys (a key being typed)
    /// are left out.
    pub fn cited_keys(&self) -> impl Iterator<Item = &CitationKey> {
        self.citations.iter().flat_map(|c| c.keys.iter()).filter(|k| !k.key.is_empty())
    }
}
