//! Latency of one hover TL;DR: a 257-word, 11-sentence abstract (golden paper SkgQwpVYwH
//! of tests/golden/tldr_head.json) through `Summarizer::tldr`: sentence splitting, one
//! embed call for the sentences and the title, the head, the text rules. Needs the fetched
//! runtime and embed model; prints a note and does nothing without them.

use criterion::{criterion_group, criterion_main, Criterion};
use scholia::analysis::summary::Summarizer;
use scholia::model::{Models, ModelsConfig, Role};

fn abstract_of(paper_id: &str) -> (String, String) {
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("../tests/golden/tldr_head.json")).expect("golden");
    let paper = golden["papers"]
        .as_array()
        .expect("papers")
        .iter()
        .find(|p| p["paper_id"] == paper_id)
        .expect("paper");
    let sentences: Vec<&str> = paper["sentences"]
        .as_array()
        .expect("sentences")
        .iter()
        .map(|s| s["text"].as_str().expect("text"))
        .collect();
    (paper["title"].as_str().expect("title").to_owned(), sentences.join(" "))
}

fn tldr_latency(c: &mut Criterion) {
    let models = Models::new(ModelsConfig::default()).expect("data dir");
    if !models.library_path().is_ok_and(|p| p.is_file())
        || !models.resolve(Role::Embed).is_ok_and(|m| m.is_present())
    {
        println!("skipped: the runtime or embed model is not fetched (run `scholia models fetch`)");
        return;
    }
    let summarizer = Summarizer::new(&models).expect("summarizer loads");
    let (title, abstract_text) = abstract_of("SkgQwpVYwH");
    assert!(abstract_text.split_whitespace().count() >= 250);
    let mut group = c.benchmark_group("tldr");
    group.sample_size(20);
    group.bench_function("abstract_257_words", |b| {
        b.iter(|| summarizer.tldr(Some(&title), &abstract_text).expect("tldr").expect("a sentence"))
    });
    group.finish();
}

criterion_group!(benches, tldr_latency);
criterion_main!(benches);
