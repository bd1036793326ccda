//! Properties every fuzz target checks on an IR.

use scholia::syntax::Manuscript;

/// Spans are ordered, inside the text and on char boundaries (the server slices with them).
pub fn spans_inside(ir: &Manuscript, text: &str) {
    let check = |span: &std::ops::Range<usize>| {
        assert!(span.start <= span.end && span.end <= text.len(), "span {span:?} outside {}", text.len());
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "span {span:?} splits a char");
    };
    ir.sections.iter().for_each(|s| {
        check(&s.span);
        check(&s.heading_span)
    });
    ir.paragraphs.iter().for_each(|p| check(&p.span));
    ir.sentences.iter().for_each(|s| check(&s.span));
    for citation in &ir.citations {
        check(&citation.span);
        for key in &citation.keys {
            check(&key.span);
            let held = &text[key.span.clone()];
            if key.key.is_empty() {
                // An empty slot (`\\cite{a, }`, a half-typed cite) spans the slot's blanks, so
                // a cursor anywhere in it finds the slot.
                assert!(held.trim().is_empty(), "an empty key's slot holds only blanks: {held:?}");
            } else {
                assert_eq!(held, key.key, "a key's span holds the key");
            }
        }
    }
    ir.includes.iter().for_each(|i| check(&i.span));
    ir.bibliographies.iter().for_each(|b| check(&b.span));
}
