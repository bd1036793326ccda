//! The pair classifier on a tiny cross-encoder (tests/golden/make_fixtures.py)
//! against Python onnxruntime's probabilities. Needs the fetched runtime library.

mod model_support;

use std::path::PathBuf;

use scholia::model::{ModelsConfig, Role};

#[derive(serde::Deserialize)]
struct Expected {
    pairs: Vec<(String, String)>,
    probabilities: Vec<Vec<f32>>,
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tiny_cross_encoder")
}

#[test]
fn classifier_matches_python_onnxruntime() {
    let mut config = ModelsConfig::default();
    config.local_models.insert(Role::Verify, fixture());
    let Some(models) = model_support::fetched_runtime(config) else {
        return;
    };
    let classifier = models.verifier().unwrap();
    assert_eq!(classifier.labels(), ["contradiction", "entailment", "neutral"]);

    let expected: Expected =
        serde_json::from_str(include_str!("golden/tiny_cross_encoder/expected.json")).unwrap();
    // All pairs in one padded batch, in reverse order, checks padding and reordering.
    let pairs: Vec<(&str, &str)> =
        expected.pairs.iter().rev().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let got = classifier.classify(&pairs).unwrap();
    for (got, want) in got.iter().zip(expected.probabilities.iter().rev()) {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-5, "got {got:?}, want {want:?}");
        }
    }
}
