//! The output-text rules of the TL;DR head, exactly as `models/tldr-head/features.json`
//! specifies them and `models/train/tldr_text.py` implements them: words, cue phrases,
//! LaTeX clean-up, leading-marker trimming and the 30-word rule.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Most words a TL;DR shows before it is shortened.
pub const MAX_WORDS: usize = 30;
/// How much lower a short sentence may score than the best one and still replace it.
pub const MARGIN: f64 = 0.02;
/// A cut never ends before this word (1-based) at a clause boundary.
const MIN_CUT_WORDS: usize = 12;

/// Cue phrases, in feature order.
pub const CUE_PHRASES: [&str; 15] = [
    "we propose",
    "we present",
    "we introduce",
    "we show",
    "we demonstrate",
    "in this paper",
    "in this work",
    "our",
    "results",
    "outperform",
    "state-of-the-art",
    "novel",
    "however",
    "existing",
    "recent",
];

/// Leading discourse markers trimmed from the shown sentence.
pub(crate) const MARKERS: [&str; 41] = [
    "in this paper",
    "in this work",
    "in this study",
    "in this note",
    "in this article",
    "here",
    "however",
    "furthermore",
    "moreover",
    "finally",
    "in particular",
    "specifically",
    "in addition",
    "additionally",
    "to this end",
    "further",
    "therefore",
    "thus",
    "hence",
    "consequently",
    "as a result",
    "in contrast",
    "instead",
    "empirically",
    "to address this issue",
    "to address this problem",
    "to achieve this",
    "first",
    "second",
    "third",
    "secondly",
    "thirdly",
    "next",
    "then",
    "also",
    "besides",
    "nevertheless",
    "overall",
    "in summary",
    "in conclusion",
    "to summarize",
];

/// Words: maximal runs of non-White_Space characters.
pub fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// 1.0 per cue phrase found in the ASCII-lowercased text, else 0.0.
pub fn cue_features(text: &str) -> [f32; 15] {
    let low = text.to_ascii_lowercase();
    CUE_PHRASES.map(|p| if low.contains(p) { 1.0 } else { 0.0 })
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid pattern")
}

static RE_CITE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\\(?:[A-Za-z]*cite[A-Za-z]*|ref|eqref|autoref|cref|Cref|label|footnote)\*?(?:\[[^\]]*\])*\{[^{}]*\}",
    )
});
static RE_UNWRAP: LazyLock<Regex> = LazyLock::new(|| re(r"\\[A-Za-z]+\*?\{([^{}]*)\}"));
static RE_ESCAPE: LazyLock<Regex> = LazyLock::new(|| re(r"\\([%&_#$\{\}])"));
static RE_CTRLWORD: LazyLock<Regex> = LazyLock::new(|| re(r"\\([A-Za-z]+)\*?"));
static RE_CTRLSYM: LazyLock<Regex> = LazyLock::new(|| re(r"\\[^A-Za-z]"));
static RE_SPACE_BEFORE_PUNCT: LazyLock<Regex> = LazyLock::new(|| re(r" ([,.;:)])"));

/// Escaped characters, protected by private-use placeholders (U+E000 + index) while
/// `$ { }` are deleted.
const PROTECTED: &str = "%&_#${}";

fn placeholder(c: char) -> char {
    let i = PROTECTED.chars().position(|p| p == c).expect("protected char") as u32;
    char::from_u32(0xE000 + i).expect("private-use char")
}

/// LaTeX clean-up of a sentence for display (never used for features).
pub fn clean_latex(text: &str) -> String {
    let mut out = RE_CITE.replace_all(text, "").into_owned();
    loop {
        let next = RE_UNWRAP.replace_all(&out, "${1}");
        if next == out {
            break;
        }
        out = next.into_owned();
    }
    let out = RE_ESCAPE.replace_all(&out, |c: &Captures| {
        placeholder(c[1].chars().next().expect("one char")).to_string()
    });
    let out = RE_CTRLWORD.replace_all(&out, "${1}");
    let out = RE_CTRLSYM.replace_all(&out, "");
    let mut out: String = out
        .chars()
        .filter(|c| !matches!(c, '$' | '{' | '}'))
        .map(|c| if c == '~' { ' ' } else { c })
        .collect();
    for c in PROTECTED.chars() {
        out = out.replace(placeholder(c), c.encode_utf8(&mut [0; 4]));
    }
    let out = words(&out).join(" ");
    RE_SPACE_BEFORE_PUNCT.replace_all(&out, "${1}").into_owned()
}

/// Markers longest first, then alphabetically.
static MARKERS_ORDERED: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut m = MARKERS.to_vec();
    m.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    m
});

/// Repeatedly removes a leading `marker,` followed by whitespace (ASCII case-insensitive),
/// then upper-cases a leading ASCII a-z.
pub fn strip_markers(text: &str) -> String {
    let mut out = text;
    'again: loop {
        let low = out.to_ascii_lowercase();
        for m in MARKERS_ORDERED.iter() {
            if low.starts_with(m) && low[m.len()..].starts_with(',') {
                // The matched prefix is ASCII, so byte offsets agree with `out`.
                let rest = &out[m.len() + 1..];
                let stripped = rest.trim_start_matches(char::is_whitespace);
                if !stripped.is_empty() && stripped.len() < rest.len() {
                    out = stripped;
                    continue 'again;
                }
            }
        }
        break;
    }
    let mut s = out.to_owned();
    if let Some(first) = s.get(0..1).filter(|f| f.as_bytes()[0].is_ascii_lowercase()) {
        let upper = first.to_ascii_uppercase();
        s.replace_range(0..1, &upper);
    }
    s
}

/// The text shown for a sentence: LaTeX clean-up, then marker trimming.
pub fn display_text(sentence: &str) -> String {
    strip_markers(&clean_latex(sentence))
}

/// Cuts a text of more than `max_words` words: the first `max_words`, back to the last
/// word at position >= 12 ending with `, ; :` if any, trailing `,;:` removed, then `…`.
pub fn cut_to_words(text: &str, max_words: usize) -> String {
    let ws = words(text);
    if ws.len() <= max_words {
        return text.to_owned();
    }
    let ws = &ws[..max_words];
    let cut = (MIN_CUT_WORDS..=ws.len())
        .rev()
        .find(|&k| ws[k - 1].ends_with([',', ';', ':']))
        .unwrap_or(ws.len());
    let mut kept: Vec<&str> = ws[..cut].to_vec();
    let last = kept.last_mut().expect("at least one word");
    *last = last.trim_end_matches([',', ';', ':']);
    kept.join(" ") + "\u{2026}"
}

/// Index of the highest score, the first on ties.
fn argmax_first(scores: &[f32], among: impl Iterator<Item = usize>) -> Option<usize> {
    among.fold(None, |best, i| match best {
        Some(b) if scores[b] >= scores[i] => Some(b),
        _ => Some(i),
    })
}

/// The 30-word rule over per-sentence scores and display texts: the chosen index and
/// the final text. `None` when there are no sentences.
pub fn choose(scores: &[f32], texts: &[String]) -> Option<(usize, String)> {
    let best = argmax_first(scores, 0..scores.len())?;
    let fits = |i: usize| words(&texts[i]).len() <= MAX_WORDS;
    if fits(best) {
        return Some((best, texts[best].clone()));
    }
    if let Some(alt) = argmax_first(scores, (0..scores.len()).filter(|&i| fits(i))) {
        if f64::from(scores[alt]) >= f64::from(scores[best]) - MARGIN {
            return Some((alt, texts[alt].clone()));
        }
    }
    Some((best, cut_to_words(&texts[best], MAX_WORDS)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_sorted_longest_first() {
        assert_eq!(MARKERS_ORDERED[0], "to address this problem");
        assert_eq!(MARKERS_ORDERED.last(), Some(&"thus"));
    }

    #[test]
    fn choose_prefers_a_short_sentence_within_the_margin() {
        let long = (0..40).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        let texts = vec![long.clone(), "Short one.".to_owned()];
        assert_eq!(choose(&[0.5, 0.49], &texts).unwrap(), (1, "Short one.".to_owned()));
        let (i, text) = choose(&[0.5, 0.4], &texts).unwrap();
        assert_eq!(i, 0);
        assert!(text.ends_with("w29\u{2026}"));
        assert_eq!(choose(&[0.3, 0.3], &texts).unwrap().0, 1);
        assert!(choose(&[], &[]).is_none());
    }

    #[test]
    fn unicode_after_a_marker_is_kept_whole() {
        assert_eq!(strip_markers("Thus,\u{a0}état"), "état");
        assert_eq!(strip_markers("thus, x"), "X");
    }
}
