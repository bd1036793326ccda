//! natbib and biblatex citation commands: which names cite, and their keys with spans.
//!
//! An unclosed key group (`\cite{ab` while typing) still yields keys: the group then ends
//! at the end of its line (or at a `{`, `\`, `%` or `$`), and each key at its first space,
//! so completion can tell the cursor is inside a citation.

use std::ops::Range;

use super::ir::{Citation, CitationKey};
use super::latex_args::Args;
use super::prose::trim;

/// Citation commands without their `*` form.
const CITE_COMMANDS: &[&str] = &[
    "cite",
    "Cite",
    "citep",
    "Citep",
    "citet",
    "Citet",
    "citealp",
    "Citealp",
    "citealt",
    "Citealt",
    "citeauthor",
    "Citeauthor",
    "citeyear",
    "citeyearpar",
    "citetitle",
    "citedate",
    "citeurl",
    "citenum",
    "nocite",
    "fullcite",
    "footfullcite",
    "parencite",
    "Parencite",
    "textcite",
    "Textcite",
    "footcite",
    "Footcite",
    "footcitetext",
    "smartcite",
    "Smartcite",
    "supercite",
    "autocite",
    "Autocite",
];

/// biblatex multi-citations: `\cites(pre)(post)[pre][post]{a}[pre][post]{b}`.
const MULTI_CITE_COMMANDS: &[&str] = &[
    "cites",
    "Cites",
    "parencites",
    "Parencites",
    "footcites",
    "footcitetexts",
    "smartcites",
    "Smartcites",
    "textcites",
    "Textcites",
    "supercites",
    "autocites",
    "Autocites",
];

/// Longest key group read, so a stray `\cite{` costs little.
const MAX_KEY_GROUP: usize = 4096;

pub(crate) fn is_multi(name: &str) -> bool {
    MULTI_CITE_COMMANDS.contains(&name.trim_end_matches('*'))
}

pub(crate) fn is_cite(name: &str, extra: &[String]) -> bool {
    let bare = name.trim_end_matches('*');
    CITE_COMMANDS.contains(&bare) || is_multi(bare) || extra.iter().any(|e| e == bare)
}

/// The citation whose command's backslash is at `start` and name at `name`; `None` when no
/// key group follows.
pub(crate) fn parse(text: &str, args: &Args, start: usize, name: Range<usize>) -> Option<Citation> {
    let multi = is_multi(&text[name.clone()]);
    let mut at = args.skip_space(name.end);
    if multi {
        for _ in 0..2 {
            if args.byte(at) == Some(b'(') {
                at = args.skip_space(args.optional_end(at)?);
            }
        }
    }
    let mut keys = Vec::new();
    let mut end = None;
    loop {
        for _ in 0..2 {
            if args.byte(at) == Some(b'[') {
                match args.optional_end(at) {
                    Some(e) => at = if end.is_none() { args.skip_space(e) } else { e },
                    None => break,
                }
            }
        }
        if args.byte(at) != Some(b'{') {
            break;
        }
        let (group_keys, group_end, closed) = key_group(text, args, at);
        keys.extend(group_keys);
        end = Some(group_end);
        at = group_end;
        if !multi || !closed {
            break;
        }
    }
    Some(Citation { command: text[start..name.end].to_string(), span: start..end?, keys })
}

/// Keys of the group opening at `open`, the group's end, and whether it was closed.
fn key_group(text: &str, args: &Args, open: usize) -> (Vec<CitationKey>, usize, bool) {
    let bytes = text.as_bytes();
    let limit = (open + 1 + MAX_KEY_GROUP).min(bytes.len());
    let mut i = open + 1;
    let mut closed = false;
    while i < limit {
        match bytes[i] {
            b'}' => {
                closed = true;
                break;
            }
            b'{' | b'\\' | b'%' | b'$' => break,
            b'\n' if args.blank_line_at(i) => break,
            _ => i += 1,
        }
    }
    if !closed {
        let line_end = bytes[open..i].iter().position(|&b| b == b'\n').map_or(i, |p| open + p);
        i = line_end;
    }
    let mut keys = Vec::new();
    let mut slot_start = open + 1;
    for slot_end in (open + 1..i).filter(|&p| bytes[p] == b',').chain([i]) {
        let slot = slot_start..slot_end;
        slot_start = slot_end + 1;
        let mut span = trim(text, slot.clone());
        let cut = !closed && text[span.clone()].contains(char::is_whitespace);
        if cut {
            let word = text[span.clone()].find(char::is_whitespace).unwrap_or(0);
            span.end = span.start + word;
        }
        match &text[span.clone()] {
            "*" => {}
            "" => keys.push(CitationKey { key: String::new(), span: slot }),
            key => keys.push(CitationKey { key: key.to_string(), span }),
        }
        if cut {
            break;
        }
    }
    (keys, if closed { i + 1 } else { i }, closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each citation's command and its keys with the text their spans cover.
    fn cites(text: &str) -> Vec<(String, Vec<(String, &str)>)> {
        let args = Args::new(text);
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(p) = text[from..].find('\\').map(|p| from + p) {
            let name = args.command_name(p);
            from = name.end.max(p + 1);
            if !is_cite(&text[name.clone()], &["citenumx".into()]) {
                continue;
            }
            if let Some(c) = parse(text, &args, p, name) {
                from = c.span.end;
                let keys = c.keys.iter().map(|k| (k.key.clone(), &text[k.span.clone()])).collect();
                out.push((c.command, keys));
            }
        }
        out
    }

    fn keys(text: &str) -> Vec<String> {
        cites(text).into_iter().flat_map(|(_, k)| k).map(|(k, _)| k).collect()
    }

    #[test]
    fn natbib_forms_give_one_trimmed_span_per_key() {
        let text = r"\citep{a, b} \citet*[see][p.~3]{c} \citealp{d} \citealt{e} \citeauthor{f}
\citeyear{g} \citeyearpar{h} \cite{ i } \Citet{j} \Citep{k}";
        let found = cites(text);
        assert_eq!(found[0].1, [("a".to_string(), "a"), ("b".to_string(), "b")]);
        assert_eq!(found[1].0, "\\citet*");
        assert_eq!(keys(text), ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]);
        let args = Args::new(text);
        let c = parse(text, &args, 0, args.command_name(0)).unwrap();
        assert_eq!((c.span, c.keys[1].span.clone()), (0..12, 10..11));
    }

    #[test]
    fn biblatex_forms_and_multi_cites() {
        let text = r"\autocite{a} \parencite[p. 2]{b} \textcite{c} \footcite{d} \smartcite{e}
\supercite{f} \fullcite{g} \Textcite{h} \Autocite*{i} \citenumx{x}
\cites(pre)(post)[p. 1]{m1}[see][]{m2} \autocites{n1}{n2} \textcites[x]{t1}{t2} after{z}";
        assert_eq!(
            keys(text),
            ["a", "b", "c", "d", "e", "f", "g", "h", "i", "x", "m1", "m2", "n1", "n2", "t1", "t2"]
        );
    }

    #[test]
    fn nocite_star_yields_no_key() {
        assert_eq!(
            cites(r"\nocite{*} \nocite{a}"),
            [
                ("\\nocite".to_string(), vec![]),
                ("\\nocite".to_string(), vec![("a".to_string(), "a")]),
            ]
        );
    }

    #[test]
    fn half_typed_citations_still_have_key_spans() {
        let text = "\\cite{";
        let args = Args::new(text);
        let c = parse(text, &args, 0, args.command_name(0)).unwrap();
        assert_eq!((c.span.clone(), c.keys.len(), c.keys[0].span.clone()), (0..6, 1, 6..6));
        assert_eq!(cites("\\cite{ab\nNext line"), [("\\cite".into(), vec![("ab".into(), "ab")])]);
        assert_eq!(
            cites("see \\citep{a, bc and more"),
            [("\\citep".into(), vec![("a".into(), "a"), ("bc".into(), "bc")])]
        );
        let empty = cites("\\cite{a, }");
        assert_eq!(empty[0].1[1], (String::new(), " "));
    }
}
