//! The bibliography room on real, messy bibliographies from `../shared/data/bib` (see
//! `../shared/data/README.md`). Each test skips, saying so, when the data is absent.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use scholia::bib::{parse_bibtex, Bibliography, Entry, Severity};

fn data(relative: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if !root.is_dir() {
        println!("skipped: ../shared/data not found");
        return None;
    }
    Some(root.join(relative))
}

/// Reads a `.bib` file the way the server does: UTF-8, else Latin-1.
fn read(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    scholia::text::decode(&bytes).text().unwrap_or_else(|| panic!("{} is binary", path.display()))
}

fn bib_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "bib"))
        .collect();
    files.sort();
    files
}

fn entry<'b>(bib: &'b Bibliography, key: &str) -> &'b Entry {
    bib.lookup(key).unwrap_or_else(|| panic!("no entry `{key}`")).0
}

fn errors(bib: &Bibliography) -> Vec<&str> {
    bib.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.as_str())
        .collect()
}

#[test]
fn tugboat_loads_every_entry_with_accents_decoded() {
    let Some(path) = data("bib/biber/etc/tugboat.bib") else {
        return;
    };
    let text = read(&path);
    let bib = parse_bibtex(&text, &[]);
    // The file holds exactly 3,644 `@Article` entries, all with distinct keys, plus
    // `@Preamble`s and `@String`s.
    assert_eq!(bib.len(), 3644);
    assert!(bib.diagnostics.is_empty(), "{:?}", &bib.diagnostics[..3.min(bib.diagnostics.len())]);
    let keys: HashSet<&str> = bib.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys.len(), 3644);
    for e in &bib.entries {
        assert_eq!(&text[e.key_span.clone()], e.key);
        assert!(
            text[e.span.clone()].starts_with("@Article{") && text[e.span.clone()].ends_with('}')
        );
    }

    let schopf = entry(&bib, "Schopf:TB10-1-105");
    assert_eq!(schopf.authors, ["Rainer Schöpf"]);
    assert_eq!(
        schopf.title.as_deref(),
        Some("Drawing histogram bars inside the LaTeX picture–environment")
    );
    assert_eq!(schopf.venue.as_deref(), Some("TUGboat"), "journal = j-TUGboat, an @String");
    assert_eq!(schopf.year.as_deref(), Some("1989"));
    assert_eq!(
        entry(&bib, "Kubik:TB10-1-65").title.as_deref(),
        Some("AmigaTeX…or How envy was resisted and knowledge found on the road to Ööç")
    );
}

#[test]
fn papers_use_journal_macros_from_definitions() {
    let (Some(papers), Some(definitions)) =
        (data("bib/biber/etc/papers.bib"), data("bib/biber/etc/definitions.bib"))
    else {
        return;
    };
    let (papers, definitions) = (read(&papers), read(&definitions));
    let bib = parse_bibtex(&papers, &[&definitions]);
    assert_eq!(bib.len(), 2157);
    assert!(bib.diagnostics.is_empty(), "{:?}", &bib.diagnostics[..3.min(bib.diagnostics.len())]);
    let aardal = entry(&bib, "AardalHLT02");
    assert_eq!(aardal.venue.as_deref(), Some("Operations Research"), "journal = or");
    assert_eq!(
        aardal.title.as_deref(),
        Some("Algorithms for radio link frequency assignment: The CALMA project")
    );
    assert_eq!(aardal.authors.len(), 4);

    // Without its definitions the file still loads, and says what is missing.
    let alone = parse_bibtex(&papers, &[]);
    assert_eq!(alone.len(), 2157);
    assert_eq!(entry(&alone, "AardalHLT02").venue.as_deref(), Some("or"));
    assert!(alone
        .diagnostics
        .iter()
        .any(|d| d.code == "undefined-macro" && &papers[d.span.clone()] == "or"));
}

#[test]
fn typst_valid_fixtures_load_cleanly() {
    let Some(dir) = data("bib/typst-biblatex/tests/fixtures/valid") else {
        return;
    };
    let expected = [
        ("case.bib", 1),
        ("comments.bib", 4),
        ("cross.bib", 7),
        ("ds.bib", 14),
        ("editortypes.bib", 3),
        ("extended_name_format.bib", 3),
        ("gral.bib", 83),
        ("libra.bib", 35),
        ("polaritons.bib", 38),
        ("rass.bib", 22),
    ];
    let files = bib_files(&dir);
    assert_eq!(files.len(), expected.len());
    for (path, (name, count)) in files.iter().zip(expected) {
        assert_eq!(path.file_name().unwrap(), name);
        let bib = parse_bibtex(&read(path), &[]);
        assert_eq!(errors(&bib), Vec::<&str>::new(), "{name}");
        assert_eq!(bib.len(), count, "{name}");
    }

    let comments = parse_bibtex(&read(&dir.join("comments.bib")), &[]);
    let keys: Vec<&str> = comments.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        ["mcelreath2007mathematical", "fischer2022equivalence", "roes2003belief", "wong2016null"]
    );
    assert_eq!(
        entry(&comments, "wong2016null").title.as_deref(),
        Some("Null hypothesis testing (I)-5% significance level")
    );
}

#[test]
fn typst_fixture_abstracts_are_kept() {
    let Some(dir) = data("bib/typst-biblatex/tests/fixtures/valid") else {
        return;
    };
    // libra.bib has 24 `abstract` fields (a 25th match of the word is inside a URL).
    for (name, abstracts) in [("libra.bib", 24), ("polaritons.bib", 29)] {
        let bib = parse_bibtex(&read(&dir.join(name)), &[]);
        let with_abstract = bib.entries.iter().filter(|e| e.abstract_text.is_some()).count();
        assert_eq!(with_abstract, abstracts, "{name}");
    }
    let libra = parse_bibtex(&read(&dir.join("libra.bib")), &[]);
    let text = entry(&libra, "tiwariFutureRaisingFinance2020").abstract_text.as_deref().unwrap();
    assert!(text.contains("An estimated 10% of ICO funds have been lost to fraud."), "{text}");
}

#[test]
fn typst_invalid_fixtures_are_diagnosed() {
    let Some(dir) = data("bib/typst-biblatex/tests/fixtures/invalid") else {
        return;
    };
    let files = bib_files(&dir);
    assert_eq!(files.len(), 3);
    for path in &files {
        let bib = parse_bibtex(&read(path), &[]);
        assert!(!bib.diagnostics.is_empty(), "{}", path.display());
    }
    let syntax = parse_bibtex(&read(&dir.join("incorrect_syntax.bib")), &[]);
    assert_eq!(syntax.diagnostics[0].code, "malformed-entry");
    assert!(syntax.lookup("conigliocorbalan").is_none());
    let duplicate = parse_bibtex(&read(&dir.join("gral_rep_key.bib")), &[]);
    assert!(duplicate.diagnostics.iter().any(|d| d.code == "duplicate-key"));
}

#[test]
fn biber_test_data_parses_without_panicking() {
    let Some(dir) = data("bib/biber/t/tdata") else {
        return;
    };
    let files = bib_files(&dir);
    assert_eq!(files.len(), 50);
    let mut entries = 0;
    let mut broken = Vec::new();
    for path in &files {
        let text = read(path);
        let bib = parse_bibtex(&text, &[]);
        for e in &bib.entries {
            assert_eq!(&text[e.key_span.clone()], e.key, "{}", path.display());
        }
        entries += bib.len();
        for d in bib.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            broken.push(text[d.span.clone()].lines().next().unwrap().to_string());
        }
    }
    // names.bib comments out two broken entries with a `%` before the `@`, as biber allows.
    assert_eq!(broken, Vec::<String>::new());
    // Every `@type{` line except @string, @preamble, @comment and the uncitable @xdata.
    assert_eq!(entries, 734);
}

#[test]
fn biber_crossref_and_xdata_inheritance() {
    let Some(dir) = data("bib/biber/t/tdata") else {
        return;
    };
    let crossrefs = parse_bibtex(&read(&dir.join("crossrefs.bib")), &[]);
    let cr1 = entry(&crossrefs, "cr1");
    assert_eq!(cr1.title.as_deref(), Some("Great and Good Graphs"));
    assert_eq!(cr1.venue.as_deref(), Some("Graphs of the Continent"), "the parent book's title");
    assert_eq!(cr1.year.as_deref(), Some("1974"));
    assert!(crossrefs.diagnostics.iter().any(|d| d.code == "crossref-unresolved"), "circ1..3");

    // xd1 → macmillanalias (an `ids` alias of macmillan) → macmillan:pubALIAS → Macmillan.
    let xdata = parse_bibtex(&read(&dir.join("xdata.bib")), &[]);
    assert_eq!(entry(&xdata, "xd1").venue.as_deref(), Some("Macmillan"));
    assert!(xdata.lookup("macmillan:pub").is_none(), "@xdata entries are not citable");
}

#[test]
fn latin1_and_utf8_files_read_alike() {
    let Some(dir) = data("bib/biber/t/tdata") else {
        return;
    };
    let latin1 = parse_bibtex(&read(&dir.join("encoding3.bib")), &[]);
    assert_eq!(latin1.entries[0].title.as_deref(), Some("Söme title"));
    let utf8 = parse_bibtex(&read(&dir.join("encoding2.bib")), &[]);
    assert_eq!(utf8.entries[0].key, "testŠ");
    assert_eq!(utf8.entries[0].title.as_deref(), Some("Šome title"));
}

#[test]
#[ignore = "timing; run with --release -- --ignored"]
fn tugboat_parses_quickly_in_release() {
    if cfg!(debug_assertions) {
        println!("skipped: timing is only meaningful with --release");
        return;
    }
    let Some(path) = data("bib/biber/etc/tugboat.bib") else {
        return;
    };
    let text = read(&path);
    let runs: Vec<_> = (0..5)
        .map(|_| {
            let started = std::time::Instant::now();
            assert_eq!(parse_bibtex(&text, &[]).len(), 3644);
            started.elapsed()
        })
        .collect();
    let best = runs.iter().min().unwrap();
    println!("tugboat.bib: best of 5 {best:?}, all {runs:?}");
    assert!(best.as_millis() < 150, "{best:?}");
}
