//! `scholia summarize` and `scholia eval tldr` as a user runs them. Runs that need the
//! fetched runtime and embed model skip (printing why) without them.

mod model_support;

use std::path::Path;
use std::process::{Command, Output};

use scholia::model::Role;

const BIB: &str = r#"
@article{withAbstract,
  title = {Passage Ranking with Weak Supervision},
  abstract = {In this paper, we propose a weak supervision framework for neural ranking tasks based on the data programming paradigm, which enables us to leverage multiple weak supervision signals from different sources. Empirically, we consider two sources of weak supervision signals, unsupervised ranking functions and semantic feature similarities. We train a BERT-based passage-ranking model (which achieves new state-of-the-art performances on two benchmark datasets with full supervision) in our weak supervision framework. Without using ground-truth training labels, BERT-PR models outperform BM25 baseline by a large margin on all three datasets and even beat the previous state-of-the-art results with full supervision on two of datasets.},
  year = {2019},
}
@book{noAbstract,
  title = {Nothing to Summarize},
  year = {2020},
}
"#;

fn scholia(dir: &Path, args: &[&str], home: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scholia"));
    command.current_dir(dir).args(args);
    if let Some(home) = home {
        command.env("SCHOLIA_HOME", home).env_remove("ORT_DYLIB_PATH");
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn summarize_without_models_names_the_fetch_command() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("refs.bib"), BIB).unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out = scholia(dir.path(), &["summarize", "refs.bib"], Some(empty.path()));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("scholia models fetch"), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    // An entry without an abstract needs no model.
    let out = scholia(dir.path(), &["summarize", "refs.bib", "noAbstract"], Some(empty.path()));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "noAbstract\t(no abstract)\n");
    // A missing file or key is an error.
    let out = scholia(dir.path(), &["summarize", "missing.bib"], Some(empty.path()));
    assert_eq!(out.status.code(), Some(1));
    let out =
        scholia(dir.path(), &["summarize", "refs.bib", "nope", "noAbstract"], Some(empty.path()));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("nope"));
    assert_eq!(text(&out.stdout), "noAbstract\t(no abstract)\n");
}

#[test]
fn summarize_prints_key_tab_tldr() {
    if model_support::fetched_models(Role::Embed).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("refs.bib"), BIB).unwrap();
    let out = scholia(dir.path(), &["summarize", "refs.bib"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "withAbstract\tWe propose a weak supervision framework for neural ranking tasks based on the data programming paradigm, which enables us to leverage multiple weak supervision signals from different sources.\n"
    );
    assert!(out.stderr.is_empty(), "no progress when stderr is not a terminal");
    let out = scholia(dir.path(), &["summarize", "refs.bib", "noAbstract", "withAbstract"], None);
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], "noAbstract\t(no abstract)");
    assert!(lines[1].starts_with("withAbstract\tWe propose"));
}

#[test]
fn eval_tldr_prints_rouge_and_latency() {
    if model_support::fetched_models(Role::Embed).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let papers = [
        serde_json::json!({"source": ["We propose a cat detector.", "It works."], "target": ["we propose a cat detector"], "title": "Cats"}),
        serde_json::json!({"source": ["Dogs bark."], "target": ["dogs", "dogs bark loudly"], "title": ""}),
        serde_json::json!({"source": ["Not read."], "target": ["x"], "title": "Limit"}),
    ];
    let jsonl: String = papers.iter().map(|p| format!("{p}\n")).collect();
    std::fs::write(dir.path().join("d.jsonl"), jsonl).unwrap();
    let out = scholia(dir.path(), &["eval", "tldr", "--data", "d.jsonl", "--limit", "2"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let field = |name: &str| -> f64 {
        let line = stdout.lines().find(|l| l.starts_with(&format!("{name}\t"))).expect(name);
        line.split('\t').nth(1).unwrap().parse().unwrap()
    };
    assert_eq!(field("papers"), 2.0);
    // Paper 1: exact match (100); paper 2: "Dogs bark." vs "dogs bark loudly" R1 = 0.8.
    assert!((field("rouge1") - 90.0).abs() < 0.01, "{stdout}");
    assert!(field("latency_p50_ms") > 0.0);
    assert!(field("latency_p99_ms") >= field("latency_p90_ms"));
}
