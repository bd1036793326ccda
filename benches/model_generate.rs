//! Generation speed of the fetched SmolLM2-135M: greedy tokens/s with the KV cache
//! and without it (re-reading the sequence every step) over the same 200 tokens, and
//! the peak memory of a process holding the embedder and the generator. A plain
//! timing run (one sample: the no-cache pass alone takes a minute); the last line is
//! JSON for benches/compare/model_generate.py.

use std::time::Instant;

use scholia::model::{GenerateOptions, Models, ModelsConfig, Role};

const PROMPT: &str =
    "<|im_start|>user\nWrite a long, detailed essay on the history of peer review \
in scientific publishing, from the first journals to today.<|im_end|>\n<|im_start|>assistant\n";
const TOKENS: usize = 200;

/// Peak resident set size in MiB (Linux), if known.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let models = Models::new(ModelsConfig::default()).expect("data dir");
    for role in [Role::Embed, Role::Generate] {
        if !models.resolve(role).is_ok_and(|m| m.is_present()) {
            println!("skipped: the {role} model is not fetched (run `scholia models fetch`)");
            return;
        }
    }
    let embedder = models.embedder().expect("embedder");
    let texts: Vec<&str> = include_str!("compare/model_embed_texts.txt").lines().collect();
    embedder.embed(&texts).expect("embed");
    let generator = models.generator().expect("generator");

    let rate = |use_cache: bool| {
        let options = GenerateOptions { max_new_tokens: TOKENS, use_cache, ..Default::default() };
        let start = Instant::now();
        let out = generator.generate(PROMPT, &options, &mut |_| {}, &|| false).expect("generate");
        let seconds = start.elapsed().as_secs_f64();
        (out.tokens.len(), out.tokens.len() as f64 / seconds)
    };
    rate(true); // warm-up
    let (tokens, cached) = rate(true);
    println!("greedy with KV cache:    {tokens} tokens, {cached:.1} tokens/s");
    let (uncached_tokens, uncached) = rate(false);
    assert_eq!(tokens, uncached_tokens, "same tokens either way");
    println!("greedy without KV cache: {tokens} tokens, {uncached:.1} tokens/s");
    println!("cache speed-up:          {:.1}x", cached / uncached);
    let rss = peak_rss_mib().unwrap_or(f64::NAN);
    println!("peak RSS (embedder + generator): {rss:.0} MiB");
    println!(
        "{{\"tokens\": {tokens}, \"cached_tps\": {cached:.2}, \"uncached_tps\": {uncached:.2}, \"peak_rss_mib\": {rss:.0}}}"
    );
}
