//! Scheduling of model work: a priority queue with deduplication and cancellation, drained
//! by worker threads (model work is CPU-bound and blocking, so it never runs on the async
//! runtime that answers the editor).

use std::collections::{BinaryHeap, HashMap};
use std::hash::Hash;
use std::sync::{Arc, Condvar, Mutex};

pub mod claims;
pub mod summaries;

/// Who is waiting: higher runs first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    Background = 0,
    Hover = 1,
}

/// A queue of jobs identified by key: pushing a key already queued only raises its
/// priority, so a hover on an entry that background work will reach anyway jumps ahead
/// without being computed twice.
pub struct Queue<K, J> {
    inner: Arc<(Mutex<State<K, J>>, Condvar)>,
}

impl<K, J> Clone for Queue<K, J> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone() }
    }
}

struct State<K, J> {
    heap: BinaryHeap<Slot<K>>,
    /// Queued jobs by key, with the priority and sequence of their live heap slot.
    jobs: HashMap<K, (J, Priority, u64)>,
    next: u64,
    closed: bool,
}

impl<K: Hash + Eq, J> State<K, J> {
    /// Pops heap slots until a live one, skipping slots of re-prioritised or removed jobs.
    fn take_most_urgent(&mut self) -> Option<(K, J)> {
        while let Some(slot) = self.heap.pop() {
            let live = self
                .jobs
                .get(&slot.key)
                .is_some_and(|(_, p, s)| (*p, *s) == (slot.priority, slot.seq));
            if live {
                let (job, _, _) = self.jobs.remove(&slot.key)?;
                return Some((slot.key, job));
            }
        }
        None
    }
}

/// A heap slot; stale when the job was re-prioritised or removed since.
struct Slot<K> {
    priority: Priority,
    /// Earlier pushes first within a priority.
    seq: u64,
    key: K,
}

impl<K> PartialEq for Slot<K> {
    fn eq(&self, other: &Self) -> bool {
        (self.priority, self.seq) == (other.priority, other.seq)
    }
}
impl<K> Eq for Slot<K> {}
impl<K> PartialOrd for Slot<K> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<K> Ord for Slot<K> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.priority.cmp(&other.priority).then(other.seq.cmp(&self.seq))
    }
}

impl<K: Hash + Eq + Clone, J> Default for Queue<K, J> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Hash + Eq + Clone, J> Queue<K, J> {
    pub fn new() -> Self {
        let state = State { heap: BinaryHeap::new(), jobs: HashMap::new(), next: 0, closed: false };
        Self { inner: Arc::new((Mutex::new(state), Condvar::new())) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State<K, J>> {
        self.inner.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `job` under `key`, or raises the priority of the job already queued.
    pub fn push(&self, key: K, job: J, priority: Priority) {
        let mut state = self.state();
        let seq = state.next;
        state.next += 1;
        match state.jobs.get_mut(&key) {
            Some((_, queued, _)) if *queued >= priority => return,
            Some(entry) => {
                entry.1 = priority;
                entry.2 = seq;
            }
            None => {
                state.jobs.insert(key.clone(), (job, priority, seq));
            }
        }
        state.heap.push(Slot { priority, seq, key });
        self.inner.1.notify_one();
    }

    /// The most urgent job, waiting for one; `None` once the queue is closed.
    pub fn pop(&self) -> Option<(K, J)> {
        let mut state = self.state();
        loop {
            if state.closed {
                return None;
            }
            if let Some(found) = state.take_most_urgent() {
                return Some(found);
            }
            state = self.inner.1.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// The most urgent job if one is queued, without waiting (to fill a batch).
    pub fn try_pop(&self) -> Option<(K, J)> {
        let mut state = self.state();
        if state.closed {
            return None;
        }
        state.take_most_urgent()
    }

    /// Drops queued jobs (not running ones) for which `cancel` says so; returns how many.
    pub fn cancel_where(&self, cancel: impl Fn(&K, &J, Priority) -> bool) -> usize {
        let mut state = self.state();
        let before = state.jobs.len();
        state.jobs.retain(|k, (j, p, _)| !cancel(k, j, *p));
        before - state.jobs.len()
    }

    /// Whether a job is queued under `key` (not counting one a worker already took).
    pub fn contains(&self, key: &K) -> bool {
        self.state().jobs.contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.state().jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Wakes every waiting worker and makes `pop` return `None` from now on.
    pub fn close(&self) {
        self.state().closed = true;
        self.inner.1.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_then_order_and_dedup_with_bump() {
        let q = Queue::new();
        q.push("a", 1, Priority::Background);
        q.push("b", 2, Priority::Background);
        q.push("c", 3, Priority::Background);
        q.push("c", 33, Priority::Hover); // already queued: bumped, job kept
        q.push("a", 11, Priority::Background); // same priority: nothing changes
        assert_eq!(q.len(), 3);
        assert_eq!(q.pop(), Some(("c", 3)));
        assert_eq!(q.pop(), Some(("a", 1)));
        assert_eq!(q.pop(), Some(("b", 2)));
        assert!(q.is_empty());
    }

    #[test]
    fn cancel_drops_matching_jobs_and_close_wakes_workers() {
        let q = Queue::new();
        q.push(1, "bg", Priority::Background);
        q.push(2, "hover", Priority::Hover);
        assert_eq!(q.cancel_where(|_, _, p| p == Priority::Background), 1);
        assert_eq!(q.pop(), Some((2, "hover")));
        let worker = {
            let q = q.clone();
            std::thread::spawn(move || q.pop())
        };
        q.close();
        assert_eq!(worker.join().unwrap(), None);
    }

    #[test]
    fn try_pop_takes_without_waiting() {
        let q = Queue::new();
        assert_eq!(q.try_pop(), None::<(u8, &str)>);
        q.push(1, "a", Priority::Background);
        q.push(2, "b", Priority::Hover);
        assert!(q.contains(&1) && !q.contains(&3));
        assert_eq!(q.try_pop(), Some((2, "b")));
        assert_eq!(q.try_pop(), Some((1, "a")));
        assert_eq!(q.try_pop(), None);
    }
}
