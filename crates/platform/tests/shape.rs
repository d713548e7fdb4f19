//! The shape every service keeps (ARCHITECTURE §2, issue #17), checked over the workspace's sources so a
//! new endpoint inherits it: a handler (an `#[api_v2_operation]` function in `routes/`) is at most 40
//! lines, and nothing in `routes/` opens a transaction or writes an event — the store call does both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

const MAX_HANDLER_LINES: usize = 40;

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// The source files of the services' `routes/`.
fn route_files() -> Vec<PathBuf> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for service in [
        "identity",
        "catalog",
        "workforce",
        "jobs",
        "notifications",
        "analytics",
    ] {
        rust_files(&crates.join(service).join("src/routes"), &mut files);
    }
    assert!(!files.is_empty(), "the services' routes are found");
    files
}

/// Every handler in the services' `routes/`: (file, name, its lines from `fn` to the closing brace).
fn handlers() -> Vec<(String, String, Vec<String>)> {
    let mut found = Vec::new();
    for file in route_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            if lines[i].starts_with("#[api_v2_operation") {
                let start = (i + 1..lines.len())
                    .find(|&j| lines[j].contains("fn "))
                    .unwrap();
                let end = (start..lines.len()).find(|&j| lines[j] == "}").unwrap();
                let name = lines[start]
                    .split("fn ")
                    .nth(1)
                    .and_then(|rest| rest.split(['(', '<']).next())
                    .unwrap_or_default()
                    .to_owned();
                let body = lines[start..=end].iter().map(|l| (*l).to_owned()).collect();
                found.push((file.display().to_string(), name, body));
                i = end;
            }
            i += 1;
        }
    }
    found
}

#[test]
fn handlers_are_thin() {
    let handlers = handlers();
    assert!(handlers.len() > 100, "{} handlers found", handlers.len());
    let long: Vec<String> = handlers
        .iter()
        .filter(|(_, _, body)| body.len() > MAX_HANDLER_LINES)
        .map(|(file, name, body)| format!("{file}: {name} ({} lines)", body.len()))
        .collect();
    assert!(
        long.is_empty(),
        "handlers over {MAX_HANDLER_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn routes_open_no_transaction_and_write_no_event() {
    let mut busy = Vec::new();
    for file in route_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.contains(".transaction") || line.contains("enqueue(") {
                busy.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        busy.is_empty(),
        "transactions and event writes in routes/ (they belong in store/):\n{}",
        busy.join("\n")
    );
}
