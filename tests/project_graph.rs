//! Project resolution: roots, include kinds, bibliography sources, boundaries, bad files.

mod common;

use std::path::{Path, PathBuf};

use scholia::analysis::{project_diagnostics, DiagnosticOptions};
use scholia::project::{Workspace, WorkspaceOptions};

/// Writes `files` (path, content) under a fresh temp dir and returns it canonicalised.
fn tree(files: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for (path, content) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    (dir, root)
}

fn workspace(root: &Path) -> Workspace {
    Workspace::new(vec![root.to_path_buf()], WorkspaceOptions::default())
}

const BIB: &[u8] = b"@article{a, title={Alpha}, year={2001}}\n@article{b, title={Beta}}\n";

#[test]
fn magic_comment_scholia_toml_and_scan_find_the_root() {
    let (_d, root) = tree(&[
        ("main.tex", b"\\documentclass{article}\n\\include{chapters/one}\n\\bibliography{refs}\n"),
        ("chapters/one.tex", b"\\cite{a}\n"),
        ("hinted/part.tex", b"%!TEX root = ../main.tex\n\\cite{b}\n"),
        ("refs.bib", BIB),
    ]);
    let mut ws = workspace(&root);
    let scanned = ws.project_of(&root.join("chapters/one.tex"));
    assert_eq!(scanned.root, root.join("main.tex"));
    assert_eq!(scanned.bibliographies, [root.join("refs.bib")]);
    // The hint names the root, but the root does not include this file: it stands alone.
    let hinted = ws.project_of(&root.join("hinted/part.tex"));
    assert_eq!(hinted.root, root.join("hinted/part.tex"));

    let (_d, root) = tree(&[
        ("scholia.toml", b"root = \"paper/ms.tex\"\n"),
        (
            "paper/ms.tex",
            b"\\documentclass{article}\n\\input{../body}\n\\addbibresource{../refs.bib}\n",
        ),
        ("body.tex", b"\\cite{a}\n"),
        ("refs.bib", BIB),
    ]);
    let mut ws = workspace(&root);
    let project = ws.project_of(&root.join("body.tex"));
    assert_eq!(project.root, root.join("paper/ms.tex"));
    assert!(ws.resolve_key(&project, "a").is_some());
}

#[test]
fn subfile_and_import_resolve_relative_to_their_files() {
    let (_d, root) = tree(&[
        ("main.tex", b"\\documentclass{article}\n\\subfile{parts/a}\n\\import{parts/deep/}{b}\n\\bibliography{refs}\n"),
        ("parts/a.tex", b"\\input{local}\n"),
        ("parts/local.tex", b"wrong place\n"),
        ("local.tex", b"\\cite{a}\n"),
        ("parts/deep/b.tex", b"\\cite{b}\n"),
        ("refs.bib", BIB),
    ]);
    let mut ws = workspace(&root);
    let project = ws.project_of(&root.join("main.tex"));
    let names: Vec<String> = project
        .files
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    // `\input` inside a subfile is relative to the root's folder first, as LaTeX does.
    assert_eq!(names, ["main.tex", "parts/a.tex", "local.tex", "parts/deep/b.tex"]);
    assert!(project.problems.is_empty(), "{:?}", project.problems);
}

#[test]
fn markdown_front_matter_lists_csl_json_and_inline_references() {
    let (_d, root) = tree(&[
        (
            "paper.md",
            b"---\nbibliography: [refs.json]\nreferences:\n- id: inline1\n  title: Written inline\n  type: book\n---\n\nSee [@csl1; @inline1].\n",
        ),
        ("refs.json", br#"[{"id": "csl1", "type": "article-journal", "title": "From JSON", "issued": {"date-parts": [[2019]]}}]"#),
    ]);
    let mut ws = workspace(&root);
    let project = ws.project_of(&root.join("paper.md"));
    let json = ws.resolve_key(&project, "csl1").expect("CSL-JSON entry");
    assert_eq!(json.entry.title.as_deref(), Some("From JSON"));
    assert_eq!(json.entry.year.as_deref(), Some("2019"));
    let inline = ws.resolve_key(&project, "inline1").expect("inline entry");
    assert_eq!(inline.source, root.join("paper.md"));
}

#[test]
fn default_bibliography_applies_and_outside_files_get_no_diagnostics() {
    let (_d, outside) =
        tree(&[("shared.bib", b"@article{s, title={Shared}}\n@article{broken, title={x}\n")]);
    let (_d2, root) =
        tree(&[("main.tex", b"\\documentclass{article}\n\\cite{s}\n\\input{/etc/hostname}\n")]);
    let options = WorkspaceOptions {
        default_bibliography: vec![outside.join("shared.bib")],
        ..Default::default()
    };
    let mut ws = Workspace::new(vec![root.clone()], options);
    let project = ws.project_of(&root.join("main.tex"));
    assert!(ws.resolve_key(&project, "s").is_some());
    let diagnostics = project_diagnostics(&ws, &project, DiagnosticOptions::default());
    assert!(
        !diagnostics.contains_key(&outside.join("shared.bib")),
        "the shared .bib is outside the project"
    );
    let main = &diagnostics[&root.join("main.tex")];
    assert_eq!(main.len(), 1, "{main:?}");
    assert_eq!(main[0].code, "include-outside-project");
}

#[test]
fn latin1_binary_and_huge_files_are_handled() {
    let mut big = b"\\documentclass{article}\n\\bibliography{refs}\n".to_vec();
    while big.len() < 5 * 1024 * 1024 {
        big.extend_from_slice(
            b"Some sentence about results \\cite{a} and more text, e.g. 3.5 units.\n\n",
        );
    }
    let (_d, root) = tree(&[
        ("main.tex", &big),
        ("refs.bib", BIB),
        (
            "latin.tex",
            b"\\documentclass{article}\n\\input{binary}\nCaf\xe9 \\cite{b}\n\\bibliography{refs}\n",
        ),
        ("binary.tex", b"\x00\x01\x02\x03"),
    ]);
    let mut ws = workspace(&root);
    let project = ws.project_of(&root.join("main.tex"));
    let file = ws.file(&root.join("main.tex")).unwrap();
    assert!(file.manuscript.cited_keys().count() > 70_000);
    assert!(ws.resolve_key(&project, "a").is_some());

    let project = ws.project_of(&root.join("latin.tex"));
    let latin = ws.file(&root.join("latin.tex")).unwrap();
    assert!(latin.document.text().contains("Café"));
    assert_eq!(latin.manuscript.cited_keys().next().unwrap().key, "b");
    assert_eq!(project.problems.len(), 1);
    assert!(project.problems[0].message.contains("binary"), "{:?}", project.problems);
}

#[test]
fn an_edit_adding_an_include_reaches_the_next_project_lookup() {
    use scholia::syntax::Language;
    use scholia::text::Encoding;
    let (_d, root) = tree(&[("part.tex", b"\\cite{a}\n"), ("refs.bib", BIB)]);
    let main = root.join("main.tex");
    let mut ws = workspace(&root);
    ws.open(main.clone(), Language::Latex, "\\documentclass{article}\n", 1);
    let before = ws.project_of(&main);
    assert_eq!(before.files, std::slice::from_ref(&main));
    // Asked again with nothing changed: the same project (answered from the cache).
    assert_eq!(ws.project_of(&main), before);

    let added = "\\input{part}\n\\bibliography{refs}\n".to_string();
    ws.change(&main, 2, &[(None, format!("\\documentclass{{article}}\n{added}"))], Encoding::Utf8)
        .unwrap();
    let after = ws.project_of(&main);
    assert_eq!(after.files, [main.clone(), root.join("part.tex")]);
    assert_eq!(after.bibliographies, [root.join("refs.bib")]);
    assert!(ws.resolve_key(&after, "a").is_some());

    // A file that goes away on disk is noticed once the watcher reports it.
    std::fs::remove_file(root.join("part.tex")).unwrap();
    ws.disk_changed(&root.join("part.tex"));
    let gone = ws.project_of(&main);
    assert_eq!(gone.files, std::slice::from_ref(&main));
    assert!(!gone.problems.is_empty(), "the missing \\input is reported");
}
