//! The opt-in remote generator: an OpenAI-compatible chat completions server (Ollama,
//! vLLM, llama.cpp server, a hosted API). The only network client of scholia besides
//! `scholia models fetch`; built only when `generator.backend` is `remote`.
//!
//! Answers are streamed (server-sent events) or, from servers that ignore `stream`, one
//! JSON body. One retry follows a connection failure or a 5xx status before any text
//! arrived; the whole request, retry included, has `generator.timeoutSeconds`.

mod exchange;
mod sse;
mod wire;

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use ureq::Agent;

use exchange::{Event, Post};
use sse::EventLines;
use wire::{BadPiece, Piece, Request};

use super::chat::{Chat, GeneratorSettings};
use super::generate::SettledText;
use super::{ChatMessage, GenerateOptions, Generated, ModelError, StopReason};

/// The longest silence inside an answer before it counts as stalled.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Connection setup, which a reachable server does in milliseconds.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a silent wait looks at `cancelled`.
const POLL: Duration = Duration::from_millis(50);
/// Before the one retry, so a server restarting has a moment.
const RETRY_PAUSE: Duration = Duration::from_millis(250);
/// How much of an error body is read for its message.
const MAX_ERROR_BODY: usize = 64 << 10;
/// How big a whole (non-streamed) answer may be.
const MAX_ANSWER: usize = 16 << 20;

pub struct RemoteGenerator {
    agent: Agent,
    base_url: String,
    /// `{base_url}/chat/completions`, named in every error.
    url: String,
    model: String,
    api_key: Option<String>,
    /// The variable the key was to come from, for the hint on a 401.
    api_key_env: String,
    timeout: Duration,
}

/// Why an exchange failed; `Retry` failures may be retried while no text arrived.
enum Failure {
    Retry(ModelError),
    Fail(ModelError),
}

impl RemoteGenerator {
    /// Checks the settings and reads the API key; connects to nothing yet.
    pub fn new(settings: &GeneratorSettings) -> Result<Self, ModelError> {
        let invalid = |m: String| Err(ModelError::RemoteSettings(m));
        let base_url = settings.base_url.trim().trim_end_matches('/');
        if base_url.is_empty() {
            return invalid(
                "generator.baseUrl is not set; give the server's API root, \
                 e.g. http://127.0.0.1:11434/v1 for Ollama"
                    .into(),
            );
        }
        let host = match base_url.parse::<ureq::http::Uri>() {
            Ok(uri) if GeneratorSettings::is_base_url(base_url) => {
                uri.host().unwrap_or_default().to_owned()
            }
            _ => {
                return invalid(format!(
                    "generator.baseUrl must be an http:// or https:// URL, got {base_url}"
                ))
            }
        };
        if settings.model.trim().is_empty() {
            return invalid("generator.model is not set; give a model the server serves".into());
        }
        if !(1..=GeneratorSettings::MAX_TIMEOUT_SECONDS).contains(&settings.timeout_seconds) {
            return invalid(format!(
                "generator.timeoutSeconds must be from 1 to {}, got {}",
                GeneratorSettings::MAX_TIMEOUT_SECONDS,
                settings.timeout_seconds
            ));
        }
        if !GeneratorSettings::is_env_name(&settings.api_key_env) {
            return invalid(
                "generator.apiKeyEnv must name an environment variable that holds the key, \
                 not hold the key itself"
                    .into(),
            );
        }
        let api_key = match settings.api_key_env.as_str() {
            "" => None,
            name => {
                let key = std::env::var(name).ok().filter(|k| !k.trim().is_empty());
                if key.is_none() {
                    tracing::warn!(
                        "generator.apiKeyEnv names {name}, which is not set; sending no API key"
                    );
                }
                key
            }
        };
        let timeout = Duration::from_secs(settings.timeout_seconds);
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT.min(timeout)))
            // Ends the exchange thread of a request the caller gave up on.
            .timeout_global(Some(timeout + CONNECT_TIMEOUT))
            .user_agent(concat!("scholia/", env!("CARGO_PKG_VERSION")));
        // A server on this machine is never behind the user's HTTP proxy.
        let loopback = host == "localhost"
            || host
                .trim_matches(['[', ']'])
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let config = if loopback { config.proxy(None) } else { config };
        Ok(Self {
            agent: config.build().into(),
            url: format!("{base_url}/chat/completions"),
            base_url: base_url.to_owned(),
            model: settings.model.trim().to_owned(),
            api_key,
            api_key_env: settings.api_key_env.clone(),
            timeout,
        })
    }

    /// One request; `answer` holds what arrived, so the caller knows whether to retry.
    fn exchange(
        &self,
        body: &[u8],
        deadline: Instant,
        answer: &mut Answer,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<StopReason, Failure> {
        let post = Post {
            agent: self.agent.clone(),
            url: self.url.clone(),
            api_key: self.api_key.clone(),
            body: body.to_vec(),
        };
        let events = exchange::start(post).map_err(|e| {
            Failure::Fail(ModelError::Inference(format!("cannot start the request thread: {e}")))
        })?;
        let mut wait = Wait { generator: self, events: &events, deadline, cancelled };
        let (status, event_stream) = match wait.next(false)? {
            None => return Ok(StopReason::Cancelled),
            Some(Event::Head { status, event_stream }) => (status, event_stream),
            Some(Event::Failed(e)) => return Err(self.not_answered(e)),
            Some(_) => return Err(Failure::Fail(thread_stopped())),
        };
        if !(200..300).contains(&status) {
            return Err(self.status_failure(status, &mut wait)?);
        }
        let mut stream = event_stream.then(EventLines::default);
        let mut whole = String::new();
        let mut finish = None;
        loop {
            let line = match wait.next(true)? {
                None => return Ok(StopReason::Cancelled),
                Some(Event::Line(line)) => line,
                Some(Event::End) => break,
                Some(Event::Broken(e)) => {
                    let failure = ModelError::RemoteBody {
                        url: self.url.clone(),
                        reason: format!("the answer broke off: {e}"),
                    };
                    return Err(if answer.is_empty() {
                        Failure::Retry(failure)
                    } else {
                        Failure::Fail(failure)
                    });
                }
                Some(Event::Head { .. } | Event::Failed(_)) => {
                    return Err(Failure::Fail(thread_stopped()))
                }
            };
            // A server that streams without saying so still starts with `data:`.
            if stream.is_none() && whole.is_empty() && line.starts_with("data:") {
                stream = Some(EventLines::default());
            }
            let Some(events) = stream.as_mut() else {
                if whole.len() + line.len() > MAX_ANSWER {
                    return Err(Failure::Fail(self.malformed("the answer is larger than 16 MiB")));
                }
                whole.push_str(&line);
                whole.push('\n');
                continue;
            };
            if let Some(data) = events.line(&line) {
                if let Some(stop) = self.take_event(&data, answer, &mut finish)? {
                    return Ok(stop);
                }
            }
        }
        match stream.as_mut() {
            Some(events) => {
                // Some servers close the stream without a `[DONE]` event.
                if let Some(data) = events.finish() {
                    if let Some(stop) = self.take_event(&data, answer, &mut finish)? {
                        return Ok(stop);
                    }
                }
            }
            None => {
                let piece = self.piece(&whole)?;
                finish = piece.finish;
                if answer.push(&piece.text) {
                    return Ok(StopReason::StopString);
                }
            }
        }
        Ok(finish.unwrap_or(StopReason::EndOfSequence))
    }

    /// Takes one stream event; `Some` when the answer is complete.
    fn take_event(
        &self,
        data: &str,
        answer: &mut Answer,
        finish: &mut Option<StopReason>,
    ) -> Result<Option<StopReason>, Failure> {
        if data.trim() == "[DONE]" {
            return Ok(Some(finish.unwrap_or(StopReason::EndOfSequence)));
        }
        let piece = self.piece(data)?;
        *finish = piece.finish.or(*finish);
        Ok(answer.push(&piece.text).then_some(StopReason::StopString))
    }

    fn piece(&self, data: &str) -> Result<Piece, Failure> {
        wire::piece(data).map_err(|bad| {
            Failure::Fail(match bad {
                BadPiece::Server(message) => {
                    ModelError::RemoteFailed { url: self.url.clone(), message }
                }
                BadPiece::Malformed(reason) => self.malformed(&reason),
            })
        })
    }

    fn malformed(&self, reason: &str) -> ModelError {
        ModelError::RemoteBody { url: self.url.clone(), reason: reason.to_owned() }
    }

    /// The failure of a request that got no response.
    fn not_answered(&self, error: ureq::Error) -> Failure {
        let unreachable = |reason: String| {
            Failure::Retry(ModelError::RemoteUnreachable { url: self.url.clone(), reason })
        };
        match error {
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                unreachable("connection refused".into())
            }
            ureq::Error::Io(e) => unreachable(e.to_string()),
            ureq::Error::ConnectionFailed => unreachable("connection failed".into()),
            ureq::Error::HostNotFound => unreachable("host not found".into()),
            ureq::Error::Timeout(ureq::Timeout::Connect) => {
                unreachable("connecting timed out".into())
            }
            ureq::Error::Timeout(_) => Failure::Fail(self.timed_out()),
            ureq::Error::Protocol(e) => {
                Failure::Fail(self.malformed(&format!("not an HTTP/1.1 answer: {e}")))
            }
            other => Failure::Fail(ModelError::RemoteUnreachable {
                url: self.url.clone(),
                reason: other.to_string(),
            }),
        }
    }

    /// The failure of a response with an error status, its body's message shown.
    fn status_failure(&self, status: u16, wait: &mut Wait) -> Result<Failure, Failure> {
        let mut body = String::new();
        while let Some(Event::Line(line)) = wait.next(true)? {
            if body.len() < MAX_ERROR_BODY {
                body.push_str(&line);
                body.push('\n');
            }
        }
        let mut message = wire::error_message(&body);
        match status {
            401 | 403 if self.api_key.is_none() && !self.api_key_env.is_empty() => {
                message += &format!(" ({} is not set)", self.api_key_env)
            }
            401 | 403 => message += " (check the key, or set generator.apiKeyEnv)",
            404 => {
                message += " (check generator.baseUrl, usually ending in /v1, and generator.model)"
            }
            _ => {}
        }
        let error = ModelError::RemoteStatus { url: self.url.clone(), status, message };
        Ok(if status >= 500 { Failure::Retry(error) } else { Failure::Fail(error) })
    }

    fn timed_out(&self) -> ModelError {
        ModelError::RemoteTimeout {
            url: self.url.clone(),
            reason: format!(
                "no complete answer within {} s (generator.timeoutSeconds)",
                self.timeout.as_secs()
            ),
        }
    }
}

impl Chat for RemoteGenerator {
    fn describe(&self) -> String {
        format!("remote {} at {}", self.model, self.base_url)
    }

    fn chat(
        &self,
        messages: &[ChatMessage],
        options: &GenerateOptions,
        on_text: &mut dyn FnMut(&str),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Generated, ModelError> {
        let request = Request::new(&self.model, messages, options);
        let body = serde_json::to_vec(&request)
            .map_err(|e| ModelError::Inference(format!("cannot encode the request: {e}")))?;
        let deadline = Instant::now() + self.timeout;
        let mut answer = Answer::new(&options.stop_strings, on_text);
        let mut outcome = self.exchange(&body, deadline, &mut answer, cancelled);
        if let Err(Failure::Retry(e)) = &outcome {
            if answer.is_empty() {
                tracing::warn!("{e}; trying once more");
                std::thread::sleep(RETRY_PAUSE);
                outcome = self.exchange(&body, deadline, &mut answer, cancelled);
            }
        }
        match outcome {
            Ok(stop) => Ok(answer.finish(stop)),
            Err(Failure::Retry(e) | Failure::Fail(e)) => Err(e),
        }
    }
}

/// Waits for the exchange's next event while watching the deadline and `cancelled`.
struct Wait<'a> {
    generator: &'a RemoteGenerator,
    events: &'a Receiver<Event>,
    deadline: Instant,
    cancelled: &'a dyn Fn() -> bool,
}

impl Wait<'_> {
    /// `None` when cancelled. Inside a body (`reading`), a silence longer than
    /// [`READ_TIMEOUT`] is a stall; before it, only the deadline counts, since a server
    /// may load the model before it answers.
    fn next(&mut self, reading: bool) -> Result<Option<Event>, Failure> {
        let stall = reading.then(|| Instant::now() + READ_TIMEOUT).filter(|s| *s < self.deadline);
        let until = stall.unwrap_or(self.deadline);
        loop {
            if (self.cancelled)() {
                return Ok(None);
            }
            let now = Instant::now();
            if now >= until {
                let url = self.generator.url.clone();
                return Err(Failure::Fail(match stall {
                    Some(_) => ModelError::RemoteTimeout {
                        url,
                        reason: format!("the answer stalled for {} s", READ_TIMEOUT.as_secs()),
                    },
                    None => self.generator.timed_out(),
                }));
            }
            match self.events.recv_timeout((until - now).min(POLL)) {
                Ok(event) => return Ok(Some(event)),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err(Failure::Fail(thread_stopped())),
            }
        }
    }
}

/// The exchange thread ended without its last event, or sent them out of order.
fn thread_stopped() -> ModelError {
    ModelError::Inference("the request thread of the remote generator stopped".into())
}

/// The answer so far, emitted to `on_text` as it settles.
struct Answer<'a> {
    text: String,
    settled: SettledText<'a>,
}

impl<'a> Answer<'a> {
    fn new(stop_strings: &'a [String], on_text: &'a mut dyn FnMut(&str)) -> Self {
        Self { text: String::new(), settled: SettledText::new(stop_strings, on_text) }
    }

    fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Adds a piece; `true` when a stop string appeared.
    fn push(&mut self, piece: &str) -> bool {
        if piece.is_empty() {
            return false;
        }
        self.text.push_str(piece);
        self.settled.push(&self.text)
    }

    /// A remote answer has no token ids.
    fn finish(self, stop: StopReason) -> Generated {
        Generated { text: self.settled.finish(self.text), tokens: Vec::new(), stop }
    }
}
