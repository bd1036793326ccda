//! The `scholia` command: `lsp` serves the language server over stdio, `check` prints the
//! diagnostics the server would publish.

mod cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "scholia",
    version,
    about = "Language server for scientific manuscripts in LaTeX and Markdown"
)]
struct Args {
    /// Serve LSP over stdio (what editors pass; same as `scholia lsp`).
    #[arg(long, global = true)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Language Server Protocol over stdin/stdout.
    Lsp,
    /// Print the diagnostics of manuscripts and their projects; exit 1 if any is an error.
    Check(cli::check::CheckArgs),
    /// Print a one-sentence TL;DR of bibliography entries' abstracts (`key<TAB>tldr`).
    Summarize(cli::summarize::SummarizeArgs),
    /// Answer one prompt with the local generator, or an OpenAI-compatible server
    /// (`--remote URL --model NAME`); the answer streams to stdout.
    Chat(cli::chat::ChatArgs),
    /// Print every sentence of a manuscript's project as the models read it (`--json`: JSON Lines).
    Sentences(cli::sentences::SentencesArgs),
    /// Print the related-work report of a manuscript's project: bibliography entries ranked by relevance, grouped in themes.
    Related(cli::related::RelatedArgs),
    /// Draft an abstract from a manuscript and print it with where it would go.
    DraftAbstract(cli::draft::DraftArgs),
    /// Evaluate pipelines on data sets (`scholia eval tldr --data FILE.jsonl`).
    #[command(subcommand)]
    Eval(cli::eval::EvalCommand),
    /// Inspect, fetch and verify the ONNX Runtime library and the models.
    #[command(subcommand)]
    Models(scholia::model::cli::ModelsCommand),
}

fn main() -> ExitCode {
    // stdout is the LSP channel: logs go to stderr only.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SCHOLIA_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let args = Args::parse();
    match args.command {
        Some(Command::Check(check)) => cli::check::run(&check),
        Some(Command::Summarize(summarize)) => cli::summarize::run(&summarize),
        Some(Command::Chat(chat)) => cli::chat::run(&chat),
        Some(Command::Sentences(sentences)) => cli::sentences::run(&sentences),
        Some(Command::Related(related)) => cli::related::run(&related),
        Some(Command::DraftAbstract(draft)) => cli::draft::run(&draft),
        Some(Command::Eval(command)) => cli::eval::run(&command),
        Some(Command::Models(command)) => scholia::model::cli::run(command).unwrap_or_else(|e| {
            eprintln!("scholia: {e}");
            ExitCode::FAILURE
        }),
        Some(Command::Lsp) => serve(),
        None if args.stdio => serve(),
        None => {
            eprintln!("scholia: say `scholia lsp` to serve an editor, or `scholia check FILE...`; see --help");
            ExitCode::from(2)
        }
    }
}

fn serve() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("scholia: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let shut_down = runtime.block_on(scholia::server::serve_stdio());
    // Handlers still waiting on the client must not keep the process alive after `exit`.
    runtime.shutdown_background();
    // LSP: `exit` without a `shutdown` request first (or a closed stream) means 1.
    leave(if shut_down { 0 } else { 1 })
}

/// Ends the process without running exit handlers. Model threads may still be inside
/// ONNX Runtime (a TL;DR or claim batch in flight); a normal exit runs the library's
/// static destructors under them, which fails their run or kills the process with a
/// signal. Nothing is lost by skipping them: replies are flushed here, and the cache is
/// SQLite in WAL mode, where every committed result is already in the file system.
fn leave(code: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` takes no pointers and does not return.
    unsafe { libc::_exit(code) }
}
