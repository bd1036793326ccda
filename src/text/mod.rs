//! Documents (ropey), edits, and LSP position encodings (UTF-8 / UTF-16).

mod decode;
mod document;
mod position;

pub use decode::{decode, Decoded};
pub use document::{ByteEdit, ContentChange, Document, EditError, Point};
pub use position::{Encoding, TextPosition};
