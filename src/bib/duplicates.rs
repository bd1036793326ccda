//! Keys defined twice in one file: lookups keep the first, so the later one is unreachable.

use std::collections::HashSet;

use super::{BibDiagnostic, Entry, Severity};

/// A `duplicate-key` warning on the key of every entry whose key an earlier entry has.
pub(super) fn diagnostics(entries: &[Entry]) -> impl Iterator<Item = BibDiagnostic> + '_ {
    let mut seen = HashSet::with_capacity(entries.len());
    entries.iter().filter(move |e| !seen.insert(e.key.as_str())).map(|e| BibDiagnostic {
        span: e.key_span.clone(),
        severity: Severity::Warning,
        code: "duplicate-key",
        message: format!("duplicate key `{}`: citations use the first entry with this key", e.key),
    })
}
