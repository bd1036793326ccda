//! The related-work report in Markdown, and the short JSON summary a command returns.

use std::path::Path;

use serde_json::{json, Value};

use super::{Ranked, RelatedWork};
use crate::analysis::hover::escape;

/// Per theme a heading with its label, then one line per entry: key, title, year,
/// cited or uncited, relevance, TL;DR when known.
pub fn markdown(work: &RelatedWork) -> String {
    let name = file_name(&work.document);
    let entries: Vec<&Ranked> = work.themes.iter().flat_map(|t| &t.entries).collect();
    let cited = entries.iter().filter(|e| e.candidate.cited).count();
    let mut out = format!("# Related work for {}\n\n", escape(&name));
    out.push_str(&format!(
        "{} bibliography entries in {} themes: {cited} cited, {} uncited. Relevance is the cosine similarity of an entry's title and abstract to the {} sentences compared (1 is closest).\n",
        entries.len(),
        work.themes.len(),
        entries.len() - cited,
        work.sentences,
    ));
    for theme in &work.themes {
        let cited = theme.entries.iter().filter(|e| e.candidate.cited).count();
        out.push_str(&format!(
            "\n## {}\n\n{} entries, {cited} cited.\n\n",
            escape(&theme.label),
            theme.entries.len()
        ));
        for entry in &theme.entries {
            out.push_str(&entry_line(entry));
            out.push('\n');
        }
    }
    out
}

fn entry_line(entry: &Ranked) -> String {
    let c = &entry.candidate;
    let mut parts = vec![format!("`{}`", c.key.replace('`', ""))];
    parts.push(c.title.as_deref().map_or_else(|| "*(no title)*".to_owned(), one_line));
    parts.extend(c.year.as_deref().map(one_line));
    parts.push(if c.cited { "cited".to_owned() } else { "**uncited**".to_owned() });
    parts.push(entry.score.map_or_else(|| "no score".to_owned(), |s| format!("{s:.3}")));
    let mut line = format!("- {}", parts.join(" · "));
    if let Some(tldr) = &c.tldr {
        line.push_str(&format!(" — TL;DR: {}", one_line(tldr)));
    }
    line
}

fn one_line(text: &str) -> String {
    escape(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into())
}

/// `{ "path", "entries", "themes": [{ "label", "terms", "keys" }] }` for a report written
/// to `path`.
pub fn summary_json(work: &RelatedWork, path: &Path) -> Value {
    let themes: Vec<Value> = work
        .themes
        .iter()
        .map(|t| {
            let keys: Vec<&str> = t.entries.iter().map(|e| e.candidate.key.as_str()).collect();
            json!({ "label": t.label, "terms": t.terms, "keys": keys })
        })
        .collect();
    json!({ "path": path, "entries": work.entry_count(), "themes": themes })
}

#[cfg(test)]
mod tests {
    use super::super::{Candidate, Theme};
    use super::*;

    #[test]
    fn report_lists_each_entry_under_its_theme() {
        let entry = |key: &str, cited, score, tldr: Option<&str>| Ranked {
            candidate: Candidate {
                key: key.into(),
                title: Some(format!("Title of *{key}*")),
                year: Some("2021".into()),
                abstract_text: None,
                cited,
                tldr: tldr.map(str::to_owned),
            },
            score,
        };
        let work = RelatedWork {
            document: "/p/ms.tex".into(),
            root: "/p/ms.tex".into(),
            sentences: 12,
            themes: vec![
                Theme {
                    label: "Graphs, crystals".into(),
                    terms: vec!["graphs".into(), "crystals".into()],
                    entries: vec![
                        entry("a", true, Some(0.71234), Some("It works.")),
                        entry("b", false, Some(0.5), None),
                    ],
                },
                Theme {
                    label: "Without".into(),
                    terms: vec![],
                    entries: vec![entry("c", false, None, None)],
                },
            ],
        };
        let md = markdown(&work);
        assert!(md.starts_with("# Related work for ms.tex\n\n3 bibliography entries in 2 themes: 1 cited, 2 uncited."), "{md}");
        assert!(md.contains("\n## Graphs, crystals\n\n2 entries, 1 cited.\n\n- `a` · Title of \\*a\\* · 2021 · cited · 0.712 — TL;DR: It works.\n- `b` · Title of \\*b\\* · 2021 · **uncited** · 0.500\n"), "{md}");
        assert!(md.contains("- `c` · Title of \\*c\\* · 2021 · **uncited** · no score\n"), "{md}");
        let summary = summary_json(&work, Path::new("/p/.scholia/related-work.md"));
        assert_eq!(summary["entries"], 3);
        assert_eq!(summary["themes"][0]["keys"], json!(["a", "b"]));
        assert_eq!(summary["path"], "/p/.scholia/related-work.md");
    }
}
