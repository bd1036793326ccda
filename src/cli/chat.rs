//! `scholia chat PROMPT`: one answer from a generator, streamed to stdout as it arrives.
//! The local generator by default; `--remote URL --model NAME` tries an
//! OpenAI-compatible server the way the `generator` settings would.

use std::io::Write;
use std::process::ExitCode;

use scholia::model::{
    chat_backend, ChatMessage, GenerateOptions, GeneratorBackend, GeneratorSettings, Models,
    ModelsConfig, StopReason,
};

#[derive(clap::Args)]
pub struct ChatArgs {
    /// The user's message.
    prompt: String,
    /// A system message before it.
    #[arg(long)]
    system: Option<String>,
    /// API root of an OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 for Ollama.
    #[arg(long, value_name = "URL", requires = "model")]
    remote: Option<String>,
    /// The model the remote server serves.
    #[arg(long, requires = "remote")]
    model: Option<String>,
    /// Environment variable holding the remote server's API key.
    #[arg(long, value_name = "VAR", requires = "remote")]
    api_key_env: Option<String>,
    /// Limit on the remote request, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = GeneratorSettings::DEFAULT_TIMEOUT_SECONDS)]
    timeout: u64,
    /// Most tokens to generate.
    #[arg(long, default_value_t = 256)]
    max_tokens: usize,
}

pub fn run(args: &ChatArgs) -> ExitCode {
    match chat(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scholia: {e}");
            ExitCode::FAILURE
        }
    }
}

fn chat(args: &ChatArgs) -> Result<(), String> {
    let settings = GeneratorSettings {
        backend: match args.remote {
            Some(_) => GeneratorBackend::Remote,
            None => GeneratorBackend::Local,
        },
        base_url: args.remote.clone().unwrap_or_default(),
        model: args.model.clone().unwrap_or_default(),
        api_key_env: args.api_key_env.clone().unwrap_or_default(),
        timeout_seconds: args.timeout,
    };
    let models =
        Models::new(ModelsConfig::default().with_env_overrides()).map_err(|e| e.to_string())?;
    let generator = chat_backend(&models, &settings).map_err(|e| e.to_string())?;
    eprintln!("scholia: asking the {} generator", generator.describe());
    let mut messages: Vec<ChatMessage> =
        args.system.iter().map(|s| ChatMessage::new("system", s)).collect();
    messages.push(ChatMessage::new("user", &args.prompt));
    let options = GenerateOptions { max_new_tokens: args.max_tokens, ..Default::default() };
    let mut out = std::io::stdout().lock();
    // A closed stdout only loses the rest of the answer, which the reader chose.
    let mut on_text = |text: &str| {
        let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
    };
    let generated =
        generator.chat(&messages, &options, &mut on_text, &|| false).map_err(|e| e.to_string())?;
    let _ = writeln!(out);
    if generated.stop == StopReason::MaxNewTokens {
        eprintln!("scholia: the answer was cut at --max-tokens {}", args.max_tokens);
    }
    Ok(())
}
