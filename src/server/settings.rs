//! The `scholia` settings section: read from `initializationOptions`,
//! `workspace/configuration` and `scholia.toml`; a wrong value is reported and ignored.

use std::path::PathBuf;

use serde_json::Value;

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
        }
    }
}

impl Settings {
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

    fn describe(&self, name: &str) -> String {
        match name {
            "citeCommands" => format!("{:?}", self.cite_commands),
            "defaultBibliography" => format!("{:?}", self.default_bibliography),
            "unusedEntries" => self.unused_entries.to_string(),
            "inlineSummaries" => format!("{:?}", self.inline_summaries).to_lowercase(),
            _ => "the default".into(),
        }
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
}
