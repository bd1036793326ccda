//! Subcommands other than the language server itself.

pub mod check;
