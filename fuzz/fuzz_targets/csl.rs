#![no_main]
//! CSL-JSON and CSL-YAML: never panic; spans stay inside the text.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for bib in [scholia::bib::parse_csl_json(text), scholia::bib::parse_csl_yaml(text)] {
        for entry in &bib.entries {
            assert!(entry.span.end <= text.len() && entry.key_span.end <= text.len());
        }
        for d in &bib.diagnostics {
            assert!(d.span.end <= text.len(), "{d:?}");
        }
    }
});
