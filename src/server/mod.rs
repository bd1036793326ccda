//! LSP glue: capabilities, handlers, configuration. Converts LSP <-> analysis types and
//! owns no parsing or model code.

mod assistant;
mod backend;
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

use tower_lsp_server::{LspService, Server};

/// Serves LSP over stdin/stdout until the client sends `exit` or closes the stream.
pub async fn serve_stdio() {
    let (service, socket) = LspService::build(backend::Backend::new)
        .custom_method(framing::MALFORMED_METHOD, backend::Backend::malformed_message)
        .finish();
    Server::new(framing::guarded_stdin(), tokio::io::stdout(), socket).serve(service).await;
}
