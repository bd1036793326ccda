//! Every command the server announces runs with no arguments (as Helix sends them) on
//! the active document and cursor, and returns a result; claim commands report counts.
//! Needs the fetched embedder (`scholia models fetch`); skips visibly.

mod common;

use common::{fixture, models_present, position_of, uri, Client};
use scholia::model::Role;
use serde_json::{json, Value};

#[test]
fn every_announced_command_runs_without_arguments() {
    if !models_present(&[Role::Embed]) {
        return;
    }
    // The drafting fixture (a paper with every section kind) with a bibliography beside it.
    let (_dir, root) = fixture("draft");
    let (_bib, bib_root) = fixture("latex-project");
    std::fs::copy(bib_root.join("refs.bib"), root.join("refs.bib")).unwrap();
    let main = root.join("paper.tex");
    let text = std::fs::read_to_string(&main)
        .unwrap()
        .replace("\\end{document}", "\\bibliography{refs}\n\\end{document}");
    std::fs::write(&main, &text).unwrap();
    let cache = root.join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &cache)]);
    let init = client.initialize(&root, &["utf-16"], json!({}));
    client.open(&main, "latex", &text);
    // A hover puts the cursor in the first sentence.
    client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&main)}, "position": position_of(&text, "Clinical notes are", 0)}),
    );
    let commands = init["capabilities"]["executeCommandProvider"]["commands"].as_array().unwrap();
    for command in ["scholia.suggestCitations", "scholia.checkClaims", "scholia.reindex"] {
        assert!(commands.iter().any(|c| c == command), "{command} not announced");
    }
    for command in commands.iter().filter_map(Value::as_str) {
        let answer = client.request_raw_within(
            "workspace/executeCommand",
            json!({"command": command, "arguments": []}),
            std::time::Duration::from_secs(300),
        );
        assert!(answer.get("error").is_none(), "{command} failed: {answer}");
        let result = &answer["result"];
        assert!(!result.is_null(), "{command} returned nothing");
        match command {
            "scholia.checkClaims" => {
                assert!(result["sentences"].as_u64().unwrap() >= 3, "{result}");
                assert!(result["diagnostics"].is_object(), "{result}");
            }
            "scholia.suggestCitations" => {
                assert!(
                    result["sentence"].as_str().unwrap().contains("Clinical notes"),
                    "{result}"
                );
                assert!(result["suggestions"].as_array().unwrap().len() <= 3, "{result}");
            }
            "scholia.reindex" => assert!(result["reread"].as_u64().unwrap() >= 1, "{result}"),
            "scholia.status" => assert!(result["models"]["embed"]["present"] == true, "{result}"),
            _ => {}
        }
    }
    assert_eq!(client.shutdown(), 0);
}
