//! API §3.5: "Never log or echo the raw digits outside the masked form". This binary installs the
//! process's one global subscriber at TRACE (every crate, `log` records included) writing into a buffer,
//! so it must stay its own test binary: a subscriber here would capture other tests' lines too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{spawn, Options};
use reqwest::Method;
use serde_json::json;
use std::sync::{Arc, Mutex};
use tracing_subscriber::fmt::MakeWriter;

/// Every line written, in one buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Where `digits` stand on their own in `text`: not inside a longer run of letters or digits (a request
/// id, a duration, a port), nor a segment of a UUID (hex on both sides of a `-`). `XXXX-dddd` and `"dddd"`
/// count.
fn standalone(text: &str, digits: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let joined = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b':';
    text.match_indices(digits)
        .filter(|(at, _)| {
            let end = at + digits.len();
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(end).copied();
            let uuid_part = |dash: Option<u8>, beyond: Option<u8>| {
                dash == Some(b'-') && beyond.is_some_and(|b| b.is_ascii_hexdigit())
            };
            !(before.is_some_and(joined)
                || after.is_some_and(joined)
                || uuid_part(before, at.checked_sub(2).map(|i| bytes[i]))
                || uuid_part(after, bytes.get(end + 1).copied()))
        })
        .map(|(at, _)| {
            let mut from = at.saturating_sub(120);
            while !text.is_char_boundary(from) {
                from -= 1;
            }
            let mut to = (at + 120).min(text.len());
            while !text.is_char_boundary(to) {
                to += 1;
            }
            text[from..to].to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_log_line_holds_the_digits_even_at_trace() {
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .without_time()
        .init();
    let app = spawn(Options {
        per_minute: 100,
        per_hour: 100,
        ..Options::default()
    })
    .await;
    let login = app.login("+919888888880", "worker").await;
    let id = login["user"]["id"].as_str().unwrap();
    let token = login["access"].as_str().unwrap();
    let path = format!("/api/v1/auth/users/{id}/ekyc/upload/");
    // Digits that are not the year, a server's port, or part of the user's id or phone.
    let digits = ["1357", "2468", "3579", "8642"]
        .into_iter()
        .find(|d| !id.contains(d))
        .unwrap();
    let (code, body) = app
        .call(
            Method::POST,
            &path,
            Some(token),
            Some(json!({"aadhaar_last4": digits})),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    let (code, _) = app
        .call(
            Method::POST,
            &path,
            Some(token),
            Some(json!({"aadhaar_last4": format!("{digits}5")})),
        )
        .await;
    assert_eq!(code, 400);
    let (code, _) = app
        .call(
            Method::GET,
            &format!("/api/v1/auth/users/{id}/ekyc/status/"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(code, 200);
    // The announcement has gone out (its relay logs at TRACE too).
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let logged = captured.text();
    assert!(
        logged.contains("/ekyc/upload/") && logged.lines().count() > 20,
        "the subscriber saw the requests: {logged}"
    );
    let found = standalone(&logged, digits);
    assert!(found.is_empty(), "the digits were logged: {found:#?}");
    let refused = standalone(&logged, &format!("{digits}5"));
    assert!(
        refused.is_empty(),
        "the refused value was logged: {refused:#?}"
    );
}

#[test]
fn standalone_finds_values_and_skips_ids_and_numbers() {
    assert_eq!(standalone("a \"1357\" b", "1357").len(), 1);
    assert_eq!(standalone("XXXX-1357", "1357").len(), 1);
    assert_eq!(standalone("aadhaar_last4=1357,", "1357").len(), 1);
    assert!(standalone("3fa81357-1357-4e1b-9c1d-a11357000000", "1357").is_empty());
    assert!(standalone("elapsed_ms=0.1357 port=:1357 v13570", "1357").is_empty());
}
