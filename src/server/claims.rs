//! Server side of claim checking: starting the service on the shared models, turning
//! verdicts of a project's sentences into diagnostics, and republishing as checks finish.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedReceiver;
use tower_lsp_server::lsp_types::MessageType;
use tower_lsp_server::Client;

use super::settings::ClaimSettings;
use crate::analysis::claims::diagnose::Collector;
use crate::analysis::claims::{detect, inputs, Checker, Pool, SentenceInput, Thresholds, Verdict};
use crate::analysis::Diagnostic;
use crate::jobs::claims::{Check, ClaimEvent, ClaimLookup, Claims, Loader};
use crate::jobs::summaries::ModelState;
use crate::model::{Models, Role};
use crate::project::{Project, Workspace};

/// Typing must pause this long, counted from the last `didChange`, before sentences are
/// checked. Short enough that the new verdict of an edited sentence shows within 300 ms of
/// the last keystroke (re-analysing the document and the check itself take 35-45 ms each on
/// a 150 KB paper, idle); a check started mid-word runs on the worker thread, never on typing, and
/// only costs the one edited sentence.
const PAUSE: Duration = Duration::from_millis(150);
/// Bumped when the pipeline changes what a verdict means, so cached ones are recomputed.
const PIPELINE_VERSION: &str = "claims-2";

/// Names what a cached verdict depends on: the embed and verify models, the built-in claim
/// head (its version), this pipeline and the threshold overrides.
fn cache_model_id(models: &Models, t: Thresholds) -> String {
    let id = |role| models.resolve(role).map_or_else(|_| "none".to_owned(), |m| m.cache_id());
    format!(
        "{}+{}+{}+{PIPELINE_VERSION}+{:?}/{:?}/{:?}",
        id(Role::Embed),
        id(Role::Verify),
        detect::PIPELINE_VERSION,
        t.uncited,
        t.support,
        t.contradict
    )
}

impl Check for Checker {
    fn check(&self, inputs: &[&SentenceInput], pool: &Pool) -> Result<Vec<Verdict>, String> {
        Checker::check(self, inputs, pool).map_err(|e| e.to_string())
    }
}

/// Starts the service; the cache key names the models, the pipeline and the thresholds.
pub fn start(
    models: Arc<Models>,
    settings: &ClaimSettings,
) -> (Claims, UnboundedReceiver<ClaimEvent>) {
    let (cache, _) = super::summaries::open_cache();
    let model_id = cache_model_id(&models, settings.thresholds);
    let thresholds = settings.thresholds;
    let loader: Loader = Box::new(move || {
        let (checker, warnings) = Checker::new(&models, thresholds).map_err(|e| e.to_string())?;
        Ok((Box::new(checker) as Box<dyn Check>, warnings))
    });
    Claims::start(cache, model_id, PAUSE, loader)
}

/// Claim diagnostics of a project's files, queueing checks of sentences not yet known;
/// the keys of its sentences go into `live`.
pub fn project_diagnostics(
    claims: &Claims,
    workspace: &Workspace,
    project: &Project,
    settings: &ClaimSettings,
    live: &mut HashSet<String>,
) -> BTreeMap<PathBuf, Vec<Diagnostic>> {
    if settings.disabled {
        return BTreeMap::new();
    }
    let pool = Arc::new(inputs::pool(workspace, project));
    let mut collector = Collector::new(workspace, project, settings.severities);
    for sentence in inputs::project_sentences(workspace, project) {
        let key = Claims::key_of(&sentence.input, &pool);
        live.insert(key.clone());
        if let ClaimLookup::Ready(verdict) = claims.lookup(&key, &sentence.input, &pool) {
            collector.add(&sentence, &verdict);
        }
    }
    collector.found
}

/// The claim part of `scholia.status`.
pub fn status_json(claims: &Claims) -> Value {
    let status = claims.status();
    let state = match &status.state {
        ModelState::NotLoaded => "idle".to_owned(),
        ModelState::Loading => "loading".to_owned(),
        ModelState::Ready if status.queued > 0 => "busy".to_owned(),
        ModelState::Ready => "ready".to_owned(),
        ModelState::Failed(reason) => format!("unavailable: {reason}"),
    };
    json!({
        "state": state,
        "checked": status.checked,
        "queued": status.queued,
        "cacheHits": status.cache.hits,
        "cacheMisses": status.cache.misses,
    })
}

/// Republishes diagnostics when checks finish: at once when nothing is left to check,
/// otherwise once per quiet spell; tells the user about models that are missing.
pub async fn forward_events(
    client: Client,
    mut events: UnboundedReceiver<ClaimEvent>,
    publish: impl Fn() -> tokio::task::JoinHandle<()>,
) {
    const QUIET: Duration = Duration::from_millis(100);
    let mut due = false;
    loop {
        let event = if due {
            match tokio::time::timeout(QUIET, events.recv()).await {
                Ok(event) => event,
                Err(_) => {
                    due = false;
                    let _ = publish().await;
                    continue;
                }
            }
        } else {
            events.recv().await
        };
        match event {
            None => break,
            Some(ClaimEvent::Checked { idle: true }) => {
                due = false;
                let _ = publish().await;
            }
            Some(ClaimEvent::Checked { idle: false }) => due = true,
            Some(ClaimEvent::Warning(message)) => {
                client.show_message(MessageType::WARNING, format!("scholia: {message}")).await;
            }
            Some(ClaimEvent::State(ModelState::Failed(reason))) => {
                let message = format!("scholia claim checks: {reason}");
                client.show_message(MessageType::WARNING, message).await;
            }
            Some(ClaimEvent::State(_)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelsConfig;

    #[test]
    fn cached_verdicts_name_the_claim_head() {
        // A retrained head must not reuse the old head's cached uncited-claim verdicts.
        let models = Models::new(ModelsConfig::default()).unwrap();
        let id = cache_model_id(&models, Thresholds::default());
        assert!(id.contains(detect::PIPELINE_VERSION), "{id}");
    }
}
