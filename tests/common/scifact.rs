//! SciFact (`../shared/data/scifact`) as claims and abstracts, and abstracts as BibTeX
//! entries: the material of the claim tests and benches.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use serde_json::Value;

/// A SciFact claim with its first cited doc and that doc's gold rationale sentences.
pub struct Claim {
    pub text: String,
    pub doc: String,
    pub rationale: Vec<String>,
}

fn jsonl(path: &Path) -> Vec<Value> {
    let file = std::fs::File::open(path).unwrap();
    std::io::BufReader::new(file)
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect()
}

/// Title and sentences of each abstract, by doc id.
pub type Corpus = HashMap<String, (String, Vec<String>)>;

/// Claims by id with their first cited doc and its rationale sentences; abstracts by doc.
pub fn scifact(dir: &Path) -> (HashMap<u64, Claim>, Corpus) {
    let corpus = jsonl(&dir.join("corpus.jsonl"))
        .into_iter()
        .map(|d| {
            let sentences = d["abstract"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect();
            (d["doc_id"].to_string(), (d["title"].as_str().unwrap().to_owned(), sentences))
        })
        .collect::<Corpus>();
    let mut claims = HashMap::new();
    for c in jsonl(&dir.join("claims_train.jsonl")) {
        let doc = c["cited_doc_ids"][0].to_string();
        // Every evidence set's sentences: any gold rationale is a right quote.
        let sets = c["evidence"][&doc].as_array().cloned().unwrap_or_default();
        let rationale = sets
            .iter()
            .flat_map(|set| set["sentences"].as_array().cloned().unwrap_or_default())
            .map(|i| corpus[&doc].1[i.as_u64().unwrap() as usize].clone())
            .collect();
        claims.insert(
            c["id"].as_u64().unwrap(),
            Claim { text: c["claim"].as_str().unwrap().to_owned(), doc, rationale },
        );
    }
    (claims, corpus)
}

/// A BibTeX entry `sf<doc>` carrying the abstract.
pub fn bib_entry(doc: &str, title: &str, sentences: &[String]) -> String {
    let clean = |s: &str| s.replace(['{', '}'], "").replace('%', "\\%").replace('&', "\\&");
    format!(
        "@article{{sf{doc},\n  title = {{{}}},\n  author = {{Doe, Jane}},\n  year = {{2015}},\n  abstract = {{{}}}\n}}\n\n",
        clean(title),
        clean(&sentences.join(" "))
    )
}
