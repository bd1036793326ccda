//! `@string` macros. Like BibTeX, a definition is expanded when it is read, so stored values
//! never refer to other macros: the crate, which resolves references recursively, never sees
//! a cycle, and each entry is expanded here before the crate reads it.

use std::collections::HashMap;

use biblatex::{Pair, RawChunk, Spanned};

/// Guards against definitions that double in size at each step.
const MAX_CHUNKS: usize = 1024;

/// Macro names are case-insensitive in BibTeX.
#[derive(Default)]
pub(super) struct Macros<'s> {
    defs: HashMap<String, Vec<Spanned<RawChunk<'s>>>>,
}

impl<'s> Macros<'s> {
    /// Adds `@string` definitions; a later definition replaces an earlier one.
    pub fn define(&mut self, pairs: Vec<Pair<'s>>) {
        for pair in pairs {
            let value = self.expand(&pair.value.v, &mut Vec::new());
            self.defs.insert(pair.key.v.to_lowercase(), value);
        }
    }

    /// `field` with defined macros replaced by their values. Month names stay for the crate to
    /// spell out; any other undefined name becomes its own text and is pushed to `undefined`.
    pub fn expand(
        &self,
        field: &[Spanned<RawChunk<'s>>],
        undefined: &mut Vec<Spanned<&'s str>>,
    ) -> Vec<Spanned<RawChunk<'s>>> {
        let mut out = Vec::with_capacity(field.len());
        for chunk in field {
            match chunk.v {
                RawChunk::Abbreviation(name) => {
                    if let Some(value) = self.defs.get(&name.to_lowercase()) {
                        let room = MAX_CHUNKS.saturating_sub(out.len());
                        out.extend(value.iter().take(room).cloned());
                    } else if is_month(name) {
                        out.push(chunk.clone());
                    } else {
                        undefined.push(Spanned::new(name, chunk.span.clone()));
                        out.push(Spanned::new(RawChunk::Normal(name), chunk.span.clone()));
                    }
                }
                RawChunk::Normal(_) => out.push(chunk.clone()),
            }
        }
        out
    }
}

fn is_month(name: &str) -> bool {
    const MONTHS: [&str; 12] =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    MONTHS.iter().any(|m| m.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use biblatex::RawBibliography;

    fn values(macros: &Macros, name: &str) -> Vec<String> {
        macros.defs[name]
            .iter()
            .map(|c| match c.v {
                RawChunk::Normal(s) | RawChunk::Abbreviation(s) => s.to_string(),
            })
            .collect()
    }

    #[test]
    fn definitions_expand_earlier_ones_case_insensitively() {
        let raw = RawBibliography::parse(r#"@string{a = "x"} @string{B = A # "y" # a}"#).unwrap();
        let mut macros = Macros::default();
        macros.define(raw.abbreviations);
        assert_eq!(values(&macros, "b"), ["x", "y", "x"]);
    }

    #[test]
    fn self_reference_and_growth_stay_bounded() {
        let mut text = String::from(r#"@string{a = a # "x"}"#);
        for _ in 0..40 {
            text.push_str(r#"@string{a = a # a}"#);
        }
        let raw = RawBibliography::parse(&text).unwrap();
        let mut macros = Macros::default();
        macros.define(raw.abbreviations);
        assert_eq!(values(&macros, "a")[..2], ["a", "x"]);
        assert_eq!(macros.defs["a"].len(), MAX_CHUNKS);
    }
}
