//! Related work end to end: the report command on the ChemBench paper (every entry once, in
//! themes, cited marks checked against the sources), the outline code action and the
//! extraction on a small fixture, and `scholia related`. Needs the fetched embedding model
//! (`scholia models fetch`); the ChemBench tests also need `../shared/data/`. Each skips
//! visibly without them.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{copy_dir, fixture, models_present, position_of, shared_data, uri, Client};
use regex::Regex;
use scholia::model::Role;
use serde_json::{json, Value};

/// Related-work requests embed every entry: with the background TL;DR, claim and
/// completion-vector work sharing two loaded cores they can outlast `PATIENCE`.
const MODEL_PATIENCE: Duration = Duration::from_secs(120);

fn model_request(client: &mut Client, method: &str, params: Value) -> Value {
    let response = client.request_raw_within(method, params, MODEL_PATIENCE);
    assert!(response.get("error").is_none(), "{method} failed: {response}");
    response["result"].clone()
}

/// A server whose client can show documents and, if `resolve`, resolve code-action edits.
fn start(root: &Path, cache: &Path, resolve: bool) -> Client {
    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", cache)]);
    let properties: Vec<&str> = if resolve { vec!["edit"] } else { vec![] };
    client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(root),
            "workspaceFolders": [{"uri": uri(root), "name": "test"}],
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "window": {"showDocument": {"support": true}},
                "textDocument": {"codeAction": {
                    "dataSupport": true,
                    "resolveSupport": {"properties": properties}
                }}
            }
        }),
    );
    client.notify("initialized", json!({}));
    client
}

/// The ChemBench sources copied to a temporary folder (the command writes beside them).
fn chembench() -> Option<(tempfile::TempDir, PathBuf)> {
    let source = shared_data("papers/latex/chembench-paper/src/tex")?;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap().join("tex");
    copy_dir(&source, &root);
    Some((dir, root))
}

/// Keys of a BibTeX file, read with a regex (not scholia's parser).
fn bib_keys(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let entry = Regex::new(r"(?m)^\s*@(\w+)\s*\{\s*([^,\s]+)\s*,").unwrap();
    entry
        .captures_iter(&text)
        .filter(|c| !["string", "comment", "preamble"].contains(&c[1].to_lowercase().as_str()))
        .map(|c| c[2].to_owned())
        .collect()
}

/// Keys cited in `root` and the files it `\input`s, lower-cased, comments left out.
fn cited_keys(root: &Path) -> HashSet<String> {
    let cite = Regex::new(r"\\[A-Za-z]*cite[A-Za-z]*\*?(?:\[[^\]]*\])*\{([^}]*)\}").unwrap();
    let input = Regex::new(r"\\input\{([^}]+)\}").unwrap();
    let comment = Regex::new(r"(?m)(^|[^\\])%.*$").unwrap();
    let folder = root.parent().unwrap();
    let mut keys = HashSet::new();
    let mut queue = vec![root.to_path_buf()];
    while let Some(file) = queue.pop() {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let text = comment.replace_all(&text, "$1");
        for c in cite.captures_iter(&text) {
            keys.extend(c[1].split(',').map(|k| k.trim().to_lowercase()).filter(|k| !k.is_empty()));
        }
        for c in input.captures_iter(&text) {
            let name = &c[1];
            let name = if name.ends_with(".tex") { name.to_owned() } else { format!("{name}.tex") };
            queue.push(folder.join(name));
        }
    }
    keys
}

/// Entry lines of a report by theme heading: key -> (theme, cited).
fn report_entries(report: &str) -> Vec<(String, String, bool)> {
    let line = Regex::new(r"^- `([^`]+)` · .* · (cited|\*\*uncited\*\*) · (-?\d\.\d{3}|no score)")
        .unwrap();
    let mut theme = None;
    let mut out = Vec::new();
    for text in report.lines() {
        if let Some(heading) = text.strip_prefix("## ") {
            theme = Some(heading.to_owned());
        } else if text.starts_with("- ") {
            let c = line.captures(text).unwrap_or_else(|| panic!("malformed entry line: {text}"));
            let theme = theme.clone().expect("entry line before any theme heading");
            out.push((c[1].to_owned(), theme, &c[2] == "cited"));
        }
    }
    out
}

/// Every bibliography entry exactly once, under a theme, cited exactly when the sources cite it.
fn assert_report_matches_sources(report: &str, root: &Path) {
    let entries = report_entries(report);
    let keys = bib_keys(&root.parent().unwrap().join("references.bib"));
    let listed: Vec<&str> = entries.iter().map(|(k, _, _)| k.as_str()).collect();
    let unique: BTreeSet<String> = listed.iter().map(|k| k.to_string()).collect();
    assert_eq!(listed.len(), unique.len(), "an entry is listed twice");
    assert_eq!(unique, keys, "the report lists other entries than the bibliography");
    let cited = cited_keys(root);
    let wrong: Vec<&(String, String, bool)> =
        entries.iter().filter(|(k, _, c)| *c != cited.contains(&k.to_lowercase())).collect();
    assert!(wrong.is_empty(), "cited marks wrong for {wrong:?}");
    let themes: BTreeMap<&str, usize> = entries.iter().fold(BTreeMap::new(), |mut m, (_, t, _)| {
        *m.entry(t.as_str()).or_default() += 1;
        m
    });
    assert!(themes.len() >= 2, "one theme only: {themes:?}");
}

#[test]
fn report_command_without_arguments_ranks_every_chembench_entry() {
    let Some((_dir, folder)) = chembench() else { return };
    if !models_present(&[Role::Embed]) {
        return;
    }
    let root = folder.join("ms.tex");
    let cache = folder.parent().unwrap().join("cache");
    let mut client = start(&folder, &cache, true);
    client.open(&root, "latex", &std::fs::read_to_string(&root).unwrap());
    let result = model_request(
        &mut client,
        "workspace/executeCommand",
        json!({"command": "scholia.relatedWork", "arguments": []}),
    );
    let path = folder.join(".scholia/related-work.md");
    assert_eq!(result["path"], json!(path));
    let report = std::fs::read_to_string(&path).expect("the report file exists");
    assert_eq!(result["entries"], json!(bib_keys(&folder.join("references.bib")).len()));
    assert!(result["themes"].as_array().is_some_and(|t| t.len() >= 2), "{result}");
    assert_report_matches_sources(&report, &root);
    let shown = client.wait_for(|m| m["method"] == "window/showDocument");
    assert_eq!(shown["params"]["uri"], json!(uri(&path)));
    assert_eq!(client.shutdown(), 0);
}

#[test]
fn cli_prints_the_chembench_report() {
    let Some((_dir, folder)) = chembench() else { return };
    if !models_present(&[Role::Embed]) {
        return;
    }
    let output = Command::new(env!("CARGO_BIN_EXE_scholia"))
        .args(["related", "ms.tex"])
        .current_dir(&folder)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.starts_with("# Related work for ms.tex\n"), "{stdout}");
    assert_report_matches_sources(&stdout, &folder.join("ms.tex"));
    let json = Command::new(env!("CARGO_BIN_EXE_scholia"))
        .args(["related", "ms.tex", "--json"])
        .current_dir(&folder)
        .output()
        .unwrap();
    let value: Value = serde_json::from_slice(&json.stdout).expect("JSON on stdout");
    let count: usize = value["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["entries"].as_array().unwrap().len())
        .sum();
    assert_eq!(count, bib_keys(&folder.join("references.bib")).len());
}

#[test]
fn cli_explains_a_missing_file() {
    let output = Command::new(env!("CARGO_BIN_EXE_scholia"))
        .args(["related", "no-such-paper.tex"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no-such-paper.tex"), "{stderr}");
}

/// The outline action's text edit, resolved lazily or given at once.
fn outline_edit(client: &mut Client, file: &Path, text: &str, resolve: bool) -> Value {
    let at = position_of(text, "Benchmarks of", 0);
    let actions = model_request(
        client,
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri(file)},
            "range": {"start": at, "end": at},
            "context": {"diagnostics": []}
        }),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Insert related-work outline")
        .unwrap_or_else(|| panic!("no outline action in {actions}"))
        .clone();
    assert_eq!(action["kind"], "refactor.rewrite");
    let action = if resolve {
        assert!(action.get("edit").is_none(), "the edit is computed on resolve: {action}");
        model_request(client, "codeAction/resolve", action)
    } else {
        action
    };
    let edits = &action["edit"]["changes"][uri(file)];
    assert_eq!(edits.as_array().map(Vec::len), Some(1), "{action}");
    edits[0].clone()
}

#[test]
fn outline_action_cites_in_the_document_style_after_the_heading() {
    if !models_present(&[Role::Embed]) {
        return;
    }
    let (dir, root) = fixture("related");
    let file = root.join("main.tex");
    let text = std::fs::read_to_string(&file).unwrap();
    let heading = "\\section{Related Work}\\label{sec:related}";
    let heading_line = text.lines().position(|l| l == heading).unwrap();
    let all_keys = bib_keys(&root.join("refs.bib"));
    let cited = cited_keys(&file);
    let citation = Regex::new(r"\\(\w+)\{([^}]*)\}").unwrap();
    for resolve in [true, false] {
        let mut client = start(&root, &dir.path().join("cache"), resolve);
        client.open(&file, "latex", &text);
        let edit = outline_edit(&mut client, &file, &text, resolve);
        let end_of_heading = json!({"line": heading_line, "character": heading.len()});
        assert_eq!(edit["range"], json!({"start": end_of_heading, "end": end_of_heading}));
        let inserted = edit["newText"].as_str().unwrap();
        assert!(inserted.starts_with("\n\n") && inserted.ends_with("\n"), "{inserted:?}");
        let mut seen = Vec::new();
        for line in inserted.lines().filter(|l| !l.is_empty()) {
            let c = citation.captures(line).unwrap_or_else(|| panic!("no citation in {line:?}"));
            assert_eq!(&c[1], "citep", "the document cites with \\citep most: {line}");
            let keys: Vec<&str> = c[2].split(',').collect();
            let first_uncited = keys.iter().position(|k| !cited.contains(*k)).unwrap_or(keys.len());
            assert!(
                keys[first_uncited..].iter().all(|k| !cited.contains(*k)),
                "cited first: {line}"
            );
            seen.extend(keys.iter().map(|k| k.to_string()));
        }
        let unique: BTreeSet<String> = seen.iter().cloned().collect();
        assert_eq!(seen.len(), unique.len(), "{inserted}");
        assert_eq!(unique, all_keys, "{inserted}");
        assert_eq!(client.shutdown(), 0);
    }
}

#[test]
fn extraction_tabulates_what_related_work_cites() {
    let (dir, root) = fixture("related");
    let file = root.join("main.tex");
    let mut client = start(&root, &dir.path().join("cache"), true);
    client.open(&file, "latex", &std::fs::read_to_string(&file).unwrap());
    let result = client.request(
        "workspace/executeCommand",
        json!({"command": "scholia.extractRelatedWork", "arguments": [
            {"textDocument": {"uri": uri(&file)}, "position": {"line": 0, "character": 0}}
        ]}),
    );
    let path = root.join(".scholia/related-work-cited.md");
    assert_eq!(result["path"], json!(path));
    let table = std::fs::read_to_string(&path).unwrap();
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(rows.len(), 3, "{table}");
    assert!(
        rows[0].starts_with(
            "| `llm-bench` | A benchmark of language models for scientific questions | 2024 |"
        ),
        "{table}"
    );
    assert!(rows[1].starts_with("| `llm-chem` |"), "{table}");
    assert!(rows[2].starts_with("| `fold-casp` |"), "{table}");
    let bad = client.request_raw(
        "workspace/executeCommand",
        json!({"command": "scholia.extractRelatedWork", "arguments": [42]}),
    );
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    assert_eq!(client.shutdown(), 0);
}
