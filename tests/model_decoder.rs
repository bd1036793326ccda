//! The decoder-only generator on SmolLM2-135M as `scholia models fetch` converts it
//! from the GGUF: greedy tokens match a Python onnxruntime loop over the same graph
//! and, but for a late near-tie the 8-bit output layer flips, a numpy forward pass
//! of the GGUF weights (tests/golden/smollm2_golden.py, which also bounds the logit
//! difference); the KV cache changes nothing but speed.
//! Skips (printing why) when the model is not fetched.

mod model_support;

use std::sync::Arc;

use scholia::model::{ChatMessage, GenerateOptions, Generator, Role, StopReason, Strategy};

#[derive(serde::Deserialize)]
struct Golden {
    prompt: String,
    prompt_ids: Vec<u32>,
    greedy_numpy: Vec<u32>,
    greedy_onnx: Vec<u32>,
}

fn generator() -> Option<Arc<Generator>> {
    let models = model_support::fetched_models(Role::Generate)?;
    Some(models.generator().unwrap())
}

fn golden() -> Golden {
    serde_json::from_str(include_str!("golden/smollm2_greedy.json")).unwrap()
}

fn run(
    generator: &Generator,
    prompt: &str,
    options: &GenerateOptions,
) -> scholia::model::Generated {
    generator.generate(prompt, options, &mut |_| {}, &|| false).unwrap()
}

#[test]
fn greedy_matches_python_onnxruntime_and_the_gguf_reference() {
    let Some(generator) = generator() else { return };
    let golden = golden();
    assert_eq!(golden.prompt_ids.len(), 19, "fixture prompt");
    let options =
        GenerateOptions { max_new_tokens: golden.greedy_onnx.len(), ..Default::default() };
    let out = run(&generator, &golden.prompt, &options);
    assert_eq!(out.tokens, golden.greedy_onnx);
    let agree = out.tokens.iter().zip(&golden.greedy_numpy).take_while(|(a, b)| a == b).count();
    assert!(agree >= 12, "only {agree} tokens agree with the numpy reference");
}

#[test]
fn kv_cache_gives_the_same_tokens_as_recomputing() {
    let Some(generator) = generator() else { return };
    let prompt = golden().prompt;
    for strategy in [
        Strategy::Greedy,
        Strategy::Beam { width: 3, length_penalty: 1.0 },
        Strategy::Sample { temperature: 0.8, top_k: 40, top_p: 0.9, seed: 5 },
    ] {
        let cached = GenerateOptions {
            max_new_tokens: 12,
            strategy,
            repetition_penalty: 1.1,
            ..Default::default()
        };
        let uncached = GenerateOptions { use_cache: false, ..cached.clone() };
        assert_eq!(
            run(&generator, &prompt, &cached).tokens,
            run(&generator, &prompt, &uncached).tokens,
            "{strategy:?}"
        );
    }
}

#[test]
fn chat_template_streaming_and_stop_strings() {
    let Some(generator) = generator() else { return };
    let messages = [ChatMessage::new("user", "Name one benefit of citing sources in a paper.")];
    let options = GenerateOptions { max_new_tokens: 16, ..Default::default() };
    let mut streamed = String::new();
    let out =
        generator.chat(&messages, &options, &mut |t| streamed.push_str(t), &|| false).unwrap();
    // The built-in template adds SmolLM's default system turn, so this differs from
    // the golden prompt, but it must still be a fluent answer.
    assert!(!out.text.trim().is_empty());
    assert_eq!(streamed, out.text);

    let golden = golden();
    let full = run(&generator, &golden.prompt, &options).text;
    let cut_at = full.find(" in").expect("reference answer has ' in'");
    let options = GenerateOptions { stop_strings: vec![" in".into()], ..options };
    let out = run(&generator, &golden.prompt, &options);
    assert_eq!((out.text.as_str(), out.stop), (&full[..cut_at], StopReason::StopString));
}
