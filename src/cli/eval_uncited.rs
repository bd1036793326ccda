//! `scholia eval uncited --labels FILE.jsonl PAPER`: how often an `uncited-claim` flag is
//! right, against blind labels of the paper's sentences (`models/train/claim-labels/`).
//!
//! Scored are the sentences the diagnostic may flag: uncited, outside the abstract, and
//! eligible by the claim head's never-flag rule. A flag is right when the label says
//! `needs`; `attributed` (reported work whose source the previous sentence already cites)
//! and `none` count as false alarms.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use scholia::analysis::claims::detect::{eligible, ClaimDetector};
use scholia::store::hex;
use scholia::syntax::SectionKind;

use super::sentences::{project_rows, Row};

/// Ranked sentences for the threshold-free figure (precision among the top N).
const TOP: usize = 50;
/// The labels of `models/train/claim-labels/GUIDELINES.md`.
const LABELS: [&str; 3] = ["needs", "attributed", "none"];
/// Fewest hex digits of a sentence's sha256 a label must give.
const MIN_SHA: usize = 8;

#[derive(clap::Args)]
pub struct UncitedArgs {
    /// Label file: one JSON object per sentence with `id` ("<paper>:<index into `scholia
    /// sentences`>"), `sha` (first 16 hex digits of the prose's sha256) and `label`.
    #[arg(long)]
    labels: PathBuf,
    /// The paper's root file (.tex, .md).
    file: PathBuf,
    /// Project folder (default: the current directory).
    #[arg(long)]
    root: Option<PathBuf>,
    /// Flag at this probability instead of the shipped threshold.
    #[arg(long)]
    threshold: Option<f32>,
    /// One JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(serde::Deserialize)]
struct Labelled {
    id: String,
    sha: String,
    label: String,
}

#[derive(serde::Serialize)]
struct Report {
    threshold: f32,
    /// Uncited eligible sentences outside the abstract.
    sentences: usize,
    needing: usize,
    flagged: usize,
    correct: usize,
    precision: f64,
    recall: f64,
    top_50_precision: f64,
}

/// The label of each sentence by index, refusing labels whose sentence changed.
fn read_labels(args: &UncitedArgs, rows: &[Row]) -> Result<HashMap<usize, String>, String> {
    let shown = args.labels.display();
    let file =
        std::fs::File::open(&args.labels).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut labels = HashMap::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("{shown}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let l: Labelled =
            serde_json::from_str(&line).map_err(|e| format!("{shown}:{}: {e}", n + 1))?;
        let index =
            l.id.rsplit_once(':').and_then(|(_, i)| i.parse::<usize>().ok()).ok_or_else(|| {
                format!("{shown}:{}: id {:?} is not <paper>:<index>", n + 1, l.id)
            })?;
        if !LABELS.contains(&l.label.as_str()) {
            return Err(format!("{shown}:{}: label {:?} is not one of {LABELS:?}", n + 1, l.label));
        }
        if l.sha.len() < MIN_SHA {
            return Err(format!("{shown}:{}: sha needs at least {MIN_SHA} hex digits", n + 1));
        }
        let matches =
            rows.get(index).is_some_and(|row| hex(&Sha256::digest(&row.prose)).starts_with(&l.sha));
        if !matches {
            return Err(format!(
                "{shown}:{}: sentence {} of this paper is not the one labelled (another paper, or its text changed)",
                n + 1,
                l.id
            ));
        }
        labels.insert(index, l.label);
    }
    Ok(labels)
}

pub fn run(args: &UncitedArgs) -> Result<(), String> {
    if let Some(t) = args.threshold.filter(|t| !(0.0..=1.0).contains(t)) {
        return Err(format!("--threshold {t} is not a probability (0 to 1)"));
    }
    let rows = project_rows(&args.file, args.root.as_deref())?;
    let labels = read_labels(args, &rows)?;
    let scored: Vec<(&Row, bool)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.cited && r.section != SectionKind::Abstract && eligible(&r.prose))
        .map(|(i, r)| {
            let label = labels
                .get(&i)
                .ok_or_else(|| format!("sentence {i} ({}:{}) has no label", r.file, r.line))?;
            Ok((r, label == "needs"))
        })
        .collect::<Result<_, String>>()?;
    let models = super::claims::models()?;
    let detector = ClaimDetector::new(&models).map_err(|e| e.to_string())?;
    let prose: Vec<&str> = scored.iter().map(|(r, _)| r.prose.as_str()).collect();
    let scores = detector.needs_citation(&prose).map_err(|e| e.to_string())?;
    let threshold = args.threshold.unwrap_or(detector.threshold());

    let needing = scored.iter().filter(|(_, needs)| *needs).count();
    let flags: Vec<(f32, &Row, bool)> = scored
        .iter()
        .zip(&scores)
        .filter(|(_, &s)| s >= threshold)
        .map(|((r, needs), &s)| (s, *r, *needs))
        .collect();
    let correct = flags.iter().filter(|f| f.2).count();
    let mut ranked: Vec<(f32, bool)> =
        scores.iter().zip(&scored).map(|(&s, (_, needs))| (s, *needs)).collect();
    // Stable: ties keep document order.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top = ranked.iter().take(TOP).filter(|r| r.1).count();
    let report = Report {
        threshold,
        sentences: scored.len(),
        needing,
        flagged: flags.len(),
        correct,
        precision: correct as f64 / flags.len().max(1) as f64,
        recall: correct as f64 / needing.max(1) as f64,
        top_50_precision: top as f64 / ranked.len().clamp(1, TOP) as f64,
    };
    if args.json {
        println!("{}", serde_json::to_string(&report).map_err(|e| e.to_string())?);
        return Ok(());
    }
    for (score, row, needs) in &flags {
        let mark = if *needs { "right" } else { "false alarm" };
        println!("{}:{}: {score:.3} {mark}: {}", row.file, row.line, row.prose);
    }
    println!(
        "uncited sentences outside the abstract: {} ({} labelled needs)",
        report.sentences, report.needing
    );
    println!(
        "flagged at {:.4}: {}, right {}: precision {:.3}, recall {:.3}",
        report.threshold, report.flagged, report.correct, report.precision, report.recall
    );
    println!("precision among the {TOP} highest-scoring: {:.3}", report.top_50_precision);
    Ok(())
}
