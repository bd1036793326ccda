//! Loading ONNX Runtime at run time (`ort`'s `load-dynamic`) and building sessions on
//! the execution provider the user chose.
//!
//! `ort` loads one library per process and ignores later paths silently, so this
//! module probes a library itself first (version check, clear errors) and remembers
//! which one it loaded.

use std::ffi::{c_char, CStr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ort::environment::Environment;
use ort::ep::ExecutionProviderDispatch;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use serde::Deserialize;

use super::manifest::Manifest;
use super::ModelError;

/// Oldest ONNX Runtime minor version (1.x) the compiled `ort` API level works with.
pub const MIN_MINOR_VERSION: u32 = ort::MINOR_VERSION;

/// Setting `executionProvider`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// The best compiled-in accelerator that registers, else CPU, without warnings.
    #[default]
    Auto,
    Cpu,
    Cuda,
    #[serde(rename = "directml")]
    #[value(name = "directml")]
    DirectMl,
}

impl Provider {
    pub const NAMES: [&'static str; 4] = ["auto", "cpu", "cuda", "directml"];

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "auto" => Some(Self::Auto),
            "cpu" => Some(Self::Cpu),
            "cuda" => Some(Self::Cuda),
            "directml" => Some(Self::DirectMl),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
            Self::DirectMl => "directml",
        }
    }
}

/// The runtime part of scholia's settings (camelCase, as the editor sends them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RuntimeConfig {
    pub execution_provider: Provider,
    /// Fail instead of falling back to CPU when the chosen provider does not register.
    pub strict_provider: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryInfo {
    pub path: PathBuf,
    pub version: String,
}

/// `ORT_DYLIB_PATH` if set, else the pinned library in the data directory.
pub fn library_path(manifest: &Manifest, data_dir: &Path) -> Result<PathBuf, ModelError> {
    if let Some(path) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let file = manifest.runtime_file()?;
    Ok(runtime_dir(data_dir, &manifest.runtime.version).join(&file.name))
}

pub fn runtime_dir(data_dir: &Path, version: &str) -> PathBuf {
    data_dir.join("runtime").join(version)
}

/// Opens a library and reads its version without handing it to `ort`.
pub fn probe(path: &Path) -> Result<LibraryInfo, ModelError> {
    if !path.is_file() {
        return Err(ModelError::LibraryMissing { path: path.to_owned() });
    }
    let load_err = |reason: String| ModelError::LibraryLoad { path: path.to_owned(), reason };
    // SAFETY: loading runs the library's initialisers; this is the ONNX Runtime the
    // user or the manifest chose, which is what scholia is about to run anyway.
    let lib = unsafe { libloading::Library::new(path) }.map_err(|e| load_err(e.to_string()))?;
    type GetApiBase = unsafe extern "C" fn() -> *const ort::sys::OrtApiBase;
    // SAFETY: `OrtGetApiBase` has this signature in every ONNX Runtime release.
    let get_base = unsafe { lib.get::<GetApiBase>(b"OrtGetApiBase") }.map_err(|_| {
        load_err("it does not export OrtGetApiBase; not an ONNX Runtime library".into())
    })?;
    // SAFETY: the API base is a static table; GetVersionString returns a static string.
    let version = unsafe {
        let base = get_base();
        if base.is_null() {
            return Err(load_err("OrtGetApiBase returned null".into()));
        }
        CStr::from_ptr(((*base).GetVersionString)()).to_string_lossy().into_owned()
    };
    let minor =
        version.strip_prefix("1.").and_then(|rest| rest.split('.').next()?.parse::<u32>().ok());
    if minor.is_none_or(|m| m < MIN_MINOR_VERSION) {
        return Err(ModelError::LibraryVersion {
            path: path.to_owned(),
            found: version,
            required: format!(">= 1.{MIN_MINOR_VERSION}"),
        });
    }
    Ok(LibraryInfo { path: path.to_owned(), version })
}

/// A loaded ONNX Runtime. Cheap to clone; all clones share one environment.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Loaded>,
}

struct Loaded {
    env: Environment,
    library: LibraryInfo,
    /// The provider the latest session was built on, for status reports.
    last_provider: Mutex<Option<&'static str>>,
}

static LOADED: Mutex<Option<Arc<Loaded>>> = Mutex::new(None);

impl Runtime {
    /// Loads the library at `path`, or returns the one already loaded from there.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(inner) = loaded.as_ref() {
            if inner.library.path == path {
                return Ok(Self { inner: inner.clone() });
            }
            return Err(ModelError::LibraryAlreadyLoaded {
                loaded: inner.library.path.clone(),
                requested: path.to_owned(),
            });
        }
        let library = probe(path)?;
        let load_err = |reason: String| ModelError::LibraryLoad { path: path.to_owned(), reason };
        let env = ort::init_from(path)
            .map_err(|e| load_err(e.to_string()))?
            .with_name("scholia")
            .with_telemetry(false)
            .build()
            .map_err(|e| load_err(e.to_string()))?;
        let inner = Arc::new(Loaded { env, library, last_provider: Mutex::default() });
        *loaded = Some(inner.clone());
        Ok(Self { inner })
    }

    /// The shared ONNX Runtime environment, for building sessions other than from files.
    pub(crate) fn environment(&self) -> &Environment {
        &self.inner.env
    }

    pub fn library(&self) -> &LibraryInfo {
        &self.inner.library
    }

    /// The execution provider the latest session runs on (`cpu` after a fallback);
    /// `None` before the first session.
    pub fn last_provider(&self) -> Option<&'static str> {
        *self.inner.last_provider.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Execution providers compiled into the loaded library.
    pub fn available_providers(&self) -> Vec<String> {
        let api = ort::api();
        let mut list: *mut *mut c_char = std::ptr::null_mut();
        let mut len = 0;
        // SAFETY: ORT fills `list` with `len` C strings that we release below.
        unsafe {
            let status = (api.GetAvailableProviders)(&mut list, &mut len);
            if !status.0.is_null() {
                (api.ReleaseStatus)(status.0);
                return Vec::new();
            }
            let names = (0..len as usize)
                .map(|i| CStr::from_ptr(*list.add(i)).to_string_lossy().into_owned())
                .collect();
            let _ = (api.ReleaseAvailableProviders)(list, len);
            names
        }
    }

    /// Builds a session for `model` on the configured provider. Returns warnings for a
    /// provider that did not register (the session then runs on CPU), so the server
    /// can show them; with `strict_provider` that is an error instead.
    pub fn session(
        &self,
        model: &Path,
        config: &RuntimeConfig,
    ) -> Result<(Session, Vec<String>), ModelError> {
        let session_err = |reason: String| ModelError::Session { path: model.to_owned(), reason };
        if !model.is_file() {
            return Err(session_err("file not found".into()));
        }
        let mut builder = Session::builder(&self.inner.env)
            .and_then(|b| {
                b.with_optimization_level(GraphOptimizationLevel::Level3).map_err(Into::into)
            })
            .map_err(|e| session_err(e.to_string()))?;
        let mut warnings = Vec::new();
        let mut placed = "cpu";
        for (name, dispatch) in candidate_providers(config.execution_provider) {
            let dispatch = match dispatch {
                Ok(d) => d.error_on_failure(),
                Err(reason) => {
                    provider_failed(config, name, reason, &mut warnings)?;
                    continue;
                }
            };
            match dispatch.register(&mut builder) {
                Ok(()) => {
                    placed = name;
                    break;
                }
                Err(e) => provider_failed(config, name, e.to_string(), &mut warnings)?,
            }
        }
        let session = builder.commit_from_file(model).map_err(|e| session_err(e.to_string()))?;
        *self.inner.last_provider.lock().unwrap_or_else(|e| e.into_inner()) = Some(placed);
        Ok((session, warnings))
    }
}

/// Providers to try in order; an `Err` is one this build cannot offer. CPU needs no
/// registration, so it is never listed.
fn candidate_providers(
    choice: Provider,
) -> Vec<(&'static str, Result<ExecutionProviderDispatch, String>)> {
    let cuda = || -> Result<ExecutionProviderDispatch, String> {
        #[cfg(feature = "cuda")]
        return Ok(ort::ep::CUDA::default().build());
        #[cfg(not(feature = "cuda"))]
        Err("scholia was built without the `cuda` feature".into())
    };
    let directml = || -> Result<ExecutionProviderDispatch, String> {
        #[cfg(feature = "directml")]
        return Ok(ort::ep::DirectML::default().build());
        #[cfg(not(feature = "directml"))]
        Err("scholia was built without the `directml` feature".into())
    };
    match choice {
        Provider::Cpu => Vec::new(),
        Provider::Cuda => vec![("cuda", cuda())],
        Provider::DirectMl => vec![("directml", directml())],
        // Auto tries only what was compiled in, and quietly.
        Provider::Auto => [("cuda", cuda()), ("directml", directml())]
            .into_iter()
            .filter(|(_, d)| d.is_ok())
            .collect(),
    }
}

fn provider_failed(
    config: &RuntimeConfig,
    name: &str,
    reason: String,
    warnings: &mut Vec<String>,
) -> Result<(), ModelError> {
    let warning = format!("execution provider {name} unavailable ({reason}); using CPU");
    if config.execution_provider == Provider::Auto {
        // Auto promises the best that works, so falling back is not a fault.
        tracing::info!("{warning}");
        return Ok(());
    }
    if config.strict_provider {
        return Err(ModelError::Provider { provider: name.to_owned(), reason });
    }
    tracing::warn!("{warning}");
    warnings.push(warning);
    Ok(())
}
