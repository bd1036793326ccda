//! Decoding loops over any model that gives next-token logits: greedy or sampled
//! (one sequence, streamed token by token) and beam search.

use super::logits::{self, Rng};
use super::{GenerateOptions, StopReason, Strategy};
use crate::model::ModelError;

/// A model one decoding step at a time.
pub trait StepModel {
    /// Next-token logits for each row. `rows` are the tokens generated so far by each
    /// live sequence (all the same length); row `i` extends row `parents[i]` of the
    /// previous call (a cached model reorders its cache by it). The first call has
    /// one empty row.
    fn step(&mut self, rows: &[&[u32]], parents: &[usize]) -> Result<Vec<Vec<f32>>, ModelError>;
}

/// What the search needs besides the model.
pub struct Limits<'a> {
    pub options: &'a GenerateOptions,
    /// Tokens that end a sequence (kept as its last token).
    pub stop_tokens: &'a [u32],
    /// Tokens the repetition penalty counts besides the generated ones (the prompt).
    pub seen_before: &'a [u32],
    pub cancelled: &'a dyn Fn() -> bool,
}

/// Runs the configured strategy. `on_token` sees the tokens so far after each step
/// of a single-sequence search and returns `true` to stop (a stop string appeared).
pub fn search(
    model: &mut dyn StepModel,
    limits: &Limits,
    on_token: &mut dyn FnMut(&[u32]) -> Result<bool, ModelError>,
) -> Result<(Vec<u32>, StopReason), ModelError> {
    match limits.options.strategy {
        Strategy::Beam { width, length_penalty } if width > 1 => {
            beam(model, limits, width, length_penalty)
        }
        _ => single(model, limits, on_token),
    }
}

fn single(
    model: &mut dyn StepModel,
    limits: &Limits,
    on_token: &mut dyn FnMut(&[u32]) -> Result<bool, ModelError>,
) -> Result<(Vec<u32>, StopReason), ModelError> {
    let options = limits.options;
    let mut rng = match options.strategy {
        Strategy::Sample { seed, .. } => Rng::new(seed),
        _ => Rng::new(0),
    };
    let mut tokens = Vec::new();
    for _ in 0..options.max_new_tokens {
        if (limits.cancelled)() {
            return Ok((tokens, StopReason::Cancelled));
        }
        let mut logits = model.step(&[&tokens], &[0])?.swap_remove(0);
        let seen = limits.seen_before.iter().chain(&tokens).copied();
        logits::penalise_repeats(&mut logits, seen, options.repetition_penalty);
        let next = match options.strategy {
            Strategy::Sample { temperature, top_k, top_p, .. } => {
                logits::sample(&logits, temperature, top_k, top_p, &mut rng)
            }
            _ => logits::argmax(&logits),
        };
        tokens.push(next);
        if limits.stop_tokens.contains(&next) {
            return Ok((tokens, StopReason::EndOfSequence));
        }
        if on_token(&tokens)? {
            return Ok((tokens, StopReason::StopString));
        }
    }
    Ok((tokens, StopReason::MaxNewTokens))
}

/// Beam search: each step expands every live beam by its `2 * width` best tokens,
/// keeps the `width` best non-final candidates, and sets aside final ones (ranked
/// among the best `width`) scored by `logprob / length^length_penalty`. It stops
/// once `width` finished beams all beat the best live one.
/// tests/golden/encdec_golden.py mirrors this step for step.
fn beam(
    model: &mut dyn StepModel,
    limits: &Limits,
    width: usize,
    length_penalty: f32,
) -> Result<(Vec<u32>, StopReason), ModelError> {
    let options = limits.options;
    let norm = |len: usize, score: f64| score / (len as f64).powf(f64::from(length_penalty));
    let mut live: Vec<(Vec<u32>, f64)> = vec![(Vec::new(), 0.0)];
    let mut parents = vec![0];
    let mut finished: Vec<(f64, Vec<u32>)> = Vec::new();
    let mut reason = StopReason::MaxNewTokens;
    for _ in 0..options.max_new_tokens {
        if (limits.cancelled)() {
            reason = StopReason::Cancelled;
            break;
        }
        let rows: Vec<&[u32]> = live.iter().map(|(t, _)| t.as_slice()).collect();
        let logits = model.step(&rows, &parents)?;
        let mut candidates = Vec::with_capacity(live.len() * 2 * width);
        for (r, ((tokens, score), mut row)) in live.iter().zip(logits).enumerate() {
            let seen = limits.seen_before.iter().chain(tokens).copied();
            logits::penalise_repeats(&mut row, seen, options.repetition_penalty);
            let logprobs = logits::log_softmax(&row);
            for (t, lp) in logits::top_k(&logprobs, 2 * width) {
                candidates.push((score + lp, r, t));
            }
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut next = Vec::with_capacity(width);
        parents.clear();
        for (rank, &(score, r, t)) in candidates.iter().enumerate() {
            let mut tokens = live[r].0.clone();
            tokens.push(t);
            if limits.stop_tokens.contains(&t) {
                if rank < width {
                    finished.push((norm(tokens.len(), score), tokens));
                }
            } else {
                next.push((tokens, score));
                parents.push(r);
            }
            if next.len() == width {
                break;
            }
        }
        live = next;
        finished.sort_by(|a, b| b.0.total_cmp(&a.0));
        finished.truncate(width);
        let best_live =
            live.iter().map(|(t, s)| norm(t.len(), *s)).fold(f64::NEG_INFINITY, f64::max);
        if finished.len() == width && finished[width - 1].0 >= best_live {
            reason = StopReason::EndOfSequence;
            break;
        }
    }
    let pool = finished.into_iter().chain(live.into_iter().map(|(t, s)| (norm(t.len(), s), t)));
    let best = pool.max_by(|a, b| a.0.total_cmp(&b.0)).map(|(_, t)| t).unwrap_or_default();
    if reason != StopReason::Cancelled
        && best.last().is_some_and(|t| limits.stop_tokens.contains(t))
    {
        reason = StopReason::EndOfSequence;
    }
    Ok((best, reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed bigram table: logits depend only on the last token.
    struct Bigram(Vec<Vec<f32>>);

    impl StepModel for Bigram {
        fn step(&mut self, rows: &[&[u32]], _: &[usize]) -> Result<Vec<Vec<f32>>, ModelError> {
            Ok(rows.iter().map(|r| self.0[r.last().map_or(0, |&t| t as usize)].clone()).collect())
        }
    }

    fn run(model: &mut Bigram, options: GenerateOptions) -> (Vec<u32>, StopReason) {
        let limits =
            Limits { options: &options, stop_tokens: &[3], seen_before: &[], cancelled: &|| false };
        search(model, &limits, &mut |_| Ok(false)).unwrap()
    }

    #[test]
    fn beam_finds_the_sequence_greedy_misses() {
        // From the start, 1 looks best but leads to a flat tail; 2 leads to a sure 3.
        let mut model = Bigram(vec![
            vec![-9.0, 1.0, 0.8, -9.0],
            vec![-9.0, 0.0, 0.0, 0.0],
            vec![-9.0, -9.0, -9.0, 5.0],
            vec![0.0; 4],
        ]);
        let greedy = run(&mut model, GenerateOptions { max_new_tokens: 3, ..Default::default() });
        assert_eq!(greedy, (vec![1, 1, 1], StopReason::MaxNewTokens));
        let beam = GenerateOptions {
            max_new_tokens: 3,
            strategy: Strategy::Beam { width: 2, length_penalty: 1.0 },
            ..Default::default()
        };
        assert_eq!(run(&mut model, beam), (vec![2, 3], StopReason::EndOfSequence));
    }

    #[test]
    fn repetition_penalty_breaks_a_loop() {
        let mut model = Bigram(vec![vec![0.0, 1.0, 0.9, -9.0]; 4]);
        let options =
            |p| GenerateOptions { max_new_tokens: 2, repetition_penalty: p, ..Default::default() };
        assert_eq!(run(&mut model, options(1.0)).0, vec![1, 1]);
        assert_eq!(run(&mut model, options(2.0)).0, vec![1, 2]);
    }

    #[test]
    fn cancellation_is_checked_every_step() {
        let mut model = Bigram(vec![vec![0.0, 1.0, 0.0, -9.0]; 4]);
        let options = GenerateOptions::default();
        let calls = std::cell::Cell::new(0);
        let cancelled = || {
            calls.set(calls.get() + 1);
            calls.get() > 3
        };
        let limits = Limits {
            options: &options,
            stop_tokens: &[3],
            seen_before: &[],
            cancelled: &cancelled,
        };
        let (tokens, reason) = search(&mut model, &limits, &mut |_| Ok(false)).unwrap();
        assert_eq!((tokens.len(), reason), (3, StopReason::Cancelled));
    }
}
