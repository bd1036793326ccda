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

/// How a message about an unusable cache ends.
const MEMORY_ONLY: &str = "results are cached in memory for this session only";

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
    hex(&hasher.finalize())
}

/// Lower-case hex of bytes (a digest).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub struct Cache {
    connection: Mutex<Connection>,
    /// `None` for an in-memory cache.
    path: Option<PathBuf>,
    /// The file at `path` is attached read-only as `stored`; writes go to memory.
    read_through: bool,
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
    /// moved aside and rebuilt; one that cannot be written (read-only file or folder) is
    /// read from and never written, with this session's results kept in memory. If the
    /// folder cannot hold a database at all, the cache lives in memory for this session.
    /// The returned messages say which, one message per problem.
    pub fn open(folder: &Path) -> (Self, Vec<String>) {
        let path = folder.join(CACHE_FILE);
        let error = match Self::open_file(folder, &path) {
            Ok(cache) => return (cache, Vec::new()),
            Err(error) => error,
        };
        if !path.exists() || is_transient(&error) {
            return (Self::in_memory(), vec![format!("{error}; {MEMORY_ONLY}")]);
        }
        if is_corrupt(&error) {
            return Self::rebuild(folder, &path, error);
        }
        match Self::read_through(&path) {
            Ok(cache) => (
                cache,
                vec![format!(
                    "{error}; scholia reads the results stored there but writes nothing to it: \
                     new results are kept in memory for this session"
                )],
            ),
            Err(e) => (
                Self::in_memory(),
                vec![format!("{error}; reading it failed too ({e}); {MEMORY_ONLY}")],
            ),
        }
    }

    /// Moves a corrupt file aside (keeping it for inspection) and starts a new one there.
    fn rebuild(folder: &Path, path: &Path, error: StoreError) -> (Self, Vec<String>) {
        let aside = aside_name(path);
        if let Err(e) = std::fs::rename(path, &aside) {
            let message = format!("{error}; could not move it aside ({e}); {MEMORY_ONLY}");
            return (Self::in_memory(), vec![message]);
        }
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(sidecar(path, suffix));
        }
        let moved = format!("{error}; moved it to {}", aside.display());
        match Self::open_file(folder, path) {
            Ok(cache) => (cache, vec![format!("{moved} and started a new cache")]),
            Err(e) => (Self::in_memory(), vec![format!("{moved}, but {e}; {MEMORY_ONLY}")]),
        }
    }

    /// A cache over a file that must not be written: this session's results live in an
    /// in-memory `main` database, the file is attached read-only as `stored` and consulted
    /// after it. A WAL database whose shared-memory file cannot be made (read-only
    /// folder) opens only as immutable, which skips locking and the WAL: results another
    /// process writes meanwhile go unseen, which a cache can afford.
    fn read_through(path: &Path) -> Result<Self, StoreError> {
        let wrap = |source| StoreError::Sqlite { path: path.display().to_string(), source };
        let connection = Connection::open_in_memory().map_err(wrap)?;
        create_schema(&connection).map_err(wrap)?;
        let mut last = None;
        for query in ["mode=ro", "mode=ro&immutable=1"] {
            let uri = format!("file:{}?{query}", uri_path(path));
            let attached =
                connection.execute("ATTACH DATABASE ?1 AS stored", [&uri]).and_then(|_| {
                    // Opening is lazy: read the table once to know the file is usable.
                    connection.prepare("SELECT 1 FROM stored.results LIMIT 1")?.exists([])
                });
            match attached {
                Ok(_) => {
                    let mut cache = Self::with(connection, Some(path.to_path_buf()));
                    cache.read_through = true;
                    return Ok(cache);
                }
                Err(e) => {
                    let _ = connection.execute_batch("DETACH DATABASE stored");
                    last = Some(e);
                }
            }
        }
        Err(wrap(last.expect("at least one attempt")))
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
        // SQLite opens a file it may not write read-only without saying so.
        if connection.is_readonly(rusqlite::MAIN_DB).map_err(wrap)? {
            return Err(wrap(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                Some("the file is read-only".into()),
            )));
        }
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
            read_through: false,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn get(&self, key: &CacheKey) -> Option<String> {
        let sql = if self.read_through {
            "SELECT value FROM main.results WHERE task = ?1 AND model = ?2 AND input = ?3 \
             UNION ALL SELECT value FROM stored.results WHERE task = ?1 AND model = ?2 AND input = ?3 \
             LIMIT 1"
        } else {
            "SELECT value FROM results WHERE task = ?1 AND model = ?2 AND input = ?3"
        };
        let connection = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        let found = connection
            .query_row(sql, params![key.task, key.model, key.input], |row| row.get::<_, String>(0))
            .optional()
            .unwrap_or_else(|e| {
                tracing::warn!("cache read failed: {e}");
                None
            });
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores a result; a failure (disk full, locked) is returned for logging and leaves
    /// the database as it was (one statement, one transaction). A read-through cache
    /// stores in memory only.
    pub fn put(&self, key: &CacheKey, value: &str) -> Result<(), StoreError> {
        let connection = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        connection
            .execute(
                "INSERT OR REPLACE INTO main.results (task, model, input, value) VALUES (?1, ?2, ?3, ?4)",
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
    sqlite_code(error).is_some_and(|code| {
        matches!(code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    })
}

/// The file is not a database, or a damaged one: only then is it moved aside. A file
/// that cannot be opened or written (permissions, read-only media) is left alone.
fn is_corrupt(error: &StoreError) -> bool {
    sqlite_code(error).is_some_and(|code| {
        matches!(code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    })
}

fn sqlite_code(error: &StoreError) -> Option<rusqlite::ErrorCode> {
    match error {
        StoreError::Sqlite { source: rusqlite::Error::SqliteFailure(e, _), .. } => Some(e.code),
        _ => None,
    }
}

/// A path as the path part of an SQLite `file:` URI: `%`, `?` and `#` would end or
/// change it, so they (and anything not plainly printable) are percent-encoded.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for &byte in path.as_os_str().as_encoded_bytes() {
        match byte {
            b'%' | b'?' | b'#' => out.push_str(&format!("%{byte:02X}")),
            0x21..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
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
    fn a_read_through_cache_reads_the_file_and_keeps_new_results_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("odd ?#% name");
        let (cache, _) = Cache::open(&folder);
        cache.put(&key("stored"), "from the file").unwrap();
        drop(cache);
        let path = folder.join(CACHE_FILE);
        let before = std::fs::read(&path).unwrap();
        let cache = Cache::read_through(&path).unwrap();
        assert_eq!(cache.get(&key("stored")).as_deref(), Some("from the file"));
        cache.put(&key("new"), "in memory").unwrap();
        assert_eq!(cache.get(&key("new")).as_deref(), Some("in memory"));
        drop(cache);
        assert_eq!(std::fs::read(&path).unwrap(), before, "the file is never written");
        let (reopened, _) = Cache::open(&folder);
        assert_eq!(reopened.get(&key("new")), None);
    }

    #[test]
    fn only_damaged_files_count_as_corrupt() {
        let error = |code| StoreError::Sqlite {
            path: "x".into(),
            source: rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None),
        };
        assert!(is_corrupt(&error(rusqlite::ffi::SQLITE_NOTADB)));
        assert!(is_corrupt(&error(rusqlite::ffi::SQLITE_CORRUPT)));
        for code in [rusqlite::ffi::SQLITE_READONLY, rusqlite::ffi::SQLITE_CANTOPEN] {
            assert!(!is_corrupt(&error(code)), "{code}");
        }
    }

    #[test]
    fn hashes_separate_parts() {
        assert_ne!(hash_input(&["ab", "c"]), hash_input(&["a", "bc"]));
        assert_eq!(hash_input(&["t"]).len(), 64);
    }
}
