//! scholia: a language server for scientific manuscripts in LaTeX and Markdown.
//!
//! Rooms (see `ARCHITECTURE.md`): arrows point from `server` down to `text`.
//! `server` -> `analysis` -> `project` -> `bib` / `syntax` -> `text`.

pub mod analysis;
pub mod bib;
pub mod jobs;
pub mod model;
pub mod project;
pub mod server;
pub mod store;
pub mod syntax;
pub mod text;
