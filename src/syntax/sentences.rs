//! Paragraphs into sentences, shared by both languages: the splitter walks prose units so
//! math, citations and other masks are never split.

use std::ops::Range;

use super::ir::{Citation, Paragraph, Section, Sentence};
use super::prose::{is_blank, render, unit_span, units, Mask, Unit};
use super::sections::SectionCursor;

/// Words whose trailing `.` does not end a sentence (compared lowercased, inner dots kept).
const ABBREVIATIONS: &[&str] = &[
    "al", "e.g", "i.e", "eg", "ie", "fig", "figs", "eq", "eqs", "cf", "vs", "sec", "secs", "sect",
    "ref", "refs", "tab", "tabs", "approx", "resp", "no", "nos", "viz", "ca", "vol", "pp", "ch",
    "dr", "prof", "st",
];

/// Builds paragraphs (dropping those without any letters) and their sentences.
pub(crate) fn build(
    text: &str,
    paragraph_spans: &[Range<usize>],
    masks: &[Mask],
    sections: &[Section],
    citations: &[Citation],
) -> (Vec<Paragraph>, Vec<Sentence>) {
    let mut paragraphs = Vec::new();
    let mut sentences = Vec::new();
    let mut in_section = SectionCursor::new(sections);
    for span in paragraph_spans {
        let units = units(text, span.clone(), masks);
        if !units.iter().any(|u| matches!(u, Unit::Char(_, c) if c.is_alphabetic())) {
            continue;
        }
        let Some(whole) = trim(&units, 0..units.len(), masks) else {
            continue;
        };
        let span =
            unit_span(units[whole.start], masks).start..unit_span(units[whole.end - 1], masks).end;
        let paragraph = paragraphs.len();
        let first = sentences.len();
        for range in split(text, &units, masks) {
            let Some(range) = trim(&units, range, masks) else {
                continue;
            };
            let prose = render(text, &units[range.clone()], masks);
            if prose.is_empty() {
                continue;
            }
            let span = unit_span(units[range.start], masks).start
                ..unit_span(units[range.end - 1], masks).end;
            let from = citations.partition_point(|c| c.span.start < span.start);
            let to = citations.partition_point(|c| c.span.start < span.end);
            sentences.push(Sentence { span, prose, paragraph, citations: (from..to).collect() });
        }
        let section = in_section.at(span.start);
        paragraphs.push(Paragraph { span, section, sentences: first..sentences.len() });
    }
    (paragraphs, sentences)
}

/// Sentences of plain text (e.g. an abstract) as trimmed byte ranges, with the same rules
/// as manuscripts (`et al.`, `e.g.`, decimals and initials do not end a sentence). The
/// text is one paragraph; a sentence without any letters or digits is still kept.
pub fn split_sentences(text: &str) -> Vec<Range<usize>> {
    let units = units(text, 0..text.len(), &[]);
    split(text, &units, &[])
        .into_iter()
        .filter_map(|range| trim(&units, range, &[]))
        .map(|range| {
            unit_span(units[range.start], &[]).start..unit_span(units[range.end - 1], &[]).end
        })
        .collect()
}

/// `range` without blank units at either end; `None` when nothing is left.
fn trim(units: &[Unit], range: Range<usize>, masks: &[Mask]) -> Option<Range<usize>> {
    let slice = &units[range.clone()];
    let start = slice.iter().position(|&u| !is_blank(u, masks))?;
    let end = slice.iter().rposition(|&u| !is_blank(u, masks))? + 1;
    Some(range.start + start..range.start + end)
}

/// Sentence ranges (unit indices) of one paragraph, untrimmed and covering all units.
fn split(text: &str, units: &[Unit], masks: &[Mask]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < units.len() {
        let Unit::Char(pos, c @ ('.' | '?' | '!')) = units[i] else {
            i += 1;
            continue;
        };
        if c == '.' && is_abbreviation(text, pos) {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < units.len() && is_closer(units[end], masks) {
            end += 1;
        }
        if starts_sentence(text, units, end, masks) {
            out.push(start..end);
            start = end;
        }
        i = end;
    }
    if start < units.len() {
        out.push(start..units.len());
    }
    out
}

/// What may follow a terminator and still belong to its sentence: more terminators,
/// closing brackets and quotes, and a citation (`.\cite{x}`).
fn is_closer(unit: Unit, masks: &[Mask]) -> bool {
    match unit {
        Unit::Char(_, c) => matches!(c, '.' | '?' | '!' | ')' | ']' | '}' | '"' | '\'' | '’' | '”'),
        Unit::Atom(i) => masks[i].citation,
    }
}

/// Whether units from `at` begin a new sentence: blank space, then a capital letter, a
/// command, a citation (`[@a] show`), or the end of the paragraph.
fn starts_sentence(text: &str, units: &[Unit], at: usize, masks: &[Mask]) -> bool {
    let Some(&first) = units.get(at) else {
        return true;
    };
    if !is_blank(first, masks) {
        return false;
    }
    let next = units[at..].iter().find(|&&u| {
        !is_blank(u, masks)
            && !matches!(u, Unit::Char(_, '(' | '[' | '{' | '`' | '"' | '\'' | '‘' | '“'))
    });
    match next {
        None => true,
        Some(Unit::Char(_, c)) => c.is_uppercase(),
        Some(&Unit::Atom(i)) => {
            masks[i].citation || text.as_bytes().get(masks[i].span.start) == Some(&b'\\')
        }
    }
}

/// Whether the `.` at `dot` ends an abbreviation or an initial (`et al.`, `Fig.`, `J.`).
fn is_abbreviation(text: &str, dot: usize) -> bool {
    let before = &text.as_bytes()[..dot];
    let start = before
        .iter()
        .rposition(|&b| !(b.is_ascii_alphanumeric() || b == b'.'))
        .map_or(0, |p| p + 1);
    let word = text.get(start..dot).unwrap_or_default();
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return c.is_ascii_uppercase();
    }
    ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        let (_, sentences) = build(text, std::slice::from_ref(&(0..text.len())), &[], &[], &[]);
        sentences.into_iter().map(|s| &text[s.span]).collect()
    }

    #[test]
    fn split_sentences_of_plain_text() {
        let text = "  We use $x = 3.5$ as in Smith et al. (2020).\n Results  improve. ";
        let got: Vec<&str> = split_sentences(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(got, ["We use $x = 3.5$ as in Smith et al. (2020).", "Results  improve."]);
        assert!(split_sentences(" \n ").is_empty());
    }

    #[test]
    fn abbreviations_decimals_and_initials_do_not_end_sentences() {
        let text = "Smith et al. show this, e.g. here, i.e. now. See Fig. 2 and Figs. 3. \
                    Eq. 4 vs. Eqs. 5 holds, cf. Sec. 2, Ref. 3, Tab. 1. It is approx. 3.5 \
                    resp. no. 4 by J. Smith. Done?";
        assert_eq!(
            sentences(text),
            [
                "Smith et al. show this, e.g. here, i.e. now.",
                "See Fig. 2 and Figs. 3.",
                "Eq. 4 vs. Eqs. 5 holds, cf. Sec. 2, Ref. 3, Tab. 1.",
                "It is approx. 3.5 resp. no. 4 by J. Smith.",
                "Done?",
            ]
        );
    }

    #[test]
    fn sentences_end_at_closers_and_need_a_capital_next() {
        let text = "It works (see below.) Then {it ends.} And! more text! lowercase goes on. \"Quoted\" starts.";
        assert_eq!(
            sentences(text),
            [
                "It works (see below.)",
                "Then {it ends.}",
                "And! more text! lowercase goes on.",
                "\"Quoted\" starts.",
            ]
        );
    }
}
