//! The inference layer: ONNX Runtime loaded at run time, the model manifest and
//! fetching, and the models built on them (embedder, pair classifier, generator), and
//! the opt-in remote generator behind the same [`Chat`] interface as the local one.
//!
//! Entry points: [`Models`] for the server (lazy, per role), [`cli`] for
//! `scholia models ...`.

pub mod chat;
pub mod classify;
pub mod cli;
mod convert;
pub mod embed;
mod encoder;
mod error;
pub mod fetch;
pub mod generate;
pub mod head;
pub mod manifest;
pub mod paths;
pub mod registry;
pub mod remote;
pub mod runtime;
mod tokenize;

pub use chat::{chat_backend, Chat, GeneratorBackend, GeneratorSettings};
pub use classify::Classifier;
pub use embed::Embedder;
pub use error::ModelError;
pub use generate::{ChatMessage, GenerateOptions, Generated, Generator, StopReason, Strategy};
pub use head::Head;
pub use manifest::{Architecture, Manifest, Role};
pub use registry::{Models, ModelsConfig, ResolvedModel};
pub use remote::RemoteGenerator;
pub use runtime::{Provider, Runtime, RuntimeConfig};
