//! TL;DRs of bibliography entries: answered from memory or the persistent cache at once,
//! otherwise computed on a worker thread in priority order (a hover jumps the queue),
//! with events so the server can refresh hints and report progress.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use super::{Priority, Queue};
use crate::store::{hash_input, Cache, CacheKey, CacheStats};

const TASK: &str = "tldr";

/// A failed model load is retried no sooner than this, so a hover storm does not reload.
const RETRY_AFTER: Duration = Duration::from_secs(10);

/// Computes one TL;DR; `Ok(None)` when the abstract has no usable sentence.
pub trait Summarize: Send + Sync {
    fn tldr(&self, title: Option<&str>, abstract_text: &str) -> Result<Option<String>, String>;
}

/// Loads the summarizer on the worker thread, when the first job needs it.
pub type Loader = Box<dyn Fn() -> Result<Box<dyn Summarize>, String> + Send + Sync>;

/// What a caller gets without waiting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Ready(String),
    /// Queued or running; a `SummaryEvent::Ready` follows.
    Pending,
    NoAbstract,
    /// The abstract yields no sentence to summarise.
    Empty,
    /// Models missing or broken: the reason, for the user.
    Unavailable(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelState {
    NotLoaded,
    Loading,
    Ready,
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SummaryEvent {
    Ready,
    State(ModelState),
    /// Background work: `done` of `total` entries summarised since the batch began.
    Progress {
        done: usize,
        total: usize,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryStatus {
    pub state: ModelState,
    pub cache: CacheStats,
    /// TL;DRs computed by the model in this process.
    pub computed: u64,
    pub queued: usize,
}

struct Job {
    title: Option<String>,
    abstract_text: String,
    background: bool,
}

struct Inner {
    cache: Cache,
    model_id: String,
    /// Results by input hash; `None` for an abstract without a usable sentence.
    memory: DashMap<String, Option<String>>,
    queue: Queue<String, Job>,
    state: Mutex<(ModelState, Option<Instant>)>,
    progress: Mutex<(usize, usize)>,
    computed: std::sync::atomic::AtomicU64,
    events: UnboundedSender<SummaryEvent>,
}

#[derive(Clone)]
pub struct Summaries {
    inner: Arc<Inner>,
}

impl Summaries {
    /// Starts the worker. `model_id` names the models and pipeline version (the cache key).
    pub fn start(
        cache: Cache,
        model_id: String,
        loader: Loader,
    ) -> (Self, UnboundedReceiver<SummaryEvent>) {
        let (events, receiver) = unbounded_channel();
        let inner = Arc::new(Inner {
            cache,
            model_id,
            memory: DashMap::new(),
            queue: Queue::new(),
            state: Mutex::new((ModelState::NotLoaded, None)),
            progress: Mutex::new((0, 0)),
            computed: Default::default(),
            events,
        });
        let worker = inner.clone();
        std::thread::Builder::new()
            .name("scholia-summaries".into())
            .spawn(move || work(&worker, &loader))
            .expect("spawn the summary worker");
        (Self { inner }, receiver)
    }

    /// The TL;DR if known; otherwise queues it at `priority` (unless models are unavailable).
    pub fn lookup(
        &self,
        title: Option<&str>,
        abstract_text: Option<&str>,
        priority: Priority,
    ) -> Lookup {
        let Some(abstract_text) = abstract_text.filter(|a| !a.trim().is_empty()) else {
            return Lookup::NoAbstract;
        };
        let input = self.input_hash(title, abstract_text);
        if let Some(found) = self.known(&input) {
            return found.map_or(Lookup::Empty, Lookup::Ready);
        }
        if let Some(reason) = self.failure_to_report() {
            return Lookup::Unavailable(reason);
        }
        let background = priority == Priority::Background;
        if background {
            self.inner.progress.lock().unwrap_or_else(|p| p.into_inner()).1 += 1;
        }
        let job = Job {
            title: title.map(str::to_owned),
            abstract_text: abstract_text.to_owned(),
            background,
        };
        self.inner.queue.push(input, job, priority);
        Lookup::Pending
    }

    /// Memory or cache only: never queues work.
    pub fn peek(&self, title: Option<&str>, abstract_text: Option<&str>) -> Option<String> {
        let abstract_text = abstract_text.filter(|a| !a.trim().is_empty())?;
        self.known(&self.input_hash(title, abstract_text)).flatten()
    }

    /// Drops queued background work (a project closed, a request was cancelled).
    pub fn cancel_background(&self) -> usize {
        let dropped = self.inner.queue.cancel_where(|_, job, _| job.background);
        *self.inner.progress.lock().unwrap_or_else(|p| p.into_inner()) = (0, 0);
        dropped
    }

    pub fn status(&self) -> SummaryStatus {
        SummaryStatus {
            state: self.inner.state.lock().unwrap_or_else(|p| p.into_inner()).0.clone(),
            cache: self.inner.cache.stats(),
            computed: self.inner.computed.load(std::sync::atomic::Ordering::Relaxed),
            queued: self.inner.queue.len(),
        }
    }

    pub fn shutdown(&self) {
        self.inner.queue.close();
    }

    fn input_hash(&self, title: Option<&str>, abstract_text: &str) -> String {
        hash_input(&[title.unwrap_or(""), abstract_text])
    }

    fn known(&self, input: &str) -> Option<Option<String>> {
        if let Some(found) = self.inner.memory.get(input) {
            return Some(found.clone());
        }
        let stored = self.inner.cache.get(&self.key(input))?;
        let value = decode(&stored);
        self.inner.memory.insert(input.to_owned(), value.clone());
        Some(value)
    }

    fn key(&self, input: &str) -> CacheKey {
        CacheKey { task: TASK, model: self.inner.model_id.clone(), input: input.to_owned() }
    }

    /// The load failure to show, unless it is old enough to try again.
    fn failure_to_report(&self) -> Option<String> {
        let state = self.inner.state.lock().unwrap_or_else(|p| p.into_inner());
        match &*state {
            (ModelState::Failed(reason), Some(at)) if at.elapsed() < RETRY_AFTER => {
                Some(reason.clone())
            }
            _ => None,
        }
    }
}

/// Cached values: the TL;DR, or empty for "no usable sentence".
fn decode(stored: &str) -> Option<String> {
    (!stored.is_empty()).then(|| stored.to_owned())
}

fn work(inner: &Inner, loader: &Loader) {
    let mut summarizer: Option<Box<dyn Summarize>> = None;
    while let Some((input, job)) = inner.queue.pop() {
        if inner.memory.contains_key(&input) {
            finish(inner, job.background);
            continue;
        }
        if summarizer.is_none() {
            set_state(inner, ModelState::Loading);
            match loader() {
                Ok(loaded) => {
                    summarizer = Some(loaded);
                    set_state(inner, ModelState::Ready);
                }
                Err(reason) => {
                    tracing::warn!("TL;DR models unavailable: {reason}");
                    set_state(inner, ModelState::Failed(reason));
                    inner.queue.cancel_where(|_, _, _| true);
                    *inner.progress.lock().unwrap_or_else(|p| p.into_inner()) = (0, 0);
                    continue;
                }
            }
        }
        let Some(model) = summarizer.as_ref() else { continue };
        match model.tldr(job.title.as_deref(), &job.abstract_text) {
            Ok(tldr) => {
                inner.computed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if let Err(e) = inner.cache.put(
                    &CacheKey { task: TASK, model: inner.model_id.clone(), input: input.clone() },
                    tldr.as_deref().unwrap_or(""),
                ) {
                    tracing::warn!("TL;DR not cached: {e}");
                }
                inner.memory.insert(input, tldr);
                let _ = inner.events.send(SummaryEvent::Ready);
            }
            Err(reason) => tracing::warn!("TL;DR failed: {reason}"),
        }
        finish(inner, job.background);
    }
}

fn finish(inner: &Inner, background: bool) {
    if !background {
        return;
    }
    let mut progress = inner.progress.lock().unwrap_or_else(|p| p.into_inner());
    progress.0 += 1;
    let (done, total) = *progress;
    if done >= total {
        *progress = (0, 0);
    }
    let _ = inner.events.send(SummaryEvent::Progress { done, total: total.max(done) });
}

fn set_state(inner: &Inner, state: ModelState) {
    let failed = matches!(state, ModelState::Failed(_));
    *inner.state.lock().unwrap_or_else(|p| p.into_inner()) =
        (state.clone(), failed.then(Instant::now));
    let _ = inner.events.send(SummaryEvent::State(state));
}

#[cfg(test)]
mod tests {
    use super::*;

    struct FirstSentence;

    impl Summarize for FirstSentence {
        fn tldr(&self, _: Option<&str>, abstract_text: &str) -> Result<Option<String>, String> {
            Ok(abstract_text.split_inclusive('.').next().map(|s| s.trim().to_owned()))
        }
    }

    fn wait_ready(receiver: &mut UnboundedReceiver<SummaryEvent>) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(SummaryEvent::Ready) = receiver.try_recv() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("no Ready event");
    }

    #[test]
    fn pending_then_ready_then_served_from_the_cache_by_a_second_service() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, _) = Cache::open(dir.path());
        let (service, mut events) =
            Summaries::start(cache, "m1".into(), Box::new(|| Ok(Box::new(FirstSentence) as _)));
        let text = Some("We find X. Then Y.");
        assert_eq!(service.lookup(Some("T"), text, Priority::Hover), Lookup::Pending);
        wait_ready(&mut events);
        assert_eq!(
            service.lookup(Some("T"), text, Priority::Hover),
            Lookup::Ready("We find X.".into())
        );
        assert_eq!(service.lookup(None, None, Priority::Hover), Lookup::NoAbstract);
        assert_eq!(service.status().computed, 1);

        let (cache, _) = Cache::open(dir.path());
        let (second, _) =
            Summaries::start(cache, "m1".into(), Box::new(|| Err("must not load".into())));
        assert_eq!(second.peek(Some("T"), text), Some("We find X.".into()));
        let status = second.status();
        assert_eq!(
            (status.computed, status.cache.hits, status.state),
            (0, 1, ModelState::NotLoaded)
        );
    }

    #[test]
    fn a_failed_load_is_reported_and_drops_the_queue() {
        let (service, mut events) = Summaries::start(
            Cache::in_memory(),
            "m".into(),
            Box::new(|| Err("models not fetched".into())),
        );
        assert_eq!(service.lookup(None, Some("A b."), Priority::Background), Lookup::Pending);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            assert!(Instant::now() < deadline, "no failure event");
            if let Ok(SummaryEvent::State(ModelState::Failed(_))) = events.try_recv() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            service.lookup(None, Some("A b."), Priority::Hover),
            Lookup::Unavailable("models not fetched".into())
        );
        assert_eq!(service.status().queued, 0);
    }
}
