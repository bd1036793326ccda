//! Chat prompts rendered with the model's own Jinja template (from its
//! `tokenizer_config.json`), the way Hugging Face `apply_chat_template` does.

use std::path::Path;

use minijinja::{context, Environment, Error, ErrorKind};
use serde::{Deserialize, Serialize};

use crate::model::ModelError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant`.
    pub role: String,
    pub content: String,
}

impl ChatMessage {
    pub fn new(role: &str, content: &str) -> Self {
        Self { role: role.to_owned(), content: content.to_owned() }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChatTemplate {
    chat_template: Option<String>,
    #[serde(default)]
    bos_token: Option<String>,
    #[serde(default)]
    eos_token: Option<String>,
}

impl ChatTemplate {
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let text = std::fs::read_to_string(path).map_err(ModelError::io(path))?;
        serde_json::from_str(&text)
            .map_err(|e| ModelError::Manifest(format!("{}: {e}", path.display())))
    }

    /// The prompt for `messages`, ending with the assistant's turn opened.
    pub fn render(&self, messages: &[ChatMessage]) -> Result<String, ModelError> {
        let template = self
            .chat_template
            .as_deref()
            .ok_or_else(|| ModelError::Manifest("the model has no chat template".into()))?;
        let mut env = Environment::new();
        env.add_function("raise_exception", |message: String| -> Result<String, Error> {
            Err(Error::new(ErrorKind::InvalidOperation, message))
        });
        let fail = |e: Error| ModelError::Inference(format!("chat template: {e}"));
        env.add_template("chat", template).map_err(fail)?;
        let ctx = context! {
            messages => messages,
            add_generation_prompt => true,
            bos_token => self.bos_token.as_deref().unwrap_or(""),
            eos_token => self.eos_token.as_deref().unwrap_or(""),
        };
        env.get_template("chat").and_then(|t| t.render(ctx)).map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_chatml_template_with_default_system_turn() {
        let template = ChatTemplate {
            chat_template: Some(
                "{% for m in messages %}{% if loop.first and m['role'] != 'system' %}<|im_start|>system\nBe brief<|im_end|>\n{% endif %}\
                 <|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}\
                 {% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
                    .into(),
            ),
            ..Default::default()
        };
        let prompt = template.render(&[ChatMessage::new("user", "Hi")]).unwrap();
        assert_eq!(
            prompt,
            "<|im_start|>system\nBe brief<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
        let failing = ChatTemplate {
            chat_template: Some("{{ raise_exception('no') }}".into()),
            ..Default::default()
        };
        assert!(failing.render(&[]).unwrap_err().to_string().contains("no"));
    }
}
