//! `scholia related FILE [--json]`: the related-work report of FILE's project on stdout,
//! with TL;DRs computed for entries that have an abstract.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use scholia::analysis::related::{analyse, gather, markdown, VectorCache};
use scholia::analysis::summary::Summarizer;
use scholia::bib::Entry;
use scholia::model::{ModelError, Models, ModelsConfig};
use scholia::project::paths::normalize;

#[derive(clap::Args)]
pub struct RelatedArgs {
    /// A manuscript file (.tex, .md); its whole project is analysed.
    file: PathBuf,
    /// Print the themes and ranked entries as JSON instead of Markdown.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &RelatedArgs) -> ExitCode {
    match report(args) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("scholia: {e}");
            ExitCode::FAILURE
        }
    }
}

fn report(args: &RelatedArgs) -> Result<String, String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = normalize(&cwd.join(&args.file));
    // The project folder: the current one, unless the file lies outside it.
    let folder = if path.starts_with(&cwd) {
        cwd
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or(cwd)
    };
    let (mut workspace, _) = super::check::workspace_at(folder);
    workspace.load_source(&path).map_err(|e| e.to_string())?;
    let project = workspace.project_of(&path);
    let unavailable =
        |e: ModelError| format!("the models are not available ({e}); run `scholia models fetch`");
    let models = Models::new(ModelsConfig::default().with_env_overrides()).map_err(unavailable)?;
    let mut summarizer: Option<Result<Summarizer, ModelError>> = None;
    let tldr = |entry: &Entry| {
        let text = entry.abstract_text.as_deref()?;
        let loaded = summarizer.get_or_insert_with(|| Summarizer::new(&models));
        match loaded.as_ref().ok()?.tldr(entry.title.as_deref(), text) {
            Ok(found) => found.map(|t| t.text),
            Err(e) => {
                eprintln!("scholia: {}: no TL;DR: {e}", entry.key);
                None
            }
        }
    };
    let corpus = gather(&workspace, &project, &path, None, tldr);
    if let Some(Err(e)) = summarizer {
        return Err(unavailable(e));
    }
    let embedder = models.embedder().map_err(unavailable)?;
    let work = analyse(corpus, &VectorCache::default(), &*embedder).map_err(|e| e.to_string())?;
    if args.json {
        serde_json::to_string_pretty(&work).map_err(|e| e.to_string())
    } else {
        Ok(markdown(&work))
    }
}
