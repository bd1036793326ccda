//! Core speed: IR of a 150 KB `.tex`, loading a 3,644-entry `.bib`, answering a hover.
//! Targets (issue 2): < 20 ms, < 150 ms, < 1 ms. Needs `../shared/data/`.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use scholia::analysis::hover::{entry_markdown, Tldr};
use scholia::project::{Workspace, WorkspaceOptions};
use scholia::syntax::{Language, ParseOptions, SyntaxTree};

fn data(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: ../shared/data/{relative} not found");
        None
    }
}

fn benches(c: &mut Criterion) {
    if let Some(path) = data("papers/latex/araa-gps/src/tex/ms.tex") {
        let text = std::fs::read_to_string(&path).unwrap();
        // Timed: parser set-up, tree-sitter parse, IR. Freeing the tree afterwards is not
        // (about 1.5 ms here; in the server it happens when the next edit replaces it).
        c.bench_function("parse araa-gps ms.tex to IR", |b| {
            b.iter_with_large_drop(|| {
                let mut tree = SyntaxTree::new(Language::Latex);
                let ir = tree.parse(&text, &ParseOptions::default());
                (tree, ir)
            })
        });
    }
    if let Some(path) = data("bib/biber/etc/tugboat.bib") {
        let text = scholia::project::read_text(&path).unwrap();
        c.bench_function("load tugboat.bib (3,644 entries)", |b| {
            b.iter(|| scholia::bib::parse_bibtex(&text, &[]))
        });
    }
    if let Some(folder) = data("papers/latex/araa-gps") {
        let main = folder.join("src/tex/ms.tex");
        let mut workspace = Workspace::new(vec![folder.clone()], WorkspaceOptions::default());
        let text = std::fs::read_to_string(&main).unwrap();
        workspace.open(main.clone(), Language::Latex, &text, 1);
        let key_offset =
            workspace.file(&main).unwrap().manuscript.cited_keys().nth(40).unwrap().span.start + 1;
        // What the server does per hover: project lookup, key under cursor, entry, card.
        c.bench_function("hover on a citation (araa-gps, loaded)", |b| {
            b.iter(|| {
                let project = workspace.project_of(&main);
                let file = workspace.file(&main).unwrap();
                let (_, key) = file.manuscript.key_at(key_offset).unwrap();
                let found = workspace.resolve_key(&project, &key.key).unwrap();
                entry_markdown(&found, Tldr::Summarising)
            })
        });
    }
}

/// The store side of a hover whose TL;DR is not yet in memory: one SQLite lookup.
fn cached_tldr(c: &mut Criterion) {
    use scholia::store::{hash_input, Cache, CacheKey};
    let dir = tempfile::tempdir().unwrap();
    let (cache, _) = Cache::open(dir.path());
    for i in 0..2_000 {
        let key =
            CacheKey { task: "tldr", model: "bench".into(), input: hash_input(&[&i.to_string()]) };
        cache.put(&key, "A one-sentence summary of what the paper finds.").unwrap();
    }
    let key = CacheKey { task: "tldr", model: "bench".into(), input: hash_input(&["1234"]) };
    c.bench_function("TL;DR from the SQLite cache (2,000 rows)", |b| {
        b.iter(|| cache.get(&key).unwrap())
    });
}

criterion_group!(core, benches, cached_tldr);
criterion_main!(core);
