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

#[derive(serde::Serialize)]
struct Row<'a> {
    file: String,
    /// One-based line of the sentence's first character.
    line: u32,
    section: SectionKind,
    /// Heading of the innermost enclosing section ("" before the first heading).
    section_title: &'a str,
    cited: bool,
    /// Cited keys, in order.
    keys: Vec<&'a str>,
    prose: &'a str,
}

pub fn run(args: &SentencesArgs) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = |p: &Path| normalize(&cwd.join(p));
    let folder = args.root.as_deref().map(absolute).unwrap_or_else(|| cwd.clone());
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
    let path = absolute(&args.file);
    if let Err(e) = workspace.load_source(&path) {
        eprintln!("scholia: {e}");
        return ExitCode::FAILURE;
    }
    let project = workspace.project_of(&path);
    for problem in &project.problems {
        eprintln!("scholia: {}", problem.message);
    }
    let mut out = std::io::stdout().lock();
    for file_path in &project.files {
        let Some(file) = workspace.file(file_path) else { continue };
        let shown = file_path.strip_prefix(&cwd).unwrap_or(file_path).display().to_string();
        let ir = &file.manuscript;
        for sentence in &ir.sentences {
            let section = ir.paragraphs.get(sentence.paragraph).and_then(|p| p.section);
            let section = section.and_then(|s| ir.sections.get(s));
            let keys = sentence
                .citations
                .iter()
                .filter_map(|&c| ir.citations.get(c))
                .flat_map(|c| c.keys.iter())
                .map(|k| k.key.as_str())
                .filter(|k| !k.is_empty())
                .collect();
            let row = Row {
                file: shown.clone(),
                line: file.document.position(sentence.span.start, Encoding::Utf8).line + 1,
                section: section.map_or(SectionKind::Other, |s| s.kind),
                section_title: section.map_or("", |s| s.title.as_str()),
                cited: !sentence.citations.is_empty(),
                keys,
                prose: &sentence.prose,
            };
            let written = if args.json {
                serde_json::to_string(&row)
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
    }
    ExitCode::SUCCESS
}
