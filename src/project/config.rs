//! `scholia.toml`: a project file at the root naming the main file and settings.

use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "scholia.toml";

/// The nearest `scholia.toml` from `path`'s folder up to `boundary` (inclusive).
pub fn find_config(path: &Path, boundary: &Path) -> Option<PathBuf> {
    let mut dir = path.parent();
    while let Some(d) = dir {
        let candidate = d.join(CONFIG_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d == boundary || !d.starts_with(boundary) {
            break;
        }
        dir = d.parent();
    }
    None
}

/// The `root = "main.tex"` of the nearest `scholia.toml`, resolved against its folder.
pub fn root_from_config(path: &Path, boundary: &Path) -> Option<PathBuf> {
    let config = find_config(path, boundary)?;
    let text = std::fs::read_to_string(&config).ok()?;
    let table: toml::Table = text.parse().ok()?;
    let root = table.get("root")?.as_str()?;
    Some(super::paths::normalize(&config.parent()?.join(root)))
}
