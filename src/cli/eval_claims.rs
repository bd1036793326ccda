//! `scholia eval claims --data DIR`: the verify pipeline on a SciFact-format set (claims
//! with the abstracts they cite): macro-F1 over SUPPORT / CONTRADICT / NOT ENOUGH INFO,
//! precision and recall of CONTRADICT and of "not supported", and throughput.
//!
//! One prediction per (claim, cited abstract): the gold label is the evidence label for
//! that abstract, NOT ENOUGH INFO when the claim has no evidence in it.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

use scholia::analysis::claims::verify::Label;
use scholia::analysis::claims::{Checker, Thresholds};

#[derive(clap::Args)]
pub struct ClaimsArgs {
    /// Folder with `corpus.jsonl` and a claims file.
    #[arg(long)]
    data: PathBuf,
    /// Claims file in the folder (default: `claims_dev.jsonl`, else `claims_train.jsonl`).
    #[arg(long)]
    claims: Option<String>,
    /// Claims by id: `test` = id % 5 == 0, `dev` = id % 10 == 1, `train` = the rest (the
    /// split the verify model was trained and tuned on), or `all`.
    #[arg(long, value_enum, default_value_t = Split::All)]
    split: Split,
    /// Evaluate only the first N claims.
    #[arg(long)]
    limit: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Split {
    All,
    Train,
    Dev,
    Test,
}

impl Split {
    fn contains(self, id: u64) -> bool {
        let (test, dev) = (id.is_multiple_of(5), id % 10 == 1);
        match self {
            Split::All => true,
            Split::Test => test,
            Split::Dev => dev,
            Split::Train => !test && !dev,
        }
    }
}

#[derive(serde::Deserialize)]
struct Claim {
    id: u64,
    claim: String,
    #[serde(default)]
    evidence: HashMap<String, Vec<Evidence>>,
    #[serde(default)]
    cited_doc_ids: Vec<serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct Evidence {
    label: String,
}

#[derive(serde::Deserialize)]
struct Document {
    doc_id: serde_json::Value,
    #[serde(rename = "abstract")]
    sentences: Vec<String>,
}

const LABELS: [Label; 3] = [Label::Support, Label::Contradict, Label::NotEnoughInfo];

fn index(label: Label) -> usize {
    LABELS.iter().position(|&l| l == label).unwrap_or(2)
}

fn parse_label(text: &str) -> Result<Label, String> {
    match text.to_uppercase().as_str() {
        "SUPPORT" | "SUPPORTS" => Ok(Label::Support),
        "CONTRADICT" | "REFUTE" | "REFUTES" => Ok(Label::Contradict),
        "NEI" | "NOT ENOUGH INFO" | "NOT_ENOUGH_INFO" => Ok(Label::NotEnoughInfo),
        other => Err(format!("unknown evidence label {other}")),
    }
}

fn id_text(value: &serde_json::Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

fn read_lines<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
        if !line.trim().is_empty() {
            out.push(
                serde_json::from_str(&line)
                    .map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?,
            );
        }
    }
    Ok(out)
}

/// Citation markers masked in citation-integrity's sentences.
fn unmask(claim: &str) -> String {
    let text = claim.replace("[<|multi_cit|>]", "").replace("[<|other_cit|>]", "");
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace(" .", ".").replace(" ,", ",")
}

pub fn run(args: &ClaimsArgs) -> Result<(), String> {
    let claims_file = match &args.claims {
        Some(name) => args.data.join(name),
        None if args.data.join("claims_dev.jsonl").is_file() => args.data.join("claims_dev.jsonl"),
        None => args.data.join("claims_train.jsonl"),
    };
    let corpus: HashMap<String, Vec<String>> =
        read_lines::<Document>(&args.data.join("corpus.jsonl"))?
            .into_iter()
            .map(|d| (id_text(&d.doc_id), d.sentences))
            .collect();
    let mut claims: Vec<Claim> = read_lines(&claims_file)?;
    claims.retain(|c| args.split.contains(c.id));
    claims.truncate(args.limit.unwrap_or(usize::MAX));
    let models = super::claims::models()?;
    let (checker, _) = Checker::new(&models, Thresholds::default()).map_err(|e| e.to_string())?;
    let verifier = checker
        .verifier()
        .ok_or("the verify model is not available; run `scholia models fetch`")?;

    let mut confusion = [[0usize; 3]; 3];
    let (mut pairs, started) = (0usize, Instant::now());
    for claim in &claims {
        let mut abstracts = Vec::new();
        let mut gold = Vec::new();
        for doc in claim.cited_doc_ids.iter().map(id_text) {
            let Some(sentences) = corpus.get(&doc) else { continue };
            let label = match claim.evidence.get(&doc).and_then(|e| e.first()) {
                Some(e) => parse_label(&e.label)?,
                None => Label::NotEnoughInfo,
            };
            abstracts.push((doc, sentences.clone()));
            gold.push(label);
        }
        let judged = checker
            .judge_abstracts(verifier, &unmask(&claim.claim), &abstracts)
            .map_err(|e| e.to_string())?;
        for ((doc, _), gold) in abstracts.iter().zip(gold) {
            let predicted =
                judged.iter().find(|j| &j.key == doc).map_or(Label::NotEnoughInfo, |j| j.label);
            confusion[index(gold)][index(predicted)] += 1;
            pairs += 1;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    print_report(&confusion, claims.len(), pairs, seconds);
    Ok(())
}

/// Precision and recall of "predicted in `set`" against "gold in `set`".
fn precision_recall(confusion: &[[usize; 3]; 3], set: &[usize]) -> (f64, f64) {
    let (mut tp, mut predicted, mut actual) = (0, 0, 0);
    for (g, row) in confusion.iter().enumerate() {
        for (p, &n) in row.iter().enumerate() {
            let (gi, pi) = (set.contains(&g), set.contains(&p));
            tp += usize::from(gi && pi) * n;
            predicted += usize::from(pi) * n;
            actual += usize::from(gi) * n;
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    (ratio(tp, predicted), ratio(tp, actual))
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

fn print_report(confusion: &[[usize; 3]; 3], claims: usize, pairs: usize, seconds: f64) {
    let names = ["SUPPORT", "CONTRADICT", "NEI"];
    let mut macro_f1 = 0.0;
    for (i, name) in names.iter().enumerate() {
        let (p, r) = precision_recall(confusion, &[i]);
        macro_f1 += f1(p, r) / 3.0;
        println!(
            "{name:<11} precision {p:.3}  recall {r:.3}  F1 {:.3}  (gold {})",
            f1(p, r),
            confusion[i].iter().sum::<usize>()
        );
    }
    let (p, r) = precision_recall(confusion, &[1, 2]);
    println!("not supported precision {p:.3}  recall {r:.3}");
    println!("macro-F1 {macro_f1:.3} over {pairs} (claim, abstract) pairs from {claims} claims");
    println!("confusion (rows gold, columns predicted; S C N): {confusion:?}");
    println!("throughput {:.1} pairs/s ({seconds:.1} s)", pairs as f64 / seconds.max(1e-9));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_recall_of_label_sets() {
        // gold S: 8 right, 2 as N; gold C: 3 right, 1 as S; gold N: 5 right, 1 as C.
        let c = [[8, 0, 2], [1, 3, 0], [0, 1, 5]];
        let (p, r) = precision_recall(&c, &[1]);
        assert!((p - 0.75).abs() < 1e-9 && (r - 0.75).abs() < 1e-9);
        let (p, r) = precision_recall(&c, &[1, 2]);
        assert!((p - 9.0 / 11.0).abs() < 1e-9 && (r - 9.0 / 10.0).abs() < 1e-9);
        assert!(Split::Test.contains(10) && Split::Dev.contains(11) && Split::Train.contains(12));
        assert_eq!(unmask("Rates rose [<|multi_cit|>] ."), "Rates rose.");
    }
}
