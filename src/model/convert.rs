//! Models produced at fetch time: download the converter's inputs, run the converter
//! (a Python script compiled into scholia) with pinned packages installed next to
//! it, check every output against the manifest's sha256, then move the outputs into
//! place. Inputs, packages and scratch space are removed afterwards.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::fetch::{self, Fetcher, Outcome};
use super::manifest::{Convert, ModelEntry};
use super::ModelError;

/// Converters by name (`convert.script` in the manifest).
const SCRIPTS: [(&str, &str); 1] =
    [("gguf_to_onnx", include_str!("../../models/convert/gguf_to_onnx.py"))];

/// Makes `dir` hold `entry`'s converted files, verified. Idempotent.
pub fn fetch_converted(
    fetcher: &mut Fetcher,
    entry: &ModelEntry,
    convert: &Convert,
    dir: &Path,
) -> Result<Outcome, ModelError> {
    let verified =
        |f: &&super::manifest::FileEntry| fetch::verify_file(&dir.join(&f.name), &f.sha256).is_ok();
    if entry.files.iter().all(|f| verified(&f)) {
        return Ok(Outcome::AlreadyPresent);
    }
    let fail = |reason: String| ModelError::Fetch {
        what: format!("conversion of `{}`", entry.id),
        reason,
    };
    let script = SCRIPTS
        .iter()
        .find(|(name, _)| *name == convert.script)
        .map(|(_, text)| *text)
        .ok_or_else(|| fail(format!("no converter named `{}`", convert.script)))?;
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(ModelError::io(parent))?;
    let staging = tempfile::tempdir_in(parent).map_err(ModelError::io(parent))?;
    let mut args: Vec<PathBuf> = Vec::new();
    for input in &convert.inputs {
        let path = staging.path().join("inputs").join(&input.name);
        fetcher.fetch(input, &path)?;
        args.push(path);
    }
    let script_path = staging.path().join(format!("{}.py", convert.script));
    std::fs::write(&script_path, script).map_err(ModelError::io(&script_path))?;
    let out = staging.path().join("out");
    let libs = staging.path().join("python");
    install_packages(&convert.requirements, &libs)?;
    let status = Command::new(fetch::python())
        .arg(&script_path)
        .args(&args)
        .arg(&out)
        .env("PYTHONPATH", &libs)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| fail(format!("cannot run {}: {e}", fetch::python())))?;
    if !status.success() {
        return Err(fail(format!("the converter exited with {status}")));
    }
    for file in &entry.files {
        fetch::verify_file(&out.join(&file.name), &file.sha256).map_err(|e| {
            fail(format!("{e} (the pinned converter packages should reproduce it byte for byte)"))
        })?;
    }
    std::fs::create_dir_all(dir).map_err(ModelError::io(dir))?;
    for file in &entry.files {
        let dest = dir.join(&file.name);
        std::fs::rename(out.join(&file.name), &dest).map_err(ModelError::io(&dest))?;
    }
    Ok(Outcome::Fetched)
}

/// Installs `requirements` with `pip install --target` into `dir` (the staging
/// folder: the packages go away with it once the conversion is done).
fn install_packages(requirements: &[String], dir: &Path) -> Result<(), ModelError> {
    let fail = |reason: String| ModelError::Fetch { what: requirements.join(" "), reason };
    let status = Command::new(fetch::python())
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-warn-script-location",
        ])
        .arg("--target")
        .arg(dir)
        .args(requirements)
        .env("PIP_ROOT_USER_ACTION", "ignore")
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| fail(format!("cannot run pip: {e}")))?;
    if !status.success() {
        return Err(fail(format!("`pip install` exited with {status}")));
    }
    Ok(())
}
