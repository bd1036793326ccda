//! The shipped `verify` model (models/verify/, trained by models/train/verify.py) against
//! Python onnxruntime's probabilities on SciFact test pairs (tests/golden/verify.json), and
//! the decision its `scholia-verify.json` thresholds give. Needs the fetched runtime and
//! verify model; skips (printing why) without them.

mod model_support;

use scholia::model::Role;

#[derive(serde::Deserialize, PartialEq, Debug)]
struct Decision {
    top_k: usize,
    max_length: usize,
    contradict_threshold: f32,
    support_threshold: f32,
    labels: Vec<String>,
}

#[derive(serde::Deserialize)]
struct GoldenPair {
    evidence: String,
    claim: String,
    tokens: usize,
    probabilities: Vec<f32>,
    label: String,
}

#[derive(serde::Deserialize)]
struct Golden {
    labels: Vec<String>,
    decision: Decision,
    pairs: Vec<GoldenPair>,
}

/// The documented rule: CONTRADICT if p(C) >= t_c, else SUPPORT if p(S) >= t_s, else NEI.
fn decide(p: &[f32], d: &Decision) -> &'static str {
    if p[1] >= d.contradict_threshold {
        "CONTRADICT"
    } else if p[0] >= d.support_threshold {
        "SUPPORT"
    } else {
        "NEI"
    }
}

#[test]
fn verify_model_matches_python_onnxruntime() {
    let Some(models) = model_support::fetched_models(Role::Verify) else {
        return;
    };
    let golden: Golden = serde_json::from_str(include_str!("golden/verify.json")).unwrap();
    let resolved = models.resolve(Role::Verify).unwrap();
    let text = std::fs::read_to_string(resolved.file("scholia-verify.json").unwrap()).unwrap();
    let decision: Decision = serde_json::from_str(&text).unwrap();
    assert_eq!(decision, golden.decision, "the fetched scholia-verify.json is the golden one");
    assert_eq!(resolved.max_length, Some(decision.max_length));

    let classifier = models.verifier().unwrap();
    assert_eq!(classifier.labels(), golden.labels);
    assert_eq!(classifier.labels(), ["SUPPORT", "CONTRADICT", "NEI"]);

    // The golden probabilities come from one pair per run: dynamic int8 quantisation scales
    // activations per batch, so in a padded batch a pair's probabilities move with its batch
    // mates (by up to 0.06 on these pairs), and the pipeline classifies one pair per run.
    for want in &golden.pairs {
        let got =
            &classifier.classify(&[(want.evidence.as_str(), want.claim.as_str())]).unwrap()[0];
        for (g, w) in got.iter().zip(&want.probabilities) {
            assert!(
                (g - w).abs() <= 1e-3,
                "{:?}: got {got:?}, want {:?}",
                want.claim,
                want.probabilities
            );
        }
        assert_eq!(decide(got, &decision), want.label, "{:?}: {got:?}", want.claim);
    }
    assert!(
        golden.pairs.iter().any(|p| p.tokens == decision.max_length),
        "one golden pair is truncated"
    );
}
