//! TL;DRs end to end: hover, inlay hints, completion documentation and the status command
//! of a server with the default models, then a second server answering from the same cache.
//! Needs the fetched models (`scholia models fetch`) and `../shared/data/`; skips visibly.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{models_present, position_of, shared_data, uri, Client};
use scholia::model::Role;
use serde_json::{json, Value};

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn hover_text(client: &mut Client, file: &Path, text: &str, key: &str) -> String {
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(file)}, "position": position_of(text, key, 1)}),
    );
    hover["contents"]["value"].as_str().unwrap_or_default().to_owned()
}

/// Hovers until the TL;DR line appears (model work runs in the background).
fn wait_for_tldr(client: &mut Client, file: &Path, text: &str, key: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let hover = hover_text(client, file, text, key);
        if let Some(line) = hover.lines().find_map(|l| l.strip_prefix("**TL;DR** ")) {
            return line.to_owned();
        }
        assert!(hover.contains("summarising"), "neither a TL;DR nor pending: {hover}");
        assert!(Instant::now() < deadline, "no TL;DR in time: {hover}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn hover_inlay_and_completion_carry_tldrs_and_a_second_server_reuses_the_cache() {
    let Some(libra) = shared_data("bib/typst-biblatex/tests/fixtures/valid/libra.bib") else {
        return;
    };
    if !models_present(&[Role::Embed]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::copy(&libra, root.join("libra.bib")).unwrap();
    let text = "\\documentclass{article}\n\\begin{document}\nBitcoin prices are said to be a martingale \\citep{schillingSimpleBitcoinEconomics2019}.\n\\bibliography{libra}\n\\end{document}\n";
    let paper = root.join("paper.tex");
    std::fs::write(&paper, text).unwrap();
    let cache = root.join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    let key = "schillingSimpleBitcoinEconomics2019";
    let bib = scholia::bib::parse_bibtex(&std::fs::read_to_string(&libra).unwrap(), &[]);
    let abstract_text = bib.lookup(key).unwrap().0.abstract_text.clone().unwrap();

    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &cache)]);
    client.initialize(&root, &["utf-16"], json!({"scholia": {"inlineSummaries": "full"}}));
    client.open(&paper, "latex", text);
    let tldr = wait_for_tldr(&mut client, &paper, text, key);
    let tldr_words = words(tldr.trim_end_matches('…'));
    let abstract_words = words(&abstract_text);
    assert!(tldr_words.len() <= 30, "{tldr}");
    assert!(
        tldr_words.iter().all(|w| abstract_words.contains(w)),
        "TL;DR not taken from the abstract: {tldr}"
    );

    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri(&paper)}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}}),
    );
    let label = hints[0]["label"].as_str().unwrap();
    assert!(label.contains(tldr.trim_end_matches('…').trim()), "{label}");
    assert_eq!(hints[0]["position"], position_of(text, "}.", 1));

    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&paper)}, "position": position_of(text, key, 0)}),
    );
    let item = completion["items"].as_array().unwrap().iter().find(|i| i["label"] == key).unwrap();
    assert!(item["documentation"]["value"]
        .as_str()
        .unwrap()
        .contains(&format!("**TL;DR** {tldr}")));
    let first = client.status();
    assert!(first["computed"].as_u64().unwrap() >= 1, "{first}");
    assert_eq!(client.shutdown(), 0);

    // A second server on the same cache answers the first hover from it, loading no model.
    let mut second = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &cache)]);
    second.initialize(&root, &["utf-16"], Value::Null);
    second.open(&paper, "latex", text);
    let hover = hover_text(&mut second, &paper, text, key);
    assert!(hover.contains(&format!("**TL;DR** {tldr}")), "{hover}");
    let after = second.status();
    assert_eq!(after["computed"], 0, "{after}");
    assert!(after["cacheHits"].as_u64().unwrap() >= 1, "{after}");
}

#[test]
fn an_entry_without_abstract_says_so() {
    let (_dir, root) = common::fixture("latex-project");
    let main = root.join("main.tex");
    let text = std::fs::read_to_string(&main).unwrap();
    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &root)]);
    client.initialize(&root, &["utf-16"], Value::Null);
    client.open(&main, "latex", &text);
    let hover = hover_text(&mut client, &main, &text, "knuth84");
    assert!(hover.contains("No abstract available"), "{hover}");
}
