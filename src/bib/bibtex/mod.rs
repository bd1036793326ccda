//! BibTeX/BibLaTeX through the `biblatex` crate, one entry at a time: the crate gives up on a
//! whole file at its first error, while a user wants every good entry of a file being edited.

mod display;
mod inherit;
mod macros;
mod read;
mod scan;

use std::borrow::Cow;
use std::ops::Range;

use biblatex::{Pair, ParseError, RawBibliography};

use super::{BibDiagnostic, Bibliography, Severity};
use macros::Macros;
use read::Parsed;
use scan::Block;

/// Parses `text`; `macro_sources` only contribute their `@string` definitions.
pub(super) fn parse(text: &str, macro_sources: &[&str]) -> Bibliography {
    let mut diagnostics = Vec::new();
    let foreign: Vec<Cow<str>> = macro_sources
        .iter()
        .flat_map(|source| {
            scan::blocks(source)
                .into_iter()
                .flatten()
                .filter(|block| kind_of(source, block) == "string")
                .map(|block| block_text(source, &block))
        })
        .collect();
    let own: Vec<(Block, Cow<str>)> = scan::blocks(text)
        .into_iter()
        .filter_map(|block| match block {
            Ok(block) => {
                let src = block_text(text, &block);
                Some((block, src))
            }
            Err(broken) => {
                diagnostics.push(malformed(broken.span, broken.message));
                None
            }
        })
        .collect();

    // All definitions first: biber accepts a macro used before its `@string`.
    let mut macros = Macros::default();
    for src in &foreign {
        if let Ok(raw) = RawBibliography::parse(src) {
            macros.define(raw.abbreviations);
        }
    }
    let mut entry_blocks = Vec::new();
    for (block, src) in &own {
        match kind_of(text, block).as_str() {
            "comment" | "preamble" => {}
            "string" => match RawBibliography::parse(src) {
                Ok(raw) => macros.define(raw.abbreviations),
                Err(err) => diagnostics.push(parse_failure(block, src, &err)),
            },
            _ => entry_blocks.push((block, src.as_ref())),
        }
    }

    let mut parsed: Vec<Parsed> = entry_blocks
        .into_iter()
        .filter_map(|(block, src)| Parsed::read(block, src, &macros, &mut diagnostics))
        .collect();
    inherit::inherit_all(&mut parsed, &mut diagnostics);

    let entries: Vec<_> = parsed
        .iter()
        // `@xdata` entries only hold fields for others; they cannot be cited.
        .filter(|p| !p.raw.kind.v.eq_ignore_ascii_case("xdata"))
        .map(|p| super::Entry {
            key_span: p.key_span(),
            span: p.span.clone(),
            ..display::to_entry(&p.resolved, p.raw.kind.v)
        })
        .collect();
    diagnostics.extend(super::duplicates::diagnostics(&entries));
    Bibliography::new(entries, diagnostics)
}

fn malformed(span: Range<usize>, reason: &str) -> BibDiagnostic {
    BibDiagnostic {
        span,
        severity: Severity::Error,
        code: "malformed-entry",
        message: format!("malformed entry, skipped: {reason}"),
    }
}

/// A block the crate could not parse, with the start of the offending line to say where.
fn parse_failure(block: &Block, src: &str, err: &ParseError) -> BibDiagnostic {
    let rest = src.get(err.span.start..).unwrap_or("");
    let line = rest.split('\n').next().unwrap_or("").trim_end();
    let near = line.char_indices().nth(24).map_or(line, |(end, _)| &line[..end]);
    let reason =
        if near.is_empty() { err.kind.to_string() } else { format!("{} near `{near}`", err.kind) };
    malformed(block.span.clone(), &reason)
}

fn kind_of(text: &str, block: &Block) -> String {
    text[block.kind.clone()].to_ascii_lowercase()
}

/// The block's text; parentheses become braces (same length, so offsets hold) because the
/// crate only reads `@type{...}`.
fn block_text<'t>(text: &'t str, block: &Block) -> Cow<'t, str> {
    let src = &text[block.span.clone()];
    if text.as_bytes()[block.open] != b'(' {
        return Cow::Borrowed(src);
    }
    let open = block.open - block.span.start;
    let mut owned = src.to_string();
    owned.replace_range(open..open + 1, "{");
    owned.replace_range(owned.len() - 1.., "}");
    Cow::Owned(owned)
}

fn shifted(span: &Range<usize>, offset: usize) -> Range<usize> {
    span.start + offset..span.end + offset
}

/// A field's `name = value` in the file, its entry starting at `offset`.
fn field_span(field: &Pair, offset: usize) -> Range<usize> {
    field.key.span.start + offset..field.value.span.end + offset
}

#[cfg(test)]
mod tests;
