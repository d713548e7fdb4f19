//! A worker's skills (issue #16): names matched as catalog names services; a name no service has is
//! shown at once, announced to catalog, and linked when catalog answers; new names are capped per day.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Api;
use hm_contracts::events::{types, ServiceChanged, SkillResolved};
use hm_contracts::{Event, Role};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

fn service(id: Uuid, slug: &str, name: &str, aliases: &[&str]) -> ServiceChanged {
    ServiceChanged {
        service_id: id,
        slug: slug.into(),
        name: name.into(),
        title_en: name.into(),
        title_hi: String::new(),
        category: String::new(),
        is_active: true,
        display_order: 1,
        aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_skills_are_shown_at_once_and_linked_when_catalog_answers() {
    let api = Api::start().await;
    let catalog = hm_platform::testing::publisher(&api.app.bus);
    let plumber = Uuid::new_v4();
    let created = Event::new(
        "catalog",
        types::SERVICE_CREATED,
        None,
        service(plumber, "plumber", "Plumber", &["plumbing"]),
    );
    catalog
        .publish(&created.into_json().unwrap(), None)
        .await
        .unwrap();
    hm_platform::testing::eventually(Duration::from_secs(10), || async {
        (api.count("SELECT count(*) FROM service_refs").await == 1).then_some(())
    })
    .await
    .expect("the service is projected");

    let token = api.keys.mint(Uuid::new_v4(), Role::Worker);
    let (status, profile) = api
        .send(
            Method::POST,
            "/api/v1/workers/",
            Some(&token),
            None,
            Some(json!({"skills": ["  PLUMBING ", "Helper", "helper"],
                        "latitude": "26.8467", "longitude": "80.9462"})),
        )
        .await;
    assert_eq!(status, 201, "{profile}");
    assert_eq!(
        profile["services_list"],
        json!(["Plumber", "Helper"]),
        "the alias resolves; a new name is listed once, as written"
    );
    let worker = Uuid::parse_str(profile["id"].as_str().unwrap()).unwrap();
    let asked = api
        .count("SELECT count(*) FROM outbox WHERE event_type = 'workforce.skill.requested'")
        .await;
    assert_eq!(asked, 1);
    let request: Uuid = {
        let rows = api
            .app
            .db
            .client()
            .await
            .query("SELECT id FROM skill_requests", &[])
            .await
            .unwrap();
        rows[0].get(0)
    };

    // Catalog's answer links the profile, whatever came first.
    let helper = Uuid::new_v4();
    let answer = Event::new(
        "catalog",
        types::SKILL_RESOLVED,
        None,
        SkillResolved {
            request_id: request,
            worker_id: worker,
            service: service(helper, "helper", "Helper", &[]),
            created: true,
        },
    );
    catalog
        .publish(&answer.into_json().unwrap(), None)
        .await
        .unwrap();
    let linked = format!(
        "SELECT count(*) FROM worker_services WHERE worker_id = '{worker}' AND service_id = '{helper}'"
    );
    hm_platform::testing::eventually(Duration::from_secs(10), || async {
        (api.count(&linked).await == 1).then_some(())
    })
    .await
    .expect("linked");
    let (_, again) = api
        .send(Method::GET, "/api/v1/workers/me/", Some(&token), None, None)
        .await;
    assert_eq!(again["services_list"], json!(["Plumber", "Helper"]));
    assert!(
        api.count("SELECT count(*) FROM outbox WHERE event_type = 'workforce.worker.updated'")
            .await
            >= 1,
        "the profile's change is announced"
    );
    let (_, found) = api
        .send(
            Method::GET,
            "/api/v1/workers/nearby/?lat=26.8467&lng=80.9462&radius_km=5&skill=help",
            None,
            None,
            None,
        )
        .await;
    assert_eq!(
        found["count"], 0,
        "not available yet: the search's own rule"
    );
    assert_eq!(
        api.count(&format!(
            "SELECT count(*) FROM worker_search WHERE worker_id = '{worker}' AND service_id = '{helper}'"
        ))
        .await,
        1,
        "the search's index has the new service"
    );

    // Up to five new names a day per user; the sixth is refused and nothing changes.
    let (status, _) = api
        .send(
            Method::PATCH,
            &format!("/api/v1/workers/{worker}/"),
            Some(&token),
            None,
            Some(json!({"skills": ["Welder", "Glazier", "Roofer", "Fitter"]})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = api
        .send(
            Method::PATCH,
            &format!("/api/v1/workers/{worker}/"),
            Some(&token),
            None,
            Some(json!({"skills": ["Scaffolder"]})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"skills": ["At most 5 new skills a day; choose from the listed services."]})
        )
    );
    let (_, unchanged) = api
        .send(Method::GET, "/api/v1/workers/me/", Some(&token), None, None)
        .await;
    assert_eq!(
        unchanged["services_list"],
        json!(["Welder", "Glazier", "Roofer", "Fitter"])
    );
}
