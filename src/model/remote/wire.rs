//! The OpenAI chat completions format: the request, the streamed chunks or the whole
//! answer, and error bodies. Of [`GenerateOptions`], servers take the token limit,
//! greedy or sampled decoding and stop strings; top-k, repetition penalty, stop token
//! ids and beam search have no common equivalent and are left out.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{ChatMessage, GenerateOptions, StopReason, Strategy};

/// OpenAI accepts at most four stop strings; the caller cuts at the others itself.
const MAX_STOP_STRINGS: usize = 4;

/// How much of an unreadable body an error message quotes.
const QUOTE_CHARS: usize = 300;

#[derive(Debug, Serialize)]
pub struct Request<'a> {
    model: &'a str,
    messages: &'a [ChatMessage],
    stream: bool,
    max_tokens: usize,
    temperature: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop: &'a [String],
}

impl<'a> Request<'a> {
    pub fn new(model: &'a str, messages: &'a [ChatMessage], options: &'a GenerateOptions) -> Self {
        let (temperature, top_p, seed) = match options.strategy {
            Strategy::Sample { temperature, top_p, seed, .. } => {
                (temperature, Some(top_p), Some(seed))
            }
            // Temperature 0 is greedy on every server; none offers beam search.
            Strategy::Greedy | Strategy::Beam { .. } => (0.0, None, None),
        };
        let stops = options.stop_strings.len().min(MAX_STOP_STRINGS);
        Self {
            model,
            messages,
            stream: true,
            max_tokens: options.max_new_tokens,
            temperature,
            top_p,
            seed,
            stop: &options.stop_strings[..stops],
        }
    }
}

/// A streamed chunk or a whole answer, reduced to what scholia reads.
#[derive(Debug, PartialEq)]
pub struct Piece {
    pub text: String,
    pub finish: Option<StopReason>,
}

#[derive(Debug, PartialEq)]
pub enum BadPiece {
    /// The server reported an error in place of a chunk.
    Server(String),
    Malformed(String),
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<Choice>,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Choice {
    /// In a streamed chunk.
    delta: Option<Content>,
    /// In a whole answer.
    message: Option<Content>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    content: Option<String>,
}

/// Reads `data` of a stream event or a whole JSON answer. A chunk without choices (the
/// usage summary some servers send last) is an empty piece.
pub fn piece(data: &str) -> Result<Piece, BadPiece> {
    let completion: Completion = serde_json::from_str(data)
        .map_err(|e| BadPiece::Malformed(format!("{e} in `{}`", quote(data))))?;
    if let Some(error) = completion.error {
        return Err(BadPiece::Server(message_of(&error).unwrap_or_else(|| error.to_string())));
    }
    let Some(choice) = completion.choices.into_iter().next() else {
        return Ok(Piece { text: String::new(), finish: None });
    };
    let text = choice.delta.or(choice.message).and_then(|c| c.content).unwrap_or_default();
    let finish = choice.finish_reason.map(|reason| match reason.as_str() {
        "length" => StopReason::MaxNewTokens,
        // "stop", and reasons of features scholia does not use (tools, filters).
        _ => StopReason::EndOfSequence,
    });
    Ok(Piece { text, finish })
}

/// The message of an error body: OpenAI's `{"error": {"message"}}`, Ollama's
/// `{"error": "..."}`, vLLM's `{"message"}`, FastAPI's `{"detail"}`, else the text.
pub fn error_message(body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        return "(empty body)".into();
    }
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| message_of(&v))
        .unwrap_or_else(|| quote(body))
}

fn message_of(value: &Value) -> Option<String> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o
            .get("error")
            .and_then(message_of)
            .or_else(|| o.get("message").and_then(text))
            .or_else(|| o.get("detail").map(|d| text(d).unwrap_or_else(|| d.to_string()))),
        _ => None,
    }
}

fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn greedy_requests_ask_for_temperature_zero_and_pass_stop_strings() {
        let messages = [ChatMessage::new("user", "Hi")];
        let options = GenerateOptions {
            max_new_tokens: 12,
            stop_strings: ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
            ..Default::default()
        };
        let body = serde_json::to_value(Request::new("m", &messages, &options)).unwrap();
        assert_eq!(
            body,
            json!({"model": "m", "messages": [{"role": "user", "content": "Hi"}], "stream": true,
                   "max_tokens": 12, "temperature": 0.0, "stop": ["a", "b", "c", "d"]})
        );
    }

    #[test]
    fn sampled_requests_carry_top_p_and_seed() {
        let options = GenerateOptions {
            strategy: Strategy::Sample { temperature: 0.5, top_k: 40, top_p: 0.75, seed: 7 },
            ..Default::default()
        };
        let body = serde_json::to_value(Request::new("m", &[], &options)).unwrap();
        assert_eq!((body["temperature"].as_f64(), body["top_p"].as_f64()), (Some(0.5), Some(0.75)));
        assert_eq!(body["seed"], 7);
        assert!(body.get("stop").is_none() && body.get("top_k").is_none());
    }

    #[test]
    fn chunks_and_whole_answers_give_their_text_and_finish() {
        let chunk = r#"{"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}"#;
        assert_eq!(piece(chunk), Ok(Piece { text: "Hel".into(), finish: None }));
        let first = r#"{"choices":[{"delta":{"role":"assistant","content":null}}]}"#;
        assert_eq!(piece(first), Ok(Piece { text: String::new(), finish: None }));
        let last = r#"{"choices":[{"delta":{},"finish_reason":"length"}]}"#;
        assert_eq!(piece(last).unwrap().finish, Some(StopReason::MaxNewTokens));
        let usage = r#"{"choices":[],"usage":{"total_tokens":9}}"#;
        assert_eq!(piece(usage).unwrap().text, "");
        let whole = r#"{"choices":[{"message":{"role":"assistant","content":"Hi."},"finish_reason":"stop"}]}"#;
        assert_eq!(
            piece(whole),
            Ok(Piece { text: "Hi.".into(), finish: Some(StopReason::EndOfSequence) })
        );
    }

    #[test]
    fn errors_in_the_stream_and_broken_chunks_are_told_apart() {
        let error = r#"{"error":{"message":"model is overloaded","type":"server_error"}}"#;
        assert_eq!(piece(error), Err(BadPiece::Server("model is overloaded".into())));
        assert!(
            matches!(piece("{\"choices\": [tru"), Err(BadPiece::Malformed(m)) if m.contains("[tru"))
        );
    }

    #[test]
    fn error_bodies_of_common_servers_give_their_message() {
        assert_eq!(error_message(r#"{"error":{"message":"Invalid API key"}}"#), "Invalid API key");
        assert_eq!(error_message(r#"{"error":"model 'x' not found"}"#), "model 'x' not found");
        assert_eq!(error_message(r#"{"object":"error","message":"bad"}"#), "bad");
        assert_eq!(error_message(r#"{"detail":"Not Found"}"#), "Not Found");
        assert_eq!(error_message("<html>Bad Gateway</html>\n"), "<html>Bad Gateway</html>");
        assert_eq!(error_message(""), "(empty body)");
        assert!(error_message(&"x".repeat(1000)).ends_with("x..."));
    }
}
