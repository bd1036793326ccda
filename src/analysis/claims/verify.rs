//! The `verify` role: a cross-encoder judging (evidence, claim) as SUPPORT, CONTRADICT or
//! NOT ENOUGH INFO, with the decision thresholds shipped beside the model.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{Classifier, ModelError, Models, Role};

/// File in the verify model's folder holding the evidence protocol and thresholds.
pub const CONFIG_FILE: &str = "scholia-verify.json";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Label {
    Support,
    Contradict,
    NotEnoughInfo,
}

/// How evidence is built and how probabilities become a label, as chosen on dev data.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct VerifyConfig {
    /// Abstract sentences retrieved per claim.
    pub top_k: usize,
    pub contradict_threshold: f32,
    pub support_threshold: f32,
    /// The model's label names, in output order.
    pub labels: Vec<String>,
}

impl VerifyConfig {
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let text = std::fs::read_to_string(path).map_err(ModelError::io(path))?;
        serde_json::from_str(&text)
            .map_err(|e| ModelError::Manifest(format!("{}: {e}", path.display())))
    }

    /// CONTRADICT above its threshold wins (a contradiction matters most), then SUPPORT.
    pub fn decide(&self, p: Probabilities) -> Label {
        if p.contradict >= self.contradict_threshold {
            Label::Contradict
        } else if p.support >= self.support_threshold {
            Label::Support
        } else {
            Label::NotEnoughInfo
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Probabilities {
    pub support: f32,
    pub contradict: f32,
    pub not_enough_info: f32,
}

/// The loaded verify model; `Send + Sync`.
pub struct Verifier {
    classifier: Arc<Classifier>,
    config: VerifyConfig,
    /// Positions of SUPPORT, CONTRADICT and NEI in the classifier's output.
    order: [usize; 3],
}

impl Verifier {
    pub fn new(models: &Models) -> Result<Self, ModelError> {
        let classifier = models.verifier()?;
        let config = VerifyConfig::load(models.resolve(Role::Verify)?.file(CONFIG_FILE)?)?;
        Self::from_parts(classifier, config)
    }

    fn from_parts(classifier: Arc<Classifier>, config: VerifyConfig) -> Result<Self, ModelError> {
        let position = |names: &[&str]| {
            classifier.labels().iter().position(|l| names.contains(&l.to_uppercase().as_str()))
        };
        let found = [
            position(&["SUPPORT", "SUPPORTS", "ENTAILMENT"]),
            position(&["CONTRADICT", "REFUTE", "REFUTES", "CONTRADICTION"]),
            position(&["NEI", "NOT ENOUGH INFO", "NOT_ENOUGH_INFO", "NEUTRAL"]),
        ];
        let [Some(s), Some(c), Some(n)] = found else {
            return Err(ModelError::Manifest(format!(
                "the verify model's labels {:?} must name SUPPORT, CONTRADICT and NEI",
                classifier.labels()
            )));
        };
        Ok(Self { classifier, config, order: [s, c, n] })
    }

    pub fn config(&self) -> &VerifyConfig {
        &self.config
    }

    /// Thresholds from the user's settings replace the shipped ones.
    pub fn set_thresholds(&mut self, support: Option<f32>, contradict: Option<f32>) {
        self.config.support_threshold = support.unwrap_or(self.config.support_threshold);
        self.config.contradict_threshold = contradict.unwrap_or(self.config.contradict_threshold);
    }

    /// Probabilities per (evidence, claim) pair. One run per pair: the int8 model scales
    /// activations per batch, so padding a pair with others would move its probabilities
    /// (by up to 0.12 on SciFact dev) and a verdict would depend on what else is cited.
    pub fn judge(&self, pairs: &[(&str, &str)]) -> Result<Vec<Probabilities>, ModelError> {
        let [s, c, n] = self.order;
        let mut judged = Vec::with_capacity(pairs.len());
        for pair in pairs {
            for p in self.classifier.classify(std::slice::from_ref(pair))? {
                judged.push(Probabilities {
                    support: p[s],
                    contradict: p[c],
                    not_enough_info: p[n],
                });
            }
        }
        Ok(judged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> VerifyConfig {
        serde_json::from_str(
            r#"{"top_k":3,"max_length":256,"contradict_threshold":0.6,"support_threshold":0.5,
                "labels":["SUPPORT","CONTRADICT","NEI"]}"#,
        )
        .unwrap()
    }

    fn p(support: f32, contradict: f32) -> Probabilities {
        Probabilities { support, contradict, not_enough_info: 1.0 - support - contradict }
    }

    #[test]
    fn contradiction_wins_only_above_its_threshold() {
        let c = config();
        assert_eq!(c.decide(p(0.35, 0.65)), Label::Contradict);
        assert_eq!(c.decide(p(0.45, 0.55)), Label::NotEnoughInfo);
        assert_eq!(c.decide(p(0.5, 0.1)), Label::Support);
        assert_eq!(c.decide(p(0.2, 0.2)), Label::NotEnoughInfo);
    }
}
