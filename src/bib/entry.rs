//! Bibliography entries as the features see them: display-ready strings, source spans.

use std::collections::HashMap;
use std::ops::Range;

/// One bibliography entry, fields resolved (macros expanded, crossref/xdata inherited,
/// TeX accents turned into Unicode, braces stripped).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entry {
    pub key: String,
    /// `article`, `inproceedings`, ... (lowercase; CSL types are mapped to BibTeX names).
    pub kind: String,
    pub title: Option<String>,
    /// Display names, "Given Family" order.
    pub authors: Vec<String>,
    pub year: Option<String>,
    /// Journal, booktitle, publisher or container title.
    pub venue: Option<String>,
    pub doi: Option<String>,
    pub url: Option<String>,
    pub abstract_text: Option<String>,
    /// Byte range of the key in the bibliography file.
    pub key_span: Range<usize>,
    /// Byte range of the whole entry in the bibliography file.
    pub span: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

/// A problem found in a bibliography file, reported on that file.
#[derive(Clone, Debug, PartialEq)]
pub struct BibDiagnostic {
    pub span: Range<usize>,
    pub severity: Severity,
    /// Stable kebab-case code, e.g. `malformed-entry`, `duplicate-key`.
    pub code: &'static str,
    pub message: String,
}

/// The entries of one bibliography file, with key lookup.
#[derive(Clone, Debug, Default)]
pub struct Bibliography {
    pub entries: Vec<Entry>,
    pub diagnostics: Vec<BibDiagnostic>,
    exact: HashMap<String, usize>,
    folded: HashMap<String, usize>,
}

/// How a key matched an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMatch {
    Exact,
    /// Matches only when letter case is ignored (BibTeX accepts it with a warning).
    CaseInsensitive,
}

impl Bibliography {
    /// Builds the lookup tables; the first of several entries with one key wins.
    pub fn new(entries: Vec<Entry>, diagnostics: Vec<BibDiagnostic>) -> Self {
        let mut exact = HashMap::with_capacity(entries.len());
        let mut folded = HashMap::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            exact.entry(entry.key.clone()).or_insert(i);
            folded.entry(entry.key.to_lowercase()).or_insert(i);
        }
        Self { entries, diagnostics, exact, folded }
    }

    /// Exact key first, then case-insensitive.
    pub fn lookup(&self, key: &str) -> Option<(&Entry, KeyMatch)> {
        if let Some(&i) = self.exact.get(key) {
            return Some((&self.entries[i], KeyMatch::Exact));
        }
        self.folded.get(&key.to_lowercase()).map(|&i| (&self.entries[i], KeyMatch::CaseInsensitive))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
