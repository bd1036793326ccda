//! A guard in front of the LSP transport. tower-lsp-server's decoder ends the whole input
//! stream at the first undecodable message, which would stop the server; this reader
//! re-frames stdin and replaces any frame that is not a JSON-RPC message with a
//! `scholia/malformedMessage` notification, so one bad message costs only itself.

use std::io::{BufRead, Read};

use serde_json::{json, Value};
use tokio::io::{AsyncWriteExt, DuplexStream};

pub const MALFORMED_METHOD: &str = "scholia/malformedMessage";

/// Bodies above this are read and dropped rather than kept in memory.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// Stdin as well-formed frames. Reads on a plain thread, so a blocked read never keeps
/// the runtime from shutting down after `exit`. Must be called inside a Tokio runtime.
pub fn guarded_stdin() -> DuplexStream {
    let (mut writer, reader) = tokio::io::duplex(1 << 16);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        while let Some(frame) = next_frame(&mut stdin) {
            if tx.send(frame).is_err() {
                break;
            }
        }
    });
    tokio::spawn(async move {
        while let Some(frame) = rx.recv().await {
            if writer.write_all(&frame).await.is_err() {
                break;
            }
        }
    });
    reader
}

/// The next frame to hand to the transport, `None` at end of input.
pub fn next_frame(input: &mut impl BufRead) -> Option<Vec<u8>> {
    let length = match read_headers(input)? {
        Ok(length) => length,
        Err(problem) => return Some(malformed(&problem)),
    };
    if length > MAX_BODY {
        std::io::copy(&mut input.take(length as u64), &mut std::io::sink()).ok()?;
        return Some(malformed(&format!(
            "message of {length} bytes is over the {MAX_BODY} byte limit"
        )));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).ok()?;
    Some(match check_message(&body) {
        Ok(()) => frame(&body),
        Err(problem) => malformed(&problem),
    })
}

/// Reads a header block; the body length, or what was wrong with the headers.
fn read_headers(input: &mut impl BufRead) -> Option<Result<usize, String>> {
    let mut length = None;
    let mut seen_any = false;
    loop {
        let mut line = Vec::new();
        if input.read_until(b'\n', &mut line).ok()? == 0 {
            return None;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !seen_any {
                continue; // stray blank line between messages
            }
            return Some(
                length.ok_or_else(|| "message without a Content-Length header".to_owned()),
            );
        }
        seen_any = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => return Some(Err(format!("bad Content-Length: {}", value.trim()))),
                }
            }
        }
    }
}

/// A JSON object that is a request, a notification or a response.
fn check_message(body: &[u8]) -> Result<(), String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    let object = value.as_object().ok_or("a message must be a JSON object")?;
    let is_call = object.get("method").is_some_and(Value::is_string);
    let is_response = object.contains_key("id")
        && (object.contains_key("result") || object.contains_key("error"));
    if is_call || is_response {
        Ok(())
    } else {
        Err("neither a request, a notification nor a response".to_owned())
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn malformed(problem: &str) -> Vec<u8> {
    let message =
        json!({"jsonrpc": "2.0", "method": MALFORMED_METHOD, "params": {"problem": problem}});
    frame(message.to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<String> {
        let mut reader = std::io::BufReader::new(input);
        std::iter::from_fn(|| next_frame(&mut reader))
            .map(|f| String::from_utf8(f).unwrap())
            .collect()
    }

    #[test]
    fn good_frames_pass_and_bad_ones_become_notifications() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "Content-Length: {}\r\n\r\n{good}\r\nContent-Length: 3\r\n\r\n{{x]Content-Length: 2\r\n\r\n[]X-Other: 1\r\n\r\ncontent-length: {}\r\n\r\n{good}",
            good.len(),
            good.len()
        );
        let out = frames(input.as_bytes());
        assert_eq!(out.len(), 5);
        assert!(out[0].ends_with(good));
        assert!(out[1].contains("invalid JSON"));
        assert!(out[2].contains("must be a JSON object"));
        assert!(out[3].contains("without a Content-Length"));
        assert!(out[4].ends_with(good));
    }

    #[test]
    fn truncated_input_ends_cleanly() {
        assert!(frames(b"Content-Length: 50\r\n\r\n{\"a\":").is_empty());
        assert!(frames(b"").is_empty());
    }
}
