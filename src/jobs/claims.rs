//! Claim checks of sentences: answered from memory or the persistent cache at once,
//! otherwise queued; a worker waits for typing to pause (the server reports each edit by
//! `typed`), then checks the queued sentences in one batch and announces the results.
//! Sentences that left the text are dropped from the queue by `keep_only`.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use super::summaries::ModelState;
use super::{Priority, Queue};
use crate::analysis::claims::{Pool, SentenceInput, Verdict};
use crate::store::{hash_input, Cache, CacheKey, CacheStats};

const TASK: &str = "claim";
/// Sentences checked per model batch.
const BATCH: usize = 32;
/// A failed model load is retried no sooner than this.
const RETRY_AFTER: Duration = Duration::from_secs(10);

/// Checks a batch of sentences; one verdict per input.
pub trait Check: Send + Sync {
    fn check(&self, inputs: &[&SentenceInput], pool: &Pool) -> Result<Vec<Verdict>, String>;
}

/// Loads the checker on the worker thread; warnings are for the user.
pub type Loader = Box<dyn Fn() -> Result<(Box<dyn Check>, Vec<String>), String> + Send + Sync>;

#[derive(Clone, Debug, PartialEq)]
pub enum ClaimLookup {
    Ready(Verdict),
    Pending,
    Unavailable(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimEvent {
    /// New verdicts are ready: diagnostics should be published again. `idle`: nothing is
    /// left to check, so there is no reason to wait for more verdicts before publishing.
    Checked {
        idle: bool,
    },
    State(ModelState),
    Warning(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimStatus {
    pub state: ModelState,
    /// Sentences the models checked in this session (cache hits not counted).
    pub checked: u64,
    /// Sentences waiting or being checked.
    pub queued: usize,
    pub cache: CacheStats,
}

struct Job {
    input: SentenceInput,
    pool: Arc<Pool>,
}

struct Inner {
    cache: Cache,
    model_id: String,
    memory: DashMap<String, Verdict>,
    queue: Queue<String, Job>,
    state: Mutex<(ModelState, Option<Instant>)>,
    checked: AtomicU64,
    /// Sentences of the batch being checked (out of the queue, verdicts not yet stored).
    in_flight: AtomicUsize,
    /// When the user last typed: the worker starts once this is `pause` old. Kept apart
    /// from queueing, which follows the edit only after the document is re-analysed, so
    /// that analysis counts toward the pause instead of adding to it.
    last_edit: Mutex<Option<Instant>>,
    pause: Duration,
    events: UnboundedSender<ClaimEvent>,
}

#[derive(Clone)]
pub struct Claims {
    inner: Arc<Inner>,
}

impl Claims {
    /// Starts the worker. `model_id` names the models and pipeline (the cache key);
    /// `pause` is how long typing must stop before checking starts.
    pub fn start(
        cache: Cache,
        model_id: String,
        pause: Duration,
        loader: Loader,
    ) -> (Self, UnboundedReceiver<ClaimEvent>) {
        let (events, receiver) = unbounded_channel();
        let inner = Arc::new(Inner {
            cache,
            model_id,
            memory: DashMap::new(),
            queue: Queue::new(),
            state: Mutex::new((ModelState::NotLoaded, None)),
            checked: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            last_edit: Mutex::new(None),
            pause,
            events,
        });
        let worker = inner.clone();
        std::thread::Builder::new()
            .name("scholia-claims".into())
            .spawn(move || work(&worker, &loader))
            .expect("spawn the claim worker");
        (Self { inner }, receiver)
    }

    /// Identifies a sentence's check: its prose, the abstracts it cites, the entries
    /// suggestions come from.
    pub fn key_of(input: &SentenceInput, pool: &Pool) -> String {
        let mut parts = vec![
            input.prose.as_str(),
            if input.has_citation { "cited" } else { "" },
            if input.in_abstract { "abstract" } else { "" },
        ];
        for cited in &input.cited {
            parts.push(&cited.key);
            parts.push(&cited.abstract_text);
        }
        parts.push(&pool.fingerprint);
        hash_input(&parts)
    }

    /// The verdict if known; otherwise the sentence is queued.
    pub fn lookup(&self, key: &str, input: &SentenceInput, pool: &Arc<Pool>) -> ClaimLookup {
        // Already queued: skip the cache read (every keystroke looks up every sentence).
        if self.inner.queue.contains(&key.to_owned()) {
            return ClaimLookup::Pending;
        }
        if let Some(found) = self.known(key) {
            return ClaimLookup::Ready(found);
        }
        if let Some(reason) = self.failure_to_report() {
            return ClaimLookup::Unavailable(reason);
        }
        let job = Job { input: input.clone(), pool: pool.clone() };
        self.inner.queue.push(key.to_owned(), job, Priority::Background);
        ClaimLookup::Pending
    }

    /// The user just edited a document: checks wait until typing pauses.
    pub fn typed(&self) {
        *self.inner.last_edit.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }

    /// The verdict if known (memory or cache); never queues work.
    pub fn peek(&self, key: &str) -> Option<Verdict> {
        self.known(key)
    }

    /// Drops queued checks of sentences that are no longer in any open text.
    pub fn keep_only(&self, live: &HashSet<String>) -> usize {
        self.inner.queue.cancel_where(|key, _, _| !live.contains(key))
    }

    pub fn status(&self) -> ClaimStatus {
        ClaimStatus {
            state: self.inner.state.lock().unwrap_or_else(|p| p.into_inner()).0.clone(),
            checked: self.inner.checked.load(Ordering::Relaxed),
            queued: self.inner.queue.len() + self.inner.in_flight.load(Ordering::Relaxed),
            cache: self.inner.cache.stats(),
        }
    }

    pub fn shutdown(&self) {
        self.inner.queue.close();
    }

    fn known(&self, key: &str) -> Option<Verdict> {
        if let Some(found) = self.inner.memory.get(key) {
            return Some(found.clone());
        }
        let stored = self.inner.cache.get(&cache_key(&self.inner, key))?;
        let verdict: Verdict = serde_json::from_str(&stored).ok()?;
        self.inner.memory.insert(key.to_owned(), verdict.clone());
        Some(verdict)
    }

    fn failure_to_report(&self) -> Option<String> {
        match &*self.inner.state.lock().unwrap_or_else(|p| p.into_inner()) {
            (ModelState::Failed(reason), Some(at)) if at.elapsed() < RETRY_AFTER => {
                Some(reason.clone())
            }
            _ => None,
        }
    }
}

fn cache_key(inner: &Inner, key: &str) -> CacheKey {
    CacheKey { task: TASK, model: inner.model_id.clone(), input: key.to_owned() }
}

fn work(inner: &Inner, loader: &Loader) {
    let mut checker: Option<Box<dyn Check>> = None;
    while let Some(first) = inner.queue.pop() {
        // A popped job counts as queued until its verdict is stored, so a status read
        // during the typing pause or a model load never looks settled.
        inner.in_flight.store(1, Ordering::Relaxed);
        let checked = check_next(inner, loader, &mut checker, first);
        inner.in_flight.store(0, Ordering::Relaxed);
        if checked {
            let idle = inner.queue.is_empty();
            let _ = inner.events.send(ClaimEvent::Checked { idle });
        }
    }
}

/// Waits for the pause, checks `first` with whatever else is queued (loading the checker on
/// first use); whether anything was checked.
fn check_next(
    inner: &Inner,
    loader: &Loader,
    checker: &mut Option<Box<dyn Check>>,
    first: (String, Job),
) -> bool {
    wait_for_pause(inner);
    let mut batch = vec![first];
    while batch.len() < BATCH {
        match inner.queue.try_pop() {
            Some(job) => batch.push(job),
            None => break,
        }
    }
    inner.in_flight.store(batch.len(), Ordering::Relaxed);
    batch.retain(|(key, _)| !inner.memory.contains_key(key));
    if batch.is_empty() {
        return false;
    }
    if checker.is_none() {
        set_state(inner, ModelState::Loading);
        match loader() {
            Ok((loaded, warnings)) => {
                *checker = Some(loaded);
                set_state(inner, ModelState::Ready);
                for warning in warnings {
                    let _ = inner.events.send(ClaimEvent::Warning(warning));
                }
            }
            Err(reason) => {
                tracing::warn!("claim models unavailable: {reason}");
                set_state(inner, ModelState::Failed(reason));
                inner.queue.cancel_where(|_, _, _| true);
                return false;
            }
        }
    }
    let Some(model) = checker.as_ref() else { return false };
    check_batch(inner, model.as_ref(), batch);
    true
}

/// Sleeps until nothing has been typed for `pause`: a burst of typing costs one batch.
fn wait_for_pause(inner: &Inner) {
    loop {
        let last = *inner.last_edit.lock().unwrap_or_else(|p| p.into_inner());
        match last.map(|at| at.elapsed()) {
            Some(since) if since < inner.pause => std::thread::sleep(inner.pause - since),
            _ => return,
        }
    }
}

/// Checks jobs grouped by their pool (one per project), storing each verdict.
fn check_batch(inner: &Inner, model: &dyn Check, batch: Vec<(String, Job)>) {
    type Group = (Arc<Pool>, Vec<(String, SentenceInput)>);
    let mut groups: Vec<Group> = Vec::new();
    for (key, job) in batch {
        match groups.iter_mut().find(|(pool, _)| Arc::ptr_eq(pool, &job.pool)) {
            Some((_, list)) => list.push((key, job.input)),
            None => groups.push((job.pool, vec![(key, job.input)])),
        }
    }
    for (pool, jobs) in groups {
        let inputs: Vec<&SentenceInput> = jobs.iter().map(|(_, input)| input).collect();
        match model.check(&inputs, &pool) {
            Ok(verdicts) => {
                inner.checked.fetch_add(verdicts.len() as u64, Ordering::Relaxed);
                for ((key, _), verdict) in jobs.iter().zip(verdicts) {
                    match serde_json::to_string(&verdict) {
                        Ok(json) => {
                            if let Err(e) = inner.cache.put(&cache_key(inner, key), &json) {
                                tracing::warn!("claim check not cached: {e}");
                            }
                        }
                        Err(e) => tracing::warn!("claim verdict not serialisable: {e}"),
                    }
                    inner.memory.insert(key.clone(), verdict);
                }
            }
            Err(reason) => tracing::warn!("claim check failed: {reason}"),
        }
    }
}

fn set_state(inner: &Inner, state: ModelState) {
    let failed = matches!(state, ModelState::Failed(_));
    *inner.state.lock().unwrap_or_else(|p| p.into_inner()) =
        (state.clone(), failed.then(Instant::now));
    let _ = inner.events.send(ClaimEvent::State(state));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flags sentences containing "everyone knows"; counts the sentences it saw.
    struct Keyword(Arc<AtomicU64>);

    impl Check for Keyword {
        fn check(&self, inputs: &[&SentenceInput], _: &Pool) -> Result<Vec<Verdict>, String> {
            self.0.fetch_add(inputs.len() as u64, Ordering::Relaxed);
            Ok(inputs
                .iter()
                .map(|i| match i.prose.contains("everyone knows") {
                    true => Verdict::Uncited { probability: 0.9, suggestions: Vec::new() },
                    false => Verdict::Fine,
                })
                .collect())
        }
    }

    fn input(prose: &str) -> SentenceInput {
        SentenceInput {
            prose: prose.into(),
            has_citation: false,
            in_abstract: false,
            cited: Vec::new(),
        }
    }

    fn wait_checked(receiver: &mut UnboundedReceiver<ClaimEvent>) {
        loop {
            match receiver.blocking_recv() {
                Some(ClaimEvent::Checked { .. }) | None => return,
                Some(_) => {}
            }
        }
    }

    #[test]
    fn checks_once_then_answers_from_memory_and_a_second_service_from_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let seen = Arc::new(AtomicU64::new(0));
        let start = |seen: Arc<AtomicU64>| {
            let (cache, _) = Cache::open(dir.path());
            let loader: Loader =
                Box::new(move || Ok((Box::new(Keyword(seen.clone())) as Box<dyn Check>, vec![])));
            Claims::start(cache, "m".into(), Duration::from_millis(20), loader)
        };
        let (claims, mut events) = start(seen.clone());
        let pool = Arc::new(Pool::default());
        let a = input("As everyone knows, the sky is blue today.");
        let b = input("We measure the sky's colour with a camera.");
        let (ka, kb) = (Claims::key_of(&a, &pool), Claims::key_of(&b, &pool));
        assert_eq!(claims.lookup(&ka, &a, &pool), ClaimLookup::Pending);
        assert_eq!(claims.lookup(&kb, &b, &pool), ClaimLookup::Pending);
        wait_checked(&mut events);
        while claims.status().queued > 0 || claims.status().checked < 2 {
            wait_checked(&mut events);
        }
        assert!(matches!(
            claims.lookup(&ka, &a, &pool),
            ClaimLookup::Ready(Verdict::Uncited { .. })
        ));
        assert_eq!(claims.lookup(&kb, &b, &pool), ClaimLookup::Ready(Verdict::Fine));
        assert_eq!(seen.load(Ordering::Relaxed), 2, "both sentences checked once, in one batch");
        claims.shutdown();

        let other = Arc::new(AtomicU64::new(0));
        let (second, _events) = start(other.clone());
        assert_eq!(second.lookup(&kb, &b, &pool), ClaimLookup::Ready(Verdict::Fine));
        assert_eq!(second.status().cache.hits, 1);
        assert_eq!(other.load(Ordering::Relaxed), 0, "answered without the model");
        second.shutdown();
    }

    #[test]
    fn checks_wait_for_typing_to_pause_and_no_longer() {
        let seen = Arc::new(AtomicU64::new(0));
        let start = |seen: Arc<AtomicU64>| {
            let (cache, _) = Cache::open(tempfile::tempdir().unwrap().path());
            let loader: Loader =
                Box::new(move || Ok((Box::new(Keyword(seen.clone())) as Box<dyn Check>, vec![])));
            Claims::start(cache, "m".into(), Duration::from_secs(30), loader)
        };
        let pool = Arc::new(Pool::default());
        let a = input("As everyone knows, the sky is blue today.");
        let key = Claims::key_of(&a, &pool);

        // Nothing typed (a document opened): checked at once, not 30 s later.
        let (idle, mut events) = start(seen.clone());
        idle.lookup(&key, &a, &pool);
        let waited = Instant::now();
        wait_checked(&mut events);
        assert!(waited.elapsed() < Duration::from_secs(20), "waited for a pause nobody typed");
        assert_eq!(seen.load(Ordering::Relaxed), 1);
        idle.shutdown();

        // Typing: the queued sentence waits for the pause.
        let (typing, _events) = start(seen.clone());
        typing.typed();
        typing.lookup(&key, &a, &pool);
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(typing.status().queued, 1);
        assert_eq!(seen.load(Ordering::Relaxed), 1, "checked while the user was typing");
        typing.shutdown();
    }

    #[test]
    fn sentences_that_left_the_text_are_dropped_from_the_queue() {
        let (cache, _) = Cache::open(tempfile::tempdir().unwrap().path());
        let seen = Arc::new(AtomicU64::new(0));
        let counted = seen.clone();
        let loader: Loader =
            Box::new(move || Ok((Box::new(Keyword(counted.clone())) as Box<dyn Check>, vec![])));
        // Typing, then a long pause, keeps the jobs queued while the test edits.
        let (claims, _events) = Claims::start(cache, "m".into(), Duration::from_secs(30), loader);
        claims.typed();
        let pool = Arc::new(Pool::default());
        let keys: Vec<String> = ["one two", "three four", "five six"]
            .iter()
            .map(|p| {
                let i = input(p);
                let key = Claims::key_of(&i, &pool);
                claims.lookup(&key, &i, &pool);
                key
            })
            .collect();
        let live: HashSet<String> = keys[..1].iter().cloned().collect();
        // Whether or not the worker already holds the first job, the other two go.
        assert_eq!(claims.keep_only(&live), 2);
        // By now the worker holds the first job through its 30 s pause; it still counts.
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(claims.status().queued, 1, "a job waiting for the pause looked settled");
        assert_eq!(seen.load(Ordering::Relaxed), 0);
        claims.shutdown();
    }
}
