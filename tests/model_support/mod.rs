//! Helpers shared by the `model_*` integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::Command;

use scholia::model::{Models, ModelsConfig, Role};

/// The user's models with the runtime library fetched (models themselves may be
/// absent), or `None` after printing why the calling test is skipped.
pub fn fetched_runtime(config: ModelsConfig) -> Option<Models> {
    let models = Models::new(config).expect("data dir");
    let library = models.library_path().expect("library path");
    if !library.is_file() {
        println!("skipped: no ONNX Runtime at {} (run `scholia models fetch`)", library.display());
        return None;
    }
    Some(models)
}

/// The user's models (as `scholia models fetch` left them), or `None` after printing
/// why the calling test is skipped.
pub fn fetched_models(role: Role) -> Option<Models> {
    let models = Models::new(ModelsConfig::default()).expect("data dir");
    let library = models.library_path().expect("library path");
    if !library.is_file() {
        println!("skipped: no ONNX Runtime at {} (run `scholia models fetch`)", library.display());
        return None;
    }
    match models.resolve(role) {
        Ok(m) if m.is_present() => Some(models),
        _ => {
            println!(
                "skipped: the {role} model is not fetched (run `scholia models fetch {role}`)"
            );
            None
        }
    }
}

/// Builds a shared library exporting `OrtGetApiBase` whose version string is
/// `version`, standing in for a wrong ONNX Runtime; `None` (printed) without a C compiler.
pub fn fake_runtime(dir: &Path, version: &str) -> Option<PathBuf> {
    let source = format!(
        r#"
        typedef struct {{ const void *(*get_api)(unsigned); const char *(*version)(void); }} Base;
        static const void *get_api(unsigned v) {{ (void)v; return 0; }}
        static const char *version(void) {{ return "{version}"; }}
        static const Base base = {{ get_api, version }};
        const Base *OrtGetApiBase(void) {{ return &base; }}
        "#
    );
    compile(dir, &format!("fake-ort-{version}"), &source)
}

/// A shared library that is not ONNX Runtime at all.
pub fn unrelated_library(dir: &Path) -> Option<PathBuf> {
    compile(dir, "unrelated", "int unrelated(void) { return 1; }")
}

fn compile(dir: &Path, name: &str, source: &str) -> Option<PathBuf> {
    let c = dir.join(format!("{name}.c"));
    let lib = dir.join(format!("lib{name}{}", std::env::consts::DLL_SUFFIX));
    std::fs::write(&c, source).unwrap();
    let built = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&lib)
        .arg(&c)
        .status()
        .is_ok_and(|s| s.success());
    if !built {
        println!("skipped: no C compiler (`cc`) to build a stand-in library");
        return None;
    }
    Some(lib)
}

/// Bytes the loopback HTTP server serves per path; anything else is a 404.
pub struct Route {
    pub path: String,
    pub body: Vec<u8>,
    /// Claim this many bytes in Content-Length (to simulate a cut-off transfer).
    pub claimed_len: Option<usize>,
}

/// Serves `routes` over HTTP/1.1 on loopback until the process ends. Returns the
/// base URL and a counter of requests served.
pub fn serve(routes: Vec<Route>) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::Ordering;

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            counter.fetch_add(1, Ordering::SeqCst);
            let path = request_line.split_whitespace().nth(1).unwrap_or("");
            let response = match routes.iter().find(|r| r.path == path) {
                Some(route) => {
                    let len = route.claimed_len.unwrap_or(route.body.len());
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
                    )
                    .into_bytes();
                    r.extend_from_slice(&route.body);
                    r
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    (base, hits)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bytes");
    std::fs::write(&path, bytes).unwrap();
    scholia::model::fetch::sha256_file(&path).unwrap()
}
