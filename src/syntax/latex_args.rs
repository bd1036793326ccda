//! Reading LaTeX command names and arguments straight from the text.
//!
//! tree-sitter knows only some commands' argument shapes (`\cites(..)[..]{a}[..]{b}` is not
//! one), so arguments are read here; matching braces are found once for the whole text so
//! that reading any group is O(1) even in deeply nested or unbalanced input.

use std::collections::HashMap;
use std::ops::Range;

/// Longest optional `[..]` / `(..)` argument looked for, so stray brackets stay cheap.
const MAX_OPTIONAL_ARG: usize = 512;

pub(crate) struct Args<'a> {
    bytes: &'a [u8],
    /// Position of each `{` -> position just after its matching `}`.
    group_ends: HashMap<usize, usize>,
}

impl<'a> Args<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut group_ends = HashMap::new();
        let mut open = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 1,
                b'%' => {
                    i = bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| i + p)
                }
                b'{' => open.push(i),
                b'}' => {
                    if let Some(start) = open.pop() {
                        group_ends.insert(start, i + 1);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        Self { bytes, group_ends }
    }

    pub fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    /// Name of the command whose backslash is at `at` (without the backslash, with a
    /// trailing `*`): letters, or one other character.
    pub fn command_name(&self, at: usize) -> Range<usize> {
        let start = at + 1;
        let letters = self.bytes[start.min(self.bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic() || **b == b'@')
            .count();
        let mut end = start + letters;
        if letters == 0 {
            // One character, which may be multi-byte.
            end = (start + 1..=start + 4)
                .find(|&e| std::str::from_utf8(self.bytes.get(start..e).unwrap_or(&[])).is_ok())
                .unwrap_or(start)
                .min(self.bytes.len());
        } else if self.byte(end) == Some(b'*') {
            end += 1;
        }
        start..end
    }

    /// Skips spaces and at most one line break (a blank line ends a command's arguments).
    pub fn skip_space(&self, mut at: usize) -> usize {
        let mut newline = false;
        while let Some(b) = self.byte(at) {
            match b {
                b' ' | b'\t' | b'\r' => {}
                b'\n' if !newline => newline = true,
                _ => break,
            }
            at += 1;
        }
        at
    }

    /// Whether the line break at `newline` is followed by an empty line.
    pub fn blank_line_at(&self, newline: usize) -> bool {
        let rest = self.bytes.get(newline + 1..).unwrap_or_default();
        let spaces = rest.iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\r')).count();
        rest.get(spaces) == Some(&b'\n')
    }

    /// End (after `}`) of the balanced group opening at `open`.
    pub fn group_end(&self, open: usize) -> Option<usize> {
        self.group_ends.get(&open).copied()
    }

    /// End (after the closer) of an optional argument `[..]` or `(..)` opening at `open`;
    /// braces inside are skipped whole.
    pub fn optional_end(&self, open: usize) -> Option<usize> {
        let close = match self.byte(open)? {
            b'[' => b']',
            b'(' => b')',
            _ => return None,
        };
        let limit = (open + MAX_OPTIONAL_ARG).min(self.bytes.len());
        let mut i = open + 1;
        while i < limit {
            match self.bytes[i] {
                b if b == close => return Some(i + 1),
                b'{' => i = self.group_end(i)?,
                b'\\' => i += 2,
                b'\n' if self.blank_line_at(i) => return None,
                _ => i += 1,
            }
        }
        None
    }

    /// End of the immediately following `*`, `[..]` and `{..}` arguments of a command.
    pub fn arguments_end(&self, mut at: usize) -> usize {
        loop {
            let next = match self.byte(at) {
                Some(b'[') => self.optional_end(at),
                Some(b'{') => self.group_end(at),
                _ => None,
            };
            match next {
                Some(end) => at = end,
                None => return at,
            }
        }
    }

    /// Inner range of the `{..}` group after optional arguments following `at`.
    pub fn required_group(&self, at: usize) -> Option<Range<usize>> {
        let mut at = self.skip_space(at);
        while let Some(end) = self.optional_end(at).filter(|_| self.byte(at) == Some(b'[')) {
            at = self.skip_space(end);
        }
        if self.byte(at) != Some(b'{') {
            return None;
        }
        Some(at + 1..self.group_end(at)? - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_match_across_nesting_and_ignore_escapes_and_comments() {
        let text = r"\a{b{c}\}%}
d}[x{]}]";
        let args = Args::new(text);
        assert_eq!(args.group_end(2), Some(14));
        assert_eq!(args.optional_end(14), Some(text.len()));
        assert_eq!(args.arguments_end(2), text.len());
        assert_eq!(args.command_name(0), 1..2);
    }

    #[test]
    fn unmatched_braces_and_blank_lines_end_arguments() {
        let args = Args::new("\\x{ab [c\n\n] {");
        assert_eq!(args.group_end(2), None);
        assert_eq!(args.optional_end(6), None);
        assert_eq!(args.required_group(2), None);
    }
}
