//! The papers a project's Related Work section(s) cite, as a Markdown table.

use std::collections::HashSet;

use serde::Serialize;

use crate::analysis::hover::escape;
use crate::bib::Entry;
use crate::project::{Project, Workspace};
use crate::syntax::SectionKind;

/// One cited key; `title` and `year` are `None` for a key with no entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CitedRow {
    pub key: String,
    pub found: bool,
    pub title: Option<String>,
    pub year: Option<String>,
    pub tldr: Option<String>,
}

/// Keys cited inside Related Work sections of the project's files, in order of first
/// citation, each once (as resolved: `Smith` and `smith` for one entry count once).
pub fn cited_in_related_sections(
    workspace: &Workspace,
    project: &Project,
    mut tldr: impl FnMut(&Entry) -> Option<String>,
) -> Vec<CitedRow> {
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for file in project.files.iter().filter_map(|p| workspace.file(p)) {
        let manuscript = &file.manuscript;
        let sections: Vec<_> =
            manuscript.sections.iter().filter(|s| s.kind == SectionKind::RelatedWork).collect();
        let keys = manuscript.cited_keys().filter(|k| {
            sections.iter().any(|s| s.span.start <= k.span.start && k.span.end <= s.span.end)
        });
        for key in keys {
            let found = workspace.resolve_key(project, &key.key);
            let id = found.map_or_else(|| key.key.clone(), |f| f.entry.key.clone());
            if !seen.insert(id.clone()) {
                continue;
            }
            rows.push(match found {
                Some(found) => CitedRow {
                    key: id,
                    found: true,
                    title: found.entry.title.clone(),
                    year: found.entry.year.clone(),
                    tldr: tldr(found.entry),
                },
                None => CitedRow { key: id, found: false, title: None, year: None, tldr: None },
            });
        }
    }
    rows
}

/// The table: key, title, year, TL;DR; a heading naming the document.
pub fn cited_table(document: &str, rows: &[CitedRow]) -> String {
    let mut out = format!("# Papers cited in the Related Work of {}\n\n", escape(document));
    if rows.is_empty() {
        out.push_str("The Related Work section cites no paper (or the project has no section titled Related Work, Prior Work or Literature Review).\n");
        return out;
    }
    out.push_str("| Key | Title | Year | TL;DR |\n|---|---|---|---|\n");
    for row in rows {
        let title = match (&row.title, row.found) {
            (Some(title), _) => cell(title),
            (None, true) => String::new(),
            (None, false) => "*not in the bibliography*".to_owned(),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            row.key.replace('|', "\\|").replace('`', ""),
            title,
            row.year.as_deref().map(cell).unwrap_or_default(),
            row.tldr.as_deref().map(cell).unwrap_or_default(),
        ));
    }
    out
}

/// Text safe inside a table cell: Markdown escaped, pipes escaped, one line.
fn cell(text: &str) -> String {
    escape(&text.split_whitespace().collect::<Vec<_>>().join(" ")).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_escape_cells_and_mark_missing_entries() {
        let rows = vec![
            CitedRow {
                key: "a".into(),
                found: true,
                title: Some("Pipes | and *stars*\n split".into()),
                year: Some("2020".into()),
                tldr: Some("Short.".into()),
            },
            CitedRow { key: "gone".into(), found: false, title: None, year: None, tldr: None },
        ];
        let table = cited_table("ms.tex", &rows);
        assert!(
            table.contains("| `a` | Pipes \\| and \\*stars\\* split | 2020 | Short. |"),
            "{table}"
        );
        assert!(table.contains("| `gone` | *not in the bibliography* |  |  |"), "{table}");
        assert!(cited_table("ms.tex", &[]).contains("cites no paper"));
    }
}
