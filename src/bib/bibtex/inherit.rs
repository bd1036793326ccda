//! `crossref` and `xdata` inheritance, done by the crate on a small family of entries per
//! child: only cycle-free families are handed over, because the crate follows links
//! recursively with no guard.

use std::collections::HashMap;

use biblatex::{Pair, RawChunk, RawEntry, Spanned};

use super::read::{resolve, Parsed};
use super::{field_span, BibDiagnostic, Severity};

/// Fields naming entries to inherit from.
const LINK_FIELDS: [&str; 2] = ["crossref", "xdata"];
/// Most entries one entry inherits from, directly or not.
const MAX_ANCESTORS: usize = 16;

pub(super) fn is_link(field: &Pair) -> bool {
    LINK_FIELDS.iter().any(|name| field.key.v.eq_ignore_ascii_case(name))
}

/// Keys in a `crossref`, `xdata` or `ids` value (the last two take comma-separated lists).
pub(super) fn keys_in<'a, 's>(field: &'a Pair<'s>) -> impl Iterator<Item = &'s str> + 'a {
    field.value.v.iter().flat_map(|chunk| {
        let (RawChunk::Normal(s) | RawChunk::Abbreviation(s)) = chunk.v;
        s.split(',').map(str::trim).filter(|k| !k.is_empty())
    })
}

/// Replaces each entry's fields with its own plus those it inherits.
pub(super) fn inherit_all(parsed: &mut [Parsed], diagnostics: &mut Vec<BibDiagnostic>) {
    let family = Family::new(parsed);
    let inherited: Vec<(usize, biblatex::Entry)> = (0..parsed.len())
        .filter_map(|i| family.inherited(i, diagnostics).map(|entry| (i, entry)))
        .collect();
    for (i, entry) in inherited {
        parsed[i].resolved = entry;
    }
}

/// The entries of a file by key and by `ids` alias (biber follows links through aliases).
struct Family<'p, 's> {
    parsed: &'p [Parsed<'s>],
    by_key: HashMap<&'s str, usize>,
}

impl<'p, 's> Family<'p, 's> {
    fn new(parsed: &'p [Parsed<'s>]) -> Self {
        let mut by_key = HashMap::with_capacity(parsed.len());
        for (i, entry) in parsed.iter().enumerate() {
            by_key.entry(entry.raw.key.v).or_insert(i);
        }
        for (i, entry) in parsed.iter().enumerate() {
            for &alias in &entry.aliases {
                by_key.entry(alias).or_insert(i);
            }
        }
        Self { parsed, by_key }
    }

    fn links(&self, i: usize) -> impl Iterator<Item = &'p Pair<'s>> {
        self.parsed[i].raw.fields.iter().filter(|f| is_link(f))
    }

    /// Entry `i` with what it inherits, if its links lead anywhere; problems with the links
    /// are reported on them.
    fn inherited(&self, i: usize, diagnostics: &mut Vec<BibDiagnostic>) -> Option<biblatex::Entry> {
        let entry = &self.parsed[i];
        let first_link = self.links(i).next()?;
        let mut report = |link: &Pair, severity, code, message: String| {
            diagnostics.push(BibDiagnostic {
                span: field_span(link, entry.span.start),
                severity,
                code,
                message: format!("{} of `{}`: {message}", link.key.v, entry.raw.key.v),
            })
        };
        for link in self.links(i) {
            for key in keys_in(link).filter(|key| !self.by_key.contains_key(key)) {
                let message =
                    format!("`{key}` is not in this file, so nothing is inherited from it");
                report(link, Severity::Information, "missing-crossref", message);
            }
        }
        let mut found = Vec::new();
        if let Err(problem) = self.ancestors(i, &mut vec![i], &mut found) {
            let message = format!("{problem}; nothing is inherited");
            report(first_link, Severity::Warning, "crossref-unresolved", message);
            return None;
        }
        if found.is_empty() {
            return None;
        }
        let members =
            std::iter::once(i).chain(found).map(|j| self.with_canonical_links(j)).collect();
        resolve(members)
            .map_err(|err| {
                let message = format!("inherited fields could not be read ({err})");
                report(first_link, Severity::Warning, "crossref-unresolved", message);
            })
            .ok()
    }

    /// Collects into `found` every entry reachable from `i` through links, refusing cycles
    /// and more than [`MAX_ANCESTORS`] entries.
    fn ancestors(
        &self,
        i: usize,
        path: &mut Vec<usize>,
        found: &mut Vec<usize>,
    ) -> Result<(), String> {
        for link in self.links(i) {
            for key in keys_in(link) {
                let Some(&j) = self.by_key.get(key) else {
                    continue;
                };
                if path.contains(&j) {
                    return Err(format!("the links run in a circle through `{key}`"));
                }
                if found.contains(&j) {
                    continue;
                }
                if found.len() == MAX_ANCESTORS {
                    return Err(format!("more than {MAX_ANCESTORS} entries to inherit from"));
                }
                found.push(j);
                path.push(j);
                self.ancestors(j, path, found)?;
                path.pop();
            }
        }
        Ok(())
    }

    /// Entry `j` with its links naming keys rather than aliases, which the crate doesn't know.
    fn with_canonical_links(&self, j: usize) -> RawEntry<'s> {
        let mut raw = self.parsed[j].raw.clone();
        for link in raw.fields.iter_mut().filter(|f| is_link(f)) {
            let keys: Vec<&str> = keys_in(link)
                .filter_map(|k| self.by_key.get(k))
                .map(|&t| self.parsed[t].raw.key.v)
                .collect();
            link.value.v = keys
                .iter()
                .enumerate()
                .flat_map(|(n, &key)| [(n > 0).then_some(","), Some(key)])
                .flatten()
                .map(|s| Spanned::zero(RawChunk::Normal(s)))
                .collect();
        }
        raw
    }
}
