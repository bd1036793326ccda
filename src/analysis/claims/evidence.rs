//! Evidence for a claim from one abstract: the abstract's sentences most similar to the
//! claim (embedding cosine), kept in abstract order, as the verify model was trained.

/// What the verify model reads, and the sentences a diagnostic quotes.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// The chosen sentences in abstract order, joined by a space.
    pub text: String,
    /// The chosen sentences, closest to the claim first.
    pub sentences: Vec<String>,
}

/// Both vectors L2-normalised, so the dot product is the cosine.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The `top_k` sentences of an abstract closest to `claim`; `None` for an empty abstract.
pub fn select(
    claim: &[f32],
    sentences: &[&str],
    vectors: &[Vec<f32>],
    top_k: usize,
) -> Option<Evidence> {
    if vectors.is_empty() {
        return None;
    }
    let mut ranked: Vec<(usize, f32)> =
        vectors.iter().map(|v| cosine(claim, v)).enumerate().collect();
    // Ties keep abstract order, so the choice is deterministic.
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let by_rank: Vec<usize> = ranked.iter().take(top_k.max(1)).map(|&(i, _)| i).collect();
    let mut in_order = by_rank.clone();
    in_order.sort_unstable();
    Some(Evidence {
        text: in_order.iter().map(|&i| sentences[i]).collect::<Vec<_>>().join(" "),
        sentences: by_rank.iter().map(|&i| sentences[i].to_owned()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_closest_sentences_in_abstract_order() {
        let sentences = ["a", "b", "c", "d"];
        let vectors = vec![vec![0.1, 0.0], vec![0.9, 0.1], vec![0.2, 0.9], vec![0.8, 0.0]];
        let e = select(&[1.0, 0.0], &sentences, &vectors, 2).unwrap();
        assert_eq!(e.text, "b d");
        assert_eq!(e.sentences, ["b", "d"]);
        assert_eq!(select(&[1.0, 0.0], &[], &[], 3), None);
    }
}
