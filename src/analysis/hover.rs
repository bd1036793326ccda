//! The hover card of a bibliography entry.

use crate::bib::{Entry, KeyMatch};
use crate::project::ResolvedKey;

/// Characters of the abstract shown under the entry.
const ABSTRACT_PREVIEW_CHARS: usize = 400;

/// Where the entry's TL;DR stands, as the hover shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tldr<'a> {
    Ready(&'a str),
    Summarising,
    NoAbstract,
    /// The abstract has no sentence to summarise.
    Empty,
    Unavailable(&'a str),
}

/// Markdown for a resolved key: title, authors, year and venue, link, TL;DR, start of the
/// abstract.
pub fn entry_markdown(found: &ResolvedKey, tldr: Tldr) -> String {
    let entry = found.entry;
    let mut out = String::new();
    out.push_str(&format!("**{}**\n\n", escape(entry.title.as_deref().unwrap_or(&entry.key))));
    let mut byline = Vec::new();
    if !entry.authors.is_empty() {
        byline.push(authors_line(&entry.authors));
    }
    if let Some(year) = &entry.year {
        byline.push(year.clone());
    }
    if let Some(venue) = &entry.venue {
        byline.push(format!("*{}*", escape(venue)));
    }
    if !byline.is_empty() {
        out.push_str(&byline.join(" · "));
        out.push_str("\n\n");
    }
    if let Some(link) = link(entry) {
        out.push_str(&link);
        out.push_str("\n\n");
    }
    match tldr {
        Tldr::Ready(text) => out.push_str(&format!("**TL;DR** {}\n\n", escape(text))),
        Tldr::Summarising => out.push_str("*TL;DR: summarising…*\n\n"),
        Tldr::NoAbstract => out.push_str("*No abstract available: no TL;DR.*\n\n"),
        Tldr::Empty => {}
        Tldr::Unavailable(reason) => {
            out.push_str(&format!("*TL;DR unavailable: {}*\n\n", escape(reason)))
        }
    }
    if let Some(text) = &entry.abstract_text {
        out.push_str(&format!("> {}\n\n", escape(&preview(text, ABSTRACT_PREVIEW_CHARS))));
    }
    let source = found.source.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    out.push_str(&format!("`{}` in {}", entry.key, source));
    if found.matched == KeyMatch::CaseInsensitive {
        out.push_str(" (matched ignoring letter case)");
    }
    out
}

/// "A, B and C" for up to three authors, "A et al." beyond.
pub fn authors_line(authors: &[String]) -> String {
    match authors {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [first, ..] => format!("{first} et al."),
    }
}

fn link(entry: &Entry) -> Option<String> {
    if let Some(doi) = &entry.doi {
        let doi = doi.trim_start_matches("https://doi.org/").trim_start_matches("doi:");
        return Some(format!("[doi:{doi}](https://doi.org/{doi})"));
    }
    entry.url.as_ref().map(|url| format!("<{url}>"))
}

/// The text cut at a word boundary near `limit` characters, with an ellipsis if cut.
pub fn preview(text: &str, limit: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= limit {
        return text;
    }
    let cut: String = text.chars().take(limit).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// Keeps Markdown from interpreting characters of bibliographic text.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn card_shows_metadata_link_and_abstract() {
        let entry = Entry {
            key: "smith2020".into(),
            title: Some("Deep *learning*".into()),
            authors: vec!["Ann Smith".into(), "Bo Lee".into(), "C D".into(), "E F".into()],
            year: Some("2020".into()),
            venue: Some("Nature".into()),
            doi: Some("10.1/x".into()),
            abstract_text: Some("We study things. ".repeat(60)),
            ..Entry::default()
        };
        let found = ResolvedKey {
            entry: &entry,
            source: Path::new("/p/refs.bib"),
            matched: KeyMatch::CaseInsensitive,
        };
        let md = entry_markdown(&found, Tldr::Ready("Things are studied."));
        assert!(md.starts_with("**Deep \\*learning\\***"), "{md}");
        assert!(md.contains("Ann Smith et al. · 2020 · *Nature*"), "{md}");
        assert!(md.contains("[doi:10.1/x](https://doi.org/10.1/x)"));
        assert!(md.contains("**TL;DR** Things are studied.\n\n> We study things."), "{md}");
        assert!(md.contains("…"));
        assert!(md.ends_with("`smith2020` in refs.bib (matched ignoring letter case)"));
    }

    #[test]
    fn preview_cuts_at_words() {
        assert_eq!(preview("one two three", 9), "one two…");
        assert_eq!(preview("short", 9), "short");
    }
}
