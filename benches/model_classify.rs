//! Cross-encoder throughput of the `verify` role as configured (the manifest default
//! or a folder in `SCHOLIA_MODEL_VERIFY`): 128 (evidence, claim) pairs built from
//! benches/compare/model_embed_texts.txt, classified 16 pairs per call. Compare with
//! Python onnxruntime on the same graph and pairs: `benches/compare/model_classify.py`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scholia::model::{Models, ModelsConfig, Role};

/// Pairs per `classify` call (one session run each).
const BATCH: usize = 16;

/// Pair i: sentences i, i+1, i+2 joined as the evidence (the length of the evidence
/// the verifier sees) and sentence i+64 as the claim, indices modulo the count.
/// benches/compare/model_classify.py builds the same pairs.
fn pairs(texts: &[&str]) -> Vec<(String, String)> {
    let n = texts.len();
    (0..n)
        .map(|i| {
            let evidence = (i..i + 3).map(|j| texts[j % n]).collect::<Vec<_>>().join(" ");
            (evidence, texts[(i + n / 2) % n].to_owned())
        })
        .collect()
}

fn classify_throughput(c: &mut Criterion) {
    let models = Models::new(ModelsConfig::default().with_env_overrides()).expect("data dir");
    match models.resolve(Role::Verify) {
        Ok(m) if m.is_present() => {}
        Ok(m) => {
            println!(
                "skipped: the verify model `{}` is not fetched (run `scholia models fetch verify`)",
                m.id
            );
            return;
        }
        Err(e) => {
            println!("skipped: {e} (set SCHOLIA_MODEL_VERIFY to a cross-encoder folder)");
            return;
        }
    }
    let classifier = models.verifier().expect("classifier loads");
    let texts: Vec<&str> = include_str!("compare/model_embed_texts.txt").lines().collect();
    let owned = pairs(&texts);
    let pairs: Vec<(&str, &str)> = owned.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let mut group = c.benchmark_group("model_classify");
    group.throughput(Throughput::Elements(pairs.len() as u64));
    group.sample_size(10);
    group.bench_function("verify_128_pairs_batch_16", |b| {
        b.iter(|| {
            for chunk in pairs.chunks(BATCH) {
                classifier.classify(chunk).expect("classify");
            }
        })
    });
    group.finish();
}

criterion_group!(benches, classify_throughput);
criterion_main!(benches);
