//! Masks (source ranges that prose shows differently) and rendering prose through them.
//!
//! Both front-ends describe markup as masks; sentence splitting and prose rendering then
//! work the same for LaTeX and Markdown.

use std::ops::Range;

/// What a citation reads as in `Sentence::prose`.
pub const CITATION_PLACEHOLDER: &str = "[REF]";
/// What inline or display math reads as in prose.
pub const MATH_PLACEHOLDER: &str = "X";
/// What a cross-reference (`\ref`, `\eqref`, `@fig:x`) reads as in prose.
pub const NUMBER_PLACEHOLDER: &str = "1";

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Replace {
    /// Markup with no prose of its own (`\emph`, `*`, comments, `\label{..}`).
    Hide,
    Text(&'static str),
    /// Show these source bytes instead (an escaped character, a code span's content).
    Source(Range<usize>),
}

/// A source range shown as `replace`. Masks are sorted by start; a mask hides any mask
/// that starts inside it, so footnotes can be hidden while their citations are still found.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Mask {
    pub span: Range<usize>,
    pub replace: Replace,
    pub citation: bool,
}

impl Mask {
    pub fn new(span: Range<usize>, replace: Replace) -> Self {
        Self { span, replace, citation: false }
    }

    pub fn citation(span: Range<usize>, replace: Replace) -> Self {
        Self { span, replace, citation: true }
    }
}

/// One visible step through a paragraph: a source character or a whole mask.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Unit {
    Char(usize, char),
    Atom(usize),
}

/// Units of `range`, skipping masks hidden inside other masks.
pub(crate) fn units(text: &str, range: Range<usize>, masks: &[Mask]) -> Vec<Unit> {
    let end = range.end.min(text.len());
    let mut out = Vec::with_capacity(end.saturating_sub(range.start));
    let mut pos = range.start;
    let mut next = masks.partition_point(|m| m.span.start < pos);
    while pos < end {
        if let Some(mask) = masks.get(next).filter(|m| m.span.start <= pos) {
            out.push(Unit::Atom(next));
            pos = pos.max(mask.span.end);
            while masks.get(next).is_some_and(|m| m.span.start < pos) {
                next += 1;
            }
            continue;
        }
        match text.get(pos..).and_then(|rest| rest.chars().next()) {
            Some(c) => {
                out.push(Unit::Char(pos, c));
                pos += c.len_utf8();
            }
            None => pos += 1,
        }
    }
    out
}

/// Source byte range covered by a unit.
pub(crate) fn unit_span(unit: Unit, masks: &[Mask]) -> Range<usize> {
    match unit {
        Unit::Char(pos, c) => pos..pos + c.len_utf8(),
        Unit::Atom(i) => masks[i].span.clone(),
    }
}

/// Whether a unit shows nothing: whitespace or a hidden mask.
pub(crate) fn is_blank(unit: Unit, masks: &[Mask]) -> bool {
    match unit {
        Unit::Char(_, c) => c.is_whitespace(),
        Unit::Atom(i) => masks[i].replace == Replace::Hide,
    }
}

/// Prose of some units: placeholders for masks, TeX spacing resolved, whitespace collapsed.
pub(crate) fn render(text: &str, units: &[Unit], masks: &[Mask]) -> String {
    let mut out = String::new();
    let mut space = false;
    let mut push = |out: &mut String, s: &str| {
        for c in s.chars() {
            if c.is_whitespace() {
                space = true;
            } else {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
        }
    };
    for &unit in units {
        match unit {
            Unit::Char(_, '{' | '}') => {}
            Unit::Char(_, '~') => push(&mut out, " "),
            Unit::Char(_, c) => push(&mut out, c.encode_utf8(&mut [0; 4])),
            Unit::Atom(i) => match &masks[i].replace {
                Replace::Hide => {}
                Replace::Text(s) => push(&mut out, s),
                Replace::Source(r) => push(&mut out, text.get(r.clone()).unwrap_or("")),
            },
        }
    }
    out
}

/// Prose of a source range (a heading's title).
pub(crate) fn render_range(text: &str, range: Range<usize>, masks: &[Mask]) -> String {
    render(text, &units(text, range, masks), masks)
}

/// `range` without surrounding ASCII whitespace.
pub(crate) fn trim(text: &str, range: Range<usize>) -> Range<usize> {
    let s = text.get(range.clone()).unwrap_or_default();
    let start = range.start + (s.len() - s.trim_start().len());
    start..(start + s.trim().len()).max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_masks_are_hidden_by_their_outer_mask() {
        let text = "a \\footnote{b \\cite{k}} c";
        let masks = vec![
            Mask::new(2..24, Replace::Hide),
            Mask::citation(14..23, Replace::Text(CITATION_PLACEHOLDER)),
        ];
        assert_eq!(render_range(text, 0..text.len(), &masks), "a c");
        let masks = vec![Mask::citation(14..23, Replace::Text(CITATION_PLACEHOLDER))];
        assert_eq!(render_range(text, 0..text.len(), &masks), "a \\footnoteb [REF] c");
    }

    #[test]
    fn tex_spacing_and_braces_are_resolved() {
        assert_eq!(render_range("Fig.~{1}\n  shows", 0..17, &[]), "Fig. 1 shows");
    }
}
