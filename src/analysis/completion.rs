//! Citation key completion: where the cursor is a key being typed, and the candidates.

use std::ops::Range;

use super::hover::{authors_line, preview};
use super::related::entry_text;
use crate::project::{Project, Workspace};
use crate::syntax::Language;
use crate::syntax::{Manuscript, CITATION_PLACEHOLDER};

/// The key being typed: what is typed so far and the byte range a chosen key replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyContext {
    pub prefix: String,
    pub replace: Range<usize>,
}

/// Finds a key under construction at `offset`, looking only at the current line so that
/// half-typed input (`\cite{`, `[@`) works before the parser sees a citation.
/// `line_start` is the byte offset of `line` in the document; `offset` lies inside it.
pub fn key_context(
    language: Language,
    line: &str,
    line_start: usize,
    offset: usize,
    extra_commands: &[String],
) -> Option<KeyContext> {
    let cursor = offset.checked_sub(line_start)?.min(line.len());
    if !line.is_char_boundary(cursor) {
        return None;
    }
    let is_key_char: fn(char) -> bool = match language {
        Language::Latex => |c| !c.is_whitespace() && !matches!(c, '{' | '}' | ',' | '%' | '\\'),
        Language::Markdown => |c| c.is_alphanumeric() || "_:.#$%&-+?<>~/".contains(c),
    };
    let before = &line[..cursor];
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_key_char(c))
        .last()
        .map_or(cursor, |(i, _)| i);
    let after = &line[cursor..];
    let end = cursor
        + after.char_indices().find(|&(_, c)| !is_key_char(c)).map_or(after.len(), |(i, _)| i);
    let head = &line[..start];
    let inside = match language {
        Language::Latex => in_latex_cite(head, extra_commands),
        Language::Markdown => after_pandoc_at(head),
    };
    inside.then(|| KeyContext {
        prefix: line[start..cursor].to_owned(),
        replace: line_start + start..line_start + end,
    })
}

/// `head` ends inside the key list of a citation command: `\citep[p.~3]{a, ` or `\cites{a}{`.
fn in_latex_cite(head: &str, extra_commands: &[String]) -> bool {
    let head = head.trim_end_matches([' ', '\t']);
    let Some(open) = unclosed_brace(head) else {
        return false;
    };
    let mut rest = head[..open].trim_end();
    // Skip earlier argument groups: `[pre][post]`, `(pre)(post)`, `{a}` of a multi-cite.
    while let Some(last) = rest.chars().last() {
        let (close, open) = match last {
            ']' => (']', '['),
            ')' => (')', '('),
            '}' => ('}', '{'),
            _ => break,
        };
        let Some(start) = matching_open(rest, open, close) else {
            return false;
        };
        rest = rest[..start].trim_end();
    }
    let rest = rest.strip_suffix('*').unwrap_or(rest);
    let name_start = rest.rfind('\\').map(|i| i + 1);
    let Some(name) = name_start.map(|i| &rest[i..]) else {
        return false;
    };
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphabetic())
        && (name.to_ascii_lowercase().contains("cite") || extra_commands.iter().any(|c| c == name))
}

/// Byte index of the last `{` in `text` that is not closed before its end.
fn unclosed_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth == 0 => return Some(i),
            '{' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Start of the group whose closing character ends `text`.
fn matching_open(text: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices().rev() {
        if c == close {
            depth += 1;
        } else if c == open {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// `head` ends with a pandoc `@` (or `@{`) that is not part of an e-mail address.
fn after_pandoc_at(head: &str) -> bool {
    let head = head.strip_suffix('{').unwrap_or(head);
    let Some(before) = head.strip_suffix('@') else {
        return false;
    };
    !before.chars().last().is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '_')
}

/// One completion candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyCandidate {
    pub key: String,
    pub authors: Vec<String>,
    /// What relevance is measured on (title and abstract); `None` when it has neither.
    pub text: Option<String>,
    /// "Authors (year)" line.
    pub detail: String,
    /// Markdown: title, byline and abstract preview.
    pub documentation: String,
    /// Text the client filters on: key, title and authors, so typing a name finds the paper.
    pub filter_text: String,
}

/// Every entry of the project's bibliographies, first occurrence of a key only; `tldr`
/// gives an entry's TL;DR when one is ready.
pub fn key_candidates(
    workspace: &Workspace,
    project: &Project,
    tldr: impl Fn(&crate::bib::Entry) -> Option<String>,
) -> Vec<KeyCandidate> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (_, bibliography) in workspace.bibliographies_of(project) {
        for entry in &bibliography.entries {
            if !seen.insert(entry.key.as_str()) {
                continue;
            }
            let authors = authors_line(&entry.authors);
            let year = entry.year.as_deref().unwrap_or("n.d.");
            let title = entry.title.as_deref().unwrap_or("");
            let mut documentation = format!("**{title}**\n\n{authors} ({year})");
            if let Some(venue) = &entry.venue {
                documentation.push_str(&format!(", *{venue}*"));
            }
            if let Some(text) = tldr(entry) {
                documentation.push_str(&format!("\n\n**TL;DR** {text}"));
            }
            if let Some(text) = &entry.abstract_text {
                documentation.push_str(&format!("\n\n{}", preview(text, 300)));
            }
            out.push(KeyCandidate {
                key: entry.key.clone(),
                authors: entry.authors.clone(),
                text: entry_text(entry.title.as_deref(), entry.abstract_text.as_deref()),
                detail: format!("{title} — {authors} ({year})"),
                documentation,
                filter_text: format!("{} {} {}", entry.key, title, entry.authors.join(" ")),
            });
        }
    }
    out
}

impl KeyCandidate {
    /// The typed prefix starts the key or a word of an author's name (case aside).
    fn matches_prefix(&self, prefix: &str) -> bool {
        let prefix = prefix.to_lowercase();
        let starts = |word: &str| word.to_lowercase().starts_with(&prefix);
        starts(&self.key)
            || self.authors.iter().flat_map(|a| a.split(|c: char| !c.is_alphanumeric())).any(starts)
    }
}

/// `sortText` of each candidate: those whose key or author the typed prefix starts come
/// first, then those whose title holds it; within that, by `relevance` (higher first)
/// when known, else in bibliography order.
pub fn sort_texts(
    candidates: &[KeyCandidate],
    prefix: &str,
    relevance: Option<&[f32]>,
) -> Vec<String> {
    let lower = prefix.to_lowercase();
    let tier = |c: &KeyCandidate| match () {
        _ if prefix.is_empty() || c.matches_prefix(prefix) => 0u8,
        _ if c.filter_text.to_lowercase().contains(&lower) => 1,
        _ => 2,
    };
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    // Stable: ties keep bibliography order.
    order.sort_by(|&a, &b| {
        let by_relevance = relevance.map_or(std::cmp::Ordering::Equal, |r| r[b].total_cmp(&r[a]));
        tier(&candidates[a]).cmp(&tier(&candidates[b])).then(by_relevance)
    });
    let mut texts = vec![String::new(); candidates.len()];
    for (rank, &i) in order.iter().enumerate() {
        texts[i] = format!("{:06}", rank);
    }
    texts
}

/// The most items one completion answer carries. A lab bibliography of thousands of
/// entries would otherwise cost tens of milliseconds per keystroke to send and for the
/// editor to filter; the answer is marked incomplete, so the editor asks again as the
/// prefix grows and the best matches for it come back.
pub const MAX_ITEMS: usize = 200;

/// The `limit` candidates with the lowest `sort_texts`, paired with them, and whether
/// any were left out.
pub fn best(
    candidates: Vec<KeyCandidate>,
    sort_texts: Vec<String>,
    limit: usize,
) -> (Vec<(KeyCandidate, String)>, bool) {
    let mut ranked: Vec<(KeyCandidate, String)> = candidates.into_iter().zip(sort_texts).collect();
    let truncated = ranked.len() > limit;
    if truncated {
        ranked.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        ranked.truncate(limit);
    }
    (ranked, truncated)
}

/// The prose of the paragraph around `offset`, citations left out: what completion
/// order measures relevance against. `None` outside a paragraph or when it has no words.
pub fn paragraph_prose(manuscript: &Manuscript, offset: usize) -> Option<String> {
    let paragraph =
        manuscript.paragraphs.iter().find(|p| p.span.contains(&offset) || p.span.end == offset)?;
    let prose: Vec<String> = manuscript.sentences[paragraph.sentences.clone()]
        .iter()
        .map(|s| s.prose.replace(CITATION_PLACEHOLDER, ""))
        .collect();
    let prose = prose.iter().flat_map(|s| s.split_whitespace()).collect::<Vec<_>>().join(" ");
    prose.chars().any(char::is_alphanumeric).then_some(prose)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(key: &str, authors: &[&str]) -> KeyCandidate {
        KeyCandidate {
            key: key.into(),
            authors: authors.iter().map(|a| a.to_string()).collect(),
            text: None,
            detail: String::new(),
            documentation: String::new(),
            filter_text: String::new(),
        }
    }

    fn ranked(candidates: &[KeyCandidate], prefix: &str, relevance: Option<&[f32]>) -> Vec<String> {
        let texts = sort_texts(candidates, prefix, relevance);
        let mut keys: Vec<(String, String)> =
            texts.into_iter().zip(candidates.iter().map(|c| c.key.clone())).collect();
        keys.sort();
        keys.into_iter().map(|(_, k)| k).collect()
    }

    #[test]
    fn prefix_matches_come_first_then_relevance_then_bibliography_order() {
        let c = [
            candidate("alpha", &["Smith, Jane"]),
            candidate("beta", &["Doe, John"]),
            candidate("gamma", &["Sato, Ken"]),
        ];
        assert_eq!(ranked(&c, "", None), ["alpha", "beta", "gamma"]);
        assert_eq!(ranked(&c, "", Some(&[0.1, 0.3, 0.2])), ["beta", "gamma", "alpha"]);
        // "s" starts Smith and Sato: those first, by relevance; then the rest.
        assert_eq!(ranked(&c, "S", Some(&[0.1, 0.9, 0.2])), ["gamma", "alpha", "beta"]);
        assert_eq!(ranked(&c, "be", Some(&[0.9, 0.1, 0.2])), ["beta", "alpha", "gamma"]);
    }

    #[test]
    fn a_title_word_ranks_after_key_and_author_matches_and_before_the_rest() {
        let mut c = [
            candidate("alpha", &["Smith, Jane"]),
            candidate("beta", &["Doe, John"]),
            candidate("gamma", &["Sato, Ken"]),
        ];
        c[2].filter_text = "gamma Protein folding Sato, Ken".into();
        c[1].filter_text = "beta Protons Doe, John".into();
        assert_eq!(ranked(&c, "prot", None), ["beta", "gamma", "alpha"]);
        assert_eq!(ranked(&c, "fold", None), ["gamma", "alpha", "beta"]);
    }

    #[test]
    fn a_long_list_keeps_the_best_ranked_and_says_it_is_incomplete() {
        let c: Vec<KeyCandidate> = (0..5).map(|i| candidate(&format!("k{i}"), &[])).collect();
        let texts = sort_texts(&c, "", Some(&[0.1, 0.5, 0.3, 0.9, 0.2]));
        let (kept, truncated) = best(c.clone(), texts.clone(), 2);
        assert!(truncated);
        let keys: Vec<&str> = kept.iter().map(|(c, _)| c.key.as_str()).collect();
        assert_eq!(keys, ["k3", "k1"]);
        let (all, truncated) = best(c, texts, 5);
        assert!(!truncated);
        assert_eq!(all.len(), 5);
    }

    #[test]
    fn paragraph_prose_leaves_citations_out() {
        let text = "\\documentclass{article}\n\\begin{document}\nProteins fold \\cite{a}. They bind.\n\nGalaxies merge.\n\\end{document}\n";
        let manuscript = crate::syntax::parse(Language::Latex, text, &Default::default());
        let at = text.find("bind").unwrap();
        assert_eq!(paragraph_prose(&manuscript, at).as_deref(), Some("Proteins fold . They bind."));
        let at = text.find("merge").unwrap();
        assert_eq!(paragraph_prose(&manuscript, at).as_deref(), Some("Galaxies merge."));
    }

    fn latex(line: &str) -> Option<KeyContext> {
        let cursor = line.find('|').expect("cursor marker");
        let line = line.replace('|', "");
        key_context(Language::Latex, &line, 100, 100 + cursor, &["citenum".into()])
    }

    fn markdown(line: &str) -> Option<KeyContext> {
        let cursor = line.find('|').expect("cursor marker");
        let line = line.replace('|', "");
        key_context(Language::Markdown, &line, 0, cursor, &[])
    }

    #[test]
    fn latex_contexts() {
        assert_eq!(
            latex("see \\cite{|"),
            Some(KeyContext { prefix: "".into(), replace: 110..110 })
        );
        assert_eq!(latex("\\citep{smi|}").unwrap().prefix, "smi");
        assert_eq!(latex("\\citep{smi|th}").unwrap().replace, 107..112);
        assert_eq!(latex("\\citep[see][p.~3]{a, b|").unwrap().prefix, "b");
        assert_eq!(latex("\\cites(x)(y)[a]{one}[b]{tw|").unwrap().prefix, "tw");
        assert_eq!(latex("\\Textcite*{|").unwrap().prefix, "");
        assert_eq!(latex("\\citenum{a|").unwrap().prefix, "a");
        assert_eq!(latex("\\emph{a|"), None);
        assert_eq!(latex("\\citep[se|"), None);
        assert_eq!(latex("\\cite{a} b|"), None);
    }

    #[test]
    fn markdown_contexts() {
        assert_eq!(markdown("as [@|"), Some(KeyContext { prefix: "".into(), replace: 5..5 }));
        assert_eq!(markdown("[see @a, p. 3; @smi|]").unwrap().prefix, "smi");
        assert_eq!(markdown("@doe| says").unwrap().replace, 1..4);
        assert_eq!(markdown("[-@|").unwrap().prefix, "");
        assert_eq!(markdown("mail me at me@exa|"), None);
    }
}
