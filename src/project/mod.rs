//! Workspace: root detection, include graph, which bibliographies a document uses.

pub mod config;
mod files;
pub mod paths;
mod scan;
mod workspace;

pub use files::{read_text, BibFile, LoadError, SourceFile, MAX_FILE_BYTES};
pub use workspace::{
    ChangeError, Project, ProjectProblem, ResolvedKey, Workspace, WorkspaceOptions,
};
