//! Real manuscripts from `../shared/data/`: every cited key resolves, across `\input`s
//! and front matter. Skips visibly where the data is absent (a user's clone).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::shared_data;
use scholia::project::{Workspace, WorkspaceOptions};

/// Distinct cited keys of the project of `main`, and those that do not resolve.
fn resolve_all(folder: &Path, main: &Path) -> (BTreeSet<String>, Vec<String>) {
    let mut workspace = Workspace::new(vec![folder.to_path_buf()], WorkspaceOptions::default());
    let project = workspace.project_of(main);
    let mut keys = BTreeSet::new();
    for path in &project.files {
        let file = workspace.file(path).expect("project file loaded");
        keys.extend(file.manuscript.cited_keys().map(|k| k.key.clone()));
    }
    let missing =
        keys.iter().filter(|k| workspace.resolve_key(&project, k).is_none()).cloned().collect();
    (keys, missing)
}

#[test]
fn araa_gps_every_cited_key_resolves() {
    let Some(folder) = shared_data("papers/latex/araa-gps") else { return };
    let (keys, missing) = resolve_all(&folder, &folder.join("src/tex/ms.tex"));
    // The data README says 158; it misses `\citealt {2018haex.bookE.100K}` (a space
    // before the brace), which LaTeX accepts and whose entry is in the .bib.
    assert_eq!(keys.len(), 159);
    assert!(missing.is_empty(), "unresolved: {missing:?}");
}

#[test]
fn chembench_keys_resolve_across_input_files() {
    let Some(folder) = shared_data("papers/latex/chembench-paper") else { return };
    let main = folder.join("src/tex/ms.tex");
    let mut workspace = Workspace::new(vec![folder.clone()], WorkspaceOptions::default());
    let project = workspace.project_of(&main);
    assert!(project.files.iter().any(|f| f.ends_with("preamble.tex")));
    assert!(project.bibliographies.iter().any(|f| f.ends_with("references.bib")));
    let (keys, missing) = resolve_all(&folder, &main);
    // The data README's 93 also counts sections/patterns_in_wrong_questions.tex, which
    // no file of the project inputs.
    assert_eq!(keys.len(), 92);
    assert!(missing.is_empty(), "unresolved: {missing:?}");
}

#[test]
fn chembench_included_file_finds_its_root() {
    let Some(folder) = shared_data("papers/latex/chembench-paper") else { return };
    let mut workspace = Workspace::new(vec![folder.clone()], WorkspaceOptions::default());
    let project = workspace.project_of(&folder.join("src/tex/appendix.tex"));
    assert!(project.root.ends_with("src/tex/ms.tex"), "{:?}", project.root);
}

#[test]
fn gmr_joss_markdown_keys_resolve() {
    let Some(folder) = shared_data("papers/markdown/gmr-joss") else { return };
    let (keys, missing) = resolve_all(&folder, &folder.join("paper.md"));
    assert_eq!(keys.len(), 8);
    assert!(missing.is_empty(), "unresolved: {missing:?}");
}
