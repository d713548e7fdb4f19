//! Skills as real clients send them (issue #16), through the gateway against the real services and broker:
//! names matched by slug, alias, name or title whatever their case; a name no service has becomes a
//! service in catalog (by events, no request between services) and the profile is linked to it; the
//! reference's slugs with `plumbing` as an alias of `plumber`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures_util::future::join_all;
use hm_e2e::{Stack, Timer};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Instant;

async fn register(stack: &Stack, phone: &str, body: Value) -> (String, u16, Value) {
    let (token, _) = stack.login(phone, "worker").await;
    let (status, profile) = stack
        .call(Method::POST, "/api/v1/workers/", Some(&token), Some(body))
        .await;
    (token, status, profile)
}

/// Catalog's public list, until `ok` holds for it.
async fn services_until(stack: &Stack, what: &str, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let answer = stack
        .until(
            what,
            Method::GET,
            "/api/v1/services/",
            None,
            None,
            |s, b| s == 200 && b.as_array().is_some_and(|list| ok(list)),
        )
        .await;
    answer.as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn skills_are_matched_and_new_ones_become_services() {
    let _total = Timer::start("skills: total");
    let stack = Stack::start().await;

    {
        let _t = Timer::start("skills: reference slugs, plumbing an alias");
        let (status, plumber) = stack
            .call(Method::GET, "/api/v1/services/plumber/", None, None)
            .await;
        assert_eq!(status, 200, "{plumber}");
        let (status, plumbing) = stack
            .call(Method::GET, "/api/v1/services/plumbing/", None, None)
            .await;
        assert_eq!(status, 200, "{plumbing}");
        assert_eq!(plumbing["id"], plumber["id"]);
        let list = services_until(&stack, "seeded services", |l| l.len() == 7).await;
        let slugs: Vec<&str> = list.iter().filter_map(|s| s["slug"].as_str()).collect();
        assert_eq!(
            slugs,
            [
                "plumber",
                "electrician",
                "mason",
                "carpenter",
                "tile-worker",
                "painter",
                "labour"
            ]
        );
    }

    {
        let _t = Timer::start("skills: known names in any case");
        let (_, status, profile) = register(
            &stack,
            "+919855500001",
            json!({"skills": ["electrician", "plumber"]}),
        )
        .await;
        assert_eq!(status, 201, "{profile}");
        assert_eq!(profile["services_list"], json!(["Electrician", "Plumber"]));
        let (_, status, profile) =
            register(&stack, "+919855500002", json!({"skills": ["  PLUMBING "]})).await;
        assert_eq!(status, 201, "{profile}");
        assert_eq!(profile["services_list"], json!(["Plumber"]));
    }

    {
        let _t = Timer::start("skills: a new name becomes a service");
        let (token, status, profile) = register(
            &stack,
            "+919855500003",
            json!({"skills": ["Helper"], "latitude": "26.8467", "longitude": "80.9462"}),
        )
        .await;
        assert_eq!(status, 201, "{profile}");
        assert_eq!(profile["services_list"], json!(["Helper"]));
        let (status, _) = stack
            .call(
                Method::POST,
                "/api/v1/workers/me/availability/",
                Some(&token),
                Some(json!({"is_available": true})),
            )
            .await;
        assert_eq!(status, 200);
        let asked = Instant::now();
        let list = services_until(&stack, "catalog lists Helper", |l| {
            l.iter().any(|s| s["slug"] == "helper")
        })
        .await;
        println!(
            "skills: catalog listed the new service {:.0} ms after the profile",
            asked.elapsed().as_secs_f64() * 1000.0
        );
        let helper = list.iter().find(|s| s["slug"] == "helper").unwrap();
        assert_eq!(helper["name"], "Helper");
        let id = helper["id"].as_str().unwrap();
        let found = stack
            .until(
                "the worker is found by the new service",
                Method::GET,
                &format!(
                    "/api/v1/workers/search/nearby/?lat=26.8467&lng=80.9462&radius_km=5&service_id={id}"
                ),
                None,
                None,
                |s, b| s == 200 && b["count"] == 1,
            )
            .await;
        assert_eq!(found["results"][0]["id"], profile["id"]);
        println!(
            "skills: the worker was found by the new service {:.0} ms after the profile",
            asked.elapsed().as_secs_f64() * 1000.0
        );
        let (_, me) = stack
            .call(Method::GET, "/api/v1/workers/me/", Some(&token), None)
            .await;
        assert_eq!(
            me["services_list"],
            json!(["Helper"]),
            "linked, listed once"
        );
    }

    {
        let _t = Timer::start("skills: one new service for two at once");
        let (a, _) = stack.login("+919855500004", "worker").await;
        let (b, _) = stack.login("+919855500005", "worker").await;
        let shared = &stack;
        let creates = [a, b].map(|token| async move {
            shared
                .call(
                    Method::POST,
                    "/api/v1/workers/",
                    Some(&token),
                    Some(json!({"skills": ["Tiler"]})),
                )
                .await
        });
        for (status, profile) in join_all(creates).await {
            assert_eq!(status, 201, "{profile}");
        }
        let list = services_until(&stack, "catalog lists Tiler", |l| {
            l.iter().any(|s| s["slug"] == "tiler")
        })
        .await;
        let tilers = list
            .iter()
            .filter(|s| s["name"].as_str().map(str::to_lowercase).as_deref() == Some("tiler"))
            .count();
        assert_eq!(tilers, 1);
        assert_eq!(
            stack
                .count(
                    "catalog",
                    "SELECT count(*) FROM services WHERE lower(name) = 'tiler'"
                )
                .await,
            1
        );
        assert_eq!(
            stack
                .count(
                    "catalog",
                    "SELECT count(*) FROM services WHERE auto_created AND requested_by IS NOT NULL"
                )
                .await,
            2,
            "Helper and Tiler, marked for staff"
        );
    }

    {
        let _t = Timer::start("skills: names are validated and new ones capped");
        let (token, _) = stack.login("+919855500006", "worker").await;
        for (skills, message) in [
            (json!(["  "]), "This field may not be blank."),
            (
                json!(["x".repeat(101)]),
                "Ensure this field has no more than 100 characters.",
            ),
        ] {
            let (status, body) = stack
                .call(
                    Method::POST,
                    "/api/v1/workers/",
                    Some(&token),
                    Some(json!({ "skills": skills })),
                )
                .await;
            assert_eq!((status, body), (400, json!({"skills": [message]})));
        }
        let (status, profile) = stack
            .call(
                Method::POST,
                "/api/v1/workers/",
                Some(&token),
                Some(json!({"skills": ["Welder", "Glazier", "Roofer", "Plasterer", "Fitter"]})),
            )
            .await;
        assert_eq!(status, 201, "{profile}");
        let (status, body) = stack
            .call(
                Method::PATCH,
                &format!("/api/v1/workers/{}/", profile["id"].as_str().unwrap()),
                Some(&token),
                Some(json!({"skills": ["Welder", "Scaffolder"]})),
            )
            .await;
        assert_eq!(
            (status, body),
            (
                400,
                json!({"skills": ["At most 5 new skills a day; choose from the listed services."]})
            )
        );
        let (_, me) = stack
            .call(Method::GET, "/api/v1/workers/me/", Some(&token), None)
            .await;
        assert_eq!(
            me["services_list"].as_array().unwrap().len(),
            5,
            "unchanged"
        );
    }
}
