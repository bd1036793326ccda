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
    let Some(path) = data("papers/latex/araa-gps/src/tex/ms.tex") else {
        return;
    };
    let text = read(&path);
    let ir = parse(Language::Latex, &text, &ParseOptions::default());
    check_invariants(&text, &ir);
    assert!(ir.is_root);
    // The data README says 158: its count misses `\citealt {2018haex.bookE.100K}` (a space
    // before the brace), which LaTeX cites and the .bib defines.
    let keys = distinct_keys([&ir]);
    assert_eq!(keys.len(), 159);
    assert!(keys.contains("2018haex.bookE.100K"));
    assert_eq!(ir.bibliographies.iter().map(|b| b.path.as_str()).collect::<Vec<_>>(), ["bib"]);
    let kind = |title: &str| ir.sections.iter().find(|s| s.title == title).map(|s| s.kind);
    assert_eq!(kind("Abstract"), Some(SectionKind::Abstract));
    assert_eq!(kind("INTRODUCTION"), Some(SectionKind::Introduction));
    assert_eq!(kind("CONCLUSIONS"), Some(SectionKind::Conclusion));
    assert_eq!(kind("Brief history"), Some(SectionKind::Other));
    assert_eq!(ir.sections.len(), 54);
    // 148 paragraphs of about four sentences each.
    assert!((120..=180).contains(&ir.paragraphs.len()), "{}", ir.paragraphs.len());
    assert!((500..=750).contains(&ir.sentences.len()), "{}", ir.sentences.len());
    let cited = ir.sentences.iter().filter(|s| !s.citations.is_empty()).count();
    assert!(cited > 100, "{cited} sentences with citations");
    assert!(ir.sentences.iter().all(|s| !s.prose.contains("\\cite")));
}

#[test]
fn chembench_multi_file_paper() {
    let Some(dir) = data("papers/latex/chembench-paper/src/tex") else {
        return;
    };
    let options = ParseOptions::default();
    let main = parse(Language::Latex, &read(&dir.join("ms.tex")), &options);
    assert!(main.is_root);
    let inputs: Vec<_> = main.includes.iter().map(|i| (i.kind, i.path.as_str())).collect();
    assert_eq!(
        inputs,
        [
            (IncludeKind::Input, "preamble.tex"),
            (IncludeKind::Input, "authors.tex"),
            (IncludeKind::Input, "sections/semi_programatically_sources_table.tex"),
            (IncludeKind::Input, "appendix.tex"),
        ]
    );
    // Follow `\input`s as LaTeX does (`.tex` added when missing).
    let mut pending: Vec<String> = main.includes.iter().map(|i| i.path.clone()).collect();
    let mut docs = vec![];
    while let Some(rel) = pending.pop() {
        let file = if rel.ends_with(".tex") { rel } else { format!("{rel}.tex") };
        let text = read(&dir.join(&file));
        let ir = parse(Language::Latex, &text, &options);
        check_invariants(&text, &ir);
        pending.extend(ir.includes.iter().map(|i| i.path.clone()));
        docs.push(ir);
    }
    assert_eq!(docs.len(), 5, "four inputs, and acronymns.tex from the preamble");
    let bibs: Vec<_> =
        docs.iter().flat_map(|d| &d.bibliographies).map(|b| b.path.as_str()).collect();
    assert_eq!(bibs, ["references.bib"]);
    docs.push(main);
    assert_eq!(distinct_keys(&docs).len(), 92);
    // The data README's 93 also counts sections/patterns_in_wrong_questions.tex, which no
    // file inputs: every .tex file together gives that number.
    let mut all = vec![];
    for sub in ["", "sections", "output"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "tex") {
                all.push(parse(Language::Latex, &read(&path), &options));
            }
        }
    }
    assert_eq!(distinct_keys(&all).len(), 93);
}

#[test]
fn gmr_joss_markdown_paper() {
    let Some(path) = data("papers/markdown/gmr-joss/paper.md") else {
        return;
    };
    let text = read(&path);
    let ir = parse(Language::Markdown, &text, &ParseOptions::default());
    check_invariants(&text, &ir);
    assert!(ir.is_root);
    let bibs: Vec<_> =
        ir.bibliographies.iter().map(|b| (b.path.as_str(), &text[b.span.clone()])).collect();
    assert_eq!(bibs, [("paper.bib", "paper.bib")]);
    assert_eq!(distinct_keys([&ir]).len(), 8);
    let titles: Vec<_> = ir.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles[..3], ["Summary", "Statement of Need", "Background"]);
    let split = ir
        .sentences
        .iter()
        .find(|s| s.prose.starts_with("Gaussian mixture regression via EM"))
        .unwrap();
    assert_eq!(split.prose, "Gaussian mixture regression via EM has been proposed first by [REF].");
}

/// Run with `cargo test --release --test syntax_real_data -- --ignored --nocapture`.
#[test]
#[ignore]
fn araa_gps_parse_time() {
    let Some(path) = data("papers/latex/araa-gps/src/tex/ms.tex") else {
        return;
    };
    let text = read(&path);
    let options = ParseOptions::default();
    let runs = 20;
    let mut tree_only = std::time::Duration::MAX;
    let mut full = std::time::Duration::MAX;
    let mut walk = std::time::Duration::MAX;
    for _ in 0..runs {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&codebook_tree_sitter_latex::LANGUAGE.into()).unwrap();
        let t = std::time::Instant::now();
        let tree = parser.parse(&text, None).unwrap();
        tree_only = tree_only.min(t.elapsed());
        // The floor for any IR built from the tree: visiting every node once.
        let t = std::time::Instant::now();
        let mut cursor = tree.walk();
        'walk: loop {
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        walk = walk.min(t.elapsed());
        let t = std::time::Instant::now();
        parse(Language::Latex, &text, &options);
        full = full.min(t.elapsed());
    }
    println!(
        "ms.tex {} KB, best of {runs}: tree-sitter {tree_only:?}, node walk {walk:?}, parse + IR {full:?}",
        text.len() / 1024
    );
}
