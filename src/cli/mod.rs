//! Subcommands other than the language server itself.

pub mod chat;
pub mod check;
pub mod eval;
pub mod summarize;
