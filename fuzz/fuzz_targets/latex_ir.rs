#![no_main]
//! LaTeX text -> IR: never panics, and every span lies on char boundaries inside the text.

use libfuzzer_sys::fuzz_target;
use scholia::syntax::{parse, Language, ParseOptions};

fuzz_target!(|text: &str| {
    let ir = parse(Language::Latex, text, &ParseOptions { extra_cite_commands: vec!["citenum".into()] });
    scholia_fuzz_checks::spans_inside(&ir, text);
});

#[path = "../src/checks.rs"]
mod scholia_fuzz_checks;
