#![no_main]
//! BibTeX: never panics; key spans hold the keys; lookups find every loaded entry.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, &str)| {
    let (text, macros) = input;
    let bib = scholia::bib::parse_bibtex(text, &[macros]);
    for entry in &bib.entries {
        assert!(entry.key_span.end <= text.len() && entry.span.end <= text.len());
        assert!(bib.lookup(&entry.key).is_some());
    }
    for d in &bib.diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end <= text.len(), "{d:?}");
    }
});
