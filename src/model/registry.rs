//! `Models`: resolves each role to its files (fetched default or a local folder) and
//! loads the runtime and models lazily, on first use.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use super::classify::Classifier;
use super::embed::Embedder;
use super::fetch;
use super::generate::Generator;
use super::manifest::{Architecture, GenerationDefaults, Manifest, ModelEntry, Role};
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

/// Where a model lives and what it is.
#[derive(Debug, Clone)]
pub struct ResolvedModel {
    pub id: String,
    /// The folder its files are in: the fetched default's or the user's own.
    pub folder: PathBuf,
    pub architecture: Architecture,
    pub max_length: Option<usize>,
    pub generation: GenerationDefaults,
    pub files: Vec<ResolvedFile>,
    /// How to get a missing file, for error messages.
    missing_hint: String,
}

fn local_files(dir: &Path, names: impl IntoIterator<Item = String>) -> Vec<ResolvedFile> {
    names
        .into_iter()
        .map(|name| ResolvedFile { path: dir.join(&name), name, sha256: None })
        .collect()
}

impl ResolvedModel {
    /// A manifest model fetched into `dir` by `scholia models fetch <fetch_args>`.
    fn fetched(entry: &ModelEntry, dir: &Path, fetch_args: &str) -> Self {
        Self {
            id: entry.id.clone(),
            folder: dir.to_owned(),
            architecture: entry.architecture,
            max_length: entry.max_length,
            generation: entry.generation.clone(),
            files: entry
                .files
                .iter()
                .map(|f| ResolvedFile {
                    name: f.name.clone(),
                    path: dir.join(&f.name),
                    sha256: Some(f.sha256.clone()),
                })
                .collect(),
            missing_hint: format!("run `scholia models fetch {fetch_args}`"),
        }
    }

    /// Names the model's contents for result caches: the id, plus the start of each pinned
    /// file's sha256, so a retrained model shipped under the same id does not reuse results
    /// cached from the old one. A local folder is named by its id alone.
    pub fn cache_id(&self) -> String {
        let pins: String =
            self.files.iter().filter_map(|f| f.sha256.as_deref()).map(|s| &s[..8]).collect();
        match pins.is_empty() {
            true => self.id.clone(),
            false => format!("{}@{pins}", self.id),
        }
    }

    /// From a user's folder rather than the manifest (nothing to checksum).
    pub fn is_local(&self) -> bool {
        self.files.iter().all(|f| f.sha256.is_none())
    }

    /// Path of a named file, or an error naming the role and the command to fetch it.
    pub fn file(&self, name: &str) -> Result<&Path, ModelError> {
        let file = self.files.iter().find(|f| f.name == name);
        match file {
            Some(f) if f.path.is_file() => Ok(&f.path),
            Some(f) => Err(ModelError::MissingFile {
                path: f.path.clone(),
                hint: self.missing_hint.clone(),
            }),
            None => {
                Err(ModelError::Manifest(format!("model `{}` lists no file `{name}`", self.id)))
            }
        }
    }

    /// Path of a named file if the model lists it and it exists.
    pub fn optional_file(&self, name: &str) -> Option<&Path> {
        self.files.iter().find(|f| f.name == name && f.path.is_file()).map(|f| f.path.as_path())
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
    #[serde(default)]
    generation: GenerationDefaults,
    files: Vec<String>,
}

/// A lazily loaded model; `None` until the first successful load.
type Slot<T> = Mutex<Option<Arc<T>>>;

/// Receives each load warning once (the server shows them to the user).
pub type WarningSink = Box<dyn Fn(String) + Send + Sync>;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The models a server uses, each loaded on first request. Failures are not cached:
/// a later request retries, so fetching while the server runs is enough. The settings
/// can change while it runs (`reconfigure`); a model they affect is loaded again the next
/// time it is needed.
pub struct Models {
    manifest: Manifest,
    data_dir: PathBuf,
    config: Mutex<ModelsConfig>,
    embedder: Slot<Embedder>,
    verifier: Slot<Classifier>,
    generator: Slot<Generator>,
    /// Warnings not yet taken, when no sink is set.
    warnings: Mutex<Vec<String>>,
    /// Warnings already given to the sink since the last reconfiguration: every session
    /// of every model repeats a provider fallback, the user needs it once.
    reported: Mutex<HashSet<String>>,
    sink: Mutex<Option<WarningSink>>,
    /// The provider the latest load under the current settings runs on.
    provider: Mutex<Option<&'static str>>,
}

impl Models {
    /// The built-in manifest and the user's data directory.
    pub fn new(config: ModelsConfig) -> Result<Self, ModelError> {
        Ok(Self::with_manifest(Manifest::builtin()?, paths::data_dir()?, config))
    }

    pub fn with_manifest(manifest: Manifest, data_dir: PathBuf, config: ModelsConfig) -> Self {
        Self {
            manifest,
            data_dir,
            config: Mutex::new(config),
            embedder: Slot::default(),
            verifier: Slot::default(),
            generator: Slot::default(),
            warnings: Mutex::default(),
            reported: Mutex::default(),
            sink: Mutex::default(),
            provider: Mutex::default(),
        }
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn config(&self) -> ModelsConfig {
        lock(&self.config).clone()
    }

    /// Applies new settings; returns whether anything changed. Models whose folder
    /// changed (every model, when the provider settings changed) are dropped here and
    /// loaded again on their next use. A load in progress finishes first.
    pub fn reconfigure(&self, config: ModelsConfig) -> bool {
        let old = {
            let mut current = lock(&self.config);
            if *current == config {
                return false;
            }
            std::mem::replace(&mut *current, config.clone())
        };
        let all = old.runtime != config.runtime;
        let changed = |role| all || old.local_models.get(&role) != config.local_models.get(&role);
        if changed(Role::Embed) {
            *lock(&self.embedder) = None;
        }
        if changed(Role::Verify) {
            *lock(&self.verifier) = None;
        }
        if changed(Role::Generate) {
            *lock(&self.generator) = None;
        }
        lock(&self.reported).clear();
        *lock(&self.provider) = None;
        true
    }

    /// Where load warnings go from now on (instead of `take_warnings`).
    pub fn set_warning_sink(&self, sink: WarningSink) {
        *lock(&self.sink) = Some(sink);
    }

    /// The execution provider models run on, once one has loaded under the current
    /// settings (`cpu` after a fallback).
    pub fn effective_provider(&self) -> Option<&'static str> {
        *lock(&self.provider)
    }

    /// The embedder if it is loaded already; never loads it, nor waits for a load under
    /// way.
    pub fn loaded_embedder(&self) -> Option<Arc<Embedder>> {
        match self.embedder.try_lock() {
            Ok(slot) => slot.clone(),
            Err(std::sync::TryLockError::Poisoned(slot)) => slot.into_inner().clone(),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    pub fn library_path(&self) -> Result<PathBuf, ModelError> {
        runtime::library_path(&self.manifest, &self.data_dir)
    }

    /// Loads ONNX Runtime (once per process).
    pub fn runtime(&self) -> Result<Runtime, ModelError> {
        Runtime::load(&self.library_path()?)
    }

    /// Folder a manifest model is fetched into: `models/<role or "fixtures">/<id>`.
    pub fn default_dir(&self, group: &str, id: &str) -> PathBuf {
        self.data_dir.join("models").join(group).join(id)
    }

    pub fn resolve(&self, role: Role) -> Result<ResolvedModel, ModelError> {
        let default = self.manifest.model(role);
        let local = lock(&self.config).local_models.get(&role).cloned();
        let Some(dir) = local.as_ref() else {
            let entry = default.ok_or(ModelError::NotConfigured(role))?;
            let dir = self.default_dir(role.as_str(), &entry.id);
            return Ok(ResolvedModel::fetched(entry, &dir, role.as_str()));
        };
        let hint = format!("the local folder set for {role} lacks it");
        let described = dir.join(LOCAL_DESCRIPTION);
        let local = if described.is_file() {
            let text = std::fs::read_to_string(&described).map_err(ModelError::io(&described))?;
            let d: LocalDescription = toml::from_str(&text)
                .map_err(|e| ModelError::Manifest(format!("{}: {e}", described.display())))?;
            ResolvedModel {
                id: d.id.unwrap_or_else(|| dir.display().to_string()),
                folder: dir.clone(),
                architecture: d.architecture,
                max_length: d.max_length,
                generation: d.generation,
                files: local_files(dir, d.files),
                missing_hint: hint,
            }
        } else if let Some(m) = default {
            ResolvedModel {
                id: dir.display().to_string(),
                folder: dir.clone(),
                architecture: m.architecture,
                max_length: m.max_length,
                generation: m.generation.clone(),
                files: local_files(dir, m.files.iter().map(|f| f.name.clone())),
                missing_hint: hint,
            }
        } else {
            return Err(ModelError::Manifest(format!(
                "role {role} has no default model, so {} must describe the model in {LOCAL_DESCRIPTION}",
                dir.display()
            )));
        };
        Ok(local)
    }

    /// A test fixture from the manifest's `fixtures` table.
    pub fn resolve_fixture(&self, name: &str) -> Result<ResolvedModel, ModelError> {
        let entry =
            self.manifest.fixtures.get(name).ok_or_else(|| {
                ModelError::Manifest(format!("the manifest has no fixture `{name}`"))
            })?;
        let dir = self.default_dir("fixtures", &entry.id);
        Ok(ResolvedModel::fetched(entry, &dir, "--fixtures"))
    }

    /// The sentence embedder, loaded on first call.
    pub fn embedder(&self) -> Result<Arc<Embedder>, ModelError> {
        self.load_once(&self.embedder, Role::Embed, Embedder::load)
    }

    /// The `verify` pair classifier, loaded on first call.
    pub fn verifier(&self) -> Result<Arc<Classifier>, ModelError> {
        self.load_once(&self.verifier, Role::Verify, Classifier::load)
    }

    /// The text generator, loaded on first call.
    pub fn generator(&self) -> Result<Arc<Generator>, ModelError> {
        self.load_once(&self.generator, Role::Generate, Generator::load)
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
        let mut slot = lock(slot);
        if let Some(loaded) = slot.as_ref() {
            return Ok(loaded.clone());
        }
        let unavailable = |e| ModelError::Unavailable { role, source: Box::new(e) };
        let model = self.resolve(role).map_err(unavailable)?;
        let runtime = self.runtime().map_err(unavailable)?;
        let config = lock(&self.config).runtime.clone();
        let (loaded, warnings) = load(&runtime, &model, &config).map_err(unavailable)?;
        *lock(&self.provider) = runtime.last_provider();
        self.report(warnings);
        let loaded = Arc::new(loaded);
        *slot = Some(loaded.clone());
        Ok(loaded)
    }

    fn report(&self, warnings: Vec<String>) {
        let sink = lock(&self.sink);
        let Some(sink) = sink.as_ref() else {
            lock(&self.warnings).extend(warnings);
            return;
        };
        for warning in warnings {
            if lock(&self.reported).insert(warning.clone()) {
                sink(warning);
            }
        }
    }

    /// Warnings gathered while loading (e.g. a provider fell back to CPU) when no sink
    /// is set.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut lock(&self.warnings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retrained_model_under_the_same_id_gets_a_new_cache_id() {
        let manifest = Manifest::builtin().unwrap();
        let mut entry = manifest.model(Role::Verify).unwrap().clone();
        let dir = Path::new("/models/verify");
        let shipped = ResolvedModel::fetched(&entry, dir, "verify").cache_id();
        assert!(shipped.starts_with(&format!("{}@", entry.id)), "{shipped}");
        entry.files[0].sha256 = "0".repeat(64);
        assert_ne!(ResolvedModel::fetched(&entry, dir, "verify").cache_id(), shipped);
        let local = ResolvedModel {
            files: local_files(dir, ["model.onnx".into()]),
            ..ResolvedModel::fetched(&entry, dir, "verify")
        };
        assert_eq!(local.cache_id(), entry.id);
    }
}
