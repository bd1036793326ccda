//! The encoder-decoder generator on the titler fixture against a Python onnxruntime
//! loop (tests/golden/encdec_golden.py): greedy and beam search give the same
//! tokens; streaming, stop strings, limits and cancellation behave. Needs
//! `scholia models fetch --fixtures`; skips (printing why) without it.

mod model_support;

use std::sync::Arc;

use scholia::model::{GenerateOptions, Generator, Models, ModelsConfig, StopReason, Strategy};

#[derive(serde::Deserialize)]
struct Golden {
    max_new_tokens: usize,
    beam_width: usize,
    length_penalty: f32,
    cases: Vec<Case>,
}

#[derive(serde::Deserialize)]
struct Case {
    text: String,
    greedy: Vec<u32>,
    greedy_text: String,
    beam: Vec<u32>,
}

fn titler() -> Option<(Models, Arc<Generator>)> {
    let models = model_support::fetched_runtime(ModelsConfig::default())?;
    let model = models.resolve_fixture("titler").unwrap();
    if !model.is_present() {
        println!(
            "skipped: the titler fixture is not fetched (run `scholia models fetch --fixtures`)"
        );
        return None;
    }
    let runtime = models.runtime().unwrap();
    let (generator, _) = Generator::load(&runtime, &model, &models.config().runtime).unwrap();
    Some((models, Arc::new(generator)))
}

fn golden() -> Golden {
    serde_json::from_str(include_str!("golden/encdec_titler.json")).unwrap()
}

#[test]
fn greedy_and_beam_match_python_onnxruntime() {
    let Some((_models, generator)) = titler() else {
        return;
    };
    let golden = golden();
    for case in &golden.cases {
        let greedy =
            GenerateOptions { max_new_tokens: golden.max_new_tokens, ..Default::default() };
        let mut streamed = String::new();
        let out = generator
            .generate(&case.text, &greedy, &mut |t| streamed.push_str(t), &|| false)
            .unwrap();
        assert_eq!(out.tokens, case.greedy, "greedy for {:?}", case.text);
        assert_eq!(out.text, case.greedy_text);
        assert_eq!(streamed, out.text, "streamed pieces add up to the text");
        assert_eq!(out.stop, StopReason::EndOfSequence);

        let beam = GenerateOptions {
            strategy: Strategy::Beam {
                width: golden.beam_width,
                length_penalty: golden.length_penalty,
            },
            ..greedy
        };
        let out = generator.generate(&case.text, &beam, &mut |_| {}, &|| false).unwrap();
        assert_eq!(out.tokens, case.beam, "beam for {:?}", case.text);
    }
}

#[test]
fn limits_stop_strings_and_cancellation() {
    let Some((_models, generator)) = titler() else {
        return;
    };
    let case = &golden().cases[0];
    let run = |options: GenerateOptions, cancel_after: usize| {
        let steps = std::cell::Cell::new(0);
        let cancelled = || {
            steps.set(steps.get() + 1);
            steps.get() > cancel_after
        };
        generator.generate(&case.text, &options, &mut |_| {}, &cancelled).unwrap()
    };
    let out = run(GenerateOptions { max_new_tokens: 3, ..Default::default() }, usize::MAX);
    assert_eq!((out.tokens.as_slice(), out.stop), (&case.greedy[..3], StopReason::MaxNewTokens));

    let out = run(GenerateOptions::default(), 2);
    assert_eq!((out.tokens.as_slice(), out.stop), (&case.greedy[..2], StopReason::Cancelled));

    // Cut before the second word of the greedy title.
    let second = case.greedy_text.split(' ').nth(1).unwrap().to_owned();
    let options =
        GenerateOptions { stop_strings: vec![format!(" {second}")], ..Default::default() };
    let out = run(options, usize::MAX);
    assert_eq!(out.stop, StopReason::StopString);
    assert_eq!(out.text, case.greedy_text.split(' ').next().unwrap());

    // Sampling is reproducible from its seed.
    let sampled = |seed| {
        let strategy = Strategy::Sample { temperature: 1.0, top_k: 50, top_p: 0.95, seed };
        run(GenerateOptions { strategy, ..Default::default() }, usize::MAX).tokens
    };
    assert_eq!(sampled(11), sampled(11));
}
