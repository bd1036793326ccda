//! What `scholia.status` reports: the TL;DR service (top level, as first shipped), the
//! claim service, the runtime and provider setting, and each model role's state.

use serde_json::{json, Value};

use super::state::State;
use super::{claims, summaries};
use crate::model::{Models, Role};

pub fn status(state: &State) -> Value {
    let mut status = summaries::status_json(&state.summaries);
    status["claims"] = claims::status_json(&state.claims);
    status["runtime"] = runtime(&state.models);
    status["models"] = roles(&state.models);
    status
}

/// The provider setting and, once a model has loaded, the provider it runs on
/// (`effectiveProvider`, `cpu` after a fallback; null before).
fn runtime(models: &Models) -> Value {
    let config = models.config().runtime;
    let library = models.library_path().map(|p| p.display().to_string());
    json!({
        "library": library.as_ref().ok(),
        "libraryPresent": models.library_path().is_ok_and(|p| p.is_file()),
        "problem": library.err().map(|e| e.to_string()),
        "executionProvider": config.execution_provider.as_str(),
        "strictProvider": config.strict_provider,
        "effectiveProvider": models.effective_provider(),
    })
}

/// Per role: the model id, its folder (`local` when the user chose it) and whether its
/// files are present (loading is reported by the services above; this never loads
/// anything).
fn roles(models: &Models) -> Value {
    let mut out = serde_json::Map::new();
    for role in Role::ALL {
        let value = match models.resolve(role) {
            Ok(model) => json!({
                "id": model.id,
                "folder": model.folder,
                "local": model.is_local(),
                "present": model.is_present(),
            }),
            Err(e) => json!({"present": false, "problem": e.to_string()}),
        };
        out.insert(role.as_str().to_owned(), value);
    }
    Value::Object(out)
}
