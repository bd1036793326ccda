//! Theme labels: the terms that set a cluster's titles and abstracts apart from the other
//! clusters', by TF-IDF with each cluster as one document.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::analysis::summary::text::clean_latex;

/// English function words and words every paper title uses, which name no theme.
const STOP_WORDS: &[&str] = &[
    "about", "above", "across", "after", "against", "all", "also", "among", "and", "any", "are",
    "around", "based", "been", "before", "being", "between", "both", "but", "can", "could", "did",
    "does", "doing", "down", "during", "each", "either", "et", "etc", "few", "for", "from",
    "further", "had", "has", "have", "having", "her", "here", "his", "how", "however", "into",
    "its", "itself", "just", "less", "many", "may", "more", "most", "much", "must", "new", "non",
    "nor", "not", "novel", "now", "off", "once", "one", "only", "other", "our", "ours", "out",
    "over", "own", "paper", "per", "same", "several", "she", "should", "show", "shows", "since",
    "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they",
    "this", "those", "through", "thus", "too", "toward", "towards", "two", "under", "until",
    "upon", "use", "used", "uses", "using", "very", "via", "was", "way", "we", "were", "what",
    "when", "where", "whether", "which", "while", "who", "whom", "why", "will", "with", "within",
    "without", "would", "yet", "you", "your",
];

/// Longest term: "large language models".
const MAX_WORDS_PER_TERM: usize = 3;
/// A longer term replaces a shorter one it contains when it scores at least this share of
/// it: "large language models" says more than "language".
const EXTEND_RATIO: f64 = 0.75;

/// Per folded term: how many of a cluster's members use it, and how often each surface
/// form occurs.
type TermCounts = BTreeMap<String, (usize, BTreeMap<String, usize>)>;

/// Runs of content words of a title or abstract: LaTeX cleaned, lower-cased, letters (and
/// inner hyphens) only, at least three characters. Stop words, numbers and punctuation
/// other than spaces end a run, so terms never span them.
pub fn runs(text: &str) -> Vec<Vec<String>> {
    let text = clean_latex(text);
    let mut runs = vec![Vec::new()];
    for piece in text.split_inclusive(|c: char| !(c.is_alphanumeric() || c == '-')) {
        let last = piece.chars().next_back().unwrap_or(' ');
        let word = piece.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '-'));
        let word = word.trim_matches('-').to_lowercase();
        let content = word.chars().count() >= 3
            && word.chars().all(|c| c.is_alphabetic() || c == '-')
            && STOP_WORDS.binary_search(&word.as_str()).is_err();
        let current = runs.last_mut().expect("runs is never empty");
        if content {
            current.push(word);
        } else if !word.is_empty() && !current.is_empty() {
            runs.push(Vec::new());
        }
        let breaks_run = !(last.is_alphanumeric() || last == '-' || last.is_whitespace());
        if breaks_run && runs.last().is_some_and(|run| !run.is_empty()) {
            runs.push(Vec::new());
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// The form a word is counted under: a regular plural counts with its singular.
fn fold(word: &str) -> &str {
    match word.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 && !stem.ends_with(['s', 'u', 'i']) => stem,
        _ => word,
    }
}

/// Terms of one to three words of each member, counted once per member.
fn count_terms(members: &[&str]) -> TermCounts {
    let mut terms = TermCounts::new();
    for text in members {
        let mut seen = BTreeSet::new();
        for run in runs(text) {
            for n in 1..=MAX_WORDS_PER_TERM {
                for window in run.windows(n) {
                    let folded: Vec<&str> = window.iter().map(|w| fold(w)).collect();
                    let slot = terms.entry(folded.join(" ")).or_default();
                    *slot.1.entry(window.join(" ")).or_default() += 1;
                    if seen.insert(folded.join(" ")) {
                        slot.0 += 1;
                    }
                }
            }
        }
    }
    terms
}

/// Up to `top` distinctive terms per cluster. `clusters[c]` holds the texts of cluster
/// c's members. A term scores by the share of the cluster's members that use it times
/// `ln((1 + K) / clusters using it)`, so a term all clusters share still ranks (weakly)
/// when nothing else does. Terms one member alone uses are left out unless no term is
/// shared; see `pick` for overlapping terms. Ties go to the longer term, then the
/// alphabetically first; a term is shown in the form its cluster uses most.
pub fn labels(clusters: &[Vec<&str>], top: usize) -> Vec<Vec<String>> {
    let per_cluster: Vec<TermCounts> = clusters.iter().map(|m| count_terms(m)).collect();
    let mut spread: HashMap<&str, usize> = HashMap::new();
    for terms in &per_cluster {
        for term in terms.keys() {
            *spread.entry(term).or_default() += 1;
        }
    }
    let k = clusters.len() as f64;
    per_cluster
        .iter()
        .zip(clusters)
        .map(|(terms, members)| {
            let size = members.len().max(1) as f64;
            let mut scored: Vec<(f64, usize, &String, &BTreeMap<String, usize>)> = terms
                .iter()
                .map(|(term, (users, forms))| {
                    let idf = ((1.0 + k) / spread[term.as_str()] as f64).ln();
                    (*users as f64 / size * idf, *users, term, forms)
                })
                .collect();
            let words = |t: &str| t.split(' ').count();
            scored.sort_by(|a, b| {
                b.0.total_cmp(&a.0).then(words(b.2).cmp(&words(a.2))).then(a.2.cmp(b.2))
            });
            let shared = pick(&scored, top, members.len().min(2));
            let chosen = if shared.is_empty() { pick(&scored, top, 1) } else { shared };
            chosen
                .into_iter()
                .map(|forms| {
                    let most = forms.values().max().copied().unwrap_or(0);
                    forms
                        .iter()
                        .find(|(_, &n)| n == most)
                        .map(|(f, _)| f.clone())
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect()
}

/// The best `top` terms used by at least `min_users` members, no two sharing a word; a
/// longer term replaces a picked one it extends when it scores at least `EXTEND_RATIO` of
/// it ("language" becomes "language models"). Their surface forms.
fn pick<'a>(
    scored: &[(f64, usize, &String, &'a BTreeMap<String, usize>)],
    top: usize,
    min_users: usize,
) -> Vec<&'a BTreeMap<String, usize>> {
    let mut picked: Vec<(f64, &str, &BTreeMap<String, usize>)> = Vec::new();
    for &(score, _, term, forms) in scored.iter().filter(|s| s.1 >= min_users) {
        let words: Vec<&str> = term.split(' ').collect();
        let overlapping: Vec<usize> = (0..picked.len())
            .filter(|&j| picked[j].1.split(' ').any(|w| words.contains(&w)))
            .collect();
        match overlapping[..] {
            [] if picked.len() < top => picked.push((score, term, forms)),
            [j] if score >= EXTEND_RATIO * picked[j].0 && extends(term, picked[j].1) => {
                picked[j] = (score, term, forms)
            }
            _ => {}
        }
    }
    picked.into_iter().map(|(_, _, forms)| forms).collect()
}

/// `longer` holds `shorter` as a run of whole words.
fn extends(longer: &str, shorter: &str) -> bool {
    longer.len() > shorter.len() && format!(" {longer} ").contains(&format!(" {shorter} "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn runs_break_at_stop_words_numbers_and_punctuation() {
        assert_eq!(
            runs("Towards \\emph{Large} Language Models: $\\alpha$-helix design in 2023 via graph-based nets"),
            vec![
                vec!["large", "language", "models"],
                vec!["alpha-helix", "design"],
                vec!["graph-based", "nets"],
            ]
        );
    }

    #[test]
    fn labels_are_the_distinctive_terms_of_each_cluster() {
        let clusters = vec![
            vec![
                "Large language models for chemistry",
                "Language models answer chemistry questions",
                "Benchmarking language models",
            ],
            vec![
                "Crystal structure prediction with graph networks",
                "Graph networks for crystal properties",
                "A benchmark of crystal structure data",
            ],
        ];
        let labels = labels(&clusters, 3);
        assert_eq!(labels[0], ["language models", "chemistry"]);
        assert_eq!(labels[1], ["crystal", "graph networks", "structure"]);
    }

    #[test]
    fn plurals_count_with_their_singular_and_show_the_common_form() {
        let clusters = vec![vec!["Neural networks", "A network of networks", "Networks again"]];
        assert_eq!(labels(&clusters, 1), [["networks"]]);
        assert_eq!(fold("analysis"), "analysis");
        assert_eq!(fold("class"), "class");
        assert_eq!(fold("corpus"), "corpus");
    }

    #[test]
    fn a_term_shared_by_all_clusters_ranks_below_a_distinctive_one() {
        let clusters = vec![
            vec!["protein design methods", "design of protein binders"],
            vec!["protein docking scores", "docking of protein complexes"],
        ];
        let labels = labels(&clusters, 2);
        assert_eq!(labels[0], ["design", "protein"]);
        assert_eq!(labels[1], ["docking", "protein"]);
    }

    #[test]
    fn a_longer_term_replaces_one_it_extends() {
        assert!(extends("large language models", "language"));
        assert!(!extends("languages", "language"));
        assert!(!extends("language", "language"));
        let clusters = vec![
            vec![
                "Large language models for chemistry",
                "Large language models as agents",
                "Language models for code",
                "Large language models in medicine",
            ],
            vec!["Protein folding"],
        ];
        assert_eq!(labels(&clusters, 1)[0], ["large language models"]);
    }

    #[test]
    fn a_lone_member_still_gets_a_label() {
        assert_eq!(labels(&[vec!["Protein docking"]], 3), [["protein docking"]]);
    }
}
