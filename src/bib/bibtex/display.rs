//! A resolved `biblatex` entry as the display-ready [`Entry`] the features use.

use biblatex::{Chunk, Person, Spanned};

use crate::bib::latex_text;
use crate::bib::Entry;

/// Fields naming where a work appeared, most specific first.
const VENUE_FIELDS: [&str; 9] = [
    "journaltitle",
    "journal",
    "booktitle",
    "maintitle",
    "publisher",
    "institution",
    "school",
    "organization",
    "howpublished",
];

/// Fields shown besides the venue.
const SHOWN: [&str; 7] = ["title", "author", "year", "date", "doi", "url", "abstract"];

/// Whether a field is shown. Only those are worth resolving: real files carry many more
/// fields, and `ids` aliases would let the crate swap entries under our key index.
pub(super) fn is_shown(field: &str) -> bool {
    SHOWN.iter().chain(&VENUE_FIELDS).any(|f| field.eq_ignore_ascii_case(f))
}

/// `entry` as shown to users; its spans are left for the caller to fill in.
pub(super) fn to_entry(entry: &biblatex::Entry, kind: &str) -> Entry {
    let text = |name: &str| entry.get(name).map(text_of).filter(|s| !s.is_empty());
    let verbatim = |name: &str| {
        entry
            .get(name)
            .map(|chunks| latex_text::unescape(&raw_text(chunks)))
            .filter(|s| !s.is_empty())
    };
    Entry {
        key: entry.key.clone(),
        kind: kind.to_ascii_lowercase(),
        title: text("title"),
        authors: entry
            .get_as::<Vec<Person>>("author")
            .map(|people| people.iter().map(display_name).filter(|n| !n.is_empty()).collect())
            .unwrap_or_default(),
        year: text("year").or_else(|| text("date").and_then(|d| year_of_date(&d))),
        venue: VENUE_FIELDS.iter().find_map(|&name| text(name)),
        doi: verbatim("doi"),
        url: verbatim("url"),
        abstract_text: text("abstract"),
        key_span: 0..0,
        span: 0..0,
    }
}

/// Chunks as written, math included without its dollars.
fn raw_text(chunks: &[Spanned<Chunk>]) -> String {
    chunks
        .iter()
        .map(|chunk| match &chunk.v {
            Chunk::Normal(s) | Chunk::Verbatim(s) => s.clone(),
            Chunk::Math(s) => latex_text::math(s),
        })
        .collect()
}

fn text_of(chunks: &[Spanned<Chunk>]) -> String {
    latex_text::prose(&raw_text(chunks))
}

/// "Given von Family, Jr." — the order a reader expects.
fn display_name(person: &Person) -> String {
    let mut name = [&person.given_name, &person.prefix, &person.name]
        .iter()
        .map(|part| latex_text::prose(part))
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let suffix = latex_text::prose(&person.suffix);
    if !suffix.is_empty() {
        name.push_str(", ");
        name.push_str(&suffix);
    }
    name
}

/// The year of an ISO 8601 / EDTF date such as `2021-03-04` or `2019/2020`.
fn year_of_date(date: &str) -> Option<String> {
    let year: String = date.trim().chars().take_while(|c| c.is_ascii_digit()).collect();
    (!year.is_empty()).then_some(year)
}
