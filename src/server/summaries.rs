//! Server side of TL;DRs: starting the summary service, turning its events into progress
//! reports and inlay-hint refreshes, and the status the `scholia.status` command returns.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedReceiver;
use tower_lsp_server::lsp_types::request::WorkDoneProgressCreate;
use tower_lsp_server::lsp_types::{NumberOrString, WorkDoneProgressCreateParams};
use tower_lsp_server::Client;

use crate::analysis::hover::Tldr;
use crate::analysis::summary::{Summarizer, PIPELINE_VERSION};
use crate::jobs::summaries::{Lookup, ModelState, Summaries, Summarize, SummaryEvent};
use crate::model::{paths, Manifest, Models, ModelsConfig, Role};
use crate::store::Cache;

/// Ready events closer together than this cause one inlay-hint refresh.
const REFRESH_DEBOUNCE: Duration = Duration::from_millis(300);

impl Summarize for Summarizer {
    fn tldr(&self, title: Option<&str>, abstract_text: &str) -> Result<Option<String>, String> {
        Summarizer::tldr(self, title, abstract_text)
            .map(|t| t.map(|t| t.text))
            .map_err(|e| e.to_string())
    }
}

/// Overrides the cache folder (default: scholia's data folder).
pub const CACHE_DIR_VAR: &str = "SCHOLIA_CACHE_DIR";

/// The persistent cache of model results, with warnings for the user.
pub fn open_cache() -> (Cache, Vec<String>) {
    let folder = match std::env::var_os(CACHE_DIR_VAR).filter(|v| !v.is_empty()) {
        Some(dir) => Ok(std::path::PathBuf::from(dir)),
        None => paths::data_dir(),
    };
    match folder {
        Ok(dir) => Cache::open(&dir),
        Err(e) => (Cache::in_memory(), vec![format!("{e}; results are cached in memory only")]),
    }
}

/// The models every feature of this server shares, so each is loaded once. Without a
/// data folder (no home directory) they resolve under the temporary folder, where the
/// missing files are reported as usual.
pub fn shared_models() -> Arc<Models> {
    let config = ModelsConfig::default().with_env_overrides();
    let data_dir = paths::data_dir().unwrap_or_else(|_| std::env::temp_dir().join("scholia"));
    // The built-in manifest is compiled in and parsed by a unit test.
    let manifest = Manifest::builtin().expect("built-in manifest parses");
    Arc::new(Models::with_manifest(manifest, data_dir, config))
}

/// Starts the service on the persistent cache; warnings are for the user (a cache moved
/// aside, a cache only in memory).
pub fn start(models: Arc<Models>) -> (Summaries, UnboundedReceiver<SummaryEvent>, Vec<String>) {
    let (cache, mut warnings) = open_cache();
    let embed_id =
        models.resolve(Role::Embed).map_or_else(|_| "embed-unknown".to_owned(), |m| m.cache_id());
    let model_id = format!("{embed_id}+{PIPELINE_VERSION}");
    let loader = Box::new(move || {
        let summarizer = Summarizer::new(&models).map_err(|e| e.to_string())?;
        Ok(Box::new(summarizer) as Box<dyn Summarize>)
    });
    let (summaries, events) = Summaries::start(cache, model_id, loader);
    warnings.retain(|w| !w.is_empty());
    (summaries, events, warnings)
}

/// How a lookup reads in a hover.
pub fn hover_tldr(lookup: &Lookup) -> Tldr<'_> {
    match lookup {
        Lookup::Ready(text) => Tldr::Ready(text),
        Lookup::Pending => Tldr::Summarising,
        Lookup::NoAbstract => Tldr::NoAbstract,
        Lookup::Empty => Tldr::Empty,
        Lookup::Unavailable(reason) => Tldr::Unavailable(reason),
    }
}

/// The `scholia.status` result: a one-line `message` plus the figures behind it.
pub fn status_json(summaries: &Summaries) -> Value {
    let status = summaries.status();
    let (state, message) = match &status.state {
        ModelState::NotLoaded => ("idle", "models load on first use".to_owned()),
        ModelState::Loading => ("loading", "loading models".to_owned()),
        ModelState::Ready if status.queued > 0 => {
            ("busy", format!("summarising, {} queued", status.queued))
        }
        ModelState::Ready => ("ready", "models ready".to_owned()),
        ModelState::Failed(reason) => ("unavailable", reason.clone()),
    };
    json!({
        "state": state,
        "message": message,
        "queued": status.queued,
        "computed": status.computed,
        "cacheHits": status.cache.hits,
        "cacheMisses": status.cache.misses,
    })
}

/// What the client supports for the event loop.
#[derive(Clone, Copy, Debug, Default)]
pub struct EventCapabilities {
    pub progress: bool,
    pub inlay_refresh: bool,
}

/// Turns service events into `$/progress` and `workspace/inlayHint/refresh` until the
/// service stops.
pub async fn forward_events(
    client: Client,
    mut events: UnboundedReceiver<SummaryEvent>,
    caps: EventCapabilities,
) {
    let mut progress = None;
    let mut serial = 0u32;
    let mut refresh_due = false;
    loop {
        let event = if refresh_due {
            match tokio::time::timeout(REFRESH_DEBOUNCE, events.recv()).await {
                Ok(event) => event,
                Err(_) => {
                    refresh_due = false;
                    let _ = client.inlay_hint_refresh().await;
                    continue;
                }
            }
        } else {
            events.recv().await
        };
        match event {
            None => break,
            Some(SummaryEvent::Ready) => refresh_due = caps.inlay_refresh,
            Some(SummaryEvent::State(ModelState::Failed(reason))) => {
                client
                    .show_message(
                        tower_lsp_server::lsp_types::MessageType::WARNING,
                        format!("scholia TL;DRs: {reason}"),
                    )
                    .await;
            }
            Some(SummaryEvent::State(_)) => {}
            Some(SummaryEvent::Progress { done, total }) if caps.progress => {
                if progress.is_none() && done < total {
                    serial += 1;
                    let token = NumberOrString::String(format!("scholia-summaries-{serial}"));
                    let created = client
                        .send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                            token: token.clone(),
                        })
                        .await;
                    if created.is_ok() {
                        let title = format!("Summarising {total} cited papers");
                        progress =
                            Some(client.progress(token, title).with_percentage(0).begin().await);
                    }
                }
                if let Some(ongoing) = &progress {
                    let percentage = (done * 100 / total.max(1)) as u32;
                    ongoing.report_with_message(format!("{done}/{total}"), percentage).await;
                }
                if done >= total {
                    if let Some(ongoing) = progress.take() {
                        ongoing.finish().await;
                    }
                }
            }
            Some(SummaryEvent::Progress { .. }) => {}
        }
    }
}
