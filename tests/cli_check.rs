//! `scholia check`: the same diagnostics as the server, as text or JSON, exit 1 on errors.

mod common;

use std::process::Command;

use common::fixture;
use serde_json::Value;

fn check(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scholia"))
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn text_output_lists_project_diagnostics_and_fails_on_errors() {
    let (_dir, root) = fixture("latex-project");
    let (status, out) = check(&root, &["main.tex"]);
    assert_eq!(status, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines.contains(&"sections/method.tex:2:49: error[undefined-key]: `missing2020` is not defined in refs.bib"),
        "{out}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("sections/method.tex:2:18: warning[key-case-mismatch]")),
        "{out}"
    );
    assert!(lines.iter().any(|l| l.starts_with("refs.bib:29:7: hint[unused-entry]")), "{out}");
}

#[test]
fn json_output_and_clean_exit() {
    let (_dir, root) = fixture("markdown-project");
    let (status, out) = check(&root, &["paper.md", "--format", "json"]);
    assert_eq!(status, 0, "{out}");
    let rows: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows, Value::Array(vec![]));

    let (_dir, root) = fixture("latex-project");
    let (status, out) = check(&root, &["main.tex", "--format", "json"]);
    assert_eq!(status, 1);
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    let undefined = rows.iter().find(|r| r["code"] == "undefined-key").unwrap();
    assert_eq!(undefined["file"], "sections/method.tex");
    assert_eq!((undefined["line"].as_u64(), undefined["column"].as_u64()), (Some(2), Some(49)));
    assert_eq!(undefined["severity"], "error");
}

#[test]
fn bundled_example_has_no_errors() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (status, out) = check(root, &["examples/paper/paper.tex"]);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("examples/paper/references.bib:"), "the uncited entry is hinted: {out}");
    assert!(out.contains("`lewis2020` is not cited"), "{out}");
}

#[test]
fn missing_file_is_a_clear_error() {
    let (_dir, root) = fixture("latex-project");
    let out = Command::new(env!("CARGO_BIN_EXE_scholia"))
        .current_dir(&root)
        .args(["check", "nope.tex"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cannot read") && err.contains("nope.tex"), "{err}");
}
