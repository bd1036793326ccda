//! The syntax room on real papers from `../shared/data/` (skipped when absent).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use scholia::syntax::{parse, IncludeKind, Language, Manuscript, ParseOptions, SectionKind};

fn data(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(rel);
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: ../shared/data not found");
        None
    }
}

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

fn distinct_keys<'a>(docs: impl IntoIterator<Item = &'a Manuscript>) -> BTreeSet<String> {
    docs.into_iter().flat_map(|m| m.cited_keys().map(|k| k.key.clone())).collect()
}

/// Structural promises every IR keeps: spans in order and in bounds, sentences inside their
/// paragraph, no sentence across a blank line, key spans covering exactly the key.
fn check_invariants(text: &str, ir: &Manuscript) {
    for (i, p) in ir.paragraphs.iter().enumerate() {
        assert!(p.span.start < p.span.end && p.span.end <= text.len());
        for s in &ir.sentences[p.sentences.clone()] {
            assert_eq!(s.paragraph, i);
            assert!(p.span.start <= s.span.start && s.span.end <= p.span.end);
            assert!(!s.prose.is_empty());
            let body = &text[s.span.clone()];
            let blank_line = body.split('\n').skip(1).collect::<Vec<_>>();
            assert!(
                !blank_line.iter().rev().skip(1).any(|l| l.trim().is_empty()),
                "sentence spans a paragraph break: {body:?}"
            );
        }
    }
    for k in ir.cited_keys() {
        assert_eq!(&text[k.span.clone()], k.key);
    }
}

#[test]
fn araa_gps_review() {
    let Some(path) = data("papers/latex/araa-gps/src/tex/ms.tex") else { return };
    let text = read(&path);
    let ir = parse(Language::Latex, &text, &ParseOptions::default());
    check_invariants(&text, &ir);
    assert!(ir.is_root);
    assert_eq!(distinct_keys([&ir]).len(), 159);
    assert_eq!(ir.bibliographies.iter().map(|b| b.path.as_str()).collect::<Vec<_>>(), ["bib"]);
    let kinds: Vec<_> = ir.sections.iter().map(|s| (s.level, s.title.as_str(), s.kind)).collect();
    for s in &kinds {
        println!("{s:?}");
    }
    println!("paragraphs {} sentences {}", ir.paragraphs.len(), ir.sentences.len());
    for s in ir.sentences.iter().take(40) {
        println!("  {}", s.prose);
    }
}

#[test]
fn chembench_multi_file_paper() {
    let Some(dir) = data("papers/latex/chembench-paper/src/tex") else { return };
    let main = parse(Language::Latex, &read(&dir.join("ms.tex")), &ParseOptions::default());
    println!("{:?}", main.includes);
    println!("{:?}", main.bibliographies);
}

#[test]
fn gmr_joss_markdown_paper() {
    let Some(path) = data("papers/markdown/gmr-joss/paper.md") else { return };
    let text = read(&path);
    let ir = parse(Language::Markdown, &text, &ParseOptions::default());
    check_invariants(&text, &ir);
    println!("{:?}", ir.bibliographies);
    println!("{:?}", distinct_keys([&ir]));
    for s in &ir.sections {
        println!("{:?}", (s.level, &s.title, s.kind));
    }
    for s in &ir.sentences {
        println!("  {}", s.prose);
    }
}
/// Run with `cargo test --release --test syntax_real_data -- --ignored --nocapture`.
#[test]
#[ignore]
fn araa_gps_parse_time() {
    let Some(path) = data("papers/latex/araa-gps/src/tex/ms.tex") else { return };
    let text = read(&path);
    let options = ParseOptions::default();
    let runs = 20;
    let mut tree_only = std::time::Duration::MAX;
    let mut full = std::time::Duration::MAX;
    for _ in 0..runs {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&codebook_tree_sitter_latex::LANGUAGE.into()).unwrap();
        let t = std::time::Instant::now();
        parser.parse(&text, None).unwrap();
        tree_only = tree_only.min(t.elapsed());
        let t = std::time::Instant::now();
        parse(Language::Latex, &text, &options);
        full = full.min(t.elapsed());
    }
    println!("ms.tex {} KB: tree-sitter {tree_only:?}, parse + IR {full:?} (best of {runs})", text.len() / 1024);
}
