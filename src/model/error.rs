//! The one error type of the inference layer. Messages name the file or library at
//! fault and, where there is one, the command that fixes it.

use std::path::PathBuf;

use super::manifest::Role;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("cannot find a data directory: set SCHOLIA_HOME")]
    NoDataDir,

    #[error("ONNX Runtime library not found at {path} (run `scholia models fetch`, or set ORT_DYLIB_PATH)")]
    LibraryMissing { path: PathBuf },

    #[error("cannot load ONNX Runtime library {path}: {reason}")]
    LibraryLoad { path: PathBuf, reason: String },

    #[error("ONNX Runtime library {path} is version {found}; scholia needs {required}")]
    LibraryVersion { path: PathBuf, found: String, required: String },

    #[error("ONNX Runtime is already loaded from {loaded}; cannot also load {requested}")]
    LibraryAlreadyLoaded { loaded: PathBuf, requested: PathBuf },

    #[error("no ONNX Runtime library is pinned for this platform ({0}); set ORT_DYLIB_PATH")]
    UnsupportedPlatform(String),

    #[error("invalid model manifest: {0}")]
    Manifest(String),

    #[error(
        "role `{0}` is not configured: the manifest has no default and no local folder is set"
    )]
    NotConfigured(Role),

    #[error("model file {path} is missing ({hint})")]
    MissingFile { path: PathBuf, hint: String },

    #[error("sha256 mismatch for {path}: expected {expected}, got {actual}")]
    Checksum { path: PathBuf, expected: String, actual: String },

    #[error("fetching {what} failed: {reason}")]
    Fetch { what: String, reason: String },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("execution provider {provider} is unavailable: {reason}")]
    Provider { provider: String, reason: String },

    #[error("cannot load model {path}: {reason}")]
    Session { path: PathBuf, reason: String },

    #[error("model {path} has inputs [{found}]; expected [{expected}]")]
    UnexpectedInputs { path: PathBuf, expected: String, found: String },

    #[error("model {path} has outputs [{found}]; expected one of [{expected}]")]
    UnexpectedOutputs { path: PathBuf, expected: String, found: String },

    #[error("tokenizer {path}: {reason}")]
    Tokenizer { path: PathBuf, reason: String },

    #[error("the {role} model is not available because {source}")]
    Unavailable {
        role: Role,
        #[source]
        source: Box<ModelError>,
    },

    #[error("inference failed: {0}")]
    Inference(String),

    /// The request that wanted the result was cancelled.
    #[error("cancelled")]
    Cancelled,

    #[error("the remote generator is misconfigured: {0}")]
    RemoteSettings(String),

    #[error("the remote generator at {url} is not answering ({reason}); start it or set generator.backend to local")]
    RemoteUnreachable { url: String, reason: String },

    #[error("the remote generator at {url} timed out: {reason}")]
    RemoteTimeout { url: String, reason: String },

    #[error("the remote generator at {url} answered HTTP {status}: {message}")]
    RemoteStatus { url: String, status: u16, message: String },

    #[error("the remote generator at {url} failed: {message}")]
    RemoteFailed { url: String, message: String },

    #[error("the remote generator at {url} sent a malformed answer: {reason}")]
    RemoteBody { url: String, reason: String },
}

impl ModelError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

impl From<ort::Error> for ModelError {
    fn from(e: ort::Error) -> Self {
        Self::Inference(e.to_string())
    }
}
