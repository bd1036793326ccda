//! Conversion between byte offsets and LSP positions in a negotiated encoding.

use ropey::Rope;

/// The unit of LSP `Position.character`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    /// The LSP default when a client does not negotiate.
    #[default]
    Utf16,
}

/// A position as LSP sends it: zero-based line and character in `Encoding` units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TextPosition {
    pub line: u32,
    pub character: u32,
}

/// Byte offset of an LSP position. Positions past the end of a line clamp to the line's
/// end (before its line break), past the last line to the end of the text; a position
/// inside a multi-unit character snaps to that character's start.
pub fn offset_of(rope: &Rope, pos: TextPosition, encoding: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let line_start = rope.line_to_byte(line);
    let slice = rope.line(line);
    let mut remaining = pos.character as usize;
    let mut offset = line_start;
    for ch in slice.chars() {
        if ch == '\n' || ch == '\r' {
            break;
        }
        let units = match encoding {
            Encoding::Utf8 => ch.len_utf8(),
            Encoding::Utf16 => ch.len_utf16(),
        };
        if remaining < units {
            break;
        }
        remaining -= units;
        offset += ch.len_utf8();
        if remaining == 0 {
            break;
        }
    }
    offset
}

/// LSP position of a byte offset (clamped to the text, snapped to a char boundary).
pub fn position_of(rope: &Rope, offset: usize, encoding: Encoding) -> TextPosition {
    let mut offset = offset.min(rope.len_bytes());
    while offset > 0 && !is_char_boundary(rope, offset) {
        offset -= 1;
    }
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let character = match encoding {
        Encoding::Utf8 => offset - line_start,
        Encoding::Utf16 => {
            let char_idx = rope.byte_to_char(offset);
            let start_char = rope.byte_to_char(line_start);
            rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(start_char)
        }
    };
    TextPosition { line: line as u32, character: character as u32 }
}

fn is_char_boundary(rope: &Rope, offset: usize) -> bool {
    let char_idx = rope.byte_to_char(offset);
    rope.char_to_byte(char_idx) == offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> TextPosition {
        TextPosition { line, character }
    }

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_counts_bytes() {
        let rope = Rope::from_str("a😀b\nçx\n");
        // 😀 is 4 bytes, 2 UTF-16 units.
        assert_eq!(offset_of(&rope, pos(0, 3), Encoding::Utf16), 5);
        assert_eq!(offset_of(&rope, pos(0, 5), Encoding::Utf8), 5);
        assert_eq!(position_of(&rope, 5, Encoding::Utf16), pos(0, 3));
        assert_eq!(position_of(&rope, 5, Encoding::Utf8), pos(0, 5));
        // ç is 2 bytes, 1 UTF-16 unit.
        assert_eq!(offset_of(&rope, pos(1, 1), Encoding::Utf16), 9);
        assert_eq!(position_of(&rope, 9, Encoding::Utf16), pos(1, 1));
    }

    #[test]
    fn only_lsp_line_breaks_count() {
        // LSP knows LF, CRLF and CR; form feed and U+2028 are ordinary characters.
        let rope = Rope::from_str("a\u{c}b\u{2028}c\rd\r\ne");
        assert_eq!(rope.len_lines(), 3);
        assert_eq!(position_of(&rope, rope.len_bytes() - 1, Encoding::Utf8), pos(2, 0));
        assert_eq!(offset_of(&rope, pos(1, 0), Encoding::Utf8), 8);
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let rope = Rope::from_str("ab\r\ncd");
        assert_eq!(offset_of(&rope, pos(0, 99), Encoding::Utf16), 2);
        assert_eq!(offset_of(&rope, pos(9, 0), Encoding::Utf16), 6);
        assert_eq!(position_of(&rope, 99, Encoding::Utf8), pos(1, 2));
        // Inside a surrogate pair snaps back to the character's start.
        let rope = Rope::from_str("😀");
        assert_eq!(offset_of(&rope, pos(0, 1), Encoding::Utf16), 0);
    }
}
