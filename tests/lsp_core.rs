//! The server core end to end: the real binary over stdio, as an editor drives it.

mod common;

use common::{fixture, position_at, position_of, uri, Client};
use serde_json::{json, Value};

fn codes(diagnostics: &[Value]) -> Vec<String> {
    let mut out: Vec<String> =
        diagnostics.iter().map(|d| d["code"].as_str().unwrap_or("").to_owned()).collect();
    out.sort();
    out
}

fn has_code(code: &'static str) -> impl Fn(&[Value]) -> bool {
    move |d: &[Value]| d.iter().any(|d| d["code"] == code)
}

#[test]
fn initialize_negotiates_encoding_and_announces_features() {
    let (_dir, root) = fixture("latex-project");
    let mut client = Client::spawn();
    let result = client.initialize(&root, &["utf-8", "utf-16"], Value::Null);
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-8");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["hoverProvider"], true);
    assert!(caps["completionProvider"]["triggerCharacters"]
        .as_array()
        .unwrap()
        .contains(&json!("@")));
    assert_eq!(client.shutdown(), 0);

    let mut client = Client::spawn();
    let result = client.initialize(&root, &["utf-16"], Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
}

#[test]
fn latex_project_hover_definition_references_diagnostics_and_fix() {
    let (_dir, root) = fixture("latex-project");
    let main = root.join("main.tex");
    let method = root.join("sections/method.tex");
    let bib = root.join("refs.bib");
    let text = std::fs::read_to_string(&main).unwrap();
    let mut client = Client::spawn();
    client.initialize(&root, &["utf-16"], Value::Null);
    client.open(&main, "latex", &text);

    // The closed, included file gets its diagnostics too.
    let method_diags = client.diagnostics_until(&method, |d| !d.is_empty());
    assert_eq!(codes(&method_diags), ["key-case-mismatch", "undefined-key"]);
    let undefined = method_diags.iter().find(|d| d["code"] == "undefined-key").unwrap();
    assert_eq!(undefined["severity"], 1);
    assert!(undefined["message"].as_str().unwrap().contains("missing2020"));
    let bib_diags = client.diagnostics_until(&bib, |d| !d.is_empty());
    assert_eq!(codes(&bib_diags), ["duplicate-key", "unused-entry"]);
    let unused = bib_diags.iter().find(|d| d["code"] == "unused-entry").unwrap();
    assert_eq!(unused["severity"], 4);
    assert_eq!(unused["range"]["start"]["line"], 28, "on the key of unused2001");
    let main_diags = client.diagnostics_until(&main, |_| true);
    assert!(main_diags.is_empty(), "main.tex is clean: {main_diags:?}");

    // Hover on the second key of \citep{a, b}.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&main)}, "position": position_of(&text, "krizhevsky2012", 3)}),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("ImageNet Classification with Deep Convolutional Neural Networks"),
        "{value}"
    );
    assert!(
        value.contains("Alex Krizhevsky, Ilya Sutskever and Geoffrey E. Hinton · 2012"),
        "{value}"
    );
    assert_eq!(hover["range"]["start"], position_of(&text, "krizhevsky2012", 0));
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&main)}, "position": position_of(&text, "lecun2015", 0)}),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("*Nature*"), "macro expanded: {value}");
    assert!(value.contains("https://doi.org/10.1038/nature14539"), "{value}");
    assert!(value.contains("> Deep learning allows computational models"), "{value}");

    // Definition jumps to the key in refs.bib.
    let definition = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri(&main)}, "position": position_of(&text, "knuth84", 2)}),
    );
    assert_eq!(definition["uri"], uri(&bib));
    assert_eq!(definition["range"]["start"], json!({"line": 20, "character": 6}));

    // References across files (letter case ignored, as BibTeX does).
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri(&main)}, "position": position_of(&text, "knuth84", 0),
               "context": {"includeDeclaration": true}}),
    );
    let uris: Vec<&str> =
        references.as_array().unwrap().iter().map(|l| l["uri"].as_str().unwrap()).collect();
    assert_eq!(uris, [uri(&bib), uri(&main), uri(&method)]);

    // The case-mismatch warning carries a quick fix rewriting the key.
    let mismatch = method_diags.iter().find(|d| d["code"] == "key-case-mismatch").unwrap().clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&method)}, "range": mismatch["range"],
               "context": {"diagnostics": [mismatch]}}),
    );
    let action = &actions[0];
    assert_eq!(action["title"], "Change to `knuth84`");
    let edit = &action["edit"]["changes"][uri(&method)][0];
    assert_eq!(edit["newText"], "knuth84");
    assert_eq!(edit["range"]["start"], json!({"line": 1, "character": 17}));

    // Document symbols: the sections of main.tex.
    let symbols =
        client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri(&main)}}));
    assert_eq!(symbols[0]["name"], "Introduction");
    assert_eq!(client.shutdown(), 0);
}

#[test]
fn markdown_hover_on_second_key_and_completion_after_at() {
    let (_dir, root) = fixture("markdown-project");
    let paper = root.join("paper.md");
    let text = std::fs::read_to_string(&paper).unwrap();
    let mut client = Client::spawn();
    client.initialize(&root, &["utf-16"], Value::Null);
    client.open(&paper, "markdown", &text);
    let diagnostics = client.diagnostics_until(&paper, |_| true);
    assert!(diagnostics.is_empty(), "e-mail and code spans are not citations: {diagnostics:?}");

    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&paper)}, "position": position_of(&text, "@stulp2015", 4)}),
    );
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("Many regression algorithms, one unified model"), "{value}");

    // Typing `[@` at the end of the paragraph offers every entry with its title.
    let end = text.find("classic tool.").unwrap() + "classic tool.".len();
    let mut edited = text.clone();
    edited.insert_str(end, " See [@");
    let at = position_at(&edited, end + " See [@".len(), 0);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&paper), "version": 2},
               "contentChanges": [{"range": {"start": position_at(&text, end, 0), "end": position_at(&text, end, 0)}, "text": " See [@"}]}),
    );
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&paper)}, "position": at}),
    );
    let items = completion["items"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["calinon2007", "stulp2015"]);
    assert!(items[1]["detail"].as_str().unwrap().contains("Many regression algorithms"));
    assert_eq!(items[1]["textEdit"]["range"]["start"], at);
}

#[test]
fn typing_a_citation_character_by_character_updates_diagnostics() {
    let (_dir, root) = fixture("latex-project");
    let main = root.join("main.tex");
    let text = std::fs::read_to_string(&main).unwrap();
    let mut client = Client::spawn();
    client.initialize(&root, &["utf-16"], Value::Null);
    client.open(&main, "latex", &text);
    client.diagnostics_until(&main, |_| true);

    let anchor = text.find("\\input").unwrap();
    let start = position_at(&text, anchor, 0);
    let typed = "Also \\cite{lecun2015}.\n";
    let line = start["line"].as_u64().unwrap();
    let mut version = 1;
    for (i, ch) in typed.char_indices() {
        version += 1;
        let at = json!({"line": line, "character": i});
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(&main), "version": version},
                   "contentChanges": [{"range": {"start": at, "end": at}, "text": ch.to_string()}]}),
        );
        if typed[..=i].ends_with("\\cite{lec") {
            // The diagnostics follow the text: the partial key is reported as typed so far.
            let d = client.diagnostics_until(&main, |d| {
                d.iter().any(|d| {
                    d["message"].as_str().unwrap_or("").starts_with("`lec` is not defined")
                })
            });
            assert_eq!(d.len(), 1, "{d:?}");
        }
    }
    let diagnostics = client.diagnostics_until(&main, |d| d.is_empty());
    assert!(diagnostics.is_empty());
    // The server's text now holds the typed citation: hovering it finds the entry.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&main)}, "position": {"line": line, "character": 13}}),
    );
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Deep learning"));
    // A stale change (an older version) is ignored and changes nothing.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&main), "version": 3},
               "contentChanges": [{"text": "\\cite{zzz}"}]}),
    );
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&main)}, "position": {"line": line, "character": 13}}),
    );
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Deep learning"));
}

#[test]
fn utf16_and_utf8_positions_with_non_ascii_text() {
    let (_dir, root) = fixture("latex-project");
    let main = root.join("main.tex");
    let text = std::fs::read_to_string(&main)
        .unwrap()
        .replace("Typesetting with", "Tÿpesetting 😀 with — über");
    for encoding in ["utf-16", "utf-8"] {
        let mut client = Client::spawn();
        client.initialize(&root, &[encoding], Value::Null);
        client.open(&main, "latex", &text);
        let byte = text.find("knuth84").unwrap() + 4;
        let line_start = text[..byte].rfind('\n').unwrap() + 1;
        let character = match encoding {
            "utf-8" => byte - line_start,
            _ => text[line_start..byte].encode_utf16().count(),
        };
        let line = text[..byte].matches('\n').count();
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&main)}, "position": {"line": line, "character": character}}),
        );
        assert!(
            hover["contents"]["value"].as_str().unwrap().contains("The TeXbook"),
            "{encoding}: {hover}"
        );
        let start = hover["range"]["start"]["character"].as_u64().unwrap() as usize;
        assert_eq!(start, character - 4, "{encoding}: range start in the negotiated unit");
    }
}

#[test]
fn editing_the_bib_on_disk_refreshes_diagnostics() {
    let (_dir, root) = fixture("latex-project");
    let main = root.join("main.tex");
    let method = root.join("sections/method.tex");
    let bib = root.join("refs.bib");
    let mut client = Client::spawn();
    client.initialize(&root, &["utf-16"], Value::Null);
    client.open(&main, "latex", &std::fs::read_to_string(&main).unwrap());
    client.diagnostics_until(&method, has_code("undefined-key"));

    let mut bib_text = std::fs::read_to_string(&bib).unwrap();
    bib_text.push_str("\n@misc{missing2020, title = {Now present}, year = {2020}}\n");
    std::fs::write(&bib, bib_text).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&bib), "type": 2}]}),
    );
    let diagnostics = client.diagnostics_until(&method, |d| !has_code("undefined-key")(d));
    assert_eq!(codes(&diagnostics), ["key-case-mismatch"]);
}

#[test]
fn bad_input_never_breaks_the_server() {
    let (_dir, root) = fixture("latex-project");
    std::fs::write(root.join("binary.bib"), b"\x7fELF\0\0\x01\x02garbage").unwrap();
    let loop_a = root.join("loop_a.tex");
    std::fs::write(&loop_a, "\\input{loop_b}\n\\cite{knuth84}\n").unwrap();
    std::fs::write(root.join("loop_b.tex"), "\\input{loop_a}\n").unwrap();
    let main = root.join("broken.tex");
    let text = "\\documentclass{article}\n\\input{loop_a}\n\\bibliography{refs,binary,nowhere}\n\\begin{document}\n{{{ \\section{Un\n\\cite{";
    let mut client = Client::spawn();
    client.initialize(&root, &["utf-16"], Value::Null);
    client.open(&main, "latex", text);
    let diagnostics = client.diagnostics_until(&main, has_code("missing-bibliography"));
    assert!(diagnostics.iter().any(|d| d["message"].as_str().unwrap().contains("nowhere.bib")));
    let bin = client.diagnostics_until(&root.join("binary.bib"), |d| !d.is_empty());
    assert!(bin[0]["message"].as_str().unwrap().contains("binary file"), "{bin:?}");
    let cycle = client.diagnostics_until(&root.join("loop_b.tex"), has_code("include-cycle"));
    assert_eq!(cycle.len(), 1);
    // Requests past the end of the document and inside the half-typed cite still answer.
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&main)}, "position": {"line": 5, "character": 6}}),
    );
    assert!(completion["items"].as_array().unwrap().iter().any(|i| i["label"] == "lecun2015"));
    let hover = client.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&main)}, "position": {"line": 999, "character": 999}}),
    );
    assert!(hover.get("error").is_none());
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&loop_a)}, "position": {"line": 1, "character": 8}}),
    );
    assert!(hover.is_null() || hover["contents"]["value"].as_str().unwrap().contains("TeXbook"));
    assert_eq!(client.shutdown(), 0);
}

#[test]
fn settings_add_cite_commands_and_wrong_values_are_reported() {
    let (_dir, root) = fixture("latex-project");
    let main = root.join("main.tex");
    let text = std::fs::read_to_string(&main)
        .unwrap()
        .replace("\\input{sections/method}", "\\citenum{nosuchkey}");
    let mut client = Client::spawn();
    client.initialize(
        &root,
        &["utf-16"],
        json!({"scholia": {"citeCommands": ["citenum"], "unusedEntries": 7}}),
    );
    let message = client.wait_for(|m| m["method"] == "window/showMessage");
    assert!(message["params"]["message"]
        .as_str()
        .unwrap()
        .contains("scholia.unusedEntries must be a boolean"));
    client.open(&main, "latex", &text);
    let diagnostics = client.diagnostics_until(&main, has_code("undefined-key"));
    assert!(diagnostics[0]["message"].as_str().unwrap().contains("nosuchkey"));
}

#[test]
fn a_large_bibliography_sends_the_best_200_and_the_typed_prefix_finds_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut bib = String::new();
    for i in 0..300 {
        bib.push_str(&format!(
            "@article{{k{i:03}, title={{Paper number {i}}}, author={{Roe, Ann}}}}\n"
        ));
    }
    bib.push_str("@article{zhang2020, title={Quantum dots in cells}, author={Zhang, Wei}}\n");
    std::fs::write(root.join("refs.bib"), bib).unwrap();
    let text = "\\documentclass{article}\n\\begin{document}\nWe cite \\cite{}.\n\\bibliography{refs}\n\\end{document}\n";
    let main = root.join("main.tex");
    std::fs::write(&main, text).unwrap();

    let mut client = Client::spawn();
    client.initialize(&root, &["utf-16"], Value::Null);
    client.open(&main, "latex", text);
    let inside = text.find("\\cite{").unwrap() + "\\cite{".len();
    let complete = |client: &mut Client, typed: &str, version: i32| {
        let edited = text.replacen("\\cite{}", &format!("\\cite{{{typed}}}"), 1);
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(&main), "version": version},
                   "contentChanges": [{"text": edited}]}),
        );
        client.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri(&main)}, "position": position_at(&edited, inside + typed.len(), 0)}),
        )
    };
    let labels = |list: &Value| -> Vec<String> {
        let mut items: Vec<(String, String)> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["sortText"].as_str().unwrap().into(), i["label"].as_str().unwrap().into()))
            .collect();
        items.sort();
        items.into_iter().map(|(_, label)| label).collect()
    };

    let all = complete(&mut client, "", 2);
    assert_eq!(all["items"].as_array().unwrap().len(), 200, "301 entries are cut to 200");
    assert_eq!(all["isIncomplete"], true, "the editor must ask again as the prefix grows");
    assert!(!labels(&all).contains(&"zhang2020".to_string()), "the last entry is past the cut");
    // The key, an author or a title word typed: the entry comes back, first.
    for (typed, version) in [("zha", 3), ("Wei", 4), ("quant", 5)] {
        let list = complete(&mut client, typed, version);
        assert_eq!(labels(&list)[0], "zhang2020", "typed {typed:?}");
    }
}
