//! Where an `\input`, `\bibliography` or front-matter path points on disk.

use std::path::{Component, Path, PathBuf};

use crate::syntax::{IncludeKind, Language};

/// Normalises `.` and `..` without touching the disk (the file may not exist yet).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Candidate files for a path written in `from`, in the order LaTeX would try them:
/// relative to the root's folder (LaTeX's working directory), then to the including
/// file's folder; with `extension` appended when the name has none.
pub fn candidates(written: &str, from: &Path, root: &Path, extension: &str) -> Vec<PathBuf> {
    let written = written.trim();
    if written.is_empty() {
        return Vec::new();
    }
    let mut bases = Vec::new();
    for dir in [root.parent(), from.parent()].into_iter().flatten() {
        if !bases.iter().any(|b: &PathBuf| b == dir) {
            bases.push(dir.to_path_buf());
        }
    }
    let mut out = Vec::new();
    for base in bases {
        let joined = normalize(&base.join(written));
        let has_extension = joined.extension().is_some_and(|e| e == extension);
        if !has_extension {
            let mut with = joined.clone().into_os_string();
            with.push(".");
            with.push(extension);
            out.push(PathBuf::from(with));
        }
        out.push(joined);
    }
    out
}

/// The first candidate that exists, else the first candidate (to name in a diagnostic).
pub fn resolve(written: &str, from: &Path, root: &Path, extension: &str) -> Option<PathBuf> {
    let all = candidates(written, from, root, extension);
    all.iter().find(|p| p.is_file()).cloned().or_else(|| all.into_iter().next())
}

/// Markdown resolves relative to the file itself; `\subfile` too; LaTeX includes and
/// bibliographies relative to the root first.
pub fn resolve_include(
    kind: IncludeKind,
    written: &str,
    from: &Path,
    root: &Path,
) -> Option<PathBuf> {
    let root = if kind == IncludeKind::Subfile { from } else { root };
    resolve(written, from, root, "tex")
}

pub fn resolve_bibliography(
    language: Language,
    written: &str,
    from: &Path,
    root: &Path,
) -> Option<PathBuf> {
    let root = if language == Language::Markdown { from } else { root };
    resolve(written, from, root, "bib")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_try_root_then_file_folder_with_extension_first() {
        let got = candidates(
            "sections/intro",
            Path::new("/p/tex/a/b.tex"),
            Path::new("/p/tex/ms.tex"),
            "tex",
        );
        assert_eq!(
            got,
            vec![
                PathBuf::from("/p/tex/sections/intro.tex"),
                PathBuf::from("/p/tex/sections/intro"),
                PathBuf::from("/p/tex/a/sections/intro.tex"),
                PathBuf::from("/p/tex/a/sections/intro"),
            ]
        );
        let got = candidates("../refs.bib", Path::new("/p/ms.tex"), Path::new("/p/ms.tex"), "bib");
        assert_eq!(got, vec![PathBuf::from("/refs.bib")]);
    }
}
