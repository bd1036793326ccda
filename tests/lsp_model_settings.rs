//! Model settings from the editor over stdio: provider and per-role folders reach the
//! shared models, wrong values are shown and ignored, `SCHOLIA_MODEL_<ROLE>` sits under
//! the editor's setting, and a provider that does not start falls back to the CPU with a
//! warning the user sees (or, strict, turns model features off and nothing else).
//! The fallback tests need the fetched runtime and embed model; they skip visibly.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{models_present, position_of, uri, Client};
use scholia::model::Role;
use serde_json::{json, Value};

fn shown(client: &mut Client, part: &str) -> String {
    let message = client.wait_for(|m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"].as_str().is_some_and(|t| t.contains(part))
    });
    message["params"]["message"].as_str().unwrap().to_owned()
}

fn configure(client: &mut Client, settings: Value) {
    client.notify("workspace/didChangeConfiguration", json!({"settings": {"scholia": settings}}));
}

fn embed_folder(status: &Value) -> &str {
    status["models"]["embed"]["folder"].as_str().expect("an embed folder")
}

#[test]
fn wrong_model_settings_are_shown_and_the_previous_values_kept() {
    let (_dir, root) = common::fixture("latex-project");
    let missing = root.join("no-such-model");
    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &root)]);
    client.initialize(
        &root,
        &["utf-16"],
        json!({"scholia": {"executionProvider": "tpu", "models": {"embed": missing}}}),
    );
    let message = shown(&mut client, "scholia.models.embed");
    assert_eq!(
        message,
        format!(
            "scholia.models.embed names a folder that does not exist: {}; using the default model",
            missing.display()
        )
    );
    let message = shown(&mut client, "scholia.executionProvider");
    assert!(message.ends_with("got \"tpu\"; using auto"), "{message}");
    let before = client.status();
    assert_eq!(before["runtime"]["executionProvider"], "auto", "{before}");
    assert_eq!(before["models"]["embed"]["local"], false, "{before}");

    // A change after start: the new folder and provider are what the models use now.
    let own = root.join("my-embedder");
    std::fs::create_dir_all(&own).unwrap();
    configure(&mut client, json!({"executionProvider": "cpu", "models": {"embed": own}}));
    let deadline = Instant::now() + Duration::from_secs(20);
    let after = loop {
        let now = client.status();
        if now["models"]["embed"]["local"] == true {
            break now;
        }
        assert!(Instant::now() < deadline, "the folder setting was not applied: {now}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(embed_folder(&after), own.to_str().unwrap(), "{after}");
    assert_eq!(after["models"]["embed"]["present"], false, "an empty folder: {after}");
    assert_eq!(after["runtime"]["executionProvider"], "cpu", "{after}");
    assert_eq!(after["models"]["generate"]["local"], false, "{after}");
}

#[test]
fn the_editor_folder_wins_over_the_environment_and_null_falls_back_to_it() {
    let (_dir, root) = common::fixture("latex-project");
    let from_env = root.join("env-embedder");
    let from_editor = root.join("editor-embedder");
    std::fs::create_dir_all(&from_env).unwrap();
    std::fs::create_dir_all(&from_editor).unwrap();
    let mut client =
        Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &root), ("SCHOLIA_MODEL_EMBED", &from_env)]);
    client.initialize(&root, &["utf-16"], Value::Null);
    let first = client.status();
    assert_eq!(embed_folder(&first), from_env.to_str().unwrap(), "{first}");
    configure(&mut client, json!({"models": {"embed": from_editor}}));
    wait_for_embed_folder(&mut client, &from_editor);
    configure(&mut client, json!({"models": {"embed": null}}));
    wait_for_embed_folder(&mut client, &from_env);
}

fn wait_for_embed_folder(client: &mut Client, folder: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = client.status();
        if embed_folder(&now) == folder.to_str().unwrap() {
            return;
        }
        assert!(Instant::now() < deadline, "embed folder is not {}: {now}", folder.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A project citing one entry with an abstract, so opening it loads the embedder.
fn cited_project(root: &Path) -> (std::path::PathBuf, String) {
    std::fs::write(
        root.join("refs.bib"),
        "@article{lee2021,\n  title = {Protein structure prediction with deep networks},\n  author = {Lee, Ann},\n  year = {2021},\n  abstract = {We predict protein structures from amino acid sequences with a deep network. The predictions reach atomic accuracy on most targets.}\n}\n",
    )
    .unwrap();
    let text = "\\documentclass{article}\n\\begin{document}\nStructures can be predicted \\cite{lee2021}.\n\\bibliography{refs}\n\\end{document}\n".to_owned();
    let paper = root.join("paper.tex");
    std::fs::write(&paper, &text).unwrap();
    (paper, text)
}

/// The cited project for the CUDA fallback tests, in a temporary folder; `None` (said
/// visibly) where CUDA would really register or the embed model is not fetched.
fn cuda_fallback_project(
) -> Option<(tempfile::TempDir, std::path::PathBuf, std::path::PathBuf, String)> {
    if cfg!(feature = "cuda") {
        eprintln!("skipped: this build has the `cuda` feature, so CUDA does not fail to register");
        return None;
    }
    if !models_present(&[Role::Embed]) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let (paper, text) = cited_project(&root);
    Some((dir, root, paper, text))
}

#[test]
fn cuda_on_a_build_without_it_falls_back_to_the_cpu_with_a_shown_warning() {
    let Some((_dir, root, paper, text)) = cuda_fallback_project() else { return };
    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &root)]);
    client.initialize(&root, &["utf-16"], json!({"scholia": {"executionProvider": "cuda"}}));
    let idle = client.status();
    assert_eq!(idle["runtime"]["effectiveProvider"], Value::Null, "nothing loaded: {idle}");
    client.open(&paper, "latex", &text);
    let warning = shown(&mut client, "execution provider cuda");
    assert!(
        warning.contains("without the `cuda` feature") && warning.ends_with("using CPU"),
        "{warning}"
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&paper)}, "position": position_of(&text, "lee2021", 1)}),
        );
        let value = hover["contents"]["value"].as_str().unwrap_or_default().to_owned();
        if value.contains("**TL;DR**") {
            break;
        }
        assert!(Instant::now() < deadline, "no TL;DR on the CPU: {value}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let loaded = client.status();
    assert_eq!(loaded["runtime"]["executionProvider"], "cuda", "{loaded}");
    assert_eq!(loaded["runtime"]["effectiveProvider"], "cpu", "{loaded}");
}

#[test]
fn a_strict_provider_that_does_not_start_turns_off_model_features_only() {
    let Some((_dir, root, paper, text)) = cuda_fallback_project() else { return };
    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &root)]);
    client.initialize(
        &root,
        &["utf-16"],
        json!({"scholia": {"executionProvider": "cuda", "strictProvider": true}}),
    );
    client.open(&paper, "latex", &text);
    let error = shown(&mut client, "scholia TL;DRs");
    assert!(error.contains("cuda"), "{error}");
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&paper)}, "position": position_of(&text, "lee2021", 1)}),
    );
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(value.contains("Protein structure prediction with deep networks"), "{value}");
    assert!(value.contains("TL;DR unavailable") && value.contains("cuda"), "{value}");
    let definition = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri(&paper)}, "position": position_of(&text, "lee2021", 1)}),
    );
    assert!(definition["uri"].as_str().is_some_and(|u| u.ends_with("refs.bib")), "{definition}");
}
