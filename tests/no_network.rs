//! scholia opens no network connection of its own: a whole editing session (open, edit,
//! hover with TL;DRs, completion, claim checks, commands) runs under `strace`, which must
//! see no `connect` to anything but a Unix socket. Needs `strace` (`.ci/run` installs it);
//! skips visibly without it.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{fixture, position_of, uri, Client};
use serde_json::json;

fn strace() -> Option<&'static str> {
    let found = Command::new("strace").arg("-V").output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("skipped: strace is not installed");
    }
    found.then_some("strace")
}

#[test]
fn a_whole_session_opens_no_network_connection() {
    let Some(strace) = strace() else { return };
    let (_dir, root) = fixture("latex-project");
    let log = root.join("connect.log");
    let cache = root.join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    let mut command = Command::new(strace);
    command
        .args(["-f", "-qq", "-e", "trace=connect", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_scholia"))
        .arg("lsp")
        .env("SCHOLIA_CACHE_DIR", &cache);
    let mut client = Client::spawn_command(command);
    client.initialize(&root, &["utf-16"], json!({"scholia": {"inlineSummaries": "full"}}));
    let main = root.join("main.tex");
    let text = std::fs::read_to_string(&main).unwrap();
    client.open(&main, "latex", &text);
    client.diagnostics_until(&main, |_| true);
    let at = position_of(&text, "lecun2015", 1);
    for _ in 0..3 {
        client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&main)}, "position": at}),
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&main)}, "position": at}),
    );
    for command in ["scholia.status", "scholia.checkClaims", "scholia.reindex"] {
        client.request_raw_within(
            "workspace/executeCommand",
            json!({"command": command, "arguments": []}),
            Duration::from_secs(300),
        );
    }
    assert_eq!(client.shutdown(), 0);
    let trace = std::fs::read_to_string(&log).unwrap();
    let network: Vec<&str> =
        trace.lines().filter(|l| l.contains("connect(") && !l.contains("AF_UNIX")).collect();
    assert!(network.is_empty(), "network connections: {network:#?}");
}
