//! `scholia models list | fetch [ROLE...] | verify | doctor`.

use std::io::Write;
use std::process::ExitCode;

use super::convert;
use super::fetch::{self, Fetcher, Outcome};
use super::manifest::{ModelEntry, Role};
use super::registry::{Models, ModelsConfig, ResolvedModel};
use super::runtime;
use super::ModelError;

#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum ModelsCommand {
    /// List each role's model and whether it is fetched.
    List,
    /// Fetch the ONNX Runtime library and the default models (all roles if none given).
    Fetch {
        #[arg(value_enum)]
        roles: Vec<Role>,
        /// Also fetch the models the test suite uses (CI).
        #[arg(long)]
        fixtures: bool,
    },
    /// Check every fetched file against its sha256.
    Verify,
    /// Report the runtime library, execution providers and each model's inputs and outputs.
    Doctor,
}

/// Runs a command with the built-in manifest, the user's data directory and local
/// folders from `SCHOLIA_MODEL_<ROLE>`, printing to stdout.
pub fn run(cmd: ModelsCommand) -> Result<ExitCode, ModelError> {
    let models = Models::new(ModelsConfig::default().with_env_overrides())?;
    let ok = run_with(&cmd, &models, &mut std::io::stdout().lock())?;
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Runs a command against `models`, writing its report to `out`. Returns whether
/// everything checked was in order.
pub fn run_with(
    cmd: &ModelsCommand,
    models: &Models,
    out: &mut dyn Write,
) -> Result<bool, ModelError> {
    let out = &mut Report(out);
    match cmd {
        ModelsCommand::List => list(models, out),
        ModelsCommand::Fetch { roles, fixtures } => fetch(models, roles, *fixtures, out),
        ModelsCommand::Verify => verify(models, out),
        ModelsCommand::Doctor => doctor(models, out),
    }
}

/// Report lines; a closed stdout is not worth failing a fetch over.
struct Report<'a>(&'a mut dyn Write);

impl Report<'_> {
    fn line(&mut self, text: impl std::fmt::Display) {
        let _ = writeln!(self.0, "{text}");
    }
}

fn list(models: &Models, out: &mut Report) -> Result<bool, ModelError> {
    for role in Role::ALL {
        match models.resolve(role) {
            Ok(m) => {
                let state = match (m.is_local(), m.is_present()) {
                    (true, _) => "local",
                    (false, true) => "fetched",
                    (false, false) => "not fetched",
                };
                let licence = models
                    .manifest()
                    .model(role)
                    .filter(|_| !m.is_local())
                    .map(|e| e.licence.as_str());
                out.line(format_args!(
                    "{role:<9} {}  {:?}  {}  [{state}]",
                    m.id,
                    m.architecture,
                    licence.unwrap_or("-")
                ));
            }
            Err(e) => out.line(format_args!("{role:<9} {e}")),
        }
    }
    Ok(true)
}

fn fetch(
    models: &Models,
    roles: &[Role],
    fixtures: bool,
    out: &mut Report,
) -> Result<bool, ModelError> {
    let mut fetcher = Fetcher::new(true)?;
    let manifest = models.manifest();
    let library = manifest.runtime_file()?;
    let dir = runtime::runtime_dir(models.data_dir(), &manifest.runtime.version);
    let outcome = fetcher.fetch(library, &dir.join(&library.name))?;
    out.line(format_args!(
        "runtime   onnxruntime {}: {}",
        manifest.runtime.version,
        describe(outcome)
    ));
    let explicit = !roles.is_empty();
    let roles = if explicit { roles } else { &Role::ALL[..] };
    for &role in roles {
        if models.config().local_models.contains_key(&role) {
            out.line(format_args!("{role:<9} local folder, nothing to fetch"));
            continue;
        }
        match manifest.model(role) {
            Some(entry) => fetch_model(&mut fetcher, models, role.as_str(), entry, out)?,
            None if explicit => return Err(ModelError::NotConfigured(role)),
            None => out.line(format_args!("{role:<9} not configured")),
        }
    }
    if fixtures {
        for entry in manifest.fixtures.values() {
            fetch_model(&mut fetcher, models, "fixtures", entry, out)?;
        }
    }
    Ok(true)
}

fn fetch_model(
    fetcher: &mut Fetcher,
    models: &Models,
    group: &str,
    entry: &ModelEntry,
    out: &mut Report,
) -> Result<(), ModelError> {
    let dir = models.default_dir(group, &entry.id);
    if let Some(convert) = &entry.convert {
        let outcome = convert::fetch_converted(fetcher, entry, convert, &dir)?;
        let what = match outcome {
            Outcome::AlreadyPresent => "already present",
            Outcome::Fetched => "converted, sha256 verified",
        };
        out.line(format_args!("{group:<9} {}: {what}", entry.id));
        return Ok(());
    }
    for file in &entry.files {
        let outcome = fetcher.fetch(file, &dir.join(&file.name))?;
        out.line(format_args!("{group:<9} {}/{}: {}", entry.id, file.name, describe(outcome)));
    }
    Ok(())
}

fn describe(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::AlreadyPresent => "already present",
        Outcome::Fetched => "fetched, sha256 verified",
    }
}

/// Checks the runtime library's sha256 (unless overridden) and every model file.
fn check_files(
    models: &Models,
    out: &mut Report,
) -> Result<(bool, Vec<(String, ResolvedModel)>), ModelError> {
    let mut ok = true;
    let manifest = models.manifest();
    let library = models.library_path()?;
    let pinned = manifest.runtime_file()?;
    let overridden = std::env::var_os("ORT_DYLIB_PATH").is_some_and(|p| !p.is_empty());
    let status = if overridden {
        if library.is_file() {
            "present (ORT_DYLIB_PATH)".to_owned()
        } else {
            "missing (ORT_DYLIB_PATH)".to_owned()
        }
    } else {
        match fetch::verify_file(&library, &pinned.sha256) {
            Ok(()) => "verified".to_owned(),
            Err(e) => {
                ok = false;
                e.to_string()
            }
        }
    };
    out.line(format_args!("runtime   {}: {status}", library.display()));
    let mut present = Vec::new();
    let fixtures = models.manifest().fixtures.keys().filter_map(|name| {
        let m = models.resolve_fixture(name).ok()?;
        // Fixtures are optional: only check those fetched at least in part.
        m.files.iter().any(|f| f.path.is_file()).then(|| ("fixture".to_owned(), Ok(m)))
    });
    let roles = Role::ALL.map(|role| (role.to_string(), models.resolve(role)));
    for (label, model) in roles.into_iter().chain(fixtures) {
        let model = match model {
            Ok(m) => m,
            Err(ModelError::NotConfigured(_)) => {
                out.line(format_args!("{label:<9} not configured"));
                continue;
            }
            Err(e) => {
                ok = false;
                out.line(format_args!("{label:<9} {e}"));
                continue;
            }
        };
        match model.verify() {
            Ok(()) => {
                let what =
                    if model.is_local() { "present (local, not checksummed)" } else { "verified" };
                out.line(format_args!("{label:<9} {}: {what}", model.id));
                present.push((label, model));
            }
            Err(e) => {
                ok = false;
                out.line(format_args!("{label:<9} {}: {e}", model.id));
            }
        }
    }
    Ok((ok, present))
}

fn verify(models: &Models, out: &mut Report) -> Result<bool, ModelError> {
    Ok(check_files(models, out)?.0)
}

fn doctor(models: &Models, out: &mut Report) -> Result<bool, ModelError> {
    out.line(format_args!("data dir  {}", models.data_dir().display()));
    let (mut ok, present) = check_files(models, out)?;
    let runtime = match models.runtime() {
        Ok(rt) => rt,
        Err(e) => {
            out.line(format_args!("runtime   not loadable: {e}"));
            return Ok(false);
        }
    };
    let library = runtime.library();
    out.line(format_args!(
        "runtime   ONNX Runtime {} loaded from {}",
        library.version,
        library.path.display()
    ));
    out.line(format_args!("providers {}", runtime.available_providers().join(", ")));
    let config = &models.config().runtime;
    out.line(format_args!(
        "setting   executionProvider = {:?}, strictProvider = {}",
        config.execution_provider, config.strict_provider
    ));
    for (label, model) in present {
        for file in model.files.iter().filter(|f| f.name.ends_with(".onnx")) {
            match runtime.session(&file.path, config) {
                Ok((session, warnings)) => {
                    let names = |outlets: &[ort::value::Outlet]| {
                        summarise(outlets.iter().map(|o| o.name()))
                    };
                    out.line(format_args!("{label:<9} {}/{}", model.id, file.name));
                    out.line(format_args!("            inputs:  {}", names(session.inputs())));
                    out.line(format_args!("            outputs: {}", names(session.outputs())));
                    for w in warnings {
                        out.line(format_args!("            warning: {w}"));
                    }
                }
                Err(e) => {
                    ok = false;
                    out.line(format_args!("{label:<9} {e}"));
                }
            }
        }
    }
    Ok(ok)
}

/// Joins names, folding numbered runs such as `present.0.key` .. `present.29.key`
/// into `present.N.key (N = 0..29)`.
fn summarise<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
    for name in names {
        let parts: Vec<&str> = name.split('.').collect();
        let numbered = parts.iter().position(|p| p.parse::<u32>().is_ok());
        let (pattern, n) = match numbered {
            Some(i) => {
                let mut p = parts.clone();
                p[i] = "N";
                (p.join("."), parts[i].parse().ok())
            }
            None => (name.to_owned(), None),
        };
        match groups.iter_mut().find(|(p, _)| *p == pattern) {
            Some((_, ns)) => ns.extend(n),
            None => groups.push((pattern, n.into_iter().collect())),
        }
    }
    let shown: Vec<String> = groups
        .into_iter()
        .map(|(pattern, ns)| match (ns.first(), ns.last()) {
            (Some(first), Some(last)) if ns.len() > 1 => format!("{pattern} (N = {first}..{last})"),
            (Some(n), _) => pattern.replace(".N.", &format!(".{n}.")),
            _ => pattern,
        })
        .collect();
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::summarise;

    #[test]
    fn numbered_names_are_folded() {
        let names =
            ["input_ids", "past.0.key", "past.0.value", "past.1.key", "past.1.value", "solo.3.x"];
        assert_eq!(
            summarise(names.into_iter()),
            "input_ids, past.N.key (N = 0..1), past.N.value (N = 0..1), solo.3.x"
        );
    }
}
