//! Bibliography entries from BibTeX/BibLaTeX, CSL-JSON and CSL-YAML.
//!
//! Parsing never fails: problems come back as diagnostics on the file, and everything else
//! still loads. Codes: `malformed-entry` (error, entry skipped), `malformed-field` (field
//! left out), `malformed-file` (CSL that serde could not read), `duplicate-key`,
//! `undefined-macro`, `invalid-date`, `crossref-unresolved` (warnings) and `missing-crossref`
//! (information: the target may live in another file).

mod bibtex;
mod csl;
mod duplicates;
mod entry;
mod latex_text;

pub use entry::{BibDiagnostic, Bibliography, Entry, KeyMatch, Severity};

use std::path::Path;

/// File formats scholia reads bibliographies from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BibFormat {
    Bibtex,
    CslJson,
    CslYaml,
}

impl BibFormat {
    /// Format from the file extension: `.bib`, `.json`, `.yaml`/`.yml`.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "bib" | "bibtex" | "biblatex" => Some(Self::Bibtex),
            "json" => Some(Self::CslJson),
            "yaml" | "yml" => Some(Self::CslYaml),
            _ => None,
        }
    }
}

/// Parses a BibTeX/BibLaTeX file. `macro_sources` are the texts of other bibliography files
/// of the same project whose `@string` definitions this file may use.
pub fn parse_bibtex(text: &str, macro_sources: &[&str]) -> Bibliography {
    bibtex::parse(text, macro_sources)
}

/// Parses CSL-JSON (an array of items).
pub fn parse_csl_json(text: &str) -> Bibliography {
    csl::parse_json(text)
}

/// Parses CSL-YAML: a list of items, or a mapping with a `references:` list.
pub fn parse_csl_yaml(text: &str) -> Bibliography {
    csl::parse_yaml(text)
}

/// Parses `text` in `format`.
pub fn parse(format: BibFormat, text: &str, macro_sources: &[&str]) -> Bibliography {
    match format {
        BibFormat::Bibtex => parse_bibtex(text, macro_sources),
        BibFormat::CslJson => parse_csl_json(text),
        BibFormat::CslYaml => parse_csl_yaml(text),
    }
}
