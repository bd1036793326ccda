//! Requests cancelled at once, `exit` without `shutdown`, and `shutdown` + `exit` while
//! model work is in flight, against the real binary. Cases that run a model need the
//! fetched embedder (`scholia models fetch`) and skip visibly without it.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{fixture, models_present, position_of, uri, Client};
use scholia::model::Role;
use serde_json::{json, Value};

/// A cancelled request must be answered within this long.
const CANCEL_ANSWER: Duration = Duration::from_secs(5);
/// The process must be gone this long after `exit`.
const EXIT_BOUND: Duration = Duration::from_secs(10);
const REQUEST_CANCELLED: i64 = -32800;

/// The drafting fixture with a Related Work section and a bibliography: every command
/// and code action has something to work on.
fn paper() -> (tempfile::TempDir, PathBuf, PathBuf, String) {
    let (dir, root) = fixture("draft");
    let (_bib, bib_root) = fixture("latex-project");
    std::fs::copy(bib_root.join("refs.bib"), root.join("refs.bib")).unwrap();
    let main = root.join("paper.tex");
    let text = std::fs::read_to_string(&main)
        .unwrap()
        .replace(
            "\\section{Conclusion}",
            "\\section{Related Work}\nDeep networks changed vision \\citep{lecun2015, krizhevsky2012}.\n\n\\section{Conclusion}",
        )
        .replace("\\end{document}", "\\bibliography{refs}\n\\end{document}");
    std::fs::write(&main, &text).unwrap();
    (dir, root, main, text)
}

/// `workspace/applyEdit` requests the server has sent so far.
fn applied_edits(client: &Client) -> usize {
    client.notifications.iter().filter(|m| m["method"] == "workspace/applyEdit").count()
}

/// CPU seconds the process has used (user + system), from `/proc`.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0 // USER_HZ is 100 on Linux
}

struct Case {
    name: String,
    method: &'static str,
    params: Value,
    /// Runs a model: skipped without the fetched models.
    model: bool,
}

#[test]
fn every_long_request_answers_a_cancel_at_once_and_the_server_goes_on() {
    let (_dir, root, main, text) = paper();
    let cache = root.join("cache");
    let with_models = models_present(&[Role::Embed]);
    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &cache)]);
    let init = client.initialize(&root, &["utf-16"], json!({}));
    client.open(&main, "latex", &text);

    let document = json!({"uri": uri(&main)});
    let sentence_start = position_of(&text, "Clinical notes are", 0);
    let sentence_end = position_of(&text, "Clinical notes are", 14);
    let sentence = json!({"start": sentence_start, "end": sentence_end});
    let related = position_of(&text, "Deep networks changed", 0);
    let related_offset = text.find("Deep networks changed").unwrap();
    let mut cases = vec![
        Case {
            name: "hover (TL;DR lookup)".into(),
            method: "textDocument/hover",
            params: json!({"textDocument": document, "position": position_of(&text, "devlin2019", 1)}),
            model: false,
        },
        Case {
            name: "completion".into(),
            method: "textDocument/completion",
            params: json!({"textDocument": document, "position": position_of(&text, "devlin2019", 0)}),
            model: false,
        },
        Case {
            name: "codeAction in Related Work (outline computed at once)".into(),
            method: "textDocument/codeAction",
            params: json!({"textDocument": document, "range": {"start": related, "end": related}, "context": {"diagnostics": []}}),
            model: true,
        },
        Case {
            name: "codeAction on a selection".into(),
            method: "textDocument/codeAction",
            params: json!({"textDocument": document, "range": sentence, "context": {"diagnostics": []}}),
            model: false,
        },
        Case {
            name: "codeAction/resolve: draft abstract".into(),
            method: "codeAction/resolve",
            params: json!({"title": "Draft abstract", "data": {"scholia": "draftAbstract", "uri": uri(&main)}}),
            model: true,
        },
        Case {
            name: "codeAction/resolve: related-work outline".into(),
            method: "codeAction/resolve",
            params: json!({"title": "Insert related-work outline",
                           "data": {"scholia.relatedOutline": {"uri": uri(&main), "offset": related_offset}}}),
            model: true,
        },
    ];
    let announced: Vec<String> = init["capabilities"]["executeCommandProvider"]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    for expected in [
        "scholia.draftAbstract",
        "scholia.relatedWork",
        "scholia.extractRelatedWork",
        "scholia.checkClaims",
        "scholia.suggestCitations",
        "scholia.summarizeSelection",
        "scholia.reindex",
        "scholia.status",
    ] {
        assert!(announced.iter().any(|c| c == expected), "{expected} not announced");
    }
    for command in &announced {
        cases.push(Case {
            name: command.clone(),
            method: "workspace/executeCommand",
            params: json!({"command": command, "arguments": [{"uri": uri(&main), "range": sentence}]}),
            model: !matches!(command.as_str(), "scholia.status" | "scholia.reindex"),
        });
    }
    if !with_models {
        eprintln!("skipped: the cases that run a model (no fetched embedder)");
        cases.retain(|c| !c.model);
    }

    let mut drafts_answered = 0;
    for case in &cases {
        let started = Instant::now();
        let id = client.send_request(case.method, case.params.clone());
        client.notify("$/cancelRequest", json!({"id": id}));
        let response = client.response_within(id, CANCEL_ANSWER);
        let took = started.elapsed();
        let cancelled = response["error"]["code"] == REQUEST_CANCELLED;
        assert!(
            cancelled || response.get("error").is_none(),
            "{}: neither cancelled nor answered: {response}",
            case.name
        );
        eprintln!(
            "{}: {} in {took:?}",
            case.name,
            if cancelled { "cancelled" } else { "answered" }
        );
        let drafts = case.params["command"] == "scholia.draftAbstract"
            || case.params["data"]["scholia"] == "draftAbstract";
        if drafts && !cancelled {
            drafts_answered += 1;
        }
    }

    // A draft cancelled while it generates stops: the server's CPU use falls to (nearly)
    // nothing, where generation would go on using what the machine gives it.
    if with_models {
        let edits_before = applied_edits(&client);
        let id = client.send_request(
            "workspace/executeCommand",
            json!({"command": "scholia.draftAbstract", "arguments": [{"uri": uri(&main)}]}),
        );
        std::thread::sleep(Duration::from_millis(1500));
        let before = cpu_seconds(client.pid());
        std::thread::sleep(Duration::from_secs(1));
        let working = cpu_seconds(client.pid()) - before;
        client.notify("$/cancelRequest", json!({"id": id}));
        let response = client.response_within(id, CANCEL_ANSWER);
        if applied_edits(&client) > edits_before {
            // The draft finished and its edit went out before the cancel arrived: an edit
            // already sent cannot be taken back, whatever the answer says.
            drafts_answered += 1;
            eprintln!("the draft finished before the cancel arrived; nothing left to stop");
        } else if response["error"]["code"] == REQUEST_CANCELLED {
            std::thread::sleep(Duration::from_millis(500));
            let before = cpu_seconds(client.pid());
            std::thread::sleep(Duration::from_secs(1));
            let after = cpu_seconds(client.pid()) - before;
            eprintln!(
                "draft cancelled mid-work: {working:.2} CPU s/s while drafting, {after:.2} after"
            );
            assert!(
                after < working / 3.0,
                "drafting went on: {working:.2} then {after:.2} CPU s/s"
            );
        } else {
            assert!(response.get("error").is_none(), "{response}");
            drafts_answered += 1;
            eprintln!("the draft finished within 1.5 s; nothing left to stop");
        }
    }
    // A cancelled draft never edits the document afterwards; only an answered one may
    // (suggestions are inserted only once the writer picks one, which this client never does).
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": document, "position": position_of(&text, "lecun2015", 1)}),
    );
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Deep learning"), "{hover}");
    let edits = applied_edits(&client);
    assert!(edits <= drafts_answered, "{edits} edits for {drafts_answered} answered drafts");
    assert_eq!(client.shutdown(), 0);
}

#[test]
fn exit_without_shutdown_exits_with_code_1() {
    let (_dir, root) = fixture("latex-project");
    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &root.join("cache"))]);
    client.initialize(&root, &["utf-16"], Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_code_within(EXIT_BOUND), Some(1), "LSP: exit without shutdown is 1");
}

/// A bibliography of `n` entries with abstracts and a paper citing each of them.
fn large_project(root: &Path, n: usize) -> (PathBuf, String) {
    let topics = ["attention", "retrieval", "parsing", "translation", "summarisation"];
    let mut bib = String::new();
    let mut body = String::new();
    for i in 0..n {
        let topic = topics[i % topics.len()];
        bib.push_str(&format!(
            "@article{{entry{i},\n  title = {{Study {i} of {topic}}},\n  author = {{Author, A{i}}},\n  year = {{2020}},\n  abstract = {{We study {topic} in setting number {i}. Our method improves {topic} by {i} points on a benchmark of {n} tasks. The code is public.}}\n}}\n\n"
        ));
        body.push_str(&format!("Work on {topic} keeps improving \\citep{{entry{i}}}.\n"));
    }
    std::fs::write(root.join("refs.bib"), bib).unwrap();
    let text = format!(
        "\\documentclass{{article}}\n\\begin{{document}}\n\\begin{{abstract}}\n\\end{{abstract}}\n\\section{{Introduction}}\n{body}\n\\section{{Conclusion}}\nWe studied many things.\n\\bibliography{{refs}}\n\\end{{document}}\n"
    );
    let main = root.join("paper.tex");
    std::fs::write(&main, &text).unwrap();
    (main, text)
}

#[test]
fn shutdown_then_exit_with_work_in_flight_exits_cleanly_and_keeps_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let cache = root.join("cache");
    let with_models = models_present(&[Role::Embed]);
    let (main, text) = large_project(&root, 300);
    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &cache)]);
    client.initialize(&root, &["utf-16"], json!({}));
    client.open(&main, "latex", &text);
    // Background summarising of the 300 cited entries is under way; a draft joins it.
    std::thread::sleep(Duration::from_millis(1500));
    let draft = client.send_request(
        "workspace/executeCommand",
        json!({"command": "scholia.draftAbstract", "arguments": [{"uri": uri(&main)}]}),
    );
    std::thread::sleep(Duration::from_millis(500));
    let status = client.status();
    eprintln!("before shutdown: {status}");

    let started = Instant::now();
    let shutdown = client.request_raw_within("shutdown", Value::Null, EXIT_BOUND);
    assert!(shutdown.get("error").is_none(), "{shutdown}");
    let answered = started.elapsed();
    let exit_at = Instant::now();
    client.notify("exit", Value::Null);
    let code = client.exit_code_within(EXIT_BOUND);
    let exited = exit_at.elapsed();
    eprintln!("shutdown answered in {answered:?}; process gone {exited:?} after exit");
    assert_eq!(code, Some(0), "exit code after shutdown + exit (None: still running)");
    // The draft was answered (cancelled, or done) or dropped with the process; never edited.
    let edits = client.notifications.iter().filter(|m| m["method"] == "workspace/applyEdit");
    let draft_done =
        client.notifications.iter().any(|m| m["id"] == draft && m.get("result").is_some());
    assert!(draft_done || edits.count() == 0, "an edit followed a draft stopped by exit");

    // The cache is intact and holds what was finished before the exit.
    let file = cache.join(scholia::store::CACHE_FILE);
    let connection = rusqlite::Connection::open(&file).unwrap();
    let check: String = connection.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let stored: i64 = connection
        .query_row("SELECT count(*) FROM results WHERE task = 'tldr'", [], |r| r.get(0))
        .unwrap();
    eprintln!("TL;DRs stored before the exit: {stored}");
    if with_models {
        assert!(stored > 0, "background summarising had stored nothing: no work was in flight");
    }
    drop(connection);
    let (_, warnings) = scholia::store::Cache::open(&cache);
    assert!(warnings.is_empty(), "a second server finds the cache healthy: {warnings:?}");
}

/// Exiting while models load or run used to end with SIGSEGV now and then (2 of 30
/// tries): ONNX Runtime's static destructors ran under a model thread. Exits at
/// staggered moments after opening a paper must all give 0.
#[test]
fn exits_at_any_moment_of_model_work_give_code_0() {
    if !models_present(&[Role::Embed]) {
        eprintln!(
            "skipped: models not fetched (`scholia models fetch`), so no model work to exit under"
        );
        return;
    }
    let (_dir, root) = fixture("latex-project");
    let main = root.join("main.tex");
    let text = std::fs::read_to_string(&main).unwrap();
    let mut codes = Vec::new();
    for attempt in 0..24u64 {
        let cache = root.join(format!("cache{attempt}"));
        let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &cache)]);
        client.initialize(&root, &["utf-16"], Value::Null);
        client.open(&main, "latex", &text);
        client.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri(&main)}, "position": position_of(&text, "lecun2015", 0)}),
        );
        std::thread::sleep(Duration::from_millis(70 * attempt));
        codes.push(client.shutdown());
    }
    assert!(codes.iter().all(|&c| c == 0), "exit codes (-1: a signal): {codes:?}");
}
