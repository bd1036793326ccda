//! The embedder against Python onnxruntime's vectors (tests/golden/embed_golden.py),
//! and the faults a broken model folder produces. Needs the fetched runtime and embed
//! model; skips (printing why) without them.

mod model_support;

use std::path::PathBuf;

use scholia::model::{Embedder, ModelError, Models, ModelsConfig, Role};

#[derive(serde::Deserialize)]
struct Golden {
    texts: Vec<String>,
    vectors: Vec<Vec<f32>>,
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

#[test]
fn embedder_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Embedder>();
    assert_send_sync::<Models>();
}

#[test]
fn embeddings_match_python_onnxruntime() {
    let Some(models) = model_support::fetched_models(Role::Embed) else {
        return;
    };
    let golden: Golden = serde_json::from_str(include_str!("golden/embed_minilm.json")).unwrap();
    let embedder = models.embedder().unwrap();
    // Three interleaved copies: more than one batch, mixed lengths, shuffled order.
    let n = golden.texts.len();
    let order: Vec<usize> = (0..3 * n).map(|i| (i * 7) % n).collect();
    let texts: Vec<&str> = order.iter().map(|&i| golden.texts[i].as_str()).collect();
    let vectors = embedder.embed(&texts).unwrap();
    assert_eq!(vectors.len(), texts.len());
    for (&i, v) in order.iter().zip(&vectors) {
        let c = cosine(v, &golden.vectors[i]);
        assert!(c >= 0.999, "text {i} {:?}: cosine {c}", golden.texts[i]);
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
    }
    assert!(embedder.embed(&[]).unwrap().is_empty());
}

/// A local embed folder holding the fetched tokenizer and `onnx` as model.onnx.
fn local_models(fetched: &Models, onnx: &[u8]) -> (tempfile::TempDir, Models) {
    let dir = tempfile::tempdir().unwrap();
    let tokenizer =
        fetched.resolve(Role::Embed).unwrap().file("tokenizer.json").unwrap().to_owned();
    std::fs::copy(tokenizer, dir.path().join("tokenizer.json")).unwrap();
    std::fs::write(dir.path().join("model.onnx"), onnx).unwrap();
    let mut config = ModelsConfig::default();
    config.local_models.insert(Role::Embed, dir.path().to_owned());
    let models =
        Models::with_manifest(fetched.manifest().clone(), fetched.data_dir().to_owned(), config);
    (dir, models)
}

fn fetched_onnx(models: &Models) -> PathBuf {
    models.resolve(Role::Embed).unwrap().file("model.onnx").unwrap().to_owned()
}

fn unavailable_cause(models: &Models) -> ModelError {
    match models.embedder() {
        Err(ModelError::Unavailable { role: Role::Embed, source }) => *source,
        Err(other) => panic!("expected Unavailable, got {other:?}"),
        Ok(_) => panic!("a broken model must not load"),
    }
}

#[test]
fn truncated_onnx_is_a_clear_error() {
    let Some(fetched) = model_support::fetched_models(Role::Embed) else {
        return;
    };
    let bytes = std::fs::read(fetched_onnx(&fetched)).unwrap();
    let (dir, models) = local_models(&fetched, &bytes[..bytes.len() / 3]);
    let err = unavailable_cause(&models);
    assert!(matches!(err, ModelError::Session { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&dir.path().join("model.onnx").display().to_string()),
        "{err}"
    );
}

#[test]
fn unexpected_input_names_are_a_clear_error() {
    let Some(fetched) = model_support::fetched_models(Role::Embed) else {
        return;
    };
    let (_dir, models) = local_models(&fetched, include_bytes!("golden/wrong_inputs.onnx"));
    let err = unavailable_cause(&models);
    assert!(matches!(err, ModelError::UnexpectedInputs { .. }), "{err:?}");
    assert!(err.to_string().contains("pixel_values"), "{err}");
}

#[test]
fn missing_model_file_names_the_file_and_the_fix() {
    let Some(fetched) = model_support::fetched_models(Role::Embed) else {
        return;
    };
    let (dir, models) = local_models(&fetched, b"");
    std::fs::remove_file(dir.path().join("model.onnx")).unwrap();
    let err = models.embedder().err().expect("missing file must fail");
    let text = err.to_string();
    assert!(text.starts_with("the embed model is not available because"), "{text}");
    assert!(text.contains(&dir.path().join("model.onnx").display().to_string()), "{text}");
}

#[test]
fn unavailable_provider_falls_back_to_cpu_unless_strict() {
    let Some(fetched) = model_support::fetched_models(Role::Embed) else {
        return;
    };
    let with = |strict_provider| {
        let config = ModelsConfig {
            runtime: scholia::model::RuntimeConfig {
                execution_provider: scholia::model::Provider::DirectMl,
                strict_provider,
            },
            ..Default::default()
        };
        Models::with_manifest(fetched.manifest().clone(), fetched.data_dir().to_owned(), config)
    };
    // No DirectML on the test machines (and none in a build without the feature).
    let models = with(false);
    assert!(models.embedder().is_ok());
    let warnings = models.take_warnings();
    assert!(warnings.iter().any(|w| w.contains("directml") && w.contains("CPU")), "{warnings:?}");
    let err = with(true).embedder().err().expect("strict must fail");
    assert!(err.to_string().contains("directml"), "{err}");
}
