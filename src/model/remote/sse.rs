//! Server-sent events: the `data` of each event of a `text/event-stream`, fed line by
//! line (the framing of the HTML standard, without `event`, `id` and `retry`, which
//! chat completion streams do not use).

#[derive(Default)]
pub struct EventLines {
    data: String,
    has_data: bool,
}

impl EventLines {
    /// Takes one line without its line ending; returns the data of the event that a
    /// blank line completes.
    pub fn line(&mut self, line: &str) -> Option<String> {
        if line.is_empty() {
            return self.finish();
        }
        // Comments (`: keep-alive`) and fields other than `data` carry no text.
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        if field == "data" {
            if self.has_data {
                self.data.push('\n');
            }
            self.data.push_str(value.strip_prefix(' ').unwrap_or(value));
            self.has_data = true;
        }
        None
    }

    /// The data of an event the stream ended without a blank line after.
    pub fn finish(&mut self) -> Option<String> {
        self.has_data = false;
        Some(std::mem::take(&mut self.data)).filter(|d| !d.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(stream: &str) -> Vec<String> {
        let mut lines = EventLines::default();
        let mut out: Vec<String> = stream
            .split('\n')
            .map(|l| l.trim_end_matches('\r'))
            .filter_map(|l| lines.line(l))
            .collect();
        out.extend(lines.finish());
        out
    }

    #[test]
    fn each_blank_line_ends_an_event() {
        let stream = "data: {\"a\":1}\n\ndata:{\"b\":2}\r\n\r\ndata: [DONE]\n\n";
        assert_eq!(events(stream), ["{\"a\":1}", "{\"b\":2}", "[DONE]"]);
    }

    #[test]
    fn comments_and_other_fields_are_skipped_and_data_lines_join() {
        let stream = ": keep-alive\n\nevent: message\nid: 7\ndata: one\ndata:  two\n\n";
        assert_eq!(events(stream), ["one\n two"]);
    }

    #[test]
    fn a_last_event_without_its_blank_line_is_kept() {
        assert_eq!(events("data: x\n\ndata: y"), ["x", "y"]);
        assert!(events("\n\n: only a comment\n").is_empty());
    }
}
