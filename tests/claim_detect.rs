//! The claim detector against the Python reference (`models/train/claim_head.py`): text rules
//! and lexical features on `tests/golden/claim_head.json`, the head's probabilities, and
//! `scholia eval uncited` on the real papers against `models/claim-head/metrics.json`.
//! Tests that need the fetched runtime and embed model, or `../shared/data`, skip (printing
//! why) without them.

mod common;
mod model_support;

use scholia::analysis::claims::detect::{clean, eligible, lexical_features, ClaimDetector};
use scholia::model::Role;

#[derive(serde::Deserialize)]
struct Golden {
    threshold: f32,
    sentences: Vec<Row>,
    ineligible: Vec<Refused>,
    clean_cases: Vec<(String, String)>,
}

#[derive(serde::Deserialize)]
struct Row {
    prose: String,
    clean: String,
    eligible: bool,
    lexical: Vec<f32>,
    score: f32,
}

#[derive(serde::Deserialize)]
struct Refused {
    prose: String,
    clean: String,
}

fn golden() -> Golden {
    serde_json::from_str(include_str!("golden/claim_head.json")).unwrap()
}

fn detector() -> Option<ClaimDetector> {
    let models = model_support::fetched_models(Role::Embed)?;
    match ClaimDetector::new(&models) {
        Ok(d) => Some(d),
        Err(e) => {
            eprintln!("skipped: the claim detector is unavailable: {e}");
            None
        }
    }
}

#[test]
fn text_rules_and_lexical_features_match_python() {
    let g = golden();
    assert!(g.sentences.len() >= 8);
    for row in &g.sentences {
        assert_eq!(clean(&row.prose), row.clean, "clean({:?})", row.prose);
        assert_eq!(eligible(&row.prose), row.eligible, "eligible({:?})", row.prose);
        let lexical = lexical_features(&row.clean);
        assert_eq!(lexical.len(), row.lexical.len());
        for (i, (got, want)) in lexical.iter().zip(&row.lexical).enumerate() {
            assert!((got - want).abs() <= 1e-6, "{:?}: lexical[{i}] {got} vs {want}", row.clean);
        }
    }
    assert!(!g.ineligible.is_empty());
    for refused in &g.ineligible {
        assert_eq!(clean(&refused.prose), refused.clean);
        assert!(!eligible(&refused.prose), "{:?} must never be flagged", refused.prose);
    }
    for (input, want) in &g.clean_cases {
        assert_eq!(&clean(input), want, "clean({input:?})");
    }
}

#[test]
fn probabilities_match_python() {
    let Some(detector) = detector() else { return };
    let g = golden();
    assert_eq!(detector.threshold(), g.threshold);
    let prose: Vec<&str> = g.sentences.iter().map(|r| r.prose.as_str()).collect();
    let scores = detector.needs_citation(&prose).unwrap();
    for (row, score) in g.sentences.iter().zip(&scores) {
        assert!(
            (score - row.score).abs() <= 1e-3,
            "{:?}: {score} vs Python {}",
            row.prose,
            row.score
        );
    }
    // Sentences the rule refuses score 0 without touching the models; empty input is fine.
    let refused: Vec<&str> = g.ineligible.iter().map(|r| r.prose.as_str()).collect();
    assert!(detector.needs_citation(&refused).unwrap().iter().all(|&s| s == 0.0));
    assert!(detector.needs_citation(&[]).unwrap().is_empty());
}

/// `models/train/claim-labels/<paper>.jsonl`.
fn labels_of(paper: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("models/train/claim-labels/{paper}.jsonl"))
}

/// `scholia eval uncited [extra] --labels LABELS src/tex/ms.tex` run in `folder`.
fn eval_uncited(
    folder: &std::path::Path,
    labels: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_scholia"))
        .current_dir(folder)
        .args(["eval", "uncited", "--root", "."])
        .args(extra)
        .arg("--labels")
        .arg(labels)
        .arg("src/tex/ms.tex")
        .output()
        .unwrap()
}

/// `scholia eval uncited` on a real paper against its blind labels: the flags and their
/// precision must be what the Python reference measured for the shipped head.
fn eval_uncited_matches_python(paper: &str, folder: &str) {
    let Some(folder) = common::shared_data(folder) else { return };
    if detector().is_none() {
        return;
    }
    let output = eval_uncited(&folder, &labels_of(paper), &["--json"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let got: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    eprintln!("{paper}: {got}");
    let metrics: serde_json::Value =
        serde_json::from_str(include_str!("../models/claim-head/metrics.json")).unwrap();
    let python = &metrics["shipped"]["on_training_papers"][paper];
    for count in ["sentences", "needing", "flagged", "correct"] {
        assert_eq!(got[count], python[count], "{count}");
    }
    for share in ["precision", "top_50_precision"] {
        let (got, want) = (got[share].as_f64().unwrap(), python[share].as_f64().unwrap());
        assert!((got - want).abs() <= 0.02, "{share} {got} vs Python {want}");
    }
}

#[test]
fn araa_gps_uncited_flags_match_python() {
    eval_uncited_matches_python("araa-gps", "papers/latex/araa-gps");
}

#[test]
fn chembench_uncited_flags_match_python() {
    eval_uncited_matches_python("chembench-paper", "papers/latex/chembench-paper");
}

#[test]
fn wrong_or_malformed_labels_are_refused() {
    let Some(folder) = common::shared_data("papers/latex/araa-gps") else { return };
    let refused = |labels: &std::path::Path| {
        let output = eval_uncited(&folder, labels, &[]);
        (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (ok, stderr) = refused(&labels_of("chembench-paper"));
    assert!(!ok && stderr.contains("is not the one labelled"), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo.jsonl");
    std::fs::write(
        &typo,
        "{\"id\": \"araa-gps:0\", \"sha\": \"0123456789abcdef\", \"label\": \"need\"}\n",
    )
    .unwrap();
    let (ok, stderr) = refused(&typo);
    assert!(!ok && stderr.contains("label \"need\" is not one of"), "{stderr}");
}
