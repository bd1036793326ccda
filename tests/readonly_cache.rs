//! A cache database the server may not write (file and folder read-only): the server
//! starts, says so once, answers hovers (TL;DRs from the file, new ones computed in
//! memory) and writes nothing. Tests run as root, which ignores file modes, so the server
//! runs without capabilities under `setpriv`; where that cannot be done the test skips.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{fixture, models_present, position_of, uri, Client};
use scholia::model::Role;
use serde_json::{json, Value};

const SETPRIV: &str = "/usr/bin/setpriv";
const NO_CAPS: [&str; 4] = ["--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"];

/// `program args` without any capability (so without CAP_DAC_OVERRIDE for root).
fn without_capabilities(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(SETPRIV);
    command.args(NO_CAPS).arg(program);
    command
}

/// Whether a process without capabilities really cannot write into `folder`.
fn writes_fail_in(folder: &Path) -> bool {
    if !Path::new(SETPRIV).exists() {
        return false;
    }
    let probe = format!("touch '{}/probe' 2>/dev/null", folder.display());
    without_capabilities("sh").args(["-c", &probe]).status().is_ok_and(|s| !s.success())
}

/// Every file of `folder` with its length and a hash of its bytes, to prove nothing
/// was written.
fn snapshot(folder: &Path) -> BTreeMap<PathBuf, (usize, u64)> {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            let mut hasher = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(&bytes, &mut hasher);
            (p, (bytes.len(), std::hash::Hasher::finish(&hasher)))
        })
        .collect()
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn hover(client: &mut Client, file: &Path, text: &str, key: &str) -> String {
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(file)}, "position": position_of(text, key, 1)}),
    );
    hover["contents"]["value"].as_str().unwrap_or_default().to_owned()
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn tldr_line(hover: &str) -> Option<String> {
    hover.lines().find_map(|l| l.strip_prefix("**TL;DR** ")).map(str::to_owned)
}

/// Hovers until the TL;DR appears (the model runs in the background).
fn wait_for_tldr(client: &mut Client, file: &Path, text: &str, key: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let shown = hover(client, file, text, key);
        if let Some(line) = tldr_line(&shown) {
            return line;
        }
        assert!(shown.contains("summarising"), "neither a TL;DR nor pending: {shown}");
        assert!(Instant::now() < deadline, "no TL;DR in time: {shown}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

const FRESH_ENTRY: &str = "\n@article{fresh2024,\n  title = {Sparse attention for long manuscripts},\n  author = {Writer, Ada},\n  year = {2024},\n  abstract = {We show that sparse attention reads long manuscripts in linear time. Experiments on ten thousand papers confirm the speed-up without any loss of accuracy.}\n}\n";

#[test]
fn a_read_only_cache_is_read_never_written_and_reported_once() {
    let (_dir, root) = fixture("latex-project");
    let main = root.join("main.tex");
    let cache = root.join("cache");
    let with_models = models_present(&[Role::Embed]);

    // A healthy cache with a stored TL;DR (or, without models, an empty one).
    let original = std::fs::read_to_string(&main).unwrap();
    let mut stored_tldr = None;
    if with_models {
        let mut first = Client::spawn_with(&[("SCHOLIA_CACHE_DIR", &cache)]);
        first.initialize(&root, &["utf-16"], Value::Null);
        first.open(&main, "latex", &original);
        stored_tldr = Some(wait_for_tldr(&mut first, &main, &original, "lecun2015"));
        assert_eq!(first.shutdown(), 0);
    } else {
        drop(scholia::store::Cache::open(&cache));
    }
    assert!(cache.join(scholia::store::CACHE_FILE).is_file());

    // As `chmod -R a-w`: the database, its WAL files and the folder.
    for entry in std::fs::read_dir(&cache).unwrap() {
        set_mode(&entry.unwrap().path(), 0o444);
    }
    set_mode(&cache, 0o555);
    if !writes_fail_in(&cache) {
        set_mode(&cache, 0o755);
        eprintln!(
            "skipped: cannot run a process that file modes stop ({SETPRIV} without capabilities)"
        );
        return;
    }
    let before = snapshot(&cache);

    // An entry the cache has never seen, cited in the text the editor opens.
    let mut bib = std::fs::OpenOptions::new().append(true).open(root.join("refs.bib")).unwrap();
    std::io::Write::write_all(&mut bib, FRESH_ENTRY.as_bytes()).unwrap();
    let text = original.replace("\\cite{knuth84}", "\\cite{knuth84, fresh2024}");

    let mut server = without_capabilities(env!("CARGO_BIN_EXE_scholia"));
    server.arg("lsp").env("SCHOLIA_CACHE_DIR", &cache);
    let mut client = Client::spawn_command(server);
    client.initialize(&root, &["utf-16"], Value::Null);
    client.open(&main, "latex", &text);

    let shown = hover(&mut client, &main, &text, "lecun2015");
    assert!(shown.contains("Deep learning"), "{shown}");
    if let Some(stored) = &stored_tldr {
        // Answered from the read-only file at once, no model run needed.
        assert_eq!(tldr_line(&shown).as_ref(), Some(stored), "{shown}");
        let fresh = wait_for_tldr(&mut client, &main, &text, "fresh2024");
        let abstract_words = words(FRESH_ENTRY);
        assert!(
            words(&fresh).iter().all(|w| abstract_words.contains(w)),
            "TL;DR not taken from the new abstract: {fresh}"
        );
        let status = client.status();
        assert!(status["computed"].as_u64().unwrap() >= 1, "computed in memory: {status}");
    }
    // Everything the server said about the cache, during the whole session.
    client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&main)}, "position": {"line": 0, "character": 0}}),
    );
    let about_cache: Vec<&Value> = client
        .notifications
        .iter()
        .filter(|m| m["method"] == "window/showMessage" || m["method"] == "window/logMessage")
        .filter(|m| m["params"]["message"].as_str().is_some_and(|t| t.contains("cache")))
        .collect();
    assert_eq!(about_cache.len(), 1, "one message about the cache: {about_cache:?}");
    let message = about_cache[0]["params"]["message"].as_str().unwrap();
    assert!(message.contains(&cache.display().to_string()), "names the file: {message}");
    assert!(message.contains("read-only") && message.contains("writes nothing"), "{message}");
    assert_eq!(client.shutdown(), 0);

    assert_eq!(snapshot(&cache), before, "nothing was written to the cache folder");
    set_mode(&cache, 0o755);
}
