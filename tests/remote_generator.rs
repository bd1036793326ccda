//! The remote generator against a fake OpenAI-compatible server on loopback: streamed
//! and whole answers, the request it sends, and the faults a user meets (server down,
//! slow, failing once, refusing the key) with the messages they see. Also the local
//! generator through the same `Chat` interface (skipped, printing why, when the model
//! is not fetched).

mod model_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use scholia::model::{
    chat_backend, Chat, ChatMessage, GenerateOptions, GeneratorBackend, GeneratorSettings,
    Manifest, ModelError, Models, Role, StopReason,
};
use serde_json::{json, Value};

/// What the fake server does with one connection.
enum Reply {
    /// A `text/event-stream` of one delta per piece, `pause` before each, then `[DONE]`.
    Stream { pieces: Vec<&'static str>, finish: &'static str, pause: Duration },
    /// A JSON body with this status.
    Json(u16, Value),
    /// Reads the request and says nothing for this long.
    Silent(Duration),
}

struct Request {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

struct FakeServer {
    base_url: String,
    requests: Arc<Mutex<Vec<Request>>>,
    /// Per streamed reply: how many deltas were written before the client went away.
    written: Receiver<usize>,
}

impl FakeServer {
    /// Serves `replies` in order, one connection each.
    fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (report, written) = channel();
        let seen = requests.clone();
        thread::spawn(move || {
            for reply in replies {
                let Ok((mut stream, _)) = listener.accept() else { return };
                let Some(request) = read_request(&mut stream) else { continue };
                seen.lock().unwrap().push(request);
                if let Some(n) = answer(&mut stream, reply) {
                    let _ = report.send(n);
                }
            }
        });
        Self { base_url, requests, written }
    }

    fn requests(&self) -> std::sync::MutexGuard<'_, Vec<Request>> {
        self.requests.lock().unwrap()
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers.iter().find(|(n, _)| n == "content-length")?.1.parse().ok()?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let body = serde_json::from_slice(&body).ok()?;
    Some(Request { request_line: request_line.trim_end().to_owned(), headers, body })
}

/// Writes `reply`; for a stream, returns how many deltas went out before a write failed.
fn answer(stream: &mut TcpStream, reply: Reply) -> Option<usize> {
    match reply {
        Reply::Json(status, body) => {
            let body = body.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            None
        }
        Reply::Silent(time) => {
            thread::sleep(time);
            None
        }
        Reply::Stream { pieces, finish, pause } => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
                        Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            stream.write_all(head.as_bytes()).ok()?;
            let chunk = |stream: &mut TcpStream, data: &str| {
                let event = format!("data: {data}\n\n");
                write!(stream, "{:x}\r\n{event}\r\n", event.len()).and_then(|_| stream.flush())
            };
            let first =
                json!({"choices": [{"delta": {"role": "assistant"}, "finish_reason": null}]});
            let _ = chunk(stream, &first.to_string());
            for (i, piece) in pieces.iter().enumerate() {
                thread::sleep(pause);
                let delta =
                    json!({"choices": [{"delta": {"content": piece}, "finish_reason": null}]});
                if chunk(stream, &delta.to_string()).is_err() {
                    return Some(i);
                }
            }
            let last = json!({"choices": [{"delta": {}, "finish_reason": finish}]});
            let _ = chunk(stream, &last.to_string());
            let _ = chunk(stream, "[DONE]");
            let _ = stream.write_all(b"0\r\n\r\n");
            Some(pieces.len())
        }
    }
}

fn models() -> Models {
    Models::with_manifest(Manifest::builtin().unwrap(), std::env::temp_dir(), Default::default())
}

fn remote(base_url: &str, timeout_seconds: u64) -> Arc<dyn Chat> {
    let settings = GeneratorSettings {
        backend: GeneratorBackend::Remote,
        base_url: base_url.to_owned(),
        model: "fake-llama".to_owned(),
        api_key_env: String::new(),
        timeout_seconds,
    };
    chat_backend(&models(), &settings).expect("valid remote settings")
}

fn question() -> Vec<ChatMessage> {
    vec![
        ChatMessage::new("system", "You summarise papers."),
        ChatMessage::new("user", "Summarise: transformers are attention."),
    ]
}

fn stream(pieces: Vec<&'static str>) -> Reply {
    Reply::Stream { pieces, finish: "stop", pause: Duration::ZERO }
}

/// Runs one chat; returns the result and each text piece `on_text` received.
fn ask(
    chat: &dyn Chat,
    options: &GenerateOptions,
) -> (Result<scholia::model::Generated, ModelError>, Vec<String>) {
    let mut pieces = Vec::new();
    let result = chat.chat(&question(), options, &mut |t| pieces.push(t.to_owned()), &|| false);
    (result, pieces)
}

#[test]
fn a_streamed_answer_arrives_piece_by_piece_and_the_request_carries_the_settings() {
    let server = FakeServer::start(vec![stream(vec!["Hello", ", ", "world."])]);
    std::env::set_var("SCHOLIA_TEST_REMOTE_KEY", "test-key-123");
    let settings = GeneratorSettings {
        backend: GeneratorBackend::Remote,
        base_url: format!("{}/", server.base_url),
        model: "fake-llama".to_owned(),
        api_key_env: "SCHOLIA_TEST_REMOTE_KEY".to_owned(),
        timeout_seconds: 10,
    };
    let chat = chat_backend(&models(), &settings).unwrap();
    assert_eq!(chat.describe(), format!("remote fake-llama at {}", server.base_url));

    let options = GenerateOptions { max_new_tokens: 40, ..Default::default() };
    let (result, pieces) = ask(&*chat, &options);
    let generated = result.unwrap();
    assert_eq!(generated.text, "Hello, world.");
    assert_eq!(pieces, ["Hello", ", ", "world."]);
    assert_eq!(generated.stop, StopReason::EndOfSequence);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.request_line, "POST /v1/chat/completions HTTP/1.1");
    assert_eq!(request.header("authorization"), Some("Bearer test-key-123"));
    assert_eq!(request.body["model"], "fake-llama");
    assert_eq!(request.body["max_tokens"], 40);
    assert_eq!(request.body["stream"], true);
    assert_eq!(request.body["temperature"], 0.0);
    assert_eq!(
        request.body["messages"],
        json!([
            {"role": "system", "content": "You summarise papers."},
            {"role": "user", "content": "Summarise: transformers are attention."}
        ])
    );
}

#[test]
fn a_server_that_ignores_stream_answers_with_one_json_body() {
    let body = json!({"choices": [{"index": 0, "finish_reason": "length",
        "message": {"role": "assistant", "content": "Attention is all you need."}}]});
    let server = FakeServer::start(vec![Reply::Json(200, body)]);
    let (result, pieces) = ask(&*remote(&server.base_url, 10), &GenerateOptions::default());
    let generated = result.unwrap();
    assert_eq!(generated.text, "Attention is all you need.");
    assert_eq!(pieces, ["Attention is all you need."]);
    assert_eq!(generated.stop, StopReason::MaxNewTokens);
    // No key variable configured: no credentials sent.
    assert_eq!(server.requests()[0].header("authorization"), None);
}

#[test]
fn a_stop_string_the_server_ignores_still_ends_the_answer() {
    let server = FakeServer::start(vec![stream(vec!["One sentence.", "\n\n", "Another."])]);
    let options = GenerateOptions { stop_strings: vec!["\n\n".into()], ..Default::default() };
    let (result, pieces) = ask(&*remote(&server.base_url, 10), &options);
    let generated = result.unwrap();
    assert_eq!(
        (generated.text.as_str(), generated.stop),
        ("One sentence.", StopReason::StopString)
    );
    assert_eq!(pieces, ["One sentence."]);
    assert_eq!(server.requests()[0].body["stop"], json!(["\n\n"]));
}

#[test]
fn a_server_that_is_down_gets_a_message_saying_what_to_do() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base_url = format!("http://127.0.0.1:{port}/v1");
    let (result, pieces) = ask(&*remote(&base_url, 10), &GenerateOptions::default());
    let error = result.unwrap_err();
    assert!(matches!(error, ModelError::RemoteUnreachable { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "the remote generator at {base_url}/chat/completions is not answering \
             (connection refused); start it or set generator.backend to local"
        )
    );
    assert!(pieces.is_empty());
}

#[test]
fn a_silent_server_times_out_with_a_clear_error_in_time() {
    let server = FakeServer::start(vec![Reply::Silent(Duration::from_secs(6))]);
    let started = Instant::now();
    let (result, _) = ask(&*remote(&server.base_url, 1), &GenerateOptions::default());
    let elapsed = started.elapsed();
    let error = result.unwrap_err();
    assert!(matches!(error, ModelError::RemoteTimeout { .. }), "{error:?}");
    assert!(
        error.to_string().contains("no complete answer within 1 s (generator.timeoutSeconds)"),
        "{error}"
    );
    assert!(elapsed >= Duration::from_millis(950), "gave up early, after {elapsed:?}");
    assert!(elapsed < Duration::from_millis(1500), "took {elapsed:?} for a 1 s timeout");
}

#[test]
fn a_server_error_is_retried_once_then_reported_with_its_message() {
    let failing = || Reply::Json(503, json!({"error": {"message": "model is loading"}}));
    let server = FakeServer::start(vec![failing(), stream(vec!["Recovered."])]);
    let (result, _) = ask(&*remote(&server.base_url, 10), &GenerateOptions::default());
    assert_eq!(result.unwrap().text, "Recovered.");
    assert_eq!(server.requests().len(), 2);

    let server = FakeServer::start(vec![failing(), failing(), stream(vec!["never asked"])]);
    let (result, _) = ask(&*remote(&server.base_url, 10), &GenerateOptions::default());
    let error = result.unwrap_err().to_string();
    assert_eq!(
        error,
        format!(
            "the remote generator at {}/chat/completions answered HTTP 503: model is loading",
            server.base_url
        )
    );
    assert_eq!(server.requests().len(), 2, "exactly one retry");
}

#[test]
fn a_refused_key_shows_the_server_message_and_is_not_retried() {
    let body = json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}});
    let server = FakeServer::start(vec![Reply::Json(401, body), stream(vec!["never asked"])]);
    let (result, _) = ask(&*remote(&server.base_url, 10), &GenerateOptions::default());
    let error = result.unwrap_err();
    assert!(matches!(error, ModelError::RemoteStatus { status: 401, .. }), "{error:?}");
    assert!(
        error.to_string().contains("answered HTTP 401: Incorrect API key provided (check the key"),
        "{error}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn cancelling_mid_stream_keeps_the_text_so_far_and_drops_the_connection() {
    let pieces: Vec<&'static str> = vec!["word "; 400];
    let server = FakeServer::start(vec![Reply::Stream {
        pieces,
        finish: "stop",
        pause: Duration::from_millis(10),
    }]);
    let received = AtomicUsize::new(0);
    let chat = remote(&server.base_url, 30);
    let started = Instant::now();
    let result = chat.chat(
        &question(),
        &GenerateOptions::default(),
        &mut |_| {
            received.fetch_add(1, Ordering::SeqCst);
        },
        &|| received.load(Ordering::SeqCst) >= 3,
    );
    let generated = result.unwrap();
    assert_eq!(generated.stop, StopReason::Cancelled);
    assert_eq!(generated.text, "word word word ");
    assert!(started.elapsed() < Duration::from_secs(2), "cancel took {:?}", started.elapsed());
    // The server notices the closed connection long before its 400 pieces are out.
    let written = server.written.recv_timeout(Duration::from_secs(10)).expect("stream ended");
    assert!(written < 100, "the server wrote {written} pieces after the cancel");
}

#[test]
fn scholia_chat_streams_a_remote_answer_to_stdout() {
    let server = FakeServer::start(vec![stream(vec!["A short ", "answer."])]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_scholia"))
        .args(["chat", "--remote", &server.base_url, "--model", "fake-llama"])
        .args(["--max-tokens", "32", "What is attention?"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "A short answer.\n");
    assert!(stderr.contains("asking the remote fake-llama at http://127.0.0.1:"), "{stderr}");
    let request = &server.requests()[0];
    assert_eq!(request.body["max_tokens"], 32);
    assert_eq!(
        request.body["messages"],
        json!([{"role": "user", "content": "What is attention?"}])
    );

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_scholia"))
        .args(["chat", "--remote", "ftp://example.org", "--model", "m", "hi"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(
            "generator.baseUrl must be an http:// or https:// URL, got ftp://example.org"
        ),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_default_settings_give_the_local_generator_behind_the_same_interface() {
    let Some(models) = model_support::fetched_models(Role::Generate) else { return };
    let chat = chat_backend(&models, &GeneratorSettings::default()).unwrap();
    let id = models.resolve(Role::Generate).unwrap().id;
    assert_eq!(chat.describe(), format!("local {id}"));
    let options = GenerateOptions { max_new_tokens: 12, ..Default::default() };
    let (result, pieces) = ask(&*chat, &options);
    let generated = result.unwrap();
    assert!(!generated.text.trim().is_empty());
    assert_eq!(pieces.concat(), generated.text);
    let direct = models.generator().unwrap().chat(&question(), &options, &mut |_| {}, &|| false);
    assert_eq!(direct.unwrap().text, generated.text);
}
