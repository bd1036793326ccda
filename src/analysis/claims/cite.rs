//! Inserting a citation where a claim ends, in the style the document already uses:
//! merged into a citation that closes the sentence, else a new one before its full stop.

use std::collections::HashMap;
use std::ops::Range;

use crate::analysis::Fix;
use crate::syntax::{Language, Manuscript};

/// The LaTeX command this document cites with most (`\citep`, `\autocite`, ...); `\cite`
/// when it has none. `\nocite` does not count: it prints nothing.
pub fn preferred_command(manuscript: &Manuscript) -> String {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for citation in &manuscript.citations {
        if citation.command.starts_with('\\') && !citation.command.contains("nocite") {
            *counts.entry(citation.command.trim_end_matches('*')).or_default() += 1;
        }
    }
    let best = counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)));
    best.map_or_else(|| "\\cite".to_owned(), |(command, _)| command.to_owned())
}

/// An edit citing `key` at the end of sentence `sentence` of `manuscript` (`text` is the
/// file's text).
pub fn cite_fix(
    manuscript: &Manuscript,
    text: &str,
    sentence: usize,
    key: &str,
    title: &str,
) -> Option<Fix> {
    let s = manuscript.sentences.get(sentence)?;
    let body_end = body_end(text, &s.span);
    let fix = |span: Range<usize>, replacement: String| Fix {
        title: format!("Cite {key}: {title}"),
        span,
        replacement,
    };
    // A citation the sentence ends with (only spaces and punctuation after it) takes the key.
    let closing = s.citations.iter().filter_map(|&i| manuscript.citations.get(i)).find(|c| {
        c.span.end <= body_end
            && text[c.span.end..body_end].chars().all(|ch| ch.is_whitespace() || ",;".contains(ch))
            && !c.command.contains("nocite")
            && c.keys.iter().any(|k| !k.key.is_empty())
    });
    if let Some(citation) = closing {
        let last = citation.keys.iter().rev().find(|k| !k.key.is_empty())?;
        let at = last.span.end;
        let separator = match manuscript.language {
            Language::Latex => ",",
            Language::Markdown => "; @",
        };
        return Some(fix(at..at, format!("{separator}{key}")));
    }
    let new = match manuscript.language {
        Language::Latex => format!(" {}{{{key}}}", preferred_command(manuscript)),
        Language::Markdown => format!(" [@{key}]"),
    };
    // After the last word, before spaces and the closing punctuation.
    let at = text[..body_end].trim_end().len().max(s.span.start);
    Some(fix(at..at, new))
}

/// Where a sentence's words end: before its final `.`, `!`, `?` or `:` and trailing space.
fn body_end(text: &str, span: &Range<usize>) -> usize {
    let sentence = &text[span.clone()];
    let trimmed = sentence.trim_end();
    let without_stop = trimmed.trim_end_matches(['.', '!', '?', ':']);
    span.start + without_stop.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse, ParseOptions};

    fn apply(language: Language, text: &str, key: &str) -> String {
        let m = parse(language, text, &ParseOptions::default());
        let i = m.sentences.iter().position(|s| text[s.span.clone()].contains("warming")).unwrap();
        let fix = cite_fix(&m, text, i, key, "t").unwrap();
        format!("{}{}{}", &text[..fix.span.start], fix.replacement, &text[fix.span.end..])
    }

    #[test]
    fn latex_uses_the_documents_command_before_the_full_stop() {
        let text = "\\documentclass{article}\n\\begin{document}\nIce melts \\citep{a}. Oceans are warming fast.\n\\end{document}\n";
        assert!(apply(Language::Latex, text, "k").contains("Oceans are warming fast \\citep{k}."));
    }

    #[test]
    fn latex_merges_into_a_closing_citation() {
        let text = "\\documentclass{article}\n\\begin{document}\nOceans are warming \\cite{a, b}.\n\\end{document}\n";
        assert!(apply(Language::Latex, text, "k").contains("\\cite{a, b,k}."));
    }

    #[test]
    fn markdown_new_and_merged() {
        let text = "# T\n\nOceans are warming fast.\n";
        assert!(apply(Language::Markdown, text, "k").contains("warming fast [@k]."));
        let text = "# T\n\nOceans are warming [@a].\n";
        assert!(apply(Language::Markdown, text, "k").contains("[@a; @k]."));
    }

    #[test]
    fn preferred_command_is_the_most_used() {
        let text = "\\documentclass{article}\n\\begin{document}\nA \\citet{a}. B \\citep{b}. C \\citep{c}. \\nocite{*}\n\\end{document}\n";
        let m = parse(Language::Latex, text, &ParseOptions::default());
        assert_eq!(preferred_command(&m), "\\citep");
    }
}
