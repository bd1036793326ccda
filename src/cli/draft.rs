//! `scholia draft-abstract FILE [--extractive]`: the abstract the code action would write,
//! and where it would go.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use scholia::analysis::draft::{self, compose, Paper, PaperFile, Writer};
use scholia::model::{chat_backend, GeneratorSettings, Models, ModelsConfig};
use scholia::project::{paths::normalize, Workspace, WorkspaceOptions};

#[derive(clap::Args)]
pub struct DraftArgs {
    /// The manuscript (.tex, .md); its whole project is read.
    file: PathBuf,
    /// Only pick sentences from the manuscript; do not run the generator.
    #[arg(long)]
    extractive: bool,
}

pub fn run(args: &DraftArgs) -> ExitCode {
    match run_draft(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scholia: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_draft(args: &DraftArgs) -> Result<(), String> {
    let started = Instant::now();
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = normalize(&cwd.join(&args.file));
    let folder = path.parent().map(PathBuf::from).unwrap_or(cwd);
    let mut workspace = Workspace::new(vec![folder], WorkspaceOptions::default());
    workspace.load_source(&path).map_err(|e| e.to_string())?;
    let files = PaperFile::project(&mut workspace, &path);
    let target = draft::locate(&files)
        .ok_or_else(|| format!("{}: no manuscript to draft from", path.display()))?;
    let where_ = format!(
        "{} at byte {}: {}",
        files[target.file].path.display(),
        target.span.start,
        target.spot.describe()
    );
    let paper = Paper::new(files);
    let unavailable = |e: scholia::model::ModelError| format!("{e}; run `scholia models fetch`");
    let models = Models::new(ModelsConfig::default().with_env_overrides()).map_err(unavailable)?;
    let embedder = models.embedder().map_err(unavailable)?;
    let local;
    let writer = if args.extractive {
        Writer::Extractive("--extractive".into())
    } else {
        match chat_backend(&models, &GeneratorSettings::default()) {
            Ok(backend) => {
                local = compose::with(backend);
                Writer::Model(&*local)
            }
            Err(e) => Writer::Extractive(format!("no generator: {e}")),
        }
    };
    let mut progress =
        |message: &str| eprintln!("[{:.1}s] {message}", started.elapsed().as_secs_f32());
    let result = draft::draft(&paper, &embedder, writer, &mut progress, &|| false)
        .map_err(|e| e.to_string())?;
    println!("{}", result.text());
    println!();
    println!("-- {}", result.summary());
    println!("-- goes to {where_}");
    for d in &result.dropped {
        println!("-- dropped ({:?}): {}", d.reason, d.text);
    }
    println!("-- took {:.1} s", started.elapsed().as_secs_f32());
    Ok(())
}
