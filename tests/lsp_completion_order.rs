//! Citation completion ordered by relevance to the paragraph being written, over stdio:
//! with an empty key the entry on the paragraph's topic comes first, another paragraph
//! ranks another entry first, and a typed prefix that starts a key still wins. Needs the
//! fetched runtime and embed model; skips visibly without them.

mod common;

use std::time::{Duration, Instant};

use common::{models_present, position_of, uri, Client};
use scholia::model::Role;
use serde_json::{json, Value};

/// Five entries on unrelated topics; neither of the two the paragraphs are about is first.
const BIB: &str = r"@inproceedings{chen2018speech,
  title = {End-to-end speech recognition with attention},
  author = {Chen, Wei},
  year = {2018},
  abstract = {We train a single neural network that maps audio waveforms of spoken utterances directly to character transcripts. The attention-based model lowers the word error rate on conversational telephone speech.}
}
@article{novak2017soil,
  title = {Microbial communities and nitrogen cycling in agricultural soils},
  author = {Novak, Petra},
  year = {2017},
  abstract = {We sampled bacteria and fungi in fertilised and unfertilised fields. Fertiliser shifts the microbial community and speeds up nitrification in the soil.}
}
@article{lee2021protein,
  title = {Accurate protein structure prediction with deep learning},
  author = {Lee, Ann},
  year = {2021},
  abstract = {We predict the three-dimensional structure of proteins from their amino acid sequence with a deep neural network. The predicted folds reach near-atomic accuracy for most protein domains.}
}
@article{garcia2020galaxy,
  title = {Galaxy mergers in cosmological simulations},
  author = {Garcia, Luis},
  year = {2020},
  abstract = {We follow thousands of galaxies in a hydrodynamical simulation of the universe. Major mergers trigger starbursts and grow the central black holes.}
}
@article{kim2019bitcoin,
  title = {Bubbles and efficiency in cryptocurrency markets},
  author = {Kim, Min},
  year = {2019},
  abstract = {We test whether Bitcoin prices follow a random walk and detect speculative bubbles. Cryptocurrency markets become more informationally efficient over time.}
}
";

const TEXT: &str = "\\documentclass{article}\n\\begin{document}\nDeep networks now predict how a protein folds from its amino acid sequence, close to experimental accuracy \\cite{}.\n\nThe price of Bitcoin swings through speculative bubbles, and whether cryptocurrency markets are efficient is debated \\cite{}.\n\\bibliography{refs}\n\\end{document}\n";

/// Labels in the order the client shows them (`sortText`); polls while the server says
/// the list is incomplete (entry vectors still being computed).
fn ordered_labels(client: &mut Client, paper: &std::path::Path, position: Value) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let list = client.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri(paper)}, "position": position}),
        );
        if list["isIncomplete"] == false {
            let mut items: Vec<(String, String)> = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    let sort = i["sortText"].as_str().expect("every item has a sortText");
                    (sort.to_owned(), i["label"].as_str().unwrap().to_owned())
                })
                .collect();
            items.sort();
            return items.into_iter().map(|(_, label)| label).collect();
        }
        assert!(Instant::now() < deadline, "completion stayed incomplete: {list}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn completion_puts_the_entry_on_the_paragraphs_topic_first() {
    if !models_present(&[Role::Embed]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("refs.bib"), BIB).unwrap();
    let paper = root.join("paper.tex");
    std::fs::write(&paper, TEXT).unwrap();
    let mut client = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &root)]);
    client.initialize(&root, &["utf-16"], Value::Null);
    client.open(&paper, "latex", TEXT);

    let protein = ordered_labels(&mut client, &paper, position_of(TEXT, "\\cite{}.", 6));
    assert_eq!(protein[0], "lee2021protein", "{protein:?}");
    let second = TEXT.rfind("\\cite{}").unwrap();
    let market = ordered_labels(&mut client, &paper, common::position_at(TEXT, second, 6));
    assert_eq!(market[0], "kim2019bitcoin", "{market:?}");
    assert_eq!(market.len(), 5);

    // A typed prefix that starts a key (or an author) outranks relevance.
    let typed = TEXT.replacen("\\cite{}", "\\cite{no}", 1);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&paper), "version": 2}, "contentChanges": [{"text": typed.clone()}]}),
    );
    let prefixed = ordered_labels(&mut client, &paper, position_of(&typed, "\\cite{no}", 8));
    assert_eq!(prefixed[0], "novak2017soil", "{prefixed:?}");
}
