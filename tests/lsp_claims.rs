//! Claim diagnostics end to end over stdio, on a paper whose bibliography carries SciFact
//! abstracts (written into a temporary project from `../shared/data/scifact` at test time):
//! a supported claim gets nothing, a contradicted one `contradicting-citation` quoting the
//! evidence, an uncited background claim `uncited-claim` with a quick fix citing the paper
//! that supports it; an edit re-checks only the edited sentence. `scholia check --claims`
//! reports the contradiction with the same evidence.
//! Needs the fetched models (`scholia models fetch`) and the data; skips visibly.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::scifact::{bib_entry, scifact, Claim, Corpus};
use common::{models_present, shared_data, uri, Client};
use scholia::model::Role;
use serde_json::{json, Value};

/// SciFact claims from the split the verify model never saw in training (id % 5 == 0):
/// supported by its one cited abstract, contradicted by it, and a background claim the test
/// leaves uncited (its supporting abstract is in the bibliography among others). The shipped
/// model finds 7 of that split's 49 contradictions (`models/verify/eval_claims.txt`); the
/// contradicted claim is one of them, so the quoted evidence can be checked against the
/// gold rationale. The supported claim is one the model supports (39 of the split's 71
/// supported pairs are).
const SUPPORTED: u64 = 470;
const CONTRADICTED: u64 = 835;
const UNCITED: u64 = 55;
/// Abstracts that only fill the bibliography (cited docs of other test-split claims).
const DISTRACTORS: [u64; 4] = [30, 155, 210, 235];

/// Waits until the claim queue is empty and nothing is pending, returning the status.
fn settled(client: &mut Client) -> Value {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let s = client.status();
        if s["claims"]["queued"] == 0 && s["claims"]["state"] == "ready" {
            return s;
        }
        assert!(!s["claims"]["state"].as_str().unwrap_or("").starts_with("unavailable"), "{s}");
        assert!(Instant::now() < deadline, "claims never settled: {s}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn code_of(d: &Value) -> &str {
    d["code"].as_str().unwrap_or("")
}

/// The temporary project: `refs.bib` with the claims' abstracts and the distractors, and
/// `paper.tex` citing the supported and the contradicted claim, the uncited one written in
/// the abstract and again in the body.
struct Paper {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    paper: std::path::PathBuf,
    text: String,
    claims: HashMap<u64, Claim>,
    corpus: Corpus,
}

/// `None` (the test skips visibly) without the SciFact data or the models.
fn paper() -> Option<Paper> {
    let data = shared_data("scifact")?;
    if !models_present(&[Role::Embed, Role::Verify]) {
        return None;
    }
    let (claims, corpus) = scifact(&data);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut bib = String::new();
    let mut docs: Vec<String> =
        [SUPPORTED, CONTRADICTED, UNCITED].iter().map(|id| claims[id].doc.clone()).collect();
    docs.extend(DISTRACTORS.iter().map(|id| claims[id].doc.clone()));
    for doc in &docs {
        let (title, sentences) = &corpus[doc];
        bib.push_str(&bib_entry(doc, title, sentences));
    }
    std::fs::write(root.join("refs.bib"), bib).unwrap();
    let (supported, contradicted, uncited) =
        (&claims[&SUPPORTED], &claims[&CONTRADICTED], &claims[&UNCITED]);
    let text = format!(
        "\\documentclass{{article}}\n\\begin{{document}}\n\\begin{{abstract}}\n{}.\n\\end{{abstract}}\n\
         \\section{{Introduction}}\n{} \\citep{{sf{}}}.\n{} \\citep{{sf{}}}.\n{}.\n\
         We describe our data collection in the next section.\n\\bibliography{{refs}}\n\\end{{document}}\n",
        sentence(uncited),
        sentence(supported),
        supported.doc,
        sentence(contradicted),
        contradicted.doc,
        sentence(uncited),
    );
    let paper = root.join("paper.tex");
    std::fs::write(&paper, &text).unwrap();
    Some(Paper { _dir: dir, root, paper, text, claims, corpus })
}

fn sentence(c: &Claim) -> String {
    c.text.trim_end_matches('.').to_owned()
}

/// Zero-based line of the last occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    text[..text.rfind(needle).unwrap()].matches('\n').count() as u64
}

#[test]
fn claims_are_judged_against_cited_abstracts_and_uncited_ones_get_a_citation() {
    // `_dir` bound, not dropped: it holds the project.
    let Some(Paper { _dir, root, paper, text, claims, corpus }) = paper() else { return };
    let (supported, contradicted, uncited) =
        (&claims[&SUPPORTED], &claims[&CONTRADICTED], &claims[&UNCITED]);
    let cache = root.join("cache");
    std::fs::create_dir_all(&cache).unwrap();

    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &cache)]);
    // The shipped claim detector flags little (its threshold is set for precision); a low
    // threshold makes the background claim's flag certain, so the test exercises the
    // suggestion and insertion path.
    let options =
        json!({"scholia": {"unusedEntries": false, "claims": {"uncitedThreshold": 0.15}}});
    client.initialize(&root, &["utf-8"], options);
    client.open(&paper, "latex", &text);
    // The uncited claim is written twice: in the abstract (never flagged: abstracts carry no
    // citations) and in the body, its last occurrence.
    let line_of = |needle: &str| line_of(&text, needle);
    let abstract_line = line_of("\\begin{abstract}") + 1;
    let diagnostics = client.diagnostics_until(&paper, |list| {
        list.iter().any(|d| code_of(d) == "contradicting-citation")
            && list.iter().any(|d| code_of(d) == "uncited-claim")
    });
    let on_line =
        |line: u64| diagnostics.iter().filter(move |d| d["range"]["start"]["line"] == line);
    assert_eq!(
        on_line(line_of(&sentence(supported))).count(),
        0,
        "supported claim flagged: {diagnostics:#?}"
    );

    let contra =
        on_line(line_of(&sentence(contradicted))).find(|d| code_of(d) == "contradicting-citation");
    let contra = contra.unwrap_or_else(|| panic!("no contradiction on its line: {diagnostics:#?}"));
    assert_eq!(contra["severity"], 2, "warning");
    assert!(contra["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("diagnostics.md#contradicting-citation"));
    // Every sentence the model read, closest first (the one the message quotes), each
    // pointing at the cited entry; a gold rationale sentence is among them.
    let related = contra["relatedInformation"].as_array().unwrap();
    assert_eq!(related.len(), 3, "top 3 evidence sentences: {related:#?}");
    let cited_abstract = corpus[&contradicted.doc].1.join(" ");
    let quotes: Vec<&str> = related
        .iter()
        .map(|r| {
            assert_eq!(r["location"]["uri"], uri(&root.join("refs.bib")));
            let quoted = r["message"].as_str().unwrap();
            let inner = quoted.split_once('\u{201c}').unwrap().1.trim_end_matches('\u{201d}');
            assert!(cited_abstract.contains(inner), "{quoted:?} is not from the cited abstract");
            quoted
        })
        .collect();
    let closest = quotes[0].split_once(": ").unwrap().1;
    assert!(contra["message"].as_str().unwrap().ends_with(closest), "{contra:#?}");
    assert!(
        quotes
            .iter()
            .any(|q| contradicted.rationale.iter().any(|r| q.contains(r.trim_end_matches('.')))),
        "no rationale sentence {:?} among the evidence {quotes:?}",
        contradicted.rationale
    );

    assert_eq!(on_line(abstract_line).count(), 0, "abstract flagged: {diagnostics:#?}");
    let flagged =
        on_line(line_of(&sentence(uncited))).find(|d| code_of(d) == "uncited-claim").cloned();
    let flagged = flagged.unwrap_or_else(|| panic!("uncited claim not flagged: {diagnostics:#?}"));
    assert_eq!(flagged["severity"], 3, "information");
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&paper)}, "range": flagged["range"], "context": {"diagnostics": [flagged]}}),
    );
    // The citation quick fixes, not the other actions offered on the same range.
    let inserts: Vec<String> = actions
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["title"].as_str().is_some_and(|t| t.starts_with("Cite ")))
        .map(|a| a["edit"]["changes"][uri(&paper)][0]["newText"].as_str().unwrap_or("").to_owned())
        .collect();
    let wanted = format!(" \\citep{{sf{}}}", uncited.doc);
    assert!(
        inserts.len() <= 3 && inserts.contains(&wanted),
        "fixes {inserts:?} lack {wanted:?}: {actions:#}"
    );

    // Editing one sentence re-checks that sentence only.
    let before = settled(&mut client)["claims"]["checked"].as_u64().unwrap();
    let edited = text.replacen("We describe our data", "We describe all our data", 1);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&paper), "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    client.diagnostics_until(&paper, |_| true);
    let deadline = Instant::now() + Duration::from_secs(60);
    while settled(&mut client)["claims"]["checked"].as_u64().unwrap() == before {
        assert!(Instant::now() < deadline, "the edited sentence was never checked");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(1));
    let after = settled(&mut client)["claims"]["checked"].as_u64().unwrap();
    assert_eq!(after, before + 1, "only the edited sentence is checked again");
    assert_eq!(client.shutdown(), 0);
}

#[test]
fn check_cli_reports_the_contradiction_with_its_evidence() {
    let Some(Paper { _dir, root, text, claims, corpus, .. }) = paper() else { return };
    let contradicted = &claims[&CONTRADICTED];
    let check = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_scholia"))
            .current_dir(&root)
            .env("SCHOLIA_CACHE_DIR", root.join("cache"))
            .args(["check", "--claims", "paper.tex", "--format", format])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        stdout
    };
    let stdout = check("json");
    let rows: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let line = line_of(&text, &sentence(contradicted)) + 1;
    let row = rows
        .iter()
        .find(|r| r["code"] == "contradicting-citation" && r["line"] == line)
        .unwrap_or_else(|| panic!("no contradiction on line {line}: {stdout}"));
    assert_eq!(row["severity"], "warning");
    let notes = row["related"].as_array().unwrap();
    assert_eq!(notes.len(), 3, "{row:#}");
    let cited_abstract = corpus[&contradicted.doc].1.join(" ");
    for note in notes {
        assert_eq!(note["file"], "refs.bib");
        let quoted = note["message"].as_str().unwrap();
        let inner = quoted.split_once('\u{201c}').unwrap().1.trim_end_matches('\u{201d}');
        assert!(cited_abstract.contains(inner), "{quoted:?} is not from the cited abstract");
    }
    // As text: the diagnostic's line, then its three notes.
    let text_out = check("text");
    let lines: Vec<&str> = text_out.lines().collect();
    let at = lines
        .iter()
        .position(|l| {
            l.starts_with(&format!("paper.tex:{line}:")) && l.contains("[contradicting-citation]")
        })
        .unwrap_or_else(|| panic!("no contradiction on line {line}: {text_out}"));
    let notes: Vec<&&str> =
        lines[at + 1..].iter().take_while(|l| l.starts_with("  note: ")).collect();
    assert_eq!(notes.len(), 3, "{text_out}");
    assert!(notes.iter().all(|n| n.starts_with("  note: refs.bib:")), "{text_out}");
}
