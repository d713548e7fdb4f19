//! The whole API fuzzed from its own OpenAPI document (issue #15): schemathesis runs against the merged
//! `/api/schema/` of a real stack, through the gateway, as four clients (anonymous, a worker, a
//! contractor, an admin), every operation, with the checks `not_a_server_error` (no 5xx),
//! `status_code_conformance` (every status returned is documented), `content_type_conformance`
//! (every body is of a documented type) and `response_schema_conformance` (every JSON body fits the
//! schema its status documents, issue #17). Before that, the merged document must be valid OpenAPI 3
//! (openapi-spec-validator). Any failure fails `make test`; schemathesis's report is in
//! `target/e2e/<run>/fuzz-<client>/`.
//!
//! `FUZZ_MAX_EXAMPLES` (default 10 per operation and phase) and `FUZZ_SEED` (default fixed, so CI
//! repeats the same cases; set another to explore) tune a run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hm_e2e::{workspace, Options, Stack, Timer};
use reqwest::Method;
use serde_json::json;
use std::process::Command;
use std::time::{Duration, Instant};

/// The longest one client's run may take.
const RUN_LIMIT: Duration = Duration::from_secs(600);

/// A client of the run: its name and bearer token.
struct Client {
    name: &'static str,
    token: Option<String>,
}

/// The part of schemathesis's output worth printing: its summary, from "SUMMARY" on.
fn summary(output: &str) -> &str {
    output
        .find("SUMMARY")
        .map(|at| &output[at..])
        .unwrap_or(output)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_hostile_input_as_documented() {
    let _total = Timer::start("fuzz: total");
    let started = Timer::start("fuzz: start stack");
    let stack = Stack::start_with(Options {
        unthrottled: true,
        payments: true,
        ..Options::default()
    })
    .await;
    drop(started);

    let admin = stack.admin_login().await;
    let (worker, _) = stack.login("+919811100001", "worker").await;
    let (status, body) = stack
        .call(
            Method::POST,
            "/api/v1/workers/",
            Some(&worker),
            Some(json!({"skills": ["plumbing"], "bio": "fuzzed worker"})),
        )
        .await;
    assert_eq!(status, 201, "worker profile: {body}");
    let (contractor, _) = stack.login("+919811100002", "contractor").await;
    let (status, body) = stack
        .call(
            Method::POST,
            "/api/v1/contractors/",
            Some(&contractor),
            Some(json!({"company_name": "Fuzz Builders"})),
        )
        .await;
    assert_eq!(status, 201, "contractor profile: {body}");
    // The admin goes last: its writes (deactivating users, withdrawing services) would otherwise take
    // the other clients' ground from under them.
    let clients = [
        Client {
            name: "anonymous",
            token: None,
        },
        Client {
            name: "worker",
            token: Some(worker),
        },
        Client {
            name: "contractor",
            token: Some(contractor),
        },
        Client {
            name: "admin",
            token: Some(admin),
        },
    ];

    let schema = format!("{}/api/schema/", stack.gateway);
    let script = workspace().join("scripts/schemathesis.sh");
    let document = stack.dir.join("openapi.json");
    let merged = reqwest::get(&schema).await.unwrap().bytes().await.unwrap();
    std::fs::write(&document, &merged).unwrap();
    let validated = Command::new(&script)
        .arg("validate")
        .arg(&document)
        .output()
        .expect("scripts/schemathesis.sh runs");
    assert!(
        validated.status.success(),
        "/api/schema/ is not valid OpenAPI 3 ({}):\n{}{}",
        document.display(),
        String::from_utf8_lossy(&validated.stdout),
        String::from_utf8_lossy(&validated.stderr)
    );

    let examples = std::env::var("FUZZ_MAX_EXAMPLES").unwrap_or_else(|_| "10".into());
    let seed = std::env::var("FUZZ_SEED").unwrap_or_else(|_| "1515".into());
    let mut failed = Vec::new();
    for client in &clients {
        let _timer = Timer::start(&format!("fuzz: {}", client.name));
        let reports = stack.dir.join(format!("fuzz-{}", client.name));
        // Bounded whatever happens: a run that hangs is killed, and counts as failed.
        let mut command = Command::new("timeout");
        command.arg(RUN_LIMIT.as_secs().to_string()).arg(&script);
        command.args([
            "run",
            &schema,
            "--url",
            &stack.gateway,
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            &examples,
            "--seed",
            &seed,
            "--workers",
            "2",
            "--request-timeout",
            "20",
            "--suppress-health-check",
            "all",
            "--report",
            "junit",
            "--report-dir",
        ]);
        command.arg(&reports);
        // Schemathesis keeps its cache in the working directory: the run's, never the checkout.
        command.current_dir(&stack.dir);
        if let Some(token) = &client.token {
            command.args(["-H", &format!("Authorization: Bearer {token}")]);
        }
        let begun = Instant::now();
        let output = command.output().expect("scripts/schemathesis.sh runs");
        let text = String::from_utf8_lossy(&output.stdout);
        std::fs::write(reports.with_extension("log"), text.as_bytes()).unwrap();
        println!(
            "fuzz: {} ({:.0} s)\n{}",
            client.name,
            begun.elapsed().as_secs_f64(),
            summary(&text)
        );
        if !output.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&output.stderr));
            failed.push(client.name);
        }
    }
    assert!(
        failed.is_empty(),
        "schemathesis found failures as {failed:?}; logs in {}",
        stack.dir.display()
    );
}
