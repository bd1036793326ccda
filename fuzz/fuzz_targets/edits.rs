#![no_main]
//! Random edits through LSP positions in both encodings: the rope must equal a plain
//! string model of the same edits, and incremental parsing must equal a fresh parse.

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use scholia::syntax::{parse, Language, ParseOptions, SyntaxTree};
use scholia::text::{Document, Encoding, TextPosition};

#[derive(Arbitrary, Debug)]
struct Edit {
    start: (u8, u8),
    end: (u8, u8),
    text: String,
    utf8: bool,
}

#[derive(Arbitrary, Debug)]
struct Case {
    initial: String,
    markdown: bool,
    edits: Vec<Edit>,
}

/// Byte offset of a position in a plain string, with LSP's line breaks (LF, CRLF, CR) and
/// the server's clamping rules, written independently of the rope.
fn model_offset(text: &str, line: usize, character: usize, encoding: Encoding) -> usize {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    let Some(&start) = starts.get(line) else { return text.len() };
    let mut units = 0;
    for (b, ch) in text[start..].char_indices() {
        if ch == '\n' || ch == '\r' {
            return start + b;
        }
        let w = if encoding == Encoding::Utf8 { ch.len_utf8() } else { ch.len_utf16() };
        if units + w > character {
            return start + b;
        }
        units += w;
    }
    text.len()
}

fuzz_target!(|case: Case| {
    let language = if case.markdown { Language::Markdown } else { Language::Latex };
    let options = ParseOptions::default();
    let mut doc = Document::new(&case.initial, 0);
    let mut model = case.initial.clone();
    let mut tree = SyntaxTree::new(language);
    tree.parse(&model, &options);
    for (version, edit) in case.edits.iter().take(16).enumerate() {
        let encoding = if edit.utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        let pos = |(l, c): (u8, u8)| TextPosition { line: l as u32 % 8, character: c as u32 % 40 };
        let (a, b) = (pos(edit.start), pos(edit.end));
        let (sa, sb) = (
            model_offset(&model, a.line as usize, a.character as usize, encoding),
            model_offset(&model, b.line as usize, b.character as usize, encoding),
        );
        let (from, to) = (sa.min(sb), sa.max(sb));
        model.replace_range(from..to, &edit.text);
        let byte_edit = doc.apply(version as i32 + 1, Some((a, b)), &edit.text, encoding).unwrap();
        assert_eq!(doc.text(), model);
        tree.edit(&byte_edit);
    }
    assert_eq!(tree.parse(&model, &options), parse(language, &model, &options));
});
