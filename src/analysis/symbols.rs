//! Document outline: sections nested by level.

use std::ops::Range;

use crate::syntax::{Manuscript, SectionKind};

#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    pub name: String,
    pub kind: SectionKind,
    pub span: Range<usize>,
    pub heading_span: Range<usize>,
    pub children: Vec<Symbol>,
}

/// Sections as a tree: each section holds the deeper-level sections that follow it.
pub fn outline(manuscript: &Manuscript) -> Vec<Symbol> {
    let mut roots: Vec<Symbol> = Vec::new();
    // Open sections, outermost first, with their levels.
    let mut stack: Vec<(u8, Symbol)> = Vec::new();
    for section in &manuscript.sections {
        while stack.last().is_some_and(|(level, _)| *level >= section.level) {
            let (_, done) = stack.pop().expect("non-empty");
            attach(&mut stack, &mut roots, done);
        }
        let name =
            if section.title.is_empty() { "(untitled)".to_owned() } else { section.title.clone() };
        stack.push((
            section.level,
            Symbol {
                name,
                kind: section.kind,
                span: section.span.clone(),
                heading_span: section.heading_span.clone(),
                children: Vec::new(),
            },
        ));
    }
    while let Some((_, done)) = stack.pop() {
        attach(&mut stack, &mut roots, done);
    }
    roots
}

fn attach(stack: &mut [(u8, Symbol)], roots: &mut Vec<Symbol>, symbol: Symbol) {
    match stack.last_mut() {
        Some((_, parent)) => parent.children.push(symbol),
        None => roots.push(symbol),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Language, Section};

    #[test]
    fn sections_nest_by_level() {
        let mut m = Manuscript::empty(Language::Latex);
        let section = |title: &str, level, start| Section {
            title: title.into(),
            kind: SectionKind::Other,
            level,
            span: start..start + 5,
            heading_span: start..start + 1,
        };
        m.sections = vec![
            section("A", 1, 0),
            section("A.1", 2, 10),
            section("A.2", 2, 20),
            section("B", 1, 30),
        ];
        let tree = outline(&m);
        assert_eq!(tree.len(), 2);
        assert_eq!(
            tree[0].children.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["A.1", "A.2"]
        );
        assert!(tree[1].children.is_empty());
    }
}
