//! Loaded files: manuscripts (open in the editor or read from disk) and bibliographies.

use std::path::{Path, PathBuf};

use crate::bib::{self, BibDiagnostic, BibFormat, Bibliography, Severity};
use crate::syntax::{Language, Manuscript, ParseOptions, SyntaxTree};
use crate::text::{decode, ByteEdit, Document};

/// Files larger than this are not read from disk (a manuscript or `.bib` is far smaller).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum LoadError {
    #[error("cannot read {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{path} is a binary file, not text")]
    Binary { path: String },
    #[error("{path} is {size} bytes, over the {limit} byte limit")]
    TooLarge { path: String, size: u64, limit: u64 },
}

/// Reads a text file from disk: UTF-8, else Latin-1; binary and huge files are refused.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| LoadError::Io { path: shown.clone(), reason: e.to_string() };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge { path: shown, size, limit: MAX_FILE_BYTES });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    decode(&bytes).text().ok_or(LoadError::Binary { path: shown })
}

/// A manuscript file with its parse state and IR.
pub struct SourceFile {
    pub path: PathBuf,
    pub document: Document,
    pub manuscript: Manuscript,
    /// CSL-YAML `references:` from Markdown front matter.
    pub inline_bibliography: Option<Bibliography>,
    /// Open in the editor: the editor's text wins over the disk.
    pub open: bool,
    syntax: SyntaxTree,
    /// Edits arrived since `manuscript` was built. Reparsing waits until something reads
    /// the IR, so a burst of keystrokes costs one parse.
    stale: bool,
}

impl SourceFile {
    pub fn new(
        path: PathBuf,
        language: Language,
        text: &str,
        version: i32,
        options: &ParseOptions,
    ) -> Self {
        let mut syntax = SyntaxTree::new(language);
        let manuscript = syntax.parse(text, options);
        let mut file = Self {
            path,
            document: Document::new(text, version),
            manuscript,
            inline_bibliography: None,
            open: false,
            syntax,
            stale: false,
        };
        file.refresh_inline_bibliography();
        file
    }

    pub fn language(&self) -> Language {
        self.manuscript.language
    }

    /// Tells the incremental parser about an edit already applied to `document`; the IR
    /// is rebuilt by the next `refresh`.
    pub fn record_edit(&mut self, edit: &ByteEdit) {
        self.syntax.edit(edit);
        self.stale = true;
    }

    /// Rebuilds the IR if edits arrived since it was built.
    pub fn refresh(&mut self, options: &ParseOptions) {
        if self.stale {
            self.reparse(options);
        }
    }

    /// Rebuilds the IR from the current document text.
    pub fn reparse(&mut self, options: &ParseOptions) {
        let text = self.document.text();
        self.manuscript = self.syntax.parse(&text, options);
        self.refresh_inline_bibliography();
        self.stale = false;
    }

    fn refresh_inline_bibliography(&mut self) {
        self.inline_bibliography =
            self.manuscript.inline_references.as_deref().map(bib::parse_csl_yaml);
    }
}

/// A bibliography file, or why it could not be read.
pub struct BibFile {
    pub path: PathBuf,
    pub document: Document,
    pub bibliography: Bibliography,
    /// Set when the file could not be read; `bibliography` is then empty.
    pub load_error: Option<LoadError>,
    pub format: BibFormat,
}

impl BibFile {
    /// Reads and parses a bibliography. `macro_sources` are other `.bib` texts of the project.
    pub fn load(path: &Path, macro_sources: &[&str]) -> Self {
        let format = BibFormat::from_path(path).unwrap_or(BibFormat::Bibtex);
        match read_text(path) {
            Ok(text) => Self::from_text(path, &text, format, macro_sources),
            Err(error) => Self {
                path: path.to_path_buf(),
                document: Document::new("", 0),
                bibliography: Bibliography::default(),
                load_error: Some(error),
                format,
            },
        }
    }

    pub fn from_text(path: &Path, text: &str, format: BibFormat, macro_sources: &[&str]) -> Self {
        Self {
            path: path.to_path_buf(),
            document: Document::new(text, 0),
            bibliography: bib::parse(format, text, macro_sources),
            load_error: None,
            format,
        }
    }

    /// The file's own diagnostics plus one for a read failure.
    pub fn diagnostics(&self) -> Vec<BibDiagnostic> {
        let mut out = self.bibliography.diagnostics.clone();
        if let Some(error) = &self.load_error {
            out.push(BibDiagnostic {
                span: 0..0,
                severity: Severity::Error,
                code: "unreadable-bibliography",
                message: error.to_string(),
            });
        }
        out
    }
}
