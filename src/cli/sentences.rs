//! `scholia sentences FILE`: every sentence of FILE's project as the models read it (the
//! IR's placeholder prose), with its file, line, section kind and whether it cites. The
//! claim head's training script reads real papers through `--json`, so it sees exactly
//! what the server sees.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use scholia::project::{paths::normalize, Workspace, WorkspaceOptions};
use scholia::server::settings::Settings;
use scholia::syntax::{ParseOptions, SectionKind};
use scholia::text::Encoding;

#[derive(clap::Args)]
pub struct SentencesArgs {
    /// A manuscript file (.tex, .md); every file of its project is listed, root first.
    file: PathBuf,
    /// One JSON object per line instead of text.
    #[arg(long)]
    json: bool,
    /// Project folder (default: the current directory).
    #[arg(long)]
    root: Option<PathBuf>,
}

/// One sentence as listed.
#[derive(serde::Serialize)]
pub struct Row {
    pub file: String,
    /// One-based line of the sentence's first character.
    pub line: u32,
    pub section: SectionKind,
    /// Heading of the innermost enclosing section ("" before the first heading).
    pub section_title: String,
    pub cited: bool,
    /// Cited keys, in order.
    pub keys: Vec<String>,
    pub prose: String,
}

/// Every sentence of `file`'s project, root file first, in document order (what `scholia
/// sentences` lists), reading the project's `.scholia.toml` from `root` (default: the
/// current directory). Project problems go to stderr.
pub fn project_rows(file: &Path, root: Option<&Path>) -> Result<Vec<Row>, String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = |p: &Path| normalize(&cwd.join(p));
    let folder = root.map(absolute).unwrap_or_else(|| cwd.clone());
    let mut settings = Settings::default();
    if let Ok(text) = std::fs::read_to_string(folder.join(scholia::project::config::CONFIG_FILE)) {
        for problem in settings.merge_toml(&text) {
            eprintln!("scholia: {problem}");
        }
    }
    let options = WorkspaceOptions {
        parse: ParseOptions { extra_cite_commands: settings.cite_commands.clone() },
        default_bibliography: settings.default_bibliography.clone(),
    };
    let mut workspace = Workspace::new(vec![folder], options);
    let path = absolute(file);
    workspace.load_source(&path).map_err(|e| e.to_string())?;
    let project = workspace.project_of(&path);
    for problem in &project.problems {
        eprintln!("scholia: {}", problem.message);
    }
    let mut rows = Vec::new();
    for file_path in &project.files {
        let Some(file) = workspace.file(file_path) else { continue };
        let shown = file_path.strip_prefix(&cwd).unwrap_or(file_path).display().to_string();
        let ir = &file.manuscript;
        for sentence in &ir.sentences {
            let section = ir.section_of(sentence);
            let keys = sentence
                .citations
                .iter()
                .filter_map(|&c| ir.citations.get(c))
                .flat_map(|c| c.keys.iter())
                .filter(|k| !k.key.is_empty())
                .map(|k| k.key.clone())
                .collect();
            rows.push(Row {
                file: shown.clone(),
                line: file.document.position(sentence.span.start, Encoding::Utf8).line + 1,
                section: section.map_or(SectionKind::Other, |s| s.kind),
                section_title: section.map_or(String::new(), |s| s.title.clone()),
                cited: !sentence.citations.is_empty(),
                keys,
                prose: sentence.prose.clone(),
            });
        }
    }
    Ok(rows)
}

pub fn run(args: &SentencesArgs) -> ExitCode {
    let rows = match project_rows(&args.file, args.root.as_deref()) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("scholia: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    for row in &rows {
        let written = if args.json {
            serde_json::to_string(row)
                .map_err(std::io::Error::other)
                .and_then(|line| writeln!(out, "{line}"))
        } else {
            let mark = if row.cited { "cited" } else { "-" };
            let kind = serde_json::to_value(row.section).unwrap_or_default();
            let kind = kind.as_str().unwrap_or("other");
            writeln!(out, "{}:{}: {kind} {mark}: {}", row.file, row.line, row.prose)
        };
        // A closed pipe (`| head`) ends the listing quietly.
        if written.is_err() {
            return ExitCode::SUCCESS;
        }
    }
    ExitCode::SUCCESS
}
