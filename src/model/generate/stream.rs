//! Streaming output: emits only text that later output cannot change, and cuts the
//! output at the first stop string. [`SettledText`] works on text (the remote
//! backend's deltas); [`TextStream`] puts it over incremental detokenisation.

use crate::model::tokenize::Tokenizer;
use crate::model::ModelError;

/// Emits a growing text as it settles, to stop at the first stop string.
pub(crate) struct SettledText<'a> {
    stop_strings: &'a [String],
    on_text: &'a mut dyn FnMut(&str),
    emitted: usize,
}

impl<'a> SettledText<'a> {
    pub fn new(stop_strings: &'a [String], on_text: &'a mut dyn FnMut(&str)) -> Self {
        Self { stop_strings, on_text, emitted: 0 }
    }

    /// Emits what is settled of `text` (all the text so far); returns `true` when a
    /// stop string appeared, after emitting the text before it.
    pub fn push(&mut self, text: &str) -> bool {
        if let Some(cut) = self.first_stop(text) {
            self.emit(text, cut);
            return true;
        }
        // Hold back an incomplete UTF-8 sequence (decoded as U+FFFD) and any tail that
        // could still grow into a stop string.
        let mut settled = text.trim_end_matches('\u{fffd}').len();
        for stop in self.stop_strings {
            for (i, _) in text.char_indices().filter(|&(i, _)| i >= self.emitted) {
                if stop.starts_with(&text[i..]) {
                    settled = settled.min(i);
                    break;
                }
            }
        }
        self.emit(text, settled);
        false
    }

    /// Emits the rest and returns the whole text, cut at a stop string.
    pub fn finish(mut self, mut text: String) -> String {
        if let Some(cut) = self.first_stop(&text) {
            text.truncate(cut);
        }
        self.emit(&text, text.len());
        text
    }

    fn first_stop(&self, text: &str) -> Option<usize> {
        self.stop_strings
            .iter()
            .filter(|s| !s.is_empty())
            .filter_map(|s| text.find(s.as_str()))
            .min()
    }

    fn emit(&mut self, text: &str, end: usize) {
        if let Some(new) = text.get(self.emitted..end).filter(|s| !s.is_empty()) {
            (self.on_text)(new);
            self.emitted = end;
        }
    }
}

pub struct TextStream<'a> {
    tokenizer: &'a Tokenizer,
    text: SettledText<'a>,
}

impl<'a> TextStream<'a> {
    pub fn new(
        tokenizer: &'a Tokenizer,
        stop_strings: &'a [String],
        on_text: &'a mut dyn FnMut(&str),
    ) -> Self {
        Self { tokenizer, text: SettledText::new(stop_strings, on_text) }
    }

    /// Emits what is settled after `tokens`; returns `true` when a stop string appeared.
    pub fn push(&mut self, tokens: &[u32]) -> Result<bool, ModelError> {
        Ok(self.text.push(&self.tokenizer.decode(tokens)?))
    }

    /// Emits the rest and returns the whole text, cut at a stop string.
    pub fn finish(self, tokens: &[u32]) -> Result<String, ModelError> {
        Ok(self.text.finish(self.tokenizer.decode(tokens)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stops: &[&str], pieces: &[&str]) -> (Vec<String>, bool, String) {
        let stops: Vec<String> = stops.iter().map(|s| s.to_string()).collect();
        let mut emitted = Vec::new();
        let mut on_text = |t: &str| emitted.push(t.to_owned());
        let mut settled = SettledText::new(&stops, &mut on_text);
        let mut text = String::new();
        let mut stopped = false;
        for piece in pieces {
            text.push_str(piece);
            if settled.push(&text) {
                stopped = true;
                break;
            }
        }
        let text = settled.finish(text);
        (emitted, stopped, text)
    }

    #[test]
    fn without_stop_strings_every_piece_is_emitted_at_once() {
        let (emitted, stopped, text) = run(&[], &["Hello", ", ", "world"]);
        assert_eq!(emitted, ["Hello", ", ", "world"]);
        assert!(!stopped);
        assert_eq!(text, "Hello, world");
    }

    #[test]
    fn a_stop_string_split_across_pieces_is_held_back_and_cut() {
        let (emitted, stopped, text) = run(&["</s>"], &["One.", "</", "s> more"]);
        assert_eq!(emitted, ["One."]);
        assert!(stopped);
        assert_eq!(text, "One.");
    }

    #[test]
    fn a_held_back_prefix_that_does_not_become_a_stop_string_is_emitted() {
        let (emitted, _, text) = run(&["</s>"], &["a <", "b"]);
        assert_eq!(emitted, ["a ", "<b"]);
        assert_eq!(text, "a <b");
    }
}
