//! `scholia check FILE...`: the server's diagnostics for each file's project, as text
//! (`path:line:column: severity[code]: message`, then an indented `note:` line per related
//! location, such as a cited entry and the evidence it quotes) or JSON.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use scholia::analysis::{project_diagnostics, Diagnostic, DiagnosticOptions};
use scholia::bib::Severity;
use scholia::project::{paths::normalize, Workspace, WorkspaceOptions};
use scholia::server::settings::Settings;
use scholia::syntax::ParseOptions;
use scholia::text::Encoding;

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Manuscript files (.tex, .md); each brings its whole project (includes, bibliographies).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Project folder (default: the current directory); files outside it are not reported.
    #[arg(long)]
    root: Option<PathBuf>,
    /// Also check claims: uncited claims, and cited claims their abstracts do not
    /// support or contradict (runs the models; needs `scholia models fetch`).
    #[arg(long)]
    claims: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(serde::Serialize)]
struct Row {
    file: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    severity: &'static str,
    code: &'static str,
    message: String,
    /// Where else the diagnostic points: a cited entry, with the evidence it quotes.
    related: Vec<Note>,
}

#[derive(serde::Serialize)]
struct Note {
    file: String,
    line: u32,
    column: u32,
    message: String,
}

pub fn run(args: &CheckArgs) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = |p: &Path| normalize(&cwd.join(p));
    let folder = args.root.as_deref().map(absolute).unwrap_or_else(|| cwd.clone());
    let (mut workspace, settings) = workspace_at(folder);
    let mut all: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
    let mut failed = false;
    for file in &args.files {
        let path = absolute(file);
        if let Err(e) = workspace.load_source(&path) {
            eprintln!("scholia: {e}");
            failed = true;
            continue;
        }
        let project = workspace.project_of(&path);
        let options = DiagnosticOptions { unused_entries: settings.unused_entries };
        let mut found = project_diagnostics(&workspace, &project, options);
        if args.claims {
            match super::claims::check_project(&workspace, &project, &settings) {
                Ok(claims) => {
                    claims.into_iter().for_each(|(p, l)| found.entry(p).or_default().extend(l))
                }
                Err(e) => {
                    eprintln!("scholia: claims not checked: {e}");
                    failed = true;
                }
            }
        }
        for (path, list) in found {
            let slot = all.entry(path).or_default();
            for d in list {
                if !slot.contains(&d) {
                    slot.push(d);
                }
            }
        }
    }
    let rows = to_rows(&workspace, &all, &cwd);
    let errors = rows.iter().filter(|r| r.severity == "error").count();
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default()),
        Format::Text => {
            for r in &rows {
                println!(
                    "{}:{}:{}: {}[{}]: {}",
                    r.file, r.line, r.column, r.severity, r.code, r.message
                );
                for n in &r.related {
                    println!("  note: {}:{}:{}: {}", n.file, n.line, n.column, n.message);
                }
            }
        }
    }
    if failed || errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A workspace over `folder` with the settings of its `scholia.toml` (problems with it
/// printed to stderr).
pub fn workspace_at(folder: PathBuf) -> (Workspace, Settings) {
    let mut settings = Settings::default();
    let mut problems = Vec::new();
    if let Ok(text) = std::fs::read_to_string(folder.join(scholia::project::config::CONFIG_FILE)) {
        problems.extend(settings.merge_toml(&text));
    }
    for problem in problems {
        eprintln!("scholia: {problem}");
    }
    let options = WorkspaceOptions {
        parse: ParseOptions { extra_cite_commands: settings.cite_commands.clone() },
        default_bibliography: settings.default_bibliography.clone(),
    };
    (Workspace::new(vec![folder], options), settings)
}

/// One-based lines and columns (columns in characters), paths relative to `cwd` when inside it.
fn to_rows(
    workspace: &Workspace,
    all: &BTreeMap<PathBuf, Vec<Diagnostic>>,
    cwd: &Path,
) -> Vec<Row> {
    let document_of = |path: &Path| match (workspace.file(path), workspace.bib(path)) {
        (Some(f), _) => Some(&f.document),
        (None, Some(b)) => Some(&b.document),
        (None, None) => None,
    };
    let shown = |path: &Path| path.strip_prefix(cwd).unwrap_or(path).display().to_string();
    let mut rows = Vec::new();
    for (path, list) in all {
        let Some(document) = document_of(path) else { continue };
        let mut sorted: Vec<&Diagnostic> = list.iter().collect();
        sorted.sort_by_key(|d| d.span.start);
        for d in sorted {
            let start = document.position(d.span.start, Encoding::Utf16);
            let end = document.position(d.span.end, Encoding::Utf16);
            let related = d
                .related
                .iter()
                .filter_map(|r| {
                    let at = document_of(&r.path)?.position(r.span.start, Encoding::Utf16);
                    Some(Note {
                        file: shown(&r.path),
                        line: at.line + 1,
                        column: at.character + 1,
                        message: r.message.clone(),
                    })
                })
                .collect();
            rows.push(Row {
                file: shown(path),
                line: start.line + 1,
                column: start.character + 1,
                end_line: end.line + 1,
                end_column: end.character + 1,
                severity: severity_name(d.severity),
                code: d.code,
                message: d.message.clone(),
                related,
            });
        }
    }
    rows
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information => "info",
        Severity::Hint => "hint",
    }
}
