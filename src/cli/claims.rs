//! Claim checks from the command line: every sentence of a project at once (`scholia
//! check --claims`), with a progress line on a terminal.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use scholia::analysis::claims::{diagnose, inputs, Checker};
use scholia::analysis::Diagnostic;
use scholia::model::{Models, ModelsConfig};
use scholia::project::{Project, Workspace};
use scholia::server::settings::Settings;

/// Sentences per model batch.
const BATCH: usize = 64;

/// The models as the server would use them (local folders from `SCHOLIA_MODEL_<ROLE>`).
pub fn models() -> Result<Models, String> {
    Models::new(ModelsConfig::default().with_env_overrides()).map_err(|e| e.to_string())
}

/// Claim diagnostics of every sentence of the project.
pub fn check_project(
    workspace: &Workspace,
    project: &Project,
    settings: &Settings,
) -> Result<BTreeMap<PathBuf, Vec<Diagnostic>>, String> {
    let models = models()?;
    let (checker, warnings) =
        Checker::new(&models, settings.claims.thresholds).map_err(|e| e.to_string())?;
    for warning in warnings {
        eprintln!("scholia: {warning}");
    }
    let pool = inputs::pool(workspace, project);
    let sentences = inputs::project_sentences(workspace, project);
    let progress = std::io::stderr().is_terminal();
    let mut out: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
    let mut texts: BTreeMap<PathBuf, String> = BTreeMap::new();
    for (n, batch) in sentences.chunks(BATCH).enumerate() {
        if progress {
            eprint!("\rchecking claims: {}/{}", n * BATCH, sentences.len());
        }
        let refs: Vec<_> = batch.iter().map(|s| &s.input).collect();
        let verdicts = checker.check(&refs, &pool).map_err(|e| e.to_string())?;
        for (sentence, verdict) in batch.iter().zip(verdicts) {
            let Some(file) = workspace.file(&sentence.path) else { continue };
            let text = texts.entry(sentence.path.clone()).or_insert_with(|| file.document.text());
            let found = diagnose::diagnostic(
                workspace,
                project,
                &file.manuscript,
                text,
                sentence.sentence,
                &verdict,
                settings.claims.severities,
            );
            out.entry(sentence.path.clone()).or_default().extend(found);
        }
    }
    if progress {
        eprintln!("\rchecking claims: {0}/{0}", sentences.len());
    }
    Ok(out)
}
