//! The claim check of a batch of sentences: uncited claims by the claim detector, cited
//! claims judged against the cited abstracts by the verify model, and for a flagged
//! claim the bibliography entries that would support it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::detect::{self, ClaimDetector};
use super::evidence::{self, cosine};
use super::verify::{Label, Probabilities, Verifier};
use crate::analysis::summary::split_abstract;
use crate::analysis::summary::text::clean_latex;
use crate::model::{Embedder, ModelError, Models};

/// Suggestions offered for one flagged claim.
const SUGGESTIONS: usize = 3;
/// Entries retrieved by embedding before the verify model re-ranks them.
const RETRIEVED: usize = 8;
/// Below this cosine an entry is about something else, whatever the verify model says.
const MIN_RELEVANCE: f32 = 0.25;
/// Embedding memory bound: cleared when exceeded (vectors are cheap to recompute).
const MAX_VECTORS: usize = 50_000;

/// One sentence to check, owned so it can travel to a worker.
#[derive(Clone, Debug, PartialEq)]
pub struct SentenceInput {
    /// The IR's prose (placeholders in place of markup).
    pub prose: String,
    /// The sentence cites something (even entries without an abstract).
    pub has_citation: bool,
    /// In the abstract, which carries no citations by convention: never an uncited claim.
    pub in_abstract: bool,
    /// Cited entries with an abstract; the others are never judged.
    pub cited: Vec<CitedAbstract>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CitedAbstract {
    pub key: String,
    pub abstract_text: String,
}

/// Bibliography entries a suggestion may come from, and a fingerprint of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pool {
    pub candidates: Vec<Candidate>,
    pub fingerprint: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub key: String,
    pub title: String,
    pub abstract_text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Verdict {
    Fine,
    /// A claim that needs a citation and has none.
    Uncited {
        probability: f32,
        suggestions: Vec<Suggestion>,
    },
    /// Cited, but no cited abstract supports it.
    Unsupported {
        judged: Vec<Judgement>,
        suggestions: Vec<Suggestion>,
    },
    /// A cited abstract contradicts it.
    Contradicted {
        judged: Vec<Judgement>,
    },
}

/// What one cited abstract says about the claim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    pub key: String,
    pub label: Label,
    pub probabilities: Probabilities,
    /// The abstract sentences the model read, closest to the claim first.
    pub evidence: Vec<String>,
}

impl Judgement {
    /// The sentence a diagnostic's message quotes: the closest to the claim.
    pub fn quote(&self) -> &str {
        self.evidence.first().map_or("", String::as_str)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub key: String,
    pub title: String,
    /// The verify model's SUPPORT probability (embedding cosine without a verify model).
    pub score: f32,
}

/// User overrides of the shipped thresholds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Thresholds {
    pub uncited: Option<f32>,
    pub support: Option<f32>,
    pub contradict: Option<f32>,
}

/// Detector plus (when its model is present) verifier; `Send + Sync`.
pub struct Checker {
    embedder: Arc<Embedder>,
    detector: ClaimDetector,
    verifier: Option<Verifier>,
    uncited_threshold: f32,
    vectors: Mutex<HashMap<String, Arc<Vec<f32>>>>,
}

impl Checker {
    /// The embedder and detector are required; a missing verify model only turns the
    /// cited-claim checks off, which the returned warning says.
    pub fn new(models: &Models, thresholds: Thresholds) -> Result<(Self, Vec<String>), ModelError> {
        let embedder = models.embedder()?;
        let detector = ClaimDetector::new(models)?;
        let mut warnings = Vec::new();
        let verifier = match Verifier::new(models) {
            Ok(mut v) => {
                v.set_thresholds(thresholds.support, thresholds.contradict);
                Some(v)
            }
            Err(e) => {
                warnings.push(format!("cited claims are not checked: {e}"));
                None
            }
        };
        let uncited_threshold = thresholds.uncited.unwrap_or(detector.threshold());
        let checker =
            Self { embedder, detector, verifier, uncited_threshold, vectors: Mutex::default() };
        Ok((checker, warnings))
    }

    pub fn verifies(&self) -> bool {
        self.verifier.is_some()
    }

    /// One verdict per input, in order.
    pub fn check(
        &self,
        inputs: &[&SentenceInput],
        pool: &Pool,
    ) -> Result<Vec<Verdict>, ModelError> {
        let claims: Vec<String> = inputs.iter().map(|i| detect::clean(&i.prose)).collect();
        let eligible: Vec<usize> =
            (0..inputs.len()).filter(|&i| detect::eligible(&inputs[i].prose)).collect();
        // The detector cleans the prose itself, to the same text as `claims`, so the claims
        // embedded for it are found again in `vectors` for evidence retrieval.
        let texts: Vec<&str> = eligible.iter().map(|&i| inputs[i].prose.as_str()).collect();
        let mut need = vec![0.0; inputs.len()];
        let embed = |texts: &[&str]| -> Result<Vec<Vec<f32>>, ModelError> {
            Ok(self.vectors(texts)?.iter().map(|v| v.to_vec()).collect())
        };
        for (&i, p) in eligible.iter().zip(self.detector.needs_citation_with(&texts, embed)?) {
            need[i] = p;
        }
        // The cited abstracts, split once. Their sentences and the claims that cite them are
        // embedded in one call, so the embedder fills whole length-sorted batches instead of
        // one small batch per abstract.
        let abstracts: Vec<Vec<(String, Vec<String>)>> =
            inputs.iter().map(|input| self.cited_abstracts(input)).collect();
        let mut texts: Vec<&str> =
            abstracts.iter().flatten().flat_map(|(_, s)| s.iter().map(String::as_str)).collect();
        texts.extend((0..inputs.len()).filter(|&i| !abstracts[i].is_empty()).map(|i| &*claims[i]));
        if !texts.is_empty() {
            self.vectors(&texts)?;
        }
        let mut verdicts = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            let is_claim = need[i] >= self.uncited_threshold;
            let verdict = match (&self.verifier, input.has_citation) {
                (_, false) if is_claim && !input.in_abstract => Verdict::Uncited {
                    probability: need[i],
                    suggestions: self.suggest(&claims[i], &[], pool)?,
                },
                (Some(verifier), true) if !abstracts[i].is_empty() => {
                    self.judge(verifier, &claims[i], &abstracts[i], is_claim, pool)?
                }
                _ => Verdict::Fine,
            };
            verdicts.push(verdict);
        }
        Ok(verdicts)
    }

    /// (key, sentences) of each abstract the input cites, when the verify model will read
    /// them.
    fn cited_abstracts(&self, input: &SentenceInput) -> Vec<(String, Vec<String>)> {
        if self.verifier.is_none() || !input.has_citation {
            return Vec::new();
        }
        input.cited.iter().map(|c| (c.key.clone(), abstract_sentences(&c.abstract_text))).collect()
    }

    /// SUPPORT from any cited abstract settles it; otherwise a contradiction is reported,
    /// and "unsupported" only for a sentence the detector takes for a claim.
    fn judge(
        &self,
        verifier: &Verifier,
        claim: &str,
        abstracts: &[(String, Vec<String>)],
        is_claim: bool,
        pool: &Pool,
    ) -> Result<Verdict, ModelError> {
        let judged = self.judge_abstracts(verifier, claim, abstracts)?;
        if judged.is_empty() {
            return Ok(Verdict::Fine);
        }
        if judged.iter().any(|j| j.label == Label::Support) {
            return Ok(Verdict::Fine);
        }
        if judged.iter().any(|j| j.label == Label::Contradict) {
            return Ok(Verdict::Contradicted { judged });
        }
        if !is_claim {
            return Ok(Verdict::Fine);
        }
        let cited: Vec<&str> = abstracts.iter().map(|(key, _)| key.as_str()).collect();
        let suggestions = self.suggest(claim, &cited, pool)?;
        Ok(Verdict::Unsupported { judged, suggestions })
    }

    /// What each abstract (key, sentences) says about the claim; empty abstracts are skipped.
    pub fn judge_abstracts(
        &self,
        verifier: &Verifier,
        claim: &str,
        abstracts: &[(String, Vec<String>)],
    ) -> Result<Vec<Judgement>, ModelError> {
        let claim_vector = self.vectors(&[claim])?.remove(0);
        let top_k = verifier.config().top_k;
        let mut evidence = Vec::new();
        for (key, sentences) in abstracts {
            let refs: Vec<&str> = sentences.iter().map(String::as_str).collect();
            let vectors: Vec<Vec<f32>> = self.vectors(&refs)?.iter().map(|v| v.to_vec()).collect();
            if let Some(e) = evidence::select(&claim_vector, &refs, &vectors, top_k) {
                evidence.push((key.clone(), e));
            }
        }
        if evidence.is_empty() {
            return Ok(Vec::new());
        }
        let pairs: Vec<(&str, &str)> =
            evidence.iter().map(|(_, e)| (e.text.as_str(), claim)).collect();
        Ok(verifier
            .judge(&pairs)?
            .into_iter()
            .zip(evidence)
            .map(|(probabilities, (key, e))| Judgement {
                key,
                label: verifier.config().decide(probabilities),
                probabilities,
                evidence: e.sentences,
            })
            .collect())
    }

    pub fn verifier(&self) -> Option<&Verifier> {
        self.verifier.as_ref()
    }

    /// Entries closest to the claim by embedding, re-ranked by the verify model's SUPPORT
    /// probability; entries already cited are left out.
    pub fn suggest(
        &self,
        claim: &str,
        cited: &[&str],
        pool: &Pool,
    ) -> Result<Vec<Suggestion>, ModelError> {
        let candidates: Vec<&Candidate> =
            pool.candidates.iter().filter(|c| !cited.contains(&c.key.as_str())).collect();
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let texts: Vec<String> = candidates.iter().map(|c| candidate_text(c)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let vectors = self.vectors(&refs)?;
        let claim_vector = self.vectors(&[claim])?.remove(0);
        let mut ranked: Vec<(usize, f32)> =
            vectors.iter().map(|v| cosine(&claim_vector, v)).enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.retain(|&(_, similarity)| similarity >= MIN_RELEVANCE);
        ranked.truncate(RETRIEVED);
        let mut scored: Vec<(usize, f32)> = match &self.verifier {
            Some(verifier) => {
                // Keyed by candidate index, read back from each judgement.
                let abstracts: Vec<(String, Vec<String>)> = ranked
                    .iter()
                    .map(|&(i, _)| {
                        let c = candidates[i];
                        let sentences = c.abstract_text.as_deref().map(abstract_sentences);
                        let sentences = sentences.filter(|s| !s.is_empty());
                        (i.to_string(), sentences.unwrap_or_else(|| vec![c.title.clone()]))
                    })
                    .collect();
                let judged = self.judge_abstracts(verifier, claim, &abstracts)?;
                judged
                    .iter()
                    .filter_map(|j| Some((j.key.parse().ok()?, j.probabilities.support)))
                    .collect()
            }
            None => ranked,
        };
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(scored
            .into_iter()
            .take(SUGGESTIONS)
            .map(|(i, score)| Suggestion {
                key: candidates[i].key.clone(),
                title: candidates[i].title.clone(),
                score,
            })
            .collect())
    }

    /// Embeddings, computed once per distinct text.
    fn vectors(&self, texts: &[&str]) -> Result<Vec<Arc<Vec<f32>>>, ModelError> {
        let missing: Vec<&str> = {
            let mut known = self.vectors.lock().unwrap_or_else(|p| p.into_inner());
            if known.len() > MAX_VECTORS {
                known.clear();
            }
            let mut missing: Vec<&str> =
                texts.iter().copied().filter(|t| !known.contains_key(*t)).collect();
            missing.sort_unstable();
            missing.dedup();
            missing
        };
        let computed =
            if missing.is_empty() { Vec::new() } else { self.embedder.embed(&missing)? };
        let mut known = self.vectors.lock().unwrap_or_else(|p| p.into_inner());
        for (text, vector) in missing.iter().zip(computed) {
            known.insert((*text).to_owned(), Arc::new(vector));
        }
        texts
            .iter()
            .map(|t| {
                known.get(*t).cloned().ok_or_else(|| {
                    ModelError::Inference("an embedding went missing from the cache".into())
                })
            })
            .collect()
    }
}

/// An abstract's sentences, LaTeX cleaned, as the verify model reads them.
pub fn abstract_sentences(abstract_text: &str) -> Vec<String> {
    split_abstract(abstract_text)
        .into_iter()
        .map(clean_latex)
        .filter(|s| !s.trim().is_empty())
        .collect()
}

fn candidate_text(candidate: &Candidate) -> String {
    match &candidate.abstract_text {
        Some(a) => format!("{}. {}", candidate.title, clean_latex(a)),
        None => candidate.title.clone(),
    }
}
