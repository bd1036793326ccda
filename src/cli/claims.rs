//! Claim checks from the command line: every sentence of a project at once (`scholia
//! check --claims`), with a progress line on a terminal.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use scholia::analysis::claims::diagnose::Collector;
use scholia::analysis::claims::{inputs, Checker};
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
    let mut collector = Collector::new(workspace, project, settings.claims.severities);
    for (n, batch) in sentences.chunks(BATCH).enumerate() {
        if progress {
            eprint!("\rchecking claims: {}/{}", n * BATCH, sentences.len());
        }
        let refs: Vec<_> = batch.iter().map(|s| &s.input).collect();
        let verdicts = checker.check(&refs, &pool).map_err(|e| e.to_string())?;
        for (sentence, verdict) in batch.iter().zip(verdicts) {
            collector.add(sentence, &verdict);
        }
    }
    if progress {
        eprintln!("\rchecking claims: {0}/{0}", sentences.len());
    }
    Ok(collector.found)
}
