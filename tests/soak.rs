//! Soak: 20,000 random edits on a real paper (araa-gps, 152 KB) with hovers and
//! completions interleaved, then 50 hovers in flight at once. The server's text must still
//! match a plain-string model of the edits (checked through hovers on every citation),
//! no request may go unanswered, and resident memory must stay bounded (printed).
//! Needs `../shared/data/`; skips visibly.

mod common;

use common::{position_at, shared_data, uri, Client};
use serde_json::{json, Value};

const EDITS: usize = 20_000;
/// Growth of resident memory over the soak that would mean a leak (not a speed target).
/// Measured from the warm state (models loaded, caches filled) after `WARM_UP` edits.
const RSS_GROWTH_LIMIT_MB: u64 = 100;
const WARM_UP: usize = 2_000;

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn rss_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    kb.unwrap_or(0) / 1024
}

/// Byte offsets of spaces between two plain lowercase words: editing there never touches a
/// command, a brace or a citation key.
fn word_gaps(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    (1..bytes.len().saturating_sub(1))
        .filter(|&i| {
            bytes[i] == b' '
                && bytes[i - 1].is_ascii_lowercase()
                && bytes[i + 1].is_ascii_lowercase()
        })
        .collect()
}

/// `(key, byte offset)` of every `\citep{key}` with a single key outside comments.
fn citations(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("\\citep{") {
        let line = &text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at];
        if line.replace("\\%", "").contains('%') {
            continue;
        }
        let start = at + "\\citep{".len();
        if let Some(len) = text[start..].find('}') {
            let key = &text[start..start + len];
            if !key.is_empty() && !key.contains([',', ' ', '\n']) {
                out.push((key.to_owned(), start));
            }
        }
    }
    out
}

fn hover_key(client: &mut Client, path: &std::path::Path, text: &str, at: usize) -> String {
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(path)}, "position": position_at(text, at + 1, 0)}),
    );
    assert!(
        hover["range"].is_object(),
        "no hover at byte {at}: {:?}",
        &text[at.saturating_sub(30)..at + 30]
    );
    let range = &hover["range"];
    let line_start =
        |line: u64| text.split_inclusive('\n').take(line as usize).map(str::len).sum::<usize>();
    let start = line_start(range["start"]["line"].as_u64().unwrap())
        + range["start"]["character"].as_u64().unwrap() as usize;
    let end = line_start(range["end"]["line"].as_u64().unwrap())
        + range["end"]["character"].as_u64().unwrap() as usize;
    text[start..end].to_owned()
}

#[test]
fn twenty_thousand_edits_with_requests_interleaved_keep_text_and_memory_in_check() {
    let Some(source) = shared_data("papers/latex/araa-gps/src/tex") else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for name in ["ms.tex", "bib.bib"] {
        std::fs::copy(source.join(name), root.join(name)).unwrap();
    }
    let path = root.join("ms.tex");
    let mut text = std::fs::read_to_string(&path).unwrap();
    assert!(text.is_ascii(), "the word-gap edits assume ASCII");
    let cache = root.join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &cache)]);
    // Claim checks wait for typing to pause; the soak is about the text and the requests.
    client.initialize(&root, &["utf-16"], json!({"scholia": {"claims": {"enabled": false}}}));
    client.open(&path, "latex", &text);
    client.diagnostics_until(&path, |_| true);
    let rss_open = rss_mb(client.pid());
    let mut rss_warm = 0;
    for (key, at) in citations(&text) {
        assert_eq!(hover_key(&mut client, &path, &text, at), key, "before any edit");
    }

    let words = ["data", "model", "the", "stars", "noise", "kernel"];
    let mut rng = Rng(0x5eed_1234_abcd);
    for n in 0..EDITS {
        let gaps = word_gaps(&text);
        let at = gaps[rng.below(gaps.len())];
        let (start, end, insert) = if rng.below(2) == 0 {
            (at, at, format!(" {}", words[rng.below(words.len())]))
        } else {
            // Delete the word after the gap (and the gap), if it is plain lowercase.
            let word = text[at + 1..].find(|c: char| !c.is_ascii_lowercase()).unwrap_or(0);
            (at, at + 1 + word, String::new())
        };
        let range =
            json!({"start": position_at(&text, start, 0), "end": position_at(&text, end, 0)});
        text.replace_range(start..end, &insert);
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(&path), "version": n + 2},
                   "contentChanges": [{"range": range, "text": insert}]}),
        );
        if n + 1 == WARM_UP {
            // Let the background TL;DRs finish loading their model first.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
            while client.status()["queued"] != 0 && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            // And the entry vectors completion ranks by: embedding every abstract in batches
            // of 32 grows ONNX Runtime's arena once (the attention buffers of the longest
            // batch), which is a filled cache, not a leak.
            let (_, at) = citations(&text)[0];
            while client.request(
                "textDocument/completion",
                json!({"textDocument": {"uri": uri(&path)}, "position": position_at(&text, at, 0)}),
            )["isIncomplete"]
                == true
                && std::time::Instant::now() < deadline
            {
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            rss_warm = rss_mb(client.pid());
        }
        if n % 1000 == 999 {
            let cited = citations(&text);
            let (key, at) = &cited[rng.below(cited.len())];
            assert_eq!(&hover_key(&mut client, &path, &text, *at), key, "after {} edits", n + 1);
            let completion = client.request(
                "textDocument/completion",
                json!({"textDocument": {"uri": uri(&path)}, "position": position_at(&text, *at, 0)}),
            );
            assert!(completion["items"].as_array().is_some_and(|i| !i.is_empty()), "{completion}");
        }
    }
    // Every citation still sits where the model says it does.
    for (key, at) in citations(&text) {
        assert_eq!(hover_key(&mut client, &path, &text, at), key);
    }

    // 50 hovers in flight at once: all answered.
    let cited = citations(&text);
    for i in 0..50 {
        let (_, at) = &cited[i % cited.len()];
        client.send(&json!({"jsonrpc": "2.0", "id": 100_000 + i, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": uri(&path)}, "position": position_at(&text, at + 1, 0)}}));
    }
    for i in 0..50 {
        let answer = client.wait_for(|m: &Value| m["id"] == 100_000 + i);
        assert!(answer["result"]["range"].is_object(), "{answer}");
    }
    let rss_end = rss_mb(client.pid());
    eprintln!("soak: {EDITS} edits, RSS {rss_open} MB at open, {rss_warm} MB warm, {rss_end} MB at the end");
    assert!(rss_end <= rss_warm + RSS_GROWTH_LIMIT_MB, "RSS grew {rss_warm} -> {rss_end} MB");
    assert_eq!(client.shutdown(), 0);
}
