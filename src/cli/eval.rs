//! `scholia eval tldr --data FILE.jsonl`: ROUGE of the TL;DR pipeline on SciTLDR-style
//! data (`source` sentences, `target` TL;DRs, `title`), and its latency per paper.
//!
//! ROUGE follows Google's `rouge-score` with `use_stemmer=True`: lowercase, non-`[a-z0-9]`
//! to spaces, split, stem words longer than 3 characters, F1 per metric; per paper the
//! best over its targets (each metric separately). The stemmer is Snowball English
//! (Porter2, `rust-stemmers`) where `rouge-score` uses NLTK's Porter stemmer, so figures
//! can differ slightly from Python's.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rust_stemmers::{Algorithm, Stemmer};

#[derive(clap::Subcommand)]
pub enum EvalCommand {
    /// ROUGE-1/2/L and latency of the TL;DR pipeline on SciTLDR jsonl.
    Tldr(TldrArgs),
}

#[derive(clap::Args)]
pub struct TldrArgs {
    /// SciTLDR jsonl: one paper per line with `source`, `target` and `title`.
    #[arg(long)]
    data: PathBuf,
    /// Evaluate only the first N papers.
    #[arg(long)]
    limit: Option<usize>,
    /// Also write each paper's TL;DR as a jsonl line (`paper_id`, `tldr`, `sentence`, `score`).
    #[arg(long)]
    predictions: Option<PathBuf>,
}

#[derive(serde::Deserialize)]
struct Paper {
    source: Vec<String>,
    target: Vec<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    paper_id: Option<String>,
}

pub fn run(command: &EvalCommand) -> ExitCode {
    let EvalCommand::Tldr(args) = command;
    match eval_tldr(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scholia: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read_papers(args: &TldrArgs) -> Result<Vec<Paper>, String> {
    let file = std::fs::File::open(&args.data)
        .map_err(|e| format!("cannot read {}: {e}", args.data.display()))?;
    let mut papers = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        if args.limit.is_some_and(|l| papers.len() >= l) {
            break;
        }
        let line = line.map_err(|e| format!("{}: {e}", args.data.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let paper: Paper = serde_json::from_str(&line)
            .map_err(|e| format!("{}:{}: {e}", args.data.display(), n + 1))?;
        papers.push(paper);
    }
    Ok(papers)
}

fn eval_tldr(args: &TldrArgs) -> Result<(), String> {
    let papers = read_papers(args)?;
    if papers.is_empty() {
        return Err(format!("{}: no papers", args.data.display()));
    }
    let summarizer = super::summarize::load()?;
    let rouge = Rouge::new();
    let run = |p: &Paper| {
        let sentences: Vec<&str> = p.source.iter().map(String::as_str).collect();
        summarizer.tldr_sentences(p.title.as_deref(), &sentences).map_err(|e| e.to_string())
    };
    run(&papers[0])?; // warm-up, not timed
    let mut predictions = match &args.predictions {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        )),
        None => None,
    };
    let mut sums = [0f64; 3];
    let mut latencies = Vec::with_capacity(papers.len());
    for p in &papers {
        let start = Instant::now();
        let tldr = run(p)?;
        latencies.push(start.elapsed());
        if let Some(out) = predictions.as_mut() {
            let line = serde_json::json!({
                "paper_id": p.paper_id,
                "tldr": tldr.as_ref().map(|t| &t.text),
                "sentence": tldr.as_ref().map(|t| t.sentence),
                "score": tldr.as_ref().map(|t| t.score),
            });
            writeln!(out, "{line}").map_err(|e| e.to_string())?;
        }
        let prediction = tldr.map(|t| t.text).unwrap_or_default();
        let best = rouge.best_over_targets(&prediction, &p.target);
        sums.iter_mut().zip(best).for_each(|(s, b)| *s += b);
    }
    if let Some(mut out) = predictions {
        out.flush().map_err(|e| e.to_string())?;
    }
    let n = papers.len() as f64;
    let [r1, r2, rl] = sums.map(|s| 100.0 * s / n);
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("papers\t{}", papers.len());
    println!("rouge1\t{r1:.2}");
    println!("rouge2\t{r2:.2}");
    println!("rougeL\t{rl:.2}");
    for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
        println!("latency_{name}_ms\t{:.1}", ms(percentile(&latencies, q)));
    }
    Ok(())
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// ROUGE-1, ROUGE-2 and ROUGE-L F1 as `rouge-score` computes them (stemmed).
pub struct Rouge {
    stemmer: Stemmer,
}

impl Rouge {
    pub fn new() -> Self {
        Self { stemmer: Stemmer::create(Algorithm::English) }
    }

    /// `rouge-score`'s default tokenizer with stemming.
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        let lower = text.to_lowercase();
        let spaced: String = lower
            .chars()
            .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { ' ' })
            .collect();
        spaced
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(|t| if t.len() > 3 { self.stemmer.stem(t).into_owned() } else { t.to_owned() })
            .filter(|t| {
                !t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
            .collect()
    }

    /// [R1, R2, RL] F1 of `prediction` against `target`.
    pub fn score(&self, target: &str, prediction: &str) -> [f64; 3] {
        let t = self.tokenize(target);
        let p = self.tokenize(prediction);
        [ngram_f1(&t, &p, 1), ngram_f1(&t, &p, 2), lcs_f1(&t, &p)]
    }

    /// Per metric, the best F1 over the targets.
    pub fn best_over_targets(&self, prediction: &str, targets: &[String]) -> [f64; 3] {
        let mut best = [0f64; 3];
        for target in targets {
            let s = self.score(target, prediction);
            best.iter_mut().zip(s).for_each(|(b, s)| *b = b.max(s));
        }
        best
    }
}

fn f1(overlap: usize, target: usize, prediction: usize) -> f64 {
    let precision = overlap as f64 / prediction.max(1) as f64;
    let recall = overlap as f64 / target.max(1) as f64;
    if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    }
}

fn ngrams(tokens: &[String], n: usize) -> HashMap<&[String], usize> {
    let mut counts = HashMap::new();
    if tokens.len() >= n {
        for gram in tokens.windows(n) {
            *counts.entry(gram).or_insert(0) += 1;
        }
    }
    counts
}

fn ngram_f1(target: &[String], prediction: &[String], n: usize) -> f64 {
    let t = ngrams(target, n);
    let p = ngrams(prediction, n);
    let overlap = t.iter().map(|(g, &c)| c.min(p.get(g).copied().unwrap_or(0))).sum();
    f1(overlap, t.values().sum(), p.values().sum())
}

fn lcs_f1(target: &[String], prediction: &[String]) -> f64 {
    if target.is_empty() || prediction.is_empty() {
        return 0.0;
    }
    let mut row = vec![0usize; prediction.len() + 1];
    for t in target {
        let mut diagonal = 0;
        for (j, p) in prediction.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if t == p { diagonal + 1 } else { above.max(row[j]) };
            diagonal = above;
        }
    }
    f1(row[prediction.len()], target.len(), prediction.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_lowercases_splits_and_stems_long_words() {
        let r = Rouge::new();
        assert_eq!(
            r.tokenize("The cats' RUNNING-fast, 3.5x!"),
            ["the", "cat", "run", "fast", "3", "5x"]
        );
        assert!(r.tokenize("  ... ").is_empty());
    }

    #[test]
    fn rouge_of_known_pairs() {
        let r = Rouge::new();
        // rouge-score: score("the cat sat on the mat", "the cat lay on the mat")
        let [r1, r2, rl] = r.score("the cat sat on the mat", "the cat lay on the mat");
        assert!((r1 - 5.0 / 6.0).abs() < 1e-9);
        assert!((r2 - 0.6).abs() < 1e-9);
        assert!((rl - 5.0 / 6.0).abs() < 1e-9);
        assert_eq!(r.score("a b", ""), [0.0; 3]);
        let [r1, _, rl] = r.score("a b c d", "d c b a");
        assert_eq!(r1, 1.0);
        assert!((rl - 0.25).abs() < 1e-9);
        let best = r.best_over_targets("the cat", &["dog".into(), "the cat".into()]);
        assert_eq!(best, [1.0, 1.0, 1.0]);
    }
}
