//! `% scholia: ignore` (LaTeX) or `<!-- scholia: ignore -->` (Markdown) on a line keeps
//! claim diagnostics off the sentences on that line.

use std::ops::Range;

use crate::syntax::Language;

fn marker(language: Language) -> &'static str {
    match language {
        Language::Latex => "% scholia: ignore",
        Language::Markdown => "<!-- scholia: ignore -->",
    }
}

/// Whether any line the span touches carries the marker.
pub fn is_ignored(language: Language, text: &str, span: &Range<usize>) -> bool {
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..].find('\n').map_or(text.len(), |i| span.end + i);
    text[start..end].contains(marker(language))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_on_any_line_of_the_sentence_counts() {
        let text = "First claim.\nSecond claim spans\nlines. % scholia: ignore\nThird.";
        let second = text.find("Second").unwrap()..text.find(" %").unwrap();
        assert!(is_ignored(Language::Latex, text, &second));
        assert!(!is_ignored(Language::Latex, text, &(0..12)));
        assert!(!is_ignored(Language::Markdown, text, &second));
        let md = "A claim. <!-- scholia: ignore -->\n";
        assert!(is_ignored(Language::Markdown, md, &(0..8)));
    }
}
