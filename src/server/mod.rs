//! LSP glue: capabilities, handlers, configuration. Converts LSP <-> analysis types and
//! owns no parsing or model code.

mod assistant;
mod backend;
mod blocking;
mod capabilities;
mod claims;
mod command_args;
pub mod convert;
mod draft;
pub mod framing;
mod related;
mod relevance;
pub mod settings;
pub mod state;
mod status;
mod summaries;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tower_lsp_server::{LspService, Server};

/// Serves LSP over stdin/stdout until the client sends `exit` or closes the stream;
/// whether a `shutdown` request came first (LSP: exit code 0 then, else 1).
pub async fn serve_stdio() -> bool {
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = shut_down.clone();
    let (service, socket) =
        LspService::build(move |client| backend::Backend::new(client, flag.clone()))
            .custom_method(framing::MALFORMED_METHOD, backend::Backend::malformed_message)
            .finish();
    Server::new(framing::guarded_stdin(), tokio::io::stdout(), socket).serve(service).await;
    shut_down.load(Ordering::SeqCst)
}
