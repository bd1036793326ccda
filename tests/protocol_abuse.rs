//! Misbehaving clients: the server answers with errors where LSP says so and keeps going.

mod common;

use common::{fixture, uri, Client};
use serde_json::{json, Value};

#[test]
fn requests_before_initialize_and_unknown_methods_get_errors() {
    let mut client = Client::spawn();
    let early = client.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x.tex"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(early["error"]["code"], -32002, "server not initialized: {early}");
    let (_dir, root) = fixture("latex-project");
    client.initialize(&root, &["utf-16"], Value::Null);
    let unknown = client.request_raw("scholia/doesNotExist", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "method not found: {unknown}");
    assert_eq!(client.shutdown(), 0);
}

#[test]
fn malformed_json_and_bad_framing_do_not_stop_the_server() {
    let (_dir, root) = fixture("latex-project");
    let mut client = Client::spawn();
    client.initialize(&root, &["utf-16"], Value::Null);
    let body = b"{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": ";
    client.send_raw(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    client.send_raw(body);
    let logged = client.wait_for(|m| m["method"] == "window/logMessage");
    assert!(
        logged["params"]["message"].as_str().unwrap().contains("malformed message: invalid JSON"),
        "{logged}"
    );
    // A frame without Content-Length and a JSON value that is no message are dropped too.
    client.send_raw(b"X-Nonsense: 1\r\n\r\n");
    client.send_raw(b"Content-Length: 5\r\n\r\n[1,2]");
    // A request with params of the wrong shape is refused as invalid, not a crash.
    let invalid = client.request_raw("textDocument/hover", json!({"textDocument": 3}));
    assert!(invalid["error"]["code"].as_i64().is_some(), "{invalid}");
    // Notifications about documents never opened are ignored.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere.tex", "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": "untitled:Untitled-1"}}));
    let main = root.join("main.tex");
    client.open(&main, "latex", &std::fs::read_to_string(&main).unwrap());
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&main)}, "position": {"line": 5, "character": 48}}),
    );
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Deep learning"), "{hover}");
    assert_eq!(client.shutdown(), 0);
}

#[test]
fn a_five_megabyte_document_is_served() {
    let (_dir, root) = fixture("latex-project");
    let main = root.join("main.tex");
    let mut text = std::fs::read_to_string(&main).unwrap().replace("\\end{document}\n", "");
    let paragraph = "Results improve with depth \\citep{lecun2015}, e.g. by 3.5 points.\n\n";
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(paragraph);
    }
    text.push_str("\\cite{tail2099}\n\\end{document}\n");
    let lines = text.matches('\n').count();
    let mut client = Client::spawn();
    client.initialize(&root, &["utf-16"], Value::Null);
    client.open(&main, "latex", &text);
    let diagnostics = client.diagnostics_until(&main, |d| !d.is_empty());
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["range"]["start"]["line"], lines - 2);
    // An edit at the end is applied and reflected.
    let end = json!({"line": lines - 2, "character": 6});
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&main), "version": 2},
               "contentChanges": [{"range": {"start": end, "end": {"line": lines - 2, "character": 14}}, "text": "lecun2015"}]}),
    );
    client.diagnostics_until(&main, |d| d.is_empty());
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&main)}, "position": {"line": lines - 2, "character": 8}}),
    );
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Deep learning"));
}
