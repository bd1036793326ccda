//! Subcommands other than the language server itself.

pub mod check;
pub mod draft;
pub mod eval;
pub mod summarize;
