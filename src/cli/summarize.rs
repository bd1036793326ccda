//! `scholia summarize FILE.bib [KEY...]`: the hover TL;DR of bibliography entries, one
//! `key<TAB>tldr` line each.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use scholia::analysis::summary::Summarizer;
use scholia::bib::{BibFormat, Entry};
use scholia::model::{Models, ModelsConfig};

#[derive(clap::Args)]
pub struct SummarizeArgs {
    /// Bibliography file (.bib, CSL .json or .yaml).
    file: PathBuf,
    /// Entry keys (default: every entry with an abstract).
    keys: Vec<String>,
}

pub fn run(args: &SummarizeArgs) -> ExitCode {
    match summarize(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("scholia: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Ok(false) when some key was not found.
fn summarize(args: &SummarizeArgs) -> Result<bool, String> {
    let source = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let format = BibFormat::from_path(&args.file).unwrap_or(BibFormat::Bibtex);
    let bib = scholia::bib::parse(format, &source, &[]);
    let mut ok = true;
    let entries: Vec<&Entry> = if args.keys.is_empty() {
        bib.entries.iter().filter(|e| e.abstract_text.is_some()).collect()
    } else {
        let mut found = Vec::new();
        for key in &args.keys {
            match bib.lookup(key) {
                Some((entry, _)) => found.push(entry),
                None => {
                    eprintln!("scholia: {}: no entry `{key}`", args.file.display());
                    ok = false;
                }
            }
        }
        found
    };
    let needs_model = entries.iter().any(|e| e.abstract_text.is_some());
    let summarizer = if needs_model { Some(load()?) } else { None };
    let progress = std::io::stderr().is_terminal();
    let mut out = std::io::stdout().lock();
    for (i, entry) in entries.iter().enumerate() {
        if progress {
            eprint!("\r\x1b[K[{}/{}] {}", i + 1, entries.len(), entry.key);
        }
        let line = match (&entry.abstract_text, &summarizer) {
            (Some(text), Some(s)) => match s.tldr(entry.title.as_deref(), text) {
                Ok(Some(tldr)) => tldr.text,
                Ok(None) => "(no sentence in the abstract)".to_owned(),
                Err(e) => return Err(format!("{}: {e}", entry.key)),
            },
            _ => "(no abstract)".to_owned(),
        };
        match writeln!(out, "{}\t{line}", entry.key) {
            Ok(()) => {}
            // A closed pipe (`| head`) is the reader's choice, not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ok),
            Err(e) => return Err(e.to_string()),
        }
    }
    if progress && !entries.is_empty() {
        eprint!("\r\x1b[K");
    }
    Ok(ok)
}

/// The summarizer, or an error naming the command that fetches its models.
pub fn load() -> Result<Summarizer, String> {
    let unavailable = |e: scholia::model::ModelError| {
        format!("the TL;DR models are not available ({e}); run `scholia models fetch`")
    };
    let models = Models::new(ModelsConfig::default().with_env_overrides()).map_err(unavailable)?;
    Summarizer::new(&models).map_err(unavailable)
}
