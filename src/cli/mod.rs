//! Subcommands other than the language server itself.

pub mod check;
pub mod eval;
pub mod related;
pub mod summarize;
