//! Compiled plugin code is kept between processes, where the user says, and
//! not at all when asked: a second `harness` start loads it instead of compiling.

use crate::common::*;
use std::path::Path;

/// Every file below `dir`.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn the_compiled_component_is_cached_where_asked_and_reused_by_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let cache_arg = cache.to_str().unwrap();
    let run = || harness(&["--cache-dir", cache_arg, "streams", "--mock"], None, BOTH);

    let first = run();
    assert!(first.status.success(), "{}", stderr(&first));
    let entries = files(&cache);
    assert!(
        !entries.is_empty(),
        "the first start leaves compiled code in {cache:?}"
    );
    let second = run();
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(
        stdout(&first),
        stdout(&second),
        "the cached code runs the same plugin"
    );
    assert_no_secret("the cache", &format!("{entries:?}"));
}

#[test]
fn no_cache_compiles_every_time_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let out = harness(
        &[
            "--cache-dir",
            cache.to_str().unwrap(),
            "--no-cache",
            "streams",
            "--mock",
        ],
        None,
        BOTH,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(files(&cache).is_empty(), "{:?}", files(&cache));
}
