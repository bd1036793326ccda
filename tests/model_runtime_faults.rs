//! A missing, foreign or too-old ONNX Runtime library is a clear error, never a panic.
//! This binary never loads a real runtime: `ort` keeps the first library it loads.

mod model_support;

use scholia::model::runtime::{probe, MIN_MINOR_VERSION};
use scholia::model::{ModelError, Runtime};

#[test]
fn missing_library_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("libonnxruntime.so.1.32.0");
    let err = Runtime::load(&path).err().expect("no library must fail");
    assert!(matches!(err, ModelError::LibraryMissing { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&path.display().to_string()) && text.contains("scholia models fetch"),
        "{text}"
    );
}

#[test]
fn a_file_that_is_not_a_library_is_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("libonnxruntime.so");
    std::fs::write(&path, b"not an ELF file").unwrap();
    let err = Runtime::load(&path).err().expect("must fail");
    assert!(matches!(err, ModelError::LibraryLoad { .. }), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()));
}

#[test]
fn a_library_without_the_ort_entry_point_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let Some(lib) = model_support::unrelated_library(dir.path()) else {
        return;
    };
    let err = probe(&lib).unwrap_err();
    assert!(err.to_string().contains("OrtGetApiBase"), "{err}");
}

#[test]
fn wrong_library_version_names_path_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let Some(lib) = model_support::fake_runtime(dir.path(), "1.10.0") else {
        return;
    };
    let err = Runtime::load(&lib).err().expect("old library must fail");
    let ModelError::LibraryVersion { ref found, ref path, .. } = err else {
        panic!("expected a version error, got {err:?}")
    };
    assert_eq!(found, "1.10.0");
    assert_eq!(path, &lib);
    let text = err.to_string();
    assert!(text.contains("1.10.0") && text.contains(&format!("1.{MIN_MINOR_VERSION}")), "{text}");
}

#[test]
fn a_new_enough_library_passes_the_probe() {
    let dir = tempfile::tempdir().unwrap();
    let Some(lib) = model_support::fake_runtime(dir.path(), "1.32.0") else {
        return;
    };
    assert_eq!(probe(&lib).unwrap().version, "1.32.0");
}
