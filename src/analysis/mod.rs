//! Features as plain Rust over the IR and the bibliographies: testable without LSP.

pub mod claims;
pub mod completion;
pub mod diagnostics;
pub mod draft;
pub mod hover;
pub mod navigation;
pub mod related;
pub mod selection;
pub mod summary;
pub mod symbols;

pub use diagnostics::{project_diagnostics, Diagnostic, DiagnosticOptions, Fix, Related};
