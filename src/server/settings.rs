//! The `scholia` settings section: read from `initializationOptions`,
//! `workspace/configuration` and `scholia.toml`; a wrong value is reported and ignored.

use std::path::PathBuf;

use serde_json::Value;

use crate::analysis::claims::diagnose::Severities;
use crate::analysis::claims::Thresholds;
use crate::bib::Severity;
use crate::model::{GeneratorBackend, GeneratorSettings, ModelsConfig, Provider, Role};

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Extra LaTeX citation commands, without the backslash.
    pub cite_commands: Vec<String>,
    /// Bibliographies every document uses, relative to the project folder or absolute.
    pub default_bibliography: Vec<PathBuf>,
    /// Hint on bibliography entries no document cites (bibliographies up to 1,000 entries).
    pub unused_entries: bool,
    /// TL;DRs as inlay hints after citations.
    pub inline_summaries: InlineSummaries,
    pub claims: ClaimSettings,
    /// Which generator drafts and summarises: local, or an opt-in remote server.
    pub generator: GeneratorSettings,
    /// Execution provider and per-role model folders.
    pub models: ModelsConfig,
}

/// Unsupported-claim diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct ClaimSettings {
    pub disabled: bool,
    pub severities: Severities,
    pub thresholds: Thresholds,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum InlineSummaries {
    #[default]
    Off,
    /// Cut to `SHORT_WIDTH` characters.
    Short,
    Full,
}

impl InlineSummaries {
    pub const SHORT_WIDTH: usize = 60;

    fn parse(value: &str) -> Option<Self> {
        match value {
            "off" => Some(Self::Off),
            "short" => Some(Self::Short),
            "full" => Some(Self::Full),
            _ => None,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            cite_commands: Vec::new(),
            default_bibliography: Vec::new(),
            unused_entries: true,
            inline_summaries: InlineSummaries::Off,
            claims: ClaimSettings::default(),
            generator: GeneratorSettings::default(),
            models: ModelsConfig::default(),
        }
    }
}

impl Settings {
    /// The defaults plus the model folders of `SCHOLIA_MODEL_<ROLE>`: the bottom layer,
    /// under `scholia.toml` and the editor's settings.
    pub fn from_env() -> Self {
        Self { models: ModelsConfig::default().with_env_overrides(), ..Self::default() }
    }

    /// Applies the values present in `value` (the `scholia` object, or an object holding
    /// one under `scholia`) on top of `self`. Returns one message per rejected value.
    pub fn merge_json(&mut self, value: &Value) -> Vec<String> {
        let value = value.get("scholia").unwrap_or(value);
        let Some(object) = value.as_object() else {
            return match value {
                Value::Null => Vec::new(),
                other => vec![format!("scholia settings must be an object, got {other}")],
            };
        };
        let mut errors = Vec::new();
        for (name, value) in object {
            let result = match name.as_str() {
                "citeCommands" => string_list(value).map(|list| {
                    self.cite_commands =
                        list.into_iter().map(|c| c.trim_start_matches('\\').to_owned()).collect()
                }),
                "defaultBibliography" => string_list(value).map(|list| {
                    self.default_bibliography = list.into_iter().map(|p| expand_home(&p)).collect()
                }),
                "unusedEntries" => {
                    value.as_bool().map(|b| self.unused_entries = b).ok_or("a boolean")
                }
                "inlineSummaries" => value
                    .as_str()
                    .and_then(InlineSummaries::parse)
                    .map(|mode| self.inline_summaries = mode)
                    .ok_or("one of \"off\", \"short\", \"full\""),
                "claims" => {
                    errors.extend(self.merge_claims(value));
                    Ok(())
                }
                "generator" => {
                    errors.extend(self.merge_generator(value));
                    Ok(())
                }
                "executionProvider" => value
                    .as_str()
                    .and_then(Provider::parse)
                    .map(|p| self.models.runtime.execution_provider = p)
                    .ok_or("one of \"auto\", \"cpu\", \"cuda\", \"directml\""),
                "strictProvider" => value
                    .as_bool()
                    .map(|b| self.models.runtime.strict_provider = b)
                    .ok_or("a boolean"),
                "models" => {
                    errors.extend(self.merge_model_folders(value));
                    Ok(())
                }
                // Settings of other features are read where those features live.
                _ => Ok(()),
            };
            if let Err(expected) = result {
                errors.push(format!(
                    "scholia.{name} must be {expected}, got {value}; using {}",
                    self.describe(name)
                ));
            }
        }
        errors
    }

    /// Applies the keys present in the `generator` object, each on its own like the
    /// top-level keys. A rejected `apiKeyEnv` is not echoed: it may be a key pasted by
    /// mistake.
    fn merge_generator(&mut self, value: &Value) -> Vec<String> {
        let Some(object) = value.as_object() else {
            return vec![format!("scholia.generator must be an object, got {value}; ignored")];
        };
        let g = &mut self.generator;
        let mut errors = Vec::new();
        for (name, value) in object {
            let text = value.as_str();
            let (applied, expected, current) = match name.as_str() {
                "backend" => (
                    text.and_then(GeneratorBackend::parse).map(|b| g.backend = b),
                    "one of \"local\", \"remote\"".to_owned(),
                    g.backend.as_str().to_owned(),
                ),
                "baseUrl" => (
                    text.filter(|url| GeneratorSettings::is_base_url(url.trim()))
                        .map(|url| g.base_url = url.trim().to_owned()),
                    "an http:// or https:// URL".to_owned(),
                    format!("{:?}", g.base_url),
                ),
                "model" => (
                    text.map(|m| g.model = m.trim().to_owned()),
                    "a string".to_owned(),
                    format!("{:?}", g.model),
                ),
                "apiKeyEnv" => {
                    if let Some(name) = text.filter(|n| GeneratorSettings::is_env_name(n)) {
                        g.api_key_env = name.to_owned();
                    } else {
                        errors.push(format!(
                            "scholia.generator.apiKeyEnv must be the name of an environment \
                             variable that holds the key, not the key; using {:?}",
                            g.api_key_env
                        ));
                    }
                    continue;
                }
                "timeoutSeconds" => (
                    value
                        .as_u64()
                        .filter(|s| (1..=GeneratorSettings::MAX_TIMEOUT_SECONDS).contains(s))
                        .map(|s| g.timeout_seconds = s),
                    format!(
                        "a whole number of seconds from 1 to {}",
                        GeneratorSettings::MAX_TIMEOUT_SECONDS
                    ),
                    g.timeout_seconds.to_string(),
                ),
                _ => {
                    errors.push(format!(
                        "scholia.generator.{name} is not a setting (backend, baseUrl, model, \
                         apiKeyEnv, timeoutSeconds); ignored"
                    ));
                    continue;
                }
            };
            if applied.is_none() {
                errors.push(format!(
                    "scholia.generator.{name} must be {expected}, got {value}; using {current}"
                ));
            }
        }
        errors
    }

    /// The `models` group: a folder per role that replaces the role's default model. Null
    /// or empty leaves the role as the lower layers set it (the `SCHOLIA_MODEL_<ROLE>`
    /// variable, else the fetched default); a folder that does not exist is reported and
    /// the role keeps its model.
    fn merge_model_folders(&mut self, value: &Value) -> Vec<String> {
        let Some(object) = value.as_object() else {
            return vec![format!(
                "scholia.models must be an object of folders by role, got {value}; ignored"
            )];
        };
        let mut errors = Vec::new();
        for (name, value) in object {
            let Some(role) = Role::ALL.into_iter().find(|r| r.as_str() == name) else {
                errors.push(format!(
                    "scholia.models.{name} is not a model role (embed, verify, generate); \
                     ignored"
                ));
                continue;
            };
            let folders = &mut self.models.local_models;
            let current = folders
                .get(&role)
                .map_or_else(|| "the default model".to_owned(), |p| p.display().to_string());
            let problem = match value {
                Value::Null => continue,
                Value::String(text) if text.trim().is_empty() => continue,
                Value::String(text) => {
                    let folder = expand_home(text.trim());
                    if !folder.is_absolute() {
                        format!("must be an absolute folder path (`~/` allowed), got {value}")
                    } else if !folder.is_dir() {
                        format!("names a folder that does not exist: {}", folder.display())
                    } else {
                        folders.insert(role, folder);
                        continue;
                    }
                }
                other => format!("must be a folder path, got {other}"),
            };
            errors.push(format!("scholia.models.{name} {problem}; using {current}"));
        }
        errors
    }

    /// Applies a `scholia.toml` (top-level keys as in the editor settings).
    pub fn merge_toml(&mut self, text: &str) -> Vec<String> {
        match text.parse::<toml::Table>() {
            Ok(table) => match serde_json::to_value(table) {
                Ok(value) => self.merge_json(&value),
                Err(e) => vec![format!("scholia.toml: {e}")],
            },
            Err(e) => vec![format!("scholia.toml: {e}")],
        }
    }

    /// The `claims` group, key by key: a wrong value is reported and the others apply.
    fn merge_claims(&mut self, value: &Value) -> Vec<String> {
        let Some(object) = value.as_object() else {
            return vec![format!("scholia.claims must be an object, got {value}; ignored")];
        };
        let c = &mut self.claims;
        let mut errors = Vec::new();
        for (name, value) in object {
            const LEVEL: &str = "one of \"error\", \"warning\", \"information\", \"hint\"";
            const PROBABILITY: &str = "a number from 0 to 1, or null for the model's own";
            let t = &mut c.thresholds;
            let (applied, expected) = match name.as_str() {
                "enabled" => (value.as_bool().map(|b| c.disabled = !b), "a boolean"),
                "uncitedSeverity" => (severity(value).map(|l| c.severities.uncited = l), LEVEL),
                "unsupportedSeverity" => {
                    (severity(value).map(|l| c.severities.unsupported = l), LEVEL)
                }
                "contradictingSeverity" => {
                    (severity(value).map(|l| c.severities.contradicting = l), LEVEL)
                }
                "uncitedThreshold" => (probability(value).map(|p| t.uncited = p), PROBABILITY),
                "supportThreshold" => (probability(value).map(|p| t.support = p), PROBABILITY),
                "contradictThreshold" => {
                    (probability(value).map(|p| t.contradict = p), PROBABILITY)
                }
                _ => {
                    errors.push(format!(
                        "scholia.claims.{name} is not a setting (enabled, uncitedSeverity, \
                         unsupportedSeverity, contradictingSeverity, uncitedThreshold, \
                         supportThreshold, contradictThreshold); ignored"
                    ));
                    continue;
                }
            };
            if applied.is_none() {
                errors.push(format!(
                    "scholia.claims.{name} must be {expected}, got {value}; ignored"
                ));
            }
        }
        errors
    }

    fn describe(&self, name: &str) -> String {
        match name {
            "citeCommands" => format!("{:?}", self.cite_commands),
            "defaultBibliography" => format!("{:?}", self.default_bibliography),
            "unusedEntries" => self.unused_entries.to_string(),
            "inlineSummaries" => format!("{:?}", self.inline_summaries).to_lowercase(),
            "executionProvider" => self.models.runtime.execution_provider.as_str().to_owned(),
            "strictProvider" => self.models.runtime.strict_provider.to_string(),
            _ => "the default".into(),
        }
    }
}

fn severity(value: &Value) -> Option<Severity> {
    match value.as_str()? {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        "information" => Some(Severity::Information),
        "hint" => Some(Severity::Hint),
        _ => None,
    }
}

/// `Some(None)` for null (the model's own threshold).
fn probability(value: &Value) -> Option<Option<f32>> {
    match value {
        Value::Null => Some(None),
        other => other.as_f64().filter(|p| (0.0..=1.0).contains(p)).map(|p| Some(p as f32)),
    }
}

fn string_list(value: &Value) -> Result<Vec<String>, &'static str> {
    const EXPECTED: &str = "a list of strings";
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => {
            items.iter().map(|v| v.as_str().map(str::to_owned).ok_or(EXPECTED)).collect()
        }
        _ => Err(EXPECTED),
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn model_settings_apply_and_a_missing_folder_keeps_the_previous_one() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().to_str().unwrap();
        let mut s = Settings::default();
        let errors = s.merge_json(&json!({
            "executionProvider": "cuda",
            "strictProvider": true,
            "models": {"embed": folder, "verify": null, "generate": ""}
        }));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(s.models.runtime.execution_provider, Provider::Cuda);
        assert!(s.models.runtime.strict_provider);
        assert_eq!(s.models.local_models.get(&Role::Embed), Some(&PathBuf::from(folder)));
        assert_eq!(s.models.local_models.len(), 1);

        let missing = dir.path().join("nope");
        let mut errors = s.merge_json(&json!({
            "executionProvider": "tpu",
            "models": {"embed": missing, "verify": "relative/dir", "claim": "/tmp"}
        }));
        errors.sort();
        assert_eq!(
            errors,
            [
                "scholia.executionProvider must be one of \"auto\", \"cpu\", \"cuda\", \"directml\", got \"tpu\"; using cuda".to_owned(),
                "scholia.models.claim is not a model role (embed, verify, generate); ignored".to_owned(),
                format!("scholia.models.embed names a folder that does not exist: {}; using {folder}", missing.display()),
                "scholia.models.verify must be an absolute folder path (`~/` allowed), got \"relative/dir\"; using the default model".to_owned(),
            ]
        );
        assert_eq!(s.models.local_models.get(&Role::Embed), Some(&PathBuf::from(folder)));
        assert_eq!(s.models.runtime.execution_provider, Provider::Cuda);
    }

    #[test]
    fn good_values_apply_and_bad_ones_are_reported_and_ignored() {
        let mut s = Settings::default();
        let errors = s.merge_json(&json!({"scholia": {
            "citeCommands": ["\\citenum", "footfullcite"],
            "unusedEntries": "yes",
            "defaultBibliography": "refs.bib",
            "executionProvider": "cpu"
        }}));
        assert_eq!(s.cite_commands, ["citenum", "footfullcite"]);
        assert_eq!(s.default_bibliography, [PathBuf::from("refs.bib")]);
        assert!(s.unused_entries);
        assert_eq!(errors, ["scholia.unusedEntries must be a boolean, got \"yes\"; using true"]);
        assert_eq!(s.merge_json(&json!(3)).len(), 1);
        assert!(s.merge_toml("unusedEntries = false\nroot = \"ms.tex\"").is_empty());
        assert!(!s.unused_entries);
        assert!(s.merge_toml("not toml [").len() == 1);
    }

    #[test]
    fn claim_keys_apply_one_by_one() {
        let mut s = Settings::default();
        let errors = s.merge_json(&json!({"claims": {
            "uncitedSeverity": "hint",
            "contradictingSeverity": "loud",
            "uncitedThreshold": 0.9,
            "supportThreshold": 1.5,
            "enabled": false
        }}));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(s.claims.severities.uncited, Severity::Hint);
        assert_eq!(s.claims.severities.contradicting, Severity::Warning, "bad value ignored");
        assert_eq!(s.claims.thresholds.uncited, Some(0.9));
        assert_eq!(s.claims.thresholds.support, None);
        assert!(s.claims.disabled);
        assert!(s.merge_json(&json!({"claims": {"uncitedThreshold": null}})).is_empty());
        assert_eq!(s.claims.thresholds.uncited, None);
    }

    #[test]
    fn generator_keys_apply_one_by_one_and_a_pasted_key_is_not_echoed() {
        let mut s = Settings::default();
        let errors = s.merge_json(&json!({"generator": {
            "backend": "remote",
            "baseUrl": "http://127.0.0.1:11434/v1/",
            "model": "llama3",
            "apiKeyEnv": "sk-secret-123",
            "timeoutSeconds": 0,
            "baseURL": "typo"
        }}));
        let g = &s.generator;
        assert_eq!(g.backend, GeneratorBackend::Remote);
        assert_eq!(
            (g.base_url.as_str(), g.model.as_str()),
            ("http://127.0.0.1:11434/v1/", "llama3")
        );
        assert_eq!((g.api_key_env.as_str(), g.timeout_seconds), ("", 60));
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors.iter().all(|e| !e.contains("sk-secret")), "{errors:?}");
        assert!(errors.iter().any(|e| e.starts_with("scholia.generator.timeoutSeconds must be")));
        assert!(errors.iter().any(|e| e.starts_with("scholia.generator.baseURL is not a setting")));
        let errors = s.merge_toml("[generator]\nbackend = \"cloud\"\nbaseUrl = \"ftp://x\"");
        assert_eq!(
            errors,
            [
                "scholia.generator.backend must be one of \"local\", \"remote\", got \"cloud\"; using remote",
                "scholia.generator.baseUrl must be an http:// or https:// URL, got \"ftp://x\"; using \"http://127.0.0.1:11434/v1/\""
            ]
        );
    }
}
