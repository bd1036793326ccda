//! Pandoc inline markup of one paragraph or heading: masks for prose, and citations.
//!
//! Code spans, math, HTML and autolinks are masked first so an `@` inside them never cites.

use std::ops::Range;

use super::ir::{Citation, CitationKey};
use super::latex::REFERENCES;
use super::pandoc_cite::{bracket_keys, can_cite_after, is_crossref, key_after};
use super::prose::{Mask, Replace, CITATION_PLACEHOLDER, MATH_PLACEHOLDER, NUMBER_PLACEHOLDER};

/// Farthest an inline construct (math, code span, bracket) reaches, so stray openers in a
/// huge paragraph stay cheap.
const MAX_INLINE: usize = 4096;

pub(crate) struct Inline<'a> {
    text: &'a str,
    bytes: &'a [u8],
    end: usize,
    pub masks: &'a mut Vec<Mask>,
    pub citations: &'a mut Vec<Citation>,
}

impl<'a> Inline<'a> {
    pub fn new(text: &'a str, masks: &'a mut Vec<Mask>, citations: &'a mut Vec<Citation>) -> Self {
        Self { text, bytes: text.as_bytes(), end: 0, masks, citations }
    }

    /// Scans `range`; `skips` (block-quote markers and the like) are hidden.
    pub fn scan(&mut self, range: Range<usize>, skips: &[Range<usize>]) {
        self.end = range.end.min(self.text.len());
        let mut pos = range.start;
        let mut skips = skips.iter().peekable();
        while pos < self.end {
            if let Some(skip) = skips.next_if(|s| s.start <= pos) {
                if skip.end > pos {
                    pos = self.mask(pos..skip.end, Replace::Hide);
                }
                continue;
            }
            pos = match self.bytes[pos] {
                b'\\' => self.escape(pos),
                b'`' => self.code_span(pos),
                b'$' => self.math(pos),
                b'<' => self.angle(pos),
                b'!' if self.byte(pos + 1) == Some(b'[') => self.image(pos),
                b'^' if self.byte(pos + 1) == Some(b'[') => self.footnote(pos),
                b'[' => self.bracket(pos),
                b'@' => self.in_text_citation(pos),
                b'*' | b'_' | b'~' => self.emphasis(pos),
                _ => pos + 1,
            };
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied().filter(|_| at < self.end)
    }

    fn mask(&mut self, span: Range<usize>, replace: Replace) -> usize {
        let end = span.end;
        self.masks.push(Mask::new(span, replace));
        end
    }

    /// End of the stretch an inline construct opening at `open` may use.
    fn window(&self, open: usize) -> usize {
        self.end.min(open + MAX_INLINE)
    }

    /// First `needle` at or after `from`, in the window of the construct opening at `open`.
    fn find(&self, open: usize, from: usize, needle: &str) -> Option<usize> {
        let until = self.window(open);
        self.text.get(from..until.max(from))?.find(needle).map(|p| from + p)
    }

    /// Escapes, hard line breaks, and raw TeX commands (`\\ref{x}` reads as a number, other
    /// commands and their immediate `{..}` argument are hidden).
    fn escape(&mut self, pos: usize) -> usize {
        let name =
            self.bytes[pos + 1..self.end].iter().take_while(|b| b.is_ascii_alphabetic()).count();
        if name > 0 {
            let mut end = pos + 1 + name;
            if self.byte(end) == Some(b'{') {
                end = self.find(pos, end, "}").map_or(end, |close| close + 1);
            }
            let replace = if REFERENCES.contains(&&self.text[pos + 1..pos + 1 + name]) {
                Replace::Text(NUMBER_PLACEHOLDER)
            } else {
                Replace::Hide
            };
            return self.mask(pos..end, replace);
        }
        match self.byte(pos + 1) {
            Some(b'\n') => self.mask(pos..pos + 1, Replace::Text(" ")),
            Some(b) if b.is_ascii_punctuation() => {
                self.mask(pos..pos + 2, Replace::Source(pos + 1..pos + 2))
            }
            _ => pos + 1,
        }
    }

    fn code_span(&mut self, pos: usize) -> usize {
        let run = self.run(pos, b'`');
        let mut from = pos + run;
        while let Some(close) = self.find(pos, from, &"`".repeat(run)) {
            let close_run = self.run(close, b'`');
            if close_run == run {
                let inner = super::prose::trim(self.text, pos + run..close);
                return self.mask(pos..close + run, Replace::Source(inner));
            }
            from = close + close_run;
        }
        pos + run
    }

    fn run(&self, pos: usize, b: u8) -> usize {
        self.bytes[pos..self.end].iter().take_while(|&&x| x == b).count()
    }

    /// `$..$` (no space inside the dollars, no digit after the closing one) or `$$..$$`.
    fn math(&mut self, pos: usize) -> usize {
        if self.byte(pos + 1) == Some(b'$') {
            return match self.find(pos, pos + 2, "$$") {
                Some(close) => self.mask(pos..close + 2, Replace::Text(MATH_PLACEHOLDER)),
                None => pos + 2,
            };
        }
        if self.byte(pos + 1).is_none_or(|b| b.is_ascii_whitespace()) {
            return pos + 1;
        }
        let mut from = pos + 1;
        while let Some(close) = self.find(pos, from, "$") {
            let escaped = self.bytes[close - 1] == b'\\';
            let spaced = self.bytes[close - 1].is_ascii_whitespace();
            let digit_after = self.byte(close + 1).is_some_and(|b| b.is_ascii_digit());
            if !escaped && !spaced && !digit_after {
                return self.mask(pos..close + 1, Replace::Text(MATH_PLACEHOLDER));
            }
            from = close + 1;
        }
        pos + 1
    }

    /// HTML comments and tags are hidden; autolinks show their address.
    fn angle(&mut self, pos: usize) -> usize {
        if self.text[pos..].starts_with("<!--") {
            let end = self.find(pos, pos + 4, "-->").map_or(self.window(pos), |p| p + 3);
            return self.mask(pos..end, Replace::Hide);
        }
        let line_end = self.find(pos, pos, "\n").unwrap_or(self.window(pos));
        let Some(close) = self.find(pos, pos, ">").filter(|&c| c < line_end) else {
            return pos + 1;
        };
        let inner = &self.text[pos + 1..close];
        if inner.contains(':') && !inner.contains(char::is_whitespace) || inner.contains('@') {
            return self.mask(pos..close + 1, Replace::Source(pos + 1..close));
        }
        match self.byte(pos + 1) {
            Some(b) if b.is_ascii_alphabetic() || b == b'/' => {
                self.mask(pos..close + 1, Replace::Hide)
            }
            _ => pos + 1,
        }
    }

    /// End (after `]`) of the bracket opening at `open`, skipping code spans and escapes.
    fn bracket_end(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = open;
        while i < self.window(open) {
            match self.bytes[i] {
                b'\\' => i += 1,
                b'[' => depth += 1,
                b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                b'`' => {
                    let run = self.run(i, b'`');
                    let close = self.find(open, i + run, &"`".repeat(run));
                    i = close.map_or(i + run, |c| c + run) - 1;
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// End (after `)`) of a link destination opening at `open`.
    fn paren_end(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for i in open..self.window(open) {
            match self.bytes[i] {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn image(&mut self, pos: usize) -> usize {
        let Some(close) = self.bracket_end(pos + 1) else {
            return pos + 1;
        };
        let end = match self.byte(close) {
            Some(b'(') => self.paren_end(close).unwrap_or(close),
            _ => close,
        };
        self.mask(pos..end, Replace::Hide)
    }

    /// `^[note]`: hidden from the sentence, but citations inside still count.
    fn footnote(&mut self, pos: usize) -> usize {
        let Some(close) = self.bracket_end(pos + 1) else {
            return pos + 1;
        };
        self.mask(pos..close, Replace::Hide);
        pos + 2
    }

    /// A citation group `[see @a, p. 3; @b]`, a link `[text](url)`, a footnote mark `[^1]`,
    /// or literal text.
    fn bracket(&mut self, pos: usize) -> usize {
        let Some(close) = self.bracket_end(pos) else {
            // A group still being typed: up to the end of its line.
            let line_end = self.find(pos, pos, "\n").unwrap_or(self.window(pos));
            return match bracket_keys(self.text, pos + 1..line_end) {
                Some(keys) => self.citation("[@]", pos..line_end, keys),
                None => pos + 1,
            };
        };
        if self.byte(pos + 1) == Some(b'^') {
            return self.mask(pos..close, Replace::Hide);
        }
        let target_end = match self.byte(close) {
            Some(b'(') => self.paren_end(close),
            Some(b'[') => self.bracket_end(close),
            _ => None,
        };
        if let Some(target_end) = target_end {
            self.mask(pos..pos + 1, Replace::Hide);
            self.masks.push(Mask::new(close - 1..target_end, Replace::Hide));
            return pos + 1;
        }
        match bracket_keys(self.text, pos + 1..close - 1) {
            Some(keys) => self.citation("[@]", pos..close, keys),
            None => pos + 1,
        }
    }

    /// `@key`, optionally with a locator `@key [p. 3]`.
    fn in_text_citation(&mut self, pos: usize) -> usize {
        let before = self.text[..pos].chars().next_back();
        let Some((key, mut end)) = key_after(self.text, pos)
            .filter(|(span, _)| span.end <= self.end && can_cite_after(before))
        else {
            return pos + 1;
        };
        if self.byte(end) == Some(b' ') && self.byte(end + 1) == Some(b'[') {
            let locator = self.bracket_end(end + 1);
            if let Some(close) =
                locator.filter(|&c| bracket_keys(self.text, end + 2..c - 1).is_none())
            {
                end = close;
            }
        }
        let key = CitationKey { key: self.text[key.clone()].to_string(), span: key };
        self.citation("@", pos..end, vec![key])
    }

    /// Records a citation; cross-references (`@fig:x`) read as a number instead.
    fn citation(&mut self, command: &str, span: Range<usize>, keys: Vec<CitationKey>) -> usize {
        let keys: Vec<_> = keys.into_iter().filter(|k| !is_crossref(&k.key)).collect();
        if keys.is_empty() {
            return self.mask(span, Replace::Text(NUMBER_PLACEHOLDER));
        }
        let end = span.end;
        self.masks.push(Mask::citation(span.clone(), Replace::Text(CITATION_PLACEHOLDER)));
        self.citations.push(Citation { command: command.to_string(), span, keys });
        end
    }

    /// `*`, `**`, `~~` always delimit emphasis here; `_` only at a word boundary.
    fn emphasis(&mut self, pos: usize) -> usize {
        let b = self.bytes[pos];
        let run = self.run(pos, b);
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let before = self.text[..pos].chars().next_back();
        let after = self.text[pos + run..].chars().next();
        match b {
            b'~' if run == 1 => pos + 1,
            b'_' if word(before) && word(after) => pos + run,
            _ => self.mask(pos..pos + run, Replace::Hide),
        }
    }
}
