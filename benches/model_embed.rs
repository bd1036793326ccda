//! Embedding throughput on the fetched default model: 128 manuscript-like sentences
//! (benches/compare/model_embed_texts.txt) in batches of 32. Compare with Python
//! onnxruntime on the same graph and texts: `python3 benches/compare/model_embed.py`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scholia::model::{Models, ModelsConfig, Role};

fn embed_throughput(c: &mut Criterion) {
    let models = Models::new(ModelsConfig::default()).expect("data dir");
    if !models.resolve(Role::Embed).is_ok_and(|m| m.is_present()) {
        println!("skipped: the embed model is not fetched (run `scholia models fetch embed`)");
        return;
    }
    let embedder = models.embedder().expect("embedder loads");
    let texts: Vec<&str> = include_str!("compare/model_embed_texts.txt").lines().collect();
    let mut group = c.benchmark_group("model_embed");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.sample_size(20);
    group.bench_function("minilm_128_sentences_batch_32", |b| {
        b.iter(|| embedder.embed(&texts).expect("embed"))
    });
    group.finish();
}

criterion_group!(benches, embed_throughput);
criterion_main!(benches);
