//! Persistent cache of model results keyed by (task, model ids + pipeline version, input
//! hash), in SQLite with WAL so several servers can share it. The cache is an accelerator:
//! every failure degrades to "not cached" with a message, never to an error for the user.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use sha2::{Digest, Sha256};

pub const CACHE_FILE: &str = "cache.sqlite3";

/// How long a write waits for another process holding the database lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cache database {path}: {source}")]
    Sqlite { path: String, source: rusqlite::Error },
    #[error("cannot create the cache folder {path}: {source}")]
    Folder { path: String, source: std::io::Error },
}

/// Identifies one cached result.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// What was computed, e.g. `tldr`.
    pub task: &'static str,
    /// Model ids and pipeline version: a change to either invalidates old results.
    pub model: String,
    /// `hash_input` of the inputs.
    pub input: String,
}

/// Hex sha256 of the parts, each length-prefixed so that ("ab","c") != ("a","bc").
pub fn hash_input(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

pub struct Cache {
    connection: Mutex<Connection>,
    /// `None` for an in-memory cache.
    path: Option<PathBuf>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Counters for the status command and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
}

impl Cache {
    /// Opens (creating) the cache in `folder`. A file that is not a healthy database is
    /// moved aside and rebuilt; the returned messages say so. If the folder cannot hold a
    /// database at all, the cache lives in memory for this session.
    pub fn open(folder: &Path) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        let path = folder.join(CACHE_FILE);
        match Self::open_file(folder, &path) {
            Ok(cache) => return (cache, warnings),
            Err(error) if path.exists() && !is_transient(&error) => {
                let aside = aside_name(&path);
                match std::fs::rename(&path, &aside) {
                    Ok(()) => {
                        for suffix in ["-wal", "-shm"] {
                            let _ = std::fs::remove_file(sidecar(&path, suffix));
                        }
                        warnings.push(format!(
                            "{error}; moved it to {} and started a new cache",
                            aside.display()
                        ));
                        match Self::open_file(folder, &path) {
                            Ok(cache) => return (cache, warnings),
                            Err(error) => warnings.push(error.to_string()),
                        }
                    }
                    Err(e) => warnings.push(format!("{error}; could not move it aside: {e}")),
                }
            }
            Err(error) => warnings.push(error.to_string()),
        }
        warnings.push("results are cached in memory for this session only".into());
        (Self::in_memory(), warnings)
    }

    pub fn in_memory() -> Self {
        let connection = Connection::open_in_memory().expect("SQLite in memory");
        create_schema(&connection).expect("schema in memory");
        Self::with(connection, None)
    }

    fn open_file(folder: &Path, path: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(folder)
            .map_err(|source| StoreError::Folder { path: folder.display().to_string(), source })?;
        let wrap = |source| StoreError::Sqlite { path: path.display().to_string(), source };
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags).map_err(wrap)?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(wrap)?;
        connection.pragma_update(None, "journal_mode", "WAL").map_err(wrap)?;
        connection.pragma_update(None, "synchronous", "NORMAL").map_err(wrap)?;
        let check: String =
            connection.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(wrap)?;
        if check != "ok" {
            return Err(wrap(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                Some(format!("integrity check failed: {check}")),
            )));
        }
        create_schema(&connection).map_err(wrap)?;
        Ok(Self::with(connection, Some(path.to_path_buf())))
    }

    fn with(connection: Connection, path: Option<PathBuf>) -> Self {
        Self {
            connection: Mutex::new(connection),
            path,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn get(&self, key: &CacheKey) -> Option<String> {
        let connection = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        let found = connection
            .query_row(
                "SELECT value FROM results WHERE task = ?1 AND model = ?2 AND input = ?3",
                params![key.task, key.model, key.input],
                |row| row.get::<_, String>(0),
            )
            .optional()
            .unwrap_or_else(|e| {
                tracing::warn!("cache read failed: {e}");
                None
            });
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores a result; a failure (disk full, read-only, locked) is returned for logging
    /// and leaves the database as it was (one statement, one transaction).
    pub fn put(&self, key: &CacheKey, value: &str) -> Result<(), StoreError> {
        let connection = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        connection
            .execute(
                "INSERT OR REPLACE INTO results (task, model, input, value) VALUES (?1, ?2, ?3, ?4)",
                params![key.task, key.model, key.input, value],
            )
            .map(|_| ())
            .map_err(|source| StoreError::Sqlite {
                path: self.path.as_deref().map_or("(memory)".into(), |p| p.display().to_string()),
                source,
            })
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

fn create_schema(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS results (
            task TEXT NOT NULL,
            model TEXT NOT NULL,
            input TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (task, model, input)
        ) WITHOUT ROWID;",
    )
}

/// Busy or locked: another process is writing, the file itself is fine.
fn is_transient(error: &StoreError) -> bool {
    match error {
        StoreError::Sqlite { source: rusqlite::Error::SqliteFailure(e, _), .. } => {
            matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            )
        }
        StoreError::Folder { .. } => true,
        _ => false,
    }
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn aside_name(path: &Path) -> PathBuf {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    sidecar(path, &format!(".corrupt-{stamp}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(input: &str) -> CacheKey {
        CacheKey { task: "tldr", model: "m1+v1".into(), input: hash_input(&[input]) }
    }

    #[test]
    fn results_survive_reopening_and_two_handles_share_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (a, warnings) = Cache::open(dir.path());
        assert!(warnings.is_empty(), "{warnings:?}");
        let (b, _) = Cache::open(dir.path());
        a.put(&key("x"), "summary of x").unwrap();
        assert_eq!(b.get(&key("x")).as_deref(), Some("summary of x"));
        assert_eq!(b.get(&key("y")), None);
        assert_eq!(b.stats(), CacheStats { hits: 1, misses: 1 });
        drop((a, b));
        let (c, _) = Cache::open(dir.path());
        assert_eq!(c.get(&key("x")).as_deref(), Some("summary of x"));
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CACHE_FILE),
            b"this is not a database at all, just text ".repeat(200),
        )
        .unwrap();
        let (cache, warnings) = Cache::open(dir.path());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("moved it to"), "{warnings:?}");
        assert!(cache.path().is_some());
        cache.put(&key("x"), "v").unwrap();
        let aside = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains(".corrupt-"));
        assert!(aside, "the broken file is kept for inspection");
    }

    #[test]
    fn an_unusable_folder_falls_back_to_memory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, b"x").unwrap();
        let (cache, warnings) = Cache::open(&file);
        assert!(cache.path().is_none());
        assert!(warnings.last().unwrap().contains("in memory"), "{warnings:?}");
        cache.put(&key("x"), "v").unwrap();
        assert_eq!(cache.get(&key("x")).as_deref(), Some("v"));
    }

    #[test]
    fn a_database_locked_by_another_process_fails_the_write_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, _) = Cache::open(dir.path());
        cache.put(&key("before"), "kept").unwrap();
        let other = Connection::open(dir.path().join(CACHE_FILE)).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let error = cache.put(&key("during"), "v").unwrap_err();
        assert!(is_transient(&error), "{error}");
        other.execute_batch("COMMIT").unwrap();
        assert_eq!(cache.get(&key("before")).as_deref(), Some("kept"));
        assert_eq!(cache.get(&key("during")), None, "nothing written half-way");
        cache.put(&key("after"), "v").unwrap();
        assert_eq!(cache.get(&key("after")).as_deref(), Some("v"));
    }

    #[test]
    fn a_full_disk_fails_the_write_and_keeps_what_was_stored() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, _) = Cache::open(dir.path());
        cache.put(&key("small"), "kept").unwrap();
        {
            // SQLite's page limit stands in for a full disk: the same SQLITE_FULL error.
            let connection = cache.connection.lock().unwrap();
            let pages: i64 = connection.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
            connection.pragma_update(None, "max_page_count", pages).unwrap();
        }
        let error = cache.put(&key("large"), &"x".repeat(1 << 20)).unwrap_err();
        assert!(error.to_string().contains("full"), "{error}");
        assert_eq!(cache.get(&key("small")).as_deref(), Some("kept"));
        assert_eq!(cache.get(&key("large")), None);
    }

    #[test]
    fn hashes_separate_parts() {
        assert_ne!(hash_input(&["ab", "c"]), hash_input(&["a", "bc"]));
        assert_eq!(hash_input(&["t"]).len(), 64);
    }
}
