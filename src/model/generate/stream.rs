//! Incremental detokenisation for streaming: emits only text that later tokens
//! cannot change, and cuts the output at the first stop string.

use crate::model::tokenize::Tokenizer;
use crate::model::ModelError;

pub struct TextStream<'a> {
    tokenizer: &'a Tokenizer,
    stop_strings: &'a [String],
    on_text: &'a mut dyn FnMut(&str),
    emitted: usize,
}

impl<'a> TextStream<'a> {
    pub fn new(
        tokenizer: &'a Tokenizer,
        stop_strings: &'a [String],
        on_text: &'a mut dyn FnMut(&str),
    ) -> Self {
        Self { tokenizer, stop_strings, on_text, emitted: 0 }
    }

    /// Emits what is settled after `tokens`; returns `true` when a stop string appeared.
    pub fn push(&mut self, tokens: &[u32]) -> Result<bool, ModelError> {
        let text = self.tokenizer.decode(tokens)?;
        if let Some(cut) = self.first_stop(&text) {
            self.emit(&text, cut);
            return Ok(true);
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
        self.emit(&text, settled);
        Ok(false)
    }

    /// Emits the rest and returns the whole text, cut at a stop string.
    pub fn finish(mut self, tokens: &[u32]) -> Result<String, ModelError> {
        let mut text = self.tokenizer.decode(tokens)?;
        if let Some(cut) = self.first_stop(&text) {
            text.truncate(cut);
        }
        self.emit(&text, text.len());
        Ok(text)
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
