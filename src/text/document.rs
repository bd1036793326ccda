//! An open document: its rope, version, and edits applied strictly in version order.

use ropey::Rope;

use super::position::{offset_of, position_of, Encoding, TextPosition};

/// A row/column pair in bytes, as tree-sitter wants it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Point {
    pub row: usize,
    pub column: usize,
}

/// One applied edit in byte terms, for incremental reparsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
    pub start_point: Point,
    pub old_end_point: Point,
    pub new_end_point: Point,
}

/// One content change of a `didChange`: a range (`None`: the whole text) and its new text.
pub type ContentChange = (Option<(TextPosition, TextPosition)>, String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditError {
    #[error("stale edit: document is at version {current}, edit is for version {got}")]
    StaleVersion { current: i32, got: i32 },
}

/// The text of one document and the version the client last sent.
#[derive(Clone, Debug)]
pub struct Document {
    rope: Rope,
    version: i32,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Self {
        Self { rope: Rope::from_str(text), version }
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Applies one content change of a `didChange` at `version`. `range = None` replaces the
    /// whole text. Versions must increase; an older or equal version is refused untouched.
    pub fn apply(
        &mut self,
        version: i32,
        range: Option<(TextPosition, TextPosition)>,
        new_text: &str,
        encoding: Encoding,
    ) -> Result<ByteEdit, EditError> {
        if version < self.version {
            return Err(EditError::StaleVersion { current: self.version, got: version });
        }
        let (start, old_end) = match range {
            Some((from, to)) => {
                let a = offset_of(&self.rope, from, encoding);
                let b = offset_of(&self.rope, to, encoding);
                (a.min(b), a.max(b))
            }
            None => (0, self.rope.len_bytes()),
        };
        let start_point = self.point(start);
        let old_end_point = self.point(old_end);
        let start_char = self.rope.byte_to_char(start);
        let end_char = self.rope.byte_to_char(old_end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        self.version = version;
        let new_end = start + new_text.len();
        Ok(ByteEdit {
            start,
            old_end,
            new_end,
            start_point,
            old_end_point,
            new_end_point: self.point(new_end),
        })
    }

    /// Applies the content changes of one `didChange` in order. The version must be newer
    /// than the document's; otherwise nothing changes. Returns the byte edits applied.
    pub fn apply_change(
        &mut self,
        version: i32,
        changes: &[ContentChange],
        encoding: Encoding,
    ) -> Result<Vec<ByteEdit>, EditError> {
        if version <= self.version {
            return Err(EditError::StaleVersion { current: self.version, got: version });
        }
        changes.iter().map(|(range, text)| self.apply(version, *range, text, encoding)).collect()
    }

    /// Byte offset of an LSP position (clamped, never panics).
    pub fn offset(&self, pos: TextPosition, encoding: Encoding) -> usize {
        offset_of(&self.rope, pos, encoding)
    }

    /// LSP position of a byte offset (clamped, never panics).
    pub fn position(&self, offset: usize, encoding: Encoding) -> TextPosition {
        position_of(&self.rope, offset, encoding)
    }

    fn point(&self, offset: usize) -> Point {
        let row = self.rope.byte_to_line(offset);
        Point { row, column: offset - self.rope.line_to_byte(row) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: u32, character: u32) -> TextPosition {
        TextPosition { line, character }
    }

    #[test]
    fn incremental_edits_follow_a_string_model() {
        let mut doc = Document::new("héllo\nwörld\n", 1);
        let edit = doc.apply(2, Some((p(1, 1), p(1, 2))), "o", Encoding::Utf16).unwrap();
        assert_eq!(doc.text(), "héllo\nworld\n");
        assert_eq!((edit.start, edit.old_end, edit.new_end), (8, 10, 9));
        assert_eq!(edit.start_point, Point { row: 1, column: 1 });
        doc.apply(3, Some((p(0, 6), p(0, 6))), "\\cite{a}", Encoding::Utf8).unwrap();
        assert_eq!(doc.text(), "héllo\\cite{a}\nworld\n");
        doc.apply(4, None, "new", Encoding::Utf8).unwrap();
        assert_eq!(doc.text(), "new");
    }

    #[test]
    fn stale_versions_are_refused() {
        let mut doc = Document::new("abc", 5);
        let err = doc.apply(4, None, "x", Encoding::Utf8).unwrap_err();
        assert_eq!(err, EditError::StaleVersion { current: 5, got: 4 });
        assert_eq!(doc.text(), "abc");
    }
}
