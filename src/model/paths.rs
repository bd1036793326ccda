//! Where scholia keeps the runtime library and fetched models.

use std::path::PathBuf;

use super::ModelError;

/// `$SCHOLIA_HOME`, else `$XDG_DATA_HOME/scholia`, else the platform's user data
/// directory (`~/.local/share/scholia` on Linux).
pub fn data_dir() -> Result<PathBuf, ModelError> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(home) = var("SCHOLIA_HOME") {
        return Ok(home);
    }
    if let Some(xdg) = var("XDG_DATA_HOME") {
        return Ok(xdg.join("scholia"));
    }
    let base = if cfg!(windows) {
        var("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        var("HOME").map(|h| h.join(".local/share"))
    };
    base.map(|b| b.join("scholia")).ok_or(ModelError::NoDataDir)
}
