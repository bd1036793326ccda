//! Turning one step's logits into the next token: repetition penalty, greedy
//! choice, log-probabilities for beam search, and seeded top-k/top-p sampling.

/// CTRL-style penalty: logits of tokens already seen are divided by `penalty` when
/// positive and multiplied when negative, so repeats get less likely for `penalty > 1`.
pub fn penalise_repeats(logits: &mut [f32], seen: impl IntoIterator<Item = u32>, penalty: f32) {
    if penalty == 1.0 {
        return;
    }
    let mut done = std::collections::HashSet::new();
    for t in seen {
        let Some(l) = logits.get_mut(t as usize) else {
            continue;
        };
        if done.insert(t) {
            *l = if *l > 0.0 { *l / penalty } else { *l * penalty };
        }
    }
}

/// Index of the first maximal logit.
pub fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &l) in logits.iter().enumerate() {
        if l > logits[best] {
            best = i;
        }
    }
    best as u32
}

/// Log-softmax in f64, so beam scores accumulate without drift.
pub fn log_softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let sum: f64 = logits.iter().map(|&l| (l as f64 - max).exp()).sum();
    let log_z = max + sum.ln();
    logits.iter().map(|&l| l as f64 - log_z).collect()
}

/// The `k` best tokens by log-probability, ties to the lower id.
pub fn top_k(logprobs: &[f64], k: usize) -> Vec<(u32, f64)> {
    let mut ids: Vec<u32> = (0..logprobs.len() as u32).collect();
    let by_score =
        |a: &u32, b: &u32| logprobs[*b as usize].total_cmp(&logprobs[*a as usize]).then(a.cmp(b));
    let k = k.min(ids.len());
    if k < ids.len() {
        ids.select_nth_unstable_by(k, by_score);
        ids.truncate(k);
    }
    ids.sort_by(by_score);
    ids.into_iter().map(|t| (t, logprobs[t as usize])).collect()
}

/// SplitMix64: a small, fixed generator so a seed reproduces a sample everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Samples from softmax(logits / temperature) restricted to the `top_k` most likely
/// tokens (0: all) and then to the smallest set whose probability reaches `top_p`.
pub fn sample(logits: &[f32], temperature: f32, top_k: usize, top_p: f32, rng: &mut Rng) -> u32 {
    if temperature <= 0.0 {
        return argmax(logits);
    }
    let scaled: Vec<f32> = logits.iter().map(|l| l / temperature).collect();
    let k = if top_k == 0 { scaled.len() } else { top_k };
    let candidates = self::top_k(&log_softmax(&scaled), k);
    let total: f64 = candidates.iter().map(|(_, lp)| lp.exp()).sum();
    let mut kept = Vec::with_capacity(candidates.len());
    let mut mass = 0.0;
    for (t, lp) in candidates {
        let p = lp.exp() / total;
        kept.push((t, p));
        mass += p;
        if mass >= f64::from(top_p) {
            break;
        }
    }
    let mut u = rng.next_f64() * mass;
    for &(t, p) in &kept {
        if u < p {
            return t;
        }
        u -= p;
    }
    kept.last().map_or(0, |&(t, _)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalty_applies_once_per_token_and_by_sign() {
        let mut l = vec![2.0, -2.0, 1.0];
        penalise_repeats(&mut l, [0, 0, 1, 7], 2.0);
        assert_eq!(l, vec![1.0, -4.0, 1.0]);
    }

    #[test]
    fn argmax_prefers_first_and_top_k_breaks_ties_low() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), 1);
        let lp = log_softmax(&[0.0, 1.0, 1.0, -1.0]);
        let top: Vec<u32> = top_k(&lp, 2).into_iter().map(|(t, _)| t).collect();
        assert_eq!(top, vec![1, 2]);
        let total: f64 = lp.iter().map(|x| x.exp()).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn sampling_is_seeded_and_respects_filters() {
        let logits = [0.0, 0.1, 0.2, 0.3, 5.0];
        let draw = |seed, k, p| {
            let mut rng = Rng::new(seed);
            (0..200).map(|_| sample(&logits, 1.0, k, p, &mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7, 0, 1.0), draw(7, 0, 1.0));
        assert_ne!(draw(7, 0, 1.0), draw(8, 0, 1.0));
        assert!(draw(1, 1, 1.0).iter().all(|&t| t == 4), "top_k = 1 is greedy");
        assert!(draw(1, 0, 0.5).iter().all(|&t| t == 4), "token 4 alone holds > 50 %");
        assert!(draw(1, 2, 1.0).iter().all(|&t| t == 4 || t == 3));
        let all = draw(3, 0, 1.0);
        assert!(all.iter().any(|&t| t != 4), "full distribution reaches other tokens");
    }
}
