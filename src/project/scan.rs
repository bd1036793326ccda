//! Finding LaTeX root files under the workspace folders, within fixed bounds.

use std::path::{Path, PathBuf};

const MAX_DEPTH: usize = 6;
const MAX_FILES: usize = 2_000;
/// A root declares `\documentclass` near its top; reading more is wasted work.
const HEAD_BYTES: usize = 64 * 1024;

/// `.tex` files whose head contains `\documentclass`, skipping hidden and build folders.
pub fn find_latex_roots(folders: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    let mut seen = 0;
    let mut stack: Vec<(PathBuf, usize)> = folders.iter().map(|f| (f.clone(), 0)).collect();
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            seen += 1;
            if seen > MAX_FILES {
                return roots;
            }
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if depth < MAX_DEPTH
                    && !name.starts_with('.')
                    && !matches!(name.as_ref(), "node_modules" | "target" | "build" | "_build")
                {
                    stack.push((path, depth + 1));
                }
            } else if kind.is_file() && name.ends_with(".tex") && declares_document_class(&path) {
                roots.push(path);
            }
        }
    }
    roots
}

fn declares_document_class(path: &Path) -> bool {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::new();
    if file.take(HEAD_BYTES as u64).read_to_end(&mut head).is_err() {
        return false;
    }
    head.windows(14).any(|w| w == b"\\documentclass")
}
