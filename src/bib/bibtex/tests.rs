//! Behaviour of `parse_bibtex` as a user of the server sees it.

use crate::bib::{parse_bibtex, BibDiagnostic, Bibliography, Entry, KeyMatch, Severity};

fn parse(text: &str) -> Bibliography {
    parse_bibtex(text, &[])
}

fn only(text: &str) -> Entry {
    let bib = parse(text);
    assert_eq!(bib.len(), 1, "entries: {:?}, diagnostics: {:?}", bib.entries, bib.diagnostics);
    bib.entries[0].clone()
}

fn codes(diagnostics: &[BibDiagnostic]) -> Vec<&str> {
    diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn tex_accents_become_unicode() {
    let entry = only(
        r#"@article{a,
            author = {M{\"u}ller, J{\"o}rg and Fran\c{c}ois Gar\c con and Kr{\'o}l, {\L}ukasz},
            title = {{\"O}konomie der Stra{\ss}e: \'etude {\`a} Gen\`eve, 1990--2000 --- {\aa}}
        }"#,
    );
    assert_eq!(entry.authors, ["Jörg Müller", "François Garçon", "Łukasz Król"]);
    assert_eq!(entry.title.as_deref(), Some("Ökonomie der Straße: étude à Genève, 1990–2000 — å"));
}

#[test]
fn braces_and_unknown_commands_are_stripped_for_display() {
    let entry = only(
        r"@book{b, title = {The {NASA} {{Apollo}} \emph{Moon} program~\cite{x}}, publisher = {{MIT} Press}}",
    );
    assert_eq!(entry.title.as_deref(), Some("The NASA Apollo Moon program x"));
    assert_eq!(entry.venue.as_deref(), Some("MIT Press"));
    assert_eq!(entry.kind, "book");
}

#[test]
fn math_in_titles_reads_as_text() {
    let entry = only(r"@article{m, title = {Decays with $\alpha_s \le 0.1$ at 5\% error}}");
    assert_eq!(entry.title.as_deref(), Some("Decays with α_s ≤ 0.1 at 5% error"));
}

#[test]
fn names_in_every_bibtex_form() {
    let entry = only(
        r"@misc{n, author = {Knuth, Donald E. and Ludwig van Beethoven and King, Jr, Martin Luther and {Barnes and Noble} and others}}",
    );
    assert_eq!(
        entry.authors,
        [
            "Donald E. Knuth",
            "Ludwig van Beethoven",
            "Martin Luther King, Jr",
            "Barnes and Noble",
            "others"
        ]
    );
}

#[test]
fn year_venue_doi_url_and_abstract() {
    let entry = only(
        r"@inproceedings{p,
            date = {2021-03-04}, booktitle = {Proc. of {ACL}}, publisher = {ACL},
            doi = {10.1000/x\_y}, url = {https://example.org/~me/p\_1.pdf},
            abstract = {We   show
                that it works.}}",
    );
    assert_eq!(entry.year.as_deref(), Some("2021"));
    assert_eq!(entry.venue.as_deref(), Some("Proc. of ACL"));
    assert_eq!(entry.doi.as_deref(), Some("10.1000/x_y"));
    assert_eq!(entry.url.as_deref(), Some("https://example.org/~me/p_1.pdf"));
    assert_eq!(entry.abstract_text.as_deref(), Some("We show that it works."));
    let journal =
        only("@article{j, year = 1999, journal = {Nature}, journaltitle = {Nature Physics}}");
    assert_eq!(
        (journal.year.as_deref(), journal.venue.as_deref()),
        (Some("1999"), Some("Nature Physics"))
    );
}

#[test]
fn spans_cover_the_key_and_the_entry() {
    let text =
        "% comment\n@Article{smith2020,\n  title = {X}\n}\n\n@book ( jones:b , title = \"Y\" )\n";
    let bib = parse(text);
    assert_eq!(bib.len(), 2);
    let smith = &bib.entries[0];
    assert_eq!(&text[smith.key_span.clone()], "smith2020");
    assert_eq!(&text[smith.span.clone()], "@Article{smith2020,\n  title = {X}\n}");
    let jones = &bib.entries[1];
    assert_eq!(&text[jones.key_span.clone()], "jones:b");
    assert_eq!(&text[jones.span.clone()], "@book ( jones:b , title = \"Y\" )");
    assert_eq!(jones.title.as_deref(), Some("Y"));
}

#[test]
fn missing_brace_between_good_entries_loses_only_that_entry() {
    let text =
        "@article{good1, title={One}}\n@article{bad, title={Two}\n@article{good2, title={Three}}\n";
    let bib = parse(text);
    let keys: Vec<_> = bib.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["good1", "good2"]);
    assert_eq!(bib.entries[1].title.as_deref(), Some("Three"));
    assert_eq!(codes(&bib.diagnostics), ["malformed-entry"]);
    let diagnostic = &bib.diagnostics[0];
    assert_eq!(diagnostic.severity, Severity::Error);
    assert_eq!(&text[diagnostic.span.clone()], "@article{bad, title={Two}");
    assert!(diagnostic.message.contains("missing closing brace"), "{}", diagnostic.message);
}

#[test]
fn syntax_error_inside_an_entry_is_reported_with_its_place() {
    let text = "@book{ok, title={A}}\n@book{broken, title {B}}\n@book{ok2, title={C}}";
    let bib = parse(text);
    assert_eq!(bib.len(), 2);
    assert_eq!(codes(&bib.diagnostics), ["malformed-entry"]);
    assert_eq!(&text[bib.diagnostics[0].span.clone()], "@book{broken, title {B}}");
    assert!(
        bib.diagnostics[0].message.contains("expected equals near `{B}}`"),
        "{}",
        bib.diagnostics[0].message
    );
}

#[test]
fn unreadable_field_is_left_out_but_the_entry_loads() {
    let text = "@article{m, title = {Costs in $ per unit}, year = {2001}}";
    let bib = parse(text);
    assert_eq!(bib.len(), 1);
    assert_eq!(bib.entries[0].title, None);
    assert_eq!(bib.entries[0].year.as_deref(), Some("2001"));
    assert_eq!(codes(&bib.diagnostics), ["malformed-field"]);
    assert_eq!(&text[bib.diagnostics[0].span.clone()], "title = {Costs in $ per unit}");
}

#[test]
fn duplicate_keys_warn_on_the_later_one_and_lookup_keeps_the_first() {
    let text = "@misc{dup, title={First}}\n@misc{Dup2, title={Other}}\n@misc{dup, title={Second}}";
    let bib = parse(text);
    assert_eq!(bib.len(), 3);
    assert_eq!(codes(&bib.diagnostics), ["duplicate-key"]);
    assert_eq!(bib.diagnostics[0].severity, Severity::Warning);
    assert_eq!(bib.diagnostics[0].span, text.rfind("dup").unwrap()..text.rfind("dup").unwrap() + 3);
    let (entry, how) = bib.lookup("dup").unwrap();
    assert_eq!((entry.title.as_deref(), how), (Some("First"), KeyMatch::Exact));
    assert_eq!(bib.lookup("DUP2").unwrap().1, KeyMatch::CaseInsensitive);
}

#[test]
fn string_macros_from_this_file_and_other_files() {
    let definitions = "@string{jgr = {J. Geophys. Res.}}\n@STRING{vol = \"Vol.\"}";
    let text = "@string{local = \"Local \" # JGR}\n@article{a, journal = jgr, title = vol # { 2}, month = jan}\n\
                @article{b, journal = local}\n@article{c, journal = nosuch}";
    let bib = parse_bibtex(text, &[definitions]);
    let venues: Vec<_> = bib.entries.iter().map(|e| e.venue.as_deref().unwrap()).collect();
    assert_eq!(venues, ["J. Geophys. Res.", "Local J. Geophys. Res.", "nosuch"]);
    assert_eq!(bib.entries[0].title.as_deref(), Some("Vol. 2"));
    assert_eq!(codes(&bib.diagnostics), ["undefined-macro"]);
    assert_eq!(&text[bib.diagnostics[0].span.clone()], "nosuch");
}

#[test]
fn crossref_and_xdata_fields_are_inherited() {
    let text = r"
        @proceedings{conf, title = {Proceedings of {TUG} 2020}, year = {2020}, publisher = {TUG}}
        @inproceedings{talk, author = {A. Author}, title = {A Talk}, crossref = {conf}}
        @xdata{pub, publisher = {Springer}}
        @book{b, title = {B}, xdata = {pub}, year = 2001}";
    let bib = parse(text);
    assert!(bib.diagnostics.is_empty(), "{:?}", bib.diagnostics);
    let talk = bib.lookup("talk").unwrap().0;
    assert_eq!(talk.title.as_deref(), Some("A Talk"));
    assert_eq!(talk.venue.as_deref(), Some("Proceedings of TUG 2020"));
    assert_eq!(talk.year.as_deref(), Some("2020"));
    assert_eq!(bib.lookup("b").unwrap().0.venue.as_deref(), Some("Springer"));
    assert!(bib.lookup("pub").is_none(), "@xdata entries cannot be cited");
}

#[test]
fn crossref_cycles_and_missing_targets_are_reported_not_followed() {
    let text = "@book{a, title={A}, crossref={b}}\n@book{b, title={B}, crossref={a}}\n\
                @book{self, crossref={self}}\n@book{lost, crossref={nowhere}}";
    let bib = parse(text);
    assert_eq!(bib.len(), 4);
    assert_eq!(
        codes(&bib.diagnostics),
        ["crossref-unresolved", "crossref-unresolved", "crossref-unresolved", "missing-crossref"]
    );
    assert_eq!(&text[bib.diagnostics[3].span.clone()], "crossref={nowhere}");
}

#[test]
fn comments_preambles_and_stray_at_signs_are_not_entries() {
    let text = "Write to me@example.org.\n@comment{@article{hidden, title={H}}}\n@preamble{\"\\newcommand{\\x}{y}\"}\n\
                % @article{commented, title={C}}\n@misc{real, note={mail x@y.org}}";
    let bib = parse(text);
    assert!(bib.diagnostics.is_empty(), "{:?}", bib.diagnostics);
    let keys: Vec<_> = bib.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["real"]);
}

#[test]
fn entry_with_only_a_key_loads() {
    let text = "@misc{ stub }";
    let stub = only(text);
    assert_eq!(&text[stub.key_span.clone()], "stub");
    assert_eq!(
        (stub.key.as_str(), stub.kind.as_str(), stub.title.as_deref()),
        ("stub", "misc", None)
    );
}

#[test]
fn entry_without_key_is_malformed() {
    let bib = parse("@article{, title={No key}}");
    assert!(bib.is_empty());
    assert_eq!(codes(&bib.diagnostics), ["malformed-entry"]);
}

/// Deterministic noise rich in BibTeX syntax characters.
fn noise(len: usize) -> String {
    const ALPHABET: &[u8] = b"@{}()\"\\%#=,\n $abcXYZ019-~'";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ALPHABET[(state % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

#[test]
fn garbage_and_huge_inputs_neither_panic_nor_hang() {
    let started = std::time::Instant::now();
    for len in [0, 1, 7, 100, 10_000] {
        parse(&noise(len));
    }
    parse(&"{".repeat(100_000));
    parse(&format!("@misc{{deep, title = {}}}", r"\emph{".repeat(50_000)));
    parse("@string{a = a # a}\n@misc{x, title = a}\n@");
    parse("\u{0}\u{1}\u{fffd}@\u{7f}{\u{202e}}");
    let big: String = (0..50_000)
        .map(|i| format!("@article{{k{i}, title = {{T{i} {{\\\"o}}}}, author = {{A and B}}}}\n"))
        .collect::<String>()
        + &noise(2_000_000);
    assert!(big.len() > 5_000_000);
    let bib = parse(&big);
    assert!(bib.len() >= 50_000);
    assert!(started.elapsed().as_secs() < 60, "took {:?}", started.elapsed());
}
