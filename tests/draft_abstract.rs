//! Drafting an abstract end to end: the code action (resolved lazily, with progress), the
//! `scholia.draftAbstract` and `scholia.summarizeSelection` commands, and the CLI, on a
//! fixture paper and on a real JOSS paper. Needs the fetched models; skips visibly.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{shared_data, uri, Client};
use scholia::analysis::draft::compose::SUPPORT;
use scholia::analysis::draft::numbers::Numbers;
use scholia::model::{Models, ModelsConfig, Role};
use serde_json::{json, Value};

/// Generation on a shared CPU can take a while; this is a hang guard, not a speed test.
const MODEL_PATIENCE: Duration = Duration::from_secs(300);
const FIXTURE: &str = "tests/fixtures/draft/paper.tex";

fn models() -> Option<Models> {
    let models = Models::new(ModelsConfig::default().with_env_overrides()).ok().filter(|m| {
        m.library_path().is_ok_and(|p| p.is_file())
            && m.resolve(Role::Embed).is_ok_and(|r| r.is_present())
    });
    if models.is_none() {
        eprintln!("skipped: models not fetched (run `scholia models fetch`)");
    }
    models
}

/// Plain text of a drafted LaTeX abstract: escapes undone, lines joined.
fn unescape_latex(text: &str) -> String {
    text.replace("\\%", "%").replace("\\&", "&").replace("\\_", "_").replace("\\#", "#")
}

/// The draft's words are in range and its numbers all occur in the manuscript.
fn assert_faithful(draft: &str, manuscript: &str) {
    let words = draft.split_whitespace().count();
    assert!((120..=250).contains(&words), "{words} words: {draft}");
    let unknown = Numbers::of([manuscript]).unsupported(draft);
    assert!(unknown.is_empty(), "numbers {unknown:?} are not in the manuscript: {draft}");
    assert!(!draft.contains("[REF]") && !draft.contains('\\'), "markup left: {draft}");
}

fn initialize_with_progress(client: &mut Client, root: &Path) {
    client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(root),
            "workspaceFolders": [{"uri": uri(root), "name": "test"}],
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "window": {"workDoneProgress": true},
                "workspace": {"applyEdit": true, "workspaceEdit": {"documentChanges": true}}
            }
        }),
    );
    client.notify("initialized", json!({}));
}

/// Opens `file`, asks for code actions, resolves the draft action; returns the edit.
fn resolve_draft(client: &mut Client, file: &Path, language: &str, text: &str) -> Value {
    client.open(file, language, text);
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri(file)},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": []}
        }),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "refactor.rewrite")
        .unwrap_or_else(|| panic!("no draft action in {actions}"))
        .clone();
    assert_eq!(action["title"], "Draft abstract");
    assert!(action.get("edit").is_none(), "the edit waits for resolve");
    let resolved = client.request_raw_within("codeAction/resolve", action, MODEL_PATIENCE);
    assert!(resolved.get("error").is_none(), "{resolved}");
    let changes = &resolved["result"]["edit"]["documentChanges"];
    assert_eq!(changes[0]["textDocument"]["uri"], uri(file));
    assert_eq!(changes[0]["textDocument"]["version"], 1);
    changes[0]["edits"][0].clone()
}

#[test]
fn draft_action_on_the_fixture_inserts_an_abstract_after_maketitle() {
    if models().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let file = root.join("paper.tex");
    std::fs::write(&file, &text).unwrap();
    let mut client = Client::spawn();
    initialize_with_progress(&mut client, &root);
    let edit = resolve_draft(&mut client, &file, "latex", &text);

    // An insertion right after `\maketitle` (line 4, after its 10 characters).
    let at = json!({"line": 4, "character": 10});
    assert_eq!(edit["range"], json!({"start": at, "end": at}));
    let new_text = edit["newText"].as_str().unwrap();
    let body = new_text
        .strip_prefix("\n\n\\begin{abstract}\n")
        .and_then(|t| t.strip_suffix("\n\\end{abstract}"))
        .unwrap_or_else(|| panic!("not an abstract environment: {new_text:?}"));
    assert_faithful(&unescape_latex(body), &text);

    // `$/progress` travels beside the response, so the end may come after it.
    let kind =
        |m: &Value, kind: &str| m["method"] == "$/progress" && m["params"]["value"]["kind"] == kind;
    client.wait_for(|m| kind(m, "end"));
    assert!(client.notifications.iter().any(|m| kind(m, "begin")), "no progress began");
    assert!(client.notifications.iter().any(|m| kind(m, "report")), "no progress reported");
    assert_eq!(client.shutdown(), 0);
}

#[test]
fn draft_action_on_a_joss_paper_writes_the_front_matter_field() {
    let Some(source) = shared_data("papers/markdown/gmr-joss") else { return };
    if models().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for name in ["paper.md", "paper.bib"] {
        std::fs::copy(source.join(name), root.join(name)).unwrap();
    }
    let text = std::fs::read_to_string(root.join("paper.md")).unwrap();
    let mut client = Client::spawn();
    initialize_with_progress(&mut client, &root);
    let edit = resolve_draft(&mut client, &root.join("paper.md"), "markdown", &text);

    // Inserted at the start of the front matter's closing `---` line.
    let closing = text.lines().skip(1).position(|l| l == "---").unwrap() + 1;
    let at = json!({"line": closing, "character": 0});
    assert_eq!(edit["range"], json!({"start": at, "end": at}));
    let new_text = edit["newText"].as_str().unwrap();
    let body = new_text.strip_prefix("abstract: |\n").expect("a block scalar");
    assert!(body.lines().all(|l| l.starts_with("  ")), "{body}");
    assert_faithful(body, &text);
    assert_eq!(client.shutdown(), 0);
}

#[test]
fn commands_without_arguments_act_on_the_opened_document() {
    if models().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let file = root.join("paper.tex");
    std::fs::write(&file, &text).unwrap();
    let mut client = Client::spawn();
    client.initialize(&root, &["utf-16"], Value::Null);
    client.open(&file, "latex", &text);

    let command = |name: &str| json!({"command": name, "arguments": []});
    let summary = client.request("workspace/executeCommand", command("scholia.summarizeSelection"));
    let summary = summary["summary"].as_str().unwrap();
    // The first paragraph is the introduction; its summary is taken from one of its sentences.
    let intro = &text
        [text.find("\\section{Introduction}").unwrap()..text.find("\\section{Method}").unwrap()];
    let words: Vec<&str> = summary.split_whitespace().collect();
    assert!(words.len() >= 6, "{summary}");
    assert!(intro.contains(&words[1..5].join(" ")), "not from the introduction: {summary}");
    client.wait_for(|m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"].as_str().is_some_and(|s| s.contains(summary))
    });

    // Editors send the cursor as `TextDocumentPositionParams`: the paragraph there.
    let cursor = common::position_of(&text, "Within a section", 0);
    let argument = json!({"textDocument": {"uri": uri(&file)}, "position": cursor});
    let method = client.request(
        "workspace/executeCommand",
        json!({"command": "scholia.summarizeSelection", "arguments": [argument]}),
    );
    let method = method["summary"].as_str().unwrap();
    let words: Vec<&str> = method.split_whitespace().collect();
    let section =
        &text[text.find("\\section{Method}").unwrap()..text.find("\\section{Results}").unwrap()];
    assert!(section.contains(&words[1..4].join(" ")), "not from the method: {method}");

    let drafted = client.request_raw_within(
        "workspace/executeCommand",
        command("scholia.draftAbstract"),
        MODEL_PATIENCE,
    );
    let result = &drafted["result"];
    assert_faithful(result["text"].as_str().unwrap(), &text);
    assert!(result["message"].as_str().unwrap().contains("words"), "{result}");
    // The harness does not apply edits, so the server reports the edit as not applied.
    assert_eq!(result["applied"], false);
    let apply = client.wait_for(|m| m["method"] == "workspace/applyEdit");
    let change = &apply["params"]["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["uri"], uri(&file));
    assert!(change["edits"][0]["newText"].as_str().unwrap().contains("\\begin{abstract}"));

    let unknown = client.request_raw(
        "workspace/executeCommand",
        json!({"command": "scholia.summarizeSelection", "arguments": [{"uri": "file:///nowhere.tex"}]}),
    );
    assert!(unknown.get("error").is_some(), "{unknown}");
    assert_eq!(client.shutdown(), 0);
}

#[test]
fn cli_prints_a_draft_and_where_it_goes() {
    if models().is_none() {
        return;
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scholia"))
        .args(["draft-abstract", FIXTURE])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let draft = stdout.lines().next().unwrap();
    assert_faithful(draft, &std::fs::read_to_string(FIXTURE).unwrap());
    assert!(stdout.contains("new abstract environment after \\maketitle"), "{stdout}");
}

/// The support threshold separates sentences of another paper from paraphrases of this one.
#[test]
fn support_threshold_separates_other_papers_from_paraphrases() {
    let Some(models) = models() else { return };
    let embedder = models.embedder().unwrap();
    let text = std::fs::read_to_string(FIXTURE).unwrap();
    let ir = scholia::syntax::parse(scholia::syntax::Language::Latex, &text, &Default::default());
    let own: Vec<&str> = ir.sentences.iter().map(|s| s.prose.as_str()).collect();
    let own = embedder.embed(&own).unwrap();
    let best = |sentence: &str| {
        let e = embedder.embed(&[sentence]).unwrap().remove(0);
        own.iter()
            .map(|o| o.iter().zip(&e).map(|(a, b)| a * b).sum::<f32>())
            .fold(f32::MIN, f32::max)
    };
    let other_paper = [
        "gmr is a Python library for Gaussian mixture regression.",
        "We benchmark large language models on thousands of chemistry questions.",
        "Bitcoin prices are said to follow a martingale.",
    ];
    let paraphrases = [
        "SparseNote achieves an AUC of 0.81, beating a truncated BERT baseline at 0.74.",
        "Only a single summary token from each section attends to the other sections.",
        "Our results show that whole clinical notes can be classified on modest hardware.",
    ];
    for s in other_paper {
        assert!(best(s) < SUPPORT, "{s}: {}", best(s));
    }
    for s in paraphrases {
        assert!(best(s) >= SUPPORT, "{s}: {}", best(s));
    }
}
