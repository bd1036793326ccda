//! Evidence for a claim from one abstract: the abstract's sentences most similar to the
//! claim (embedding cosine), kept in abstract order, as the verify model was trained.

/// What the verify model reads, and the sentence a diagnostic quotes.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// The chosen sentences in abstract order, joined by a space.
    pub text: String,
    /// The single most similar sentence.
    pub quote: String,
    /// Its cosine to the claim.
    pub similarity: f32,
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
    let mut ranked: Vec<(usize, f32)> =
        vectors.iter().map(|v| cosine(claim, v)).enumerate().collect();
    // Ties keep abstract order, so the choice is deterministic.
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let &(best, similarity) = ranked.first()?;
    let mut chosen: Vec<usize> = ranked.iter().take(top_k.max(1)).map(|&(i, _)| i).collect();
    chosen.sort_unstable();
    let text = chosen.iter().map(|&i| sentences[i]).collect::<Vec<_>>().join(" ");
    Some(Evidence { text, quote: sentences[best].to_owned(), similarity })
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
        assert_eq!(e.quote, "b");
        assert!((e.similarity - 0.9).abs() < 1e-6);
        assert_eq!(select(&[1.0, 0.0], &[], &[], 3), None);
    }
}
