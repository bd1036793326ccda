//! One interface over every text generator, local or remote, and the choice between
//! them from the `generator` settings.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::remote::RemoteGenerator;
use super::{ChatMessage, GenerateOptions, Generated, Generator, ModelError, Models};

/// A generator backend answering a conversation. `on_text` receives the answer as it
/// settles; `cancelled` is polled while generating and ends it with
/// [`StopReason::Cancelled`](super::StopReason::Cancelled) and the text so far.
pub trait Chat: Send + Sync {
    /// Short description for status and messages, e.g. "local smollm2-135m-instruct"
    /// or "remote llama3 at http://127.0.0.1:11434/v1".
    fn describe(&self) -> String;

    fn chat(
        &self,
        messages: &[ChatMessage],
        options: &GenerateOptions,
        on_text: &mut dyn FnMut(&str),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Generated, ModelError>;
}

impl Chat for Generator {
    fn describe(&self) -> String {
        format!("local {}", self.id())
    }

    fn chat(
        &self,
        messages: &[ChatMessage],
        options: &GenerateOptions,
        on_text: &mut dyn FnMut(&str),
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Generated, ModelError> {
        Generator::chat(self, messages, options, on_text, cancelled)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GeneratorBackend {
    /// The manifest's generator, run by ONNX Runtime on this machine.
    #[default]
    Local,
    /// An OpenAI-compatible chat completions server (Ollama, vLLM, llama.cpp server).
    Remote,
}

impl GeneratorBackend {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "local" => Some(Self::Local),
            "remote" => Some(Self::Remote),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Remote => "remote",
        }
    }
}

/// The `generator` settings group. Manuscripts leave the machine only when `backend`
/// is `remote`, and then only to `base_url`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct GeneratorSettings {
    pub backend: GeneratorBackend,
    /// The API root, e.g. `http://127.0.0.1:11434/v1`; requests go to
    /// `{base_url}/chat/completions`.
    pub base_url: String,
    /// The model name the server knows.
    pub model: String,
    /// Name of the environment variable holding the API key (never the key itself);
    /// empty for none.
    pub api_key_env: String,
    /// Limit on one whole request, retry included.
    pub timeout_seconds: u64,
}

impl GeneratorSettings {
    pub const DEFAULT_TIMEOUT_SECONDS: u64 = 60;
    /// Upper bound for `timeout_seconds`, so a typo cannot park a worker for days.
    pub const MAX_TIMEOUT_SECONDS: u64 = 3600;

    /// Whether `value` can be a `base_url`: empty (unset) or an http(s) URL.
    pub fn is_base_url(value: &str) -> bool {
        value.is_empty() || value.starts_with("http://") || value.starts_with("https://")
    }

    /// Whether `value` can be an `api_key_env`: empty, or a variable name (letters,
    /// digits, `_`), which a key pasted by mistake almost never is.
    pub fn is_env_name(value: &str) -> bool {
        value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !value.starts_with(|c: char| c.is_ascii_digit())
    }
}

impl Default for GeneratorSettings {
    fn default() -> Self {
        Self {
            backend: GeneratorBackend::Local,
            base_url: String::new(),
            model: String::new(),
            api_key_env: String::new(),
            timeout_seconds: Self::DEFAULT_TIMEOUT_SECONDS,
        }
    }
}

/// The generator `settings` ask for: the local model (loaded on first call) or a
/// client of the remote server. Connects to nothing until the first `chat`.
pub fn chat_backend(
    models: &Models,
    settings: &GeneratorSettings,
) -> Result<Arc<dyn Chat>, ModelError> {
    Ok(match settings.backend {
        GeneratorBackend::Local => models.generator()?,
        GeneratorBackend::Remote => Arc::new(RemoteGenerator::new(settings)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_camel_case_with_defaults_for_missing_keys() {
        let s: GeneratorSettings = serde_json::from_value(serde_json::json!({
            "backend": "remote", "baseUrl": "http://127.0.0.1:8080/v1", "apiKeyEnv": "KEY"
        }))
        .unwrap();
        assert_eq!(s.backend, GeneratorBackend::Remote);
        assert_eq!(s.base_url, "http://127.0.0.1:8080/v1");
        assert_eq!(s.api_key_env, "KEY");
        assert_eq!(s.timeout_seconds, 60);
        assert!(
            serde_json::from_value::<GeneratorSettings>(serde_json::json!({"url": "x"})).is_err()
        );
    }

    #[test]
    fn env_names_are_told_from_keys() {
        assert!(GeneratorSettings::is_env_name("OPENAI_API_KEY"));
        assert!(GeneratorSettings::is_env_name(""));
        assert!(!GeneratorSettings::is_env_name("sk-proj-abc123"));
        assert!(!GeneratorSettings::is_env_name("1KEY"));
    }

    #[test]
    fn remote_backend_without_a_url_is_a_settings_error() {
        let models = Models::with_manifest(
            crate::model::Manifest::builtin().unwrap(),
            std::env::temp_dir(),
            Default::default(),
        );
        let settings = GeneratorSettings {
            backend: GeneratorBackend::Remote,
            model: "llama3".into(),
            ..Default::default()
        };
        let error = chat_backend(&models, &settings).err().unwrap().to_string();
        assert!(error.contains("generator.baseUrl is not set"), "{error}");
        let settings = GeneratorSettings { base_url: "http://127.0.0.1:9/v1".into(), ..settings };
        let chat = chat_backend(&models, &settings).unwrap();
        assert_eq!(chat.describe(), "remote llama3 at http://127.0.0.1:9/v1");
    }
}
