//! `Models`: resolves each role to its files (fetched default or a local folder) and
//! loads the runtime and models lazily, on first use.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use super::classify::Classifier;
use super::embed::Embedder;
use super::fetch;
use super::manifest::{Architecture, Manifest, Role};
use super::paths;
use super::runtime::{self, Runtime, RuntimeConfig};
use super::ModelError;

/// File a local model folder may hold to describe itself (otherwise the role's
/// manifest default describes it).
pub const LOCAL_DESCRIPTION: &str = "scholia-model.toml";

/// Model settings: the runtime ones plus, per role, a local folder to use instead of
/// the manifest default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ModelsConfig {
    #[serde(flatten)]
    pub runtime: RuntimeConfig,
    pub local_models: BTreeMap<Role, PathBuf>,
}

impl ModelsConfig {
    /// Adds local folders from `SCHOLIA_MODEL_<ROLE>` (e.g. `SCHOLIA_MODEL_EMBED`).
    pub fn with_env_overrides(mut self) -> Self {
        for role in Role::ALL {
            let var = format!("SCHOLIA_MODEL_{}", role.as_str().to_uppercase());
            if let Some(dir) = std::env::var_os(var).filter(|v| !v.is_empty()) {
                self.local_models.insert(role, dir.into());
            }
        }
        self
    }
}

/// One file of a resolved model.
#[derive(Debug, Clone)]
pub struct ResolvedFile {
    pub name: String,
    pub path: PathBuf,
    /// Expected sha256; `None` for files in a user's local folder.
    pub sha256: Option<String>,
}

/// Where a role's model lives and what it is.
#[derive(Debug, Clone)]
pub struct ResolvedModel {
    pub role: Role,
    pub id: String,
    pub architecture: Architecture,
    pub max_length: Option<usize>,
    pub files: Vec<ResolvedFile>,
    /// From a user's folder rather than the manifest.
    pub local: bool,
}

impl ResolvedModel {
    /// Path of a named file, or an error naming the role and the command to fetch it.
    pub fn file(&self, name: &str) -> Result<&Path, ModelError> {
        let file = self.files.iter().find(|f| f.name == name);
        match file {
            Some(f) if f.path.is_file() => Ok(&f.path),
            Some(f) => Err(ModelError::MissingFile {
                role: self.role,
                path: f.path.clone(),
            }),
            None => Err(ModelError::Manifest(format!(
                "model `{}` for role {} lists no file `{name}`",
                self.id, self.role
            ))),
        }
    }

    pub fn is_present(&self) -> bool {
        self.files.iter().all(|f| f.path.is_file())
    }

    /// Checks every file that has a recorded sha256.
    pub fn verify(&self) -> Result<(), ModelError> {
        for file in &self.files {
            match &file.sha256 {
                Some(sha) if file.path.is_file() => fetch::verify_file(&file.path, sha)?,
                _ => drop(self.file(&file.name)?),
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalDescription {
    id: Option<String>,
    architecture: Architecture,
    max_length: Option<usize>,
    files: Vec<String>,
}

/// A lazily loaded model; `None` until the first successful load.
type Slot<T> = Mutex<Option<Arc<T>>>;

/// The models a server uses, each loaded on first request. Failures are not cached:
/// a later request retries, so fetching while the server runs is enough.
pub struct Models {
    manifest: Manifest,
    data_dir: PathBuf,
    config: ModelsConfig,
    embedder: Slot<Embedder>,
    verifier: Slot<Classifier>,
    claim_detector: Slot<Classifier>,
    warnings: Mutex<Vec<String>>,
}

impl Models {
    /// The built-in manifest and the user's data directory.
    pub fn new(config: ModelsConfig) -> Result<Self, ModelError> {
        Ok(Self::with_manifest(
            Manifest::builtin()?,
            paths::data_dir()?,
            config,
        ))
    }

    pub fn with_manifest(manifest: Manifest, data_dir: PathBuf, config: ModelsConfig) -> Self {
        Self {
            manifest,
            data_dir,
            config,
            embedder: Slot::default(),
            verifier: Slot::default(),
            claim_detector: Slot::default(),
            warnings: Mutex::new(Vec::new()),
        }
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn config(&self) -> &ModelsConfig {
        &self.config
    }

    pub fn library_path(&self) -> Result<PathBuf, ModelError> {
        runtime::library_path(&self.manifest, &self.data_dir)
    }

    /// Loads ONNX Runtime (once per process).
    pub fn runtime(&self) -> Result<Runtime, ModelError> {
        Runtime::load(&self.library_path()?)
    }

    /// Folder the manifest default for `role` is fetched into.
    pub fn default_dir(&self, role: Role, id: &str) -> PathBuf {
        self.data_dir.join("models").join(role.as_str()).join(id)
    }

    pub fn resolve(&self, role: Role) -> Result<ResolvedModel, ModelError> {
        let default = self.manifest.model(role);
        if let Some(dir) = self.config.local_models.get(&role) {
            let described = dir.join(LOCAL_DESCRIPTION);
            let (id, architecture, max_length, names) = if described.is_file() {
                let text =
                    std::fs::read_to_string(&described).map_err(ModelError::io(&described))?;
                let d: LocalDescription = toml::from_str(&text)
                    .map_err(|e| ModelError::Manifest(format!("{}: {e}", described.display())))?;
                let id = d.id.unwrap_or_else(|| dir.display().to_string());
                (id, d.architecture, d.max_length, d.files)
            } else if let Some(m) = default {
                let names = m.files.iter().map(|f| f.name.clone()).collect();
                (
                    dir.display().to_string(),
                    m.architecture,
                    m.max_length,
                    names,
                )
            } else {
                return Err(ModelError::Manifest(format!(
                    "role {role} has no default model, so {} must describe the model in {LOCAL_DESCRIPTION}",
                    dir.display()
                )));
            };
            let files = names
                .into_iter()
                .map(|name| ResolvedFile {
                    path: dir.join(&name),
                    name,
                    sha256: None,
                })
                .collect();
            return Ok(ResolvedModel {
                role,
                id,
                architecture,
                max_length,
                files,
                local: true,
            });
        }
        let m = default.ok_or(ModelError::NotConfigured(role))?;
        let dir = self.default_dir(role, &m.id);
        Ok(ResolvedModel {
            role,
            id: m.id.clone(),
            architecture: m.architecture,
            max_length: m.max_length,
            files: m
                .files
                .iter()
                .map(|f| ResolvedFile {
                    name: f.name.clone(),
                    path: dir.join(&f.name),
                    sha256: Some(f.sha256.clone()),
                })
                .collect(),
            local: false,
        })
    }

    /// The sentence embedder, loaded on first call.
    pub fn embedder(&self) -> Result<Arc<Embedder>, ModelError> {
        self.load_once(&self.embedder, Role::Embed, Embedder::load)
    }

    /// The pair classifier of `role` (`verify` or `claim`), loaded on first call.
    pub fn classifier(&self, role: Role) -> Result<Arc<Classifier>, ModelError> {
        let slot = match role {
            Role::Verify => &self.verifier,
            Role::Claim => &self.claim_detector,
            _ => {
                return Err(ModelError::Manifest(format!(
                    "role {role} is not a classifier role"
                )))
            }
        };
        self.load_once(slot, role, Classifier::load)
    }

    fn load_once<T>(
        &self,
        slot: &Slot<T>,
        role: Role,
        load: impl FnOnce(
            &Runtime,
            &ResolvedModel,
            &RuntimeConfig,
        ) -> Result<(T, Vec<String>), ModelError>,
    ) -> Result<Arc<T>, ModelError> {
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(loaded) = slot.as_ref() {
            return Ok(loaded.clone());
        }
        let unavailable = |e| ModelError::Unavailable {
            role,
            source: Box::new(e),
        };
        let model = self.resolve(role).map_err(unavailable)?;
        let runtime = self.runtime().map_err(unavailable)?;
        let (loaded, warnings) =
            load(&runtime, &model, &self.config.runtime).map_err(unavailable)?;
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(warnings);
        let loaded = Arc::new(loaded);
        *slot = Some(loaded.clone());
        Ok(loaded)
    }

    /// Warnings gathered while loading (e.g. a provider fell back to CPU), for the
    /// server to show once.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
