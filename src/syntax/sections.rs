//! Sections from headings: kinds guessed from titles, spans closed by the next heading of the
//! same or a higher level, and the innermost section of a position.

use std::ops::Range;

use super::ir::{Section, SectionKind};

/// Title words per kind; the word found earliest in a title decides, the longer on a tie
/// (so "experimental setup" is a method, not results).
const KEYWORDS: &[(&str, SectionKind)] = &[
    ("abstract", SectionKind::Abstract),
    ("intro", SectionKind::Introduction),
    ("background", SectionKind::Introduction),
    ("motivation", SectionKind::Introduction),
    ("related work", SectionKind::RelatedWork),
    ("prior work", SectionKind::RelatedWork),
    ("previous work", SectionKind::RelatedWork),
    ("literature review", SectionKind::RelatedWork),
    ("method", SectionKind::Method),
    ("approach", SectionKind::Method),
    ("model", SectionKind::Method),
    ("experimental setup", SectionKind::Method),
    ("result", SectionKind::Results),
    ("experiment", SectionKind::Results),
    ("evaluation", SectionKind::Results),
    ("discussion", SectionKind::Discussion),
    ("conclusion", SectionKind::Conclusion),
    ("concluding", SectionKind::Conclusion),
    ("summary", SectionKind::Conclusion),
    ("outlook", SectionKind::Conclusion),
];

pub(crate) fn kind_of(title: &str) -> SectionKind {
    let title = title.to_lowercase();
    let at_word_start =
        |i: usize| title[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
    KEYWORDS
        .iter()
        .filter_map(|&(word, kind)| {
            let at = title.match_indices(word).map(|(i, _)| i).find(|&i| at_word_start(i))?;
            Some((at, std::cmp::Reverse(word.len()), kind))
        })
        .min_by_key(|&(at, len, _)| (at, len))
        .map_or(SectionKind::Other, |(_, _, kind)| kind)
}

/// A heading before its section's end is known.
pub(crate) struct Heading {
    pub level: u8,
    pub span: Range<usize>,
    pub title: String,
}

/// Sections of `headings` (in document order), each running until the next heading of the
/// same or a higher level, or `end`.
pub(crate) fn close(headings: Vec<Heading>, end: usize) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::with_capacity(headings.len());
    let mut open: Vec<usize> = Vec::new();
    for heading in headings {
        while let Some(&i) = open.last() {
            if sections[i].level < heading.level {
                break;
            }
            sections[i].span.end = heading.span.start;
            open.pop();
        }
        open.push(sections.len());
        sections.push(Section {
            kind: kind_of(&heading.title),
            title: heading.title,
            level: heading.level,
            span: heading.span.start..end.max(heading.span.end),
            heading_span: heading.span,
        });
    }
    sections
}

/// Innermost section at increasing positions, in one pass over sections in document order.
pub(crate) struct SectionCursor<'a> {
    sections: &'a [Section],
    next: usize,
    open: Vec<usize>,
}

impl<'a> SectionCursor<'a> {
    pub fn new(sections: &'a [Section]) -> Self {
        Self { sections, next: 0, open: Vec::new() }
    }

    pub fn at(&mut self, pos: usize) -> Option<usize> {
        while self.sections.get(self.next).is_some_and(|s| s.span.start <= pos) {
            self.open.push(self.next);
            self.next += 1;
        }
        let sections = self.sections;
        self.open.retain(|&i| pos < sections[i].span.end);
        self.open.last().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SectionKind::*;

    #[test]
    fn kinds_follow_the_title() {
        let cases = [
            ("Abstract", Abstract),
            ("1 Introduction", Introduction),
            ("Background and Motivation", Introduction),
            ("Related Work", RelatedWork),
            ("Literature review", RelatedWork),
            ("Methods", Method),
            ("Our Approach", Method),
            ("Experimental Setup", Method),
            ("Experiments", Results),
            ("Results and Discussion", Results),
            ("Evaluation", Results),
            ("Discussion", Discussion),
            ("Conclusions", Conclusion),
            ("Summary and Outlook", Conclusion),
            ("Remodelling the data", Other),
            ("Acknowledgements", Other),
        ];
        for (title, kind) in cases {
            assert_eq!(kind_of(title), kind, "{title}");
        }
    }

    #[test]
    fn sections_end_at_the_next_heading_of_their_level() {
        let h = |level, start: usize, title: &str| Heading {
            level,
            span: start..start + 5,
            title: title.into(),
        };
        let sections =
            close(vec![h(1, 0, "Intro"), h(2, 10, "A"), h(2, 20, "B"), h(1, 30, "Results")], 50);
        let spans: Vec<_> = sections.iter().map(|s| s.span.clone()).collect();
        assert_eq!(spans, [0..30, 10..20, 20..30, 30..50]);
        let mut cursor = SectionCursor::new(&sections);
        assert_eq!(
            [5, 12, 25, 31, 60].map(|p| cursor.at(p)),
            [Some(0), Some(1), Some(2), Some(3), None]
        );
    }
}
