//! Subcommands other than the language server itself.

pub mod chat;
pub mod check;
pub mod claims;
pub mod draft;
pub mod eval;
pub mod eval_claims;
pub mod eval_uncited;
pub mod related;
pub mod sentences;
pub mod summarize;
