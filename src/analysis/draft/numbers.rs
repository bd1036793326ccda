//! Numbers in prose, normalised so a draft can be checked against its manuscript.
//!
//! Rules (the same on both sides, so what a token means matters less than that both read
//! it alike): digit runs with `.`/`,` between digits are one number; `1,000` is `1000`
//! when the commas group thousands, otherwise a comma separates numbers (`3,4`); trailing
//! decimal zeros and leading integer zeros go (`3.50` = `3.5`, `007` = `7`); a percent
//! sign or unit after the number is ignored (`3.5%` = `3.5`); LaTeX's `1{,}000` reads as
//! `1,000`. Number words from two to twenty and the round ones (thirty ... billion) count
//! as their value, so a draft's "three datasets" needs a 3 (or "three") in the manuscript.
//! "one" is left out: it is a pronoun far more often than a count.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:[.,]\d+)*|\.\d+|[A-Za-z]+").expect("valid pattern"));
static THOUSANDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$").expect("valid pattern"));

const WORDS: &[(&str, &str)] = &[
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
    ("eleven", "11"),
    ("twelve", "12"),
    ("thirteen", "13"),
    ("fourteen", "14"),
    ("fifteen", "15"),
    ("sixteen", "16"),
    ("seventeen", "17"),
    ("eighteen", "18"),
    ("nineteen", "19"),
    ("twenty", "20"),
    ("thirty", "30"),
    ("forty", "40"),
    ("fifty", "50"),
    ("hundred", "100"),
    ("thousand", "1000"),
    ("million", "1000000"),
    ("billion", "1000000000"),
];

/// The normalised numbers of `text`, in order.
pub fn numbers(text: &str) -> Vec<String> {
    let text = text.replace("{,}", ",");
    let mut out = Vec::new();
    for token in NUMBER.find_iter(&text).map(|m| m.as_str()) {
        if token.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let lower = token.to_ascii_lowercase();
            out.extend(WORDS.iter().find(|(w, _)| *w == lower).map(|(_, n)| n.to_string()));
        } else if THOUSANDS.is_match(token) {
            out.push(normalise(&token.replace(',', "")));
        } else {
            out.extend(token.split(',').map(normalise));
        }
    }
    out
}

/// `007` -> `7`, `3.50` -> `3.5`, `.5` -> `0.5`, `2.0` -> `2`.
fn normalise(number: &str) -> String {
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_owned()
    } else {
        format!("{int}.{frac}")
    }
}

/// Every number a manuscript mentions, for checking a draft against it.
#[derive(Debug, Default)]
pub struct Numbers(HashSet<String>);

impl Numbers {
    pub fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        Self(texts.into_iter().flat_map(numbers).collect())
    }

    /// The numbers of `sentence` the manuscript never mentions.
    pub fn unsupported(&self, sentence: &str) -> Vec<String> {
        numbers(sentence).into_iter().filter(|n| !self.0.contains(n)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_the_same_number_agree() {
        assert_eq!(numbers("1,000 and 1000 and 1{,}000"), ["1000", "1000", "1000"]);
        assert_eq!(numbers("3.5% vs 3.50 percent, 007 and .5"), ["3.5", "3.5", "7", "0.5"]);
        assert_eq!(numbers("In 2021. Versions 2.0 and 3,4."), ["2021", "2", "3", "4"]);
        assert_eq!(numbers("three models, one idea, Twelve runs"), ["3", "12"]);
        assert_eq!(numbers("GPT-4 beats x2"), ["4", "2"]);
        assert!(numbers("no numbers here").is_empty());
    }

    #[test]
    fn a_draft_number_must_be_in_the_manuscript() {
        let manuscript = Numbers::of(["We ran 3 seeds on 1,200 samples; accuracy was $92.0\\%$."]);
        assert!(manuscript.unsupported("Accuracy reached 92% over three seeds.").is_empty());
        assert!(manuscript.unsupported("We used 1200 samples.").is_empty());
        assert_eq!(manuscript.unsupported("Accuracy reached 93% on 4 tasks."), ["93", "4"]);
        assert_eq!(manuscript.unsupported("Five seeds were used."), ["5"]);
    }
}
