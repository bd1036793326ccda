//! A minimal LSP client that drives the real `scholia` binary over stdio.
#![allow(dead_code)] // each test binary uses a different part of this harness

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub mod scifact;

/// How long to wait for a message before calling the server hung (not a speed assertion).
pub const PATIENCE: Duration = Duration::from_secs(30);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications and server requests seen while waiting for something else.
    pub notifications: Vec<Value>,
}

impl Client {
    pub fn spawn() -> Self {
        Self::spawn_with(&[])
    }

    /// Starts the server with extra environment variables.
    pub fn spawn_with(env: &[(&str, &Path)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_scholia"));
        command.arg("lsp").envs(env.iter().map(|(k, v)| (*k, *v)));
        Self::spawn_command(command)
    }

    /// Starts `command`, which must run the server over stdio (possibly under a tracer).
    pub fn spawn_command(mut command: Command) -> Self {
        let mut child = command
            .env("SCHOLIA_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn scholia lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Self { child, stdin, incoming, next_id: 1, notifications: Vec::new() }
    }

    /// The server's process id (for reading its memory use).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_string(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its whole response (`result` or `error`).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        self.request_raw_within(method, params, PATIENCE)
    }

    /// As `request_raw`, for requests that run a model and may take longer than `PATIENCE`.
    pub fn request_raw_within(&mut self, method: &str, params: Value, patience: Duration) -> Value {
        let id = self.send_request(method, params);
        self.response_within(id, patience)
    }

    /// Sends a request without waiting for its response; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The response to request `id` (`result` or `error`).
    pub fn response_within(&mut self, id: i64, patience: Duration) -> Value {
        self.wait_for_within(
            |m| m.get("id") == Some(&json!(id)) && m.get("method").is_none(),
            patience,
        )
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// The `scholia.status` command's answer.
    pub fn status(&mut self) -> Value {
        self.request(
            "workspace/executeCommand",
            json!({"command": "scholia.status", "arguments": []}),
        )
    }

    /// Waits for a message matching `wanted`, answering server requests on the way.
    pub fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        self.wait_for_within(wanted, PATIENCE)
    }

    pub fn wait_for_within(
        &mut self,
        wanted: impl Fn(&Value) -> bool,
        patience: Duration,
    ) -> Value {
        if let Some(i) = self.notifications.iter().position(&wanted) {
            return self.notifications.remove(i);
        }
        let deadline = Instant::now() + patience;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self.incoming.recv_timeout(left).expect("server sent nothing in time");
            if message.get("method").is_some() && message.get("id").is_some() {
                self.answer_server_request(&message);
            }
            if wanted(&message) {
                return message;
            }
            self.notifications.push(message);
        }
    }

    fn answer_server_request(&mut self, request: &Value) {
        let result = match request["method"].as_str() {
            Some("workspace/configuration") => json!([null]),
            _ => Value::Null,
        };
        self.send(&json!({"jsonrpc": "2.0", "id": request["id"], "result": result}));
    }

    /// Initializes with a workspace folder; `encodings` is what the client offers.
    pub fn initialize(&mut self, root: &Path, encodings: &[&str], options: Value) -> Value {
        let uri = uri(root);
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "test"}],
                "initializationOptions": options,
                "capabilities": {
                    "general": {"positionEncodings": encodings},
                    "workspace": {
                        "configuration": true,
                        "didChangeWatchedFiles": {"dynamicRegistration": true}
                    },
                    "textDocument": {"publishDiagnostics": {"versionSupport": true}}
                }
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, path: &Path, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": language, "version": 1, "text": text}}),
        );
    }

    /// The next `publishDiagnostics` for `path` whose diagnostics satisfy `accept`.
    pub fn diagnostics_until(
        &mut self,
        path: &Path,
        accept: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let target = uri(path);
        let message = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == target
                && accept(m["params"]["diagnostics"].as_array().map(Vec::as_slice).unwrap_or(&[]))
        });
        message["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    pub fn shutdown(mut self) -> i32 {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.exit_code_within(PATIENCE).expect("server did not exit after `exit`")
    }

    /// The exit code once the process ends (-1 for a signal); `None` if it outlives `patience`.
    pub fn exit_code_within(&mut self, patience: Duration) -> Option<i32> {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status.code().unwrap_or(-1));
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Copies a fixture folder from `tests/fixtures/` into a fresh temporary directory.
pub fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    copy_dir(&source, dir.path());
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Zero-based line and UTF-16 character of the `n`-th occurrence of `needle` (plus `shift`
/// characters) in `text`.
pub fn position_of(text: &str, needle: &str, shift: usize) -> Value {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in text"));
    position_at(text, at, shift)
}

pub fn position_at(text: &str, byte: usize, shift: usize) -> Value {
    let before = &text[..byte];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[line_start..byte].encode_utf16().count() + shift;
    json!({"line": line, "character": character})
}

/// Real data shared beside the checkout; `None` (with a visible note) when absent.
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(relative);
    if path.exists() {
        Some(path.canonicalize().unwrap())
    } else {
        eprintln!("skipped: ../shared/data/{relative} not found");
        None
    }
}

/// Whether the runtime library and the models of `roles` are fetched; says so when not.
pub fn models_present(roles: &[scholia::model::Role]) -> bool {
    use scholia::model::{Models, ModelsConfig};
    let present = Models::new(ModelsConfig::default().with_env_overrides()).ok().is_some_and(|m| {
        m.library_path().is_ok_and(|p| p.is_file())
            && roles.iter().all(|&r| m.resolve(r).is_ok_and(|r| r.is_present()))
    });
    if !present {
        eprintln!(
            "skipped: the runtime or the {roles:?} models are not fetched (`scholia models list`)"
        );
    }
    present
}
