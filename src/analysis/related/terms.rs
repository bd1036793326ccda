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

/// Per folded term: how many of a cluster's members use it, and how often each surface
/// form occurs.
type TermCounts = BTreeMap<String, (usize, BTreeMap<String, usize>)>;

/// Words of a title or abstract for labelling: LaTeX cleaned, lower-cased, letters (and
/// inner hyphens) only, at least three characters, stop words left out.
pub fn words(text: &str) -> Vec<String> {
    clean_latex(text)
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .map(|w| w.trim_matches('-').to_lowercase())
        .filter(|w| w.chars().count() >= 3 && w.chars().all(|c| c.is_alphabetic() || c == '-'))
        .filter(|w| STOP_WORDS.binary_search(&w.as_str()).is_err())
        .collect()
}

/// The form a word is counted under: a regular plural counts with its singular.
fn fold(word: &str) -> &str {
    match word.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 && !stem.ends_with(['s', 'u', 'i']) => stem,
        _ => word,
    }
}

/// Up to `top` distinctive terms per cluster. `clusters[c]` holds the texts of cluster
/// c's members. A term scores by the share of the cluster's members that use it times
/// `ln((1 + K) / clusters using it)`, so a term all clusters share still ranks (weakly)
/// when nothing else does. Ties go to the alphabetically first; a term is shown in the
/// form its cluster uses most.
pub fn labels(clusters: &[Vec<&str>], top: usize) -> Vec<Vec<String>> {
    let per_cluster: Vec<TermCounts> = clusters
        .iter()
        .map(|members| {
            let mut terms = TermCounts::new();
            for text in members {
                let words = words(text);
                let mut seen = BTreeSet::new();
                for word in &words {
                    let slot = terms.entry(fold(word).to_owned()).or_default();
                    *slot.1.entry(word.clone()).or_default() += 1;
                    if seen.insert(fold(word)) {
                        slot.0 += 1;
                    }
                }
            }
            terms
        })
        .collect();
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
            let mut scored: Vec<(f64, &String, &BTreeMap<String, usize>)> = terms
                .iter()
                .map(|(term, (users, forms))| {
                    let idf = ((1.0 + k) / spread[term.as_str()] as f64).ln();
                    (*users as f64 / size * idf, term, forms)
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
            scored
                .into_iter()
                .take(top)
                .map(|(_, _, forms)| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn words_drop_latex_stop_words_and_numbers() {
        assert_eq!(
            words("Towards \\emph{Large} Language Models for $\\alpha$-helix design in 2023"),
            ["large", "language", "models", "alpha-helix", "design"]
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
        assert_eq!(labels[0], ["language", "models", "chemistry"]);
        assert_eq!(labels[1], ["crystal", "graph", "networks"]);
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
        let clusters = vec![vec!["protein design", "protein folding"], vec!["protein docking"]];
        let labels = labels(&clusters, 2);
        assert_eq!(labels[0], ["design", "folding"]);
        assert_eq!(labels[1], ["docking", "protein"]);
    }
}
