//! Catalog's side of workers' skills (issue #16): an older database's `plumbing` becomes the reference's
//! `plumber` with the alias kept and the change announced; a requested skill finds its service or creates
//! it once, however many ask at the same moment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::spawn;
use hm_catalog::store::services::{self, NewService};
use hm_contracts::events::{types, SkillRequested};
use hm_contracts::Event;
use std::time::{Duration, Instant};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_databases_plumbing_becomes_plumber_with_its_alias() {
    let t = spawn().await;
    let id = Uuid::new_v4();
    // As the first seed wrote it, before the reference's slugs: the row alone, no event.
    services::insert(
        &mut t.conn().await,
        &NewService {
            id,
            name: "Plumbing".into(),
            slug: "plumbing".into(),
            title_en: "Plumbing".into(),
            title_hi: String::new(),
            category: String::new(),
            description: String::new(),
            icon_s3_key: String::new(),
            is_active: true,
            display_order: 0,
            aliases: Vec::new(),
            auto_created: false,
            requested_by: None,
        },
    )
    .await
    .unwrap();
    t.sql(include_str!(
        "../migrations/2026-11-30-000003_plumber/up.sql"
    ))
    .await;
    let plumber = t.get("/api/v1/services/plumber/").await;
    assert_eq!(plumber.status, 200);
    assert_eq!(
        plumber.body["id"],
        id.to_string(),
        "same id: references keep"
    );
    assert_eq!(plumber.body["name"], "Plumber");
    assert_eq!(
        t.get("/api/v1/services/plumbing/").await.body["id"],
        id.to_string()
    );
    assert_eq!(
        t.count(&format!(
            "SELECT count(*) FROM outbox WHERE event_type = 'catalog.service.updated'
             AND envelope->'data'->>'service_id' = '{id}'
             AND envelope->'data'->>'slug' = 'plumber'
             AND envelope->'data'->'aliases' = '[\"plumbing\"]'"
        ))
        .await,
        1,
        "the projections are told"
    );
}

async fn until_count(t: &common::Api, query: &str, expected: i64) {
    let start = Instant::now();
    while t.count(query).await != expected {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{query} never reached {expected}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requested_skills_find_their_service_or_create_it_once() {
    let t = spawn().await;
    t.seed().await;
    let publisher = hm_platform::testing::publisher(&t.app.bus);
    let ask = |name: &str| {
        Event::new(
            "workforce",
            types::SKILL_REQUESTED,
            None,
            SkillRequested {
                request_id: Uuid::new_v4(),
                worker_id: Uuid::new_v4(),
                user_id: Uuid::new_v4(),
                name: name.to_owned(),
            },
        )
        .into_json()
        .unwrap()
    };
    // Six workers ask for the same new name at once, in three spellings; one asks for a known one.
    for name in [
        "Tiler", "tiler", " TILER ", "Tiler", "tiler", "Tiler", "PLUMBING",
    ] {
        publisher.publish(&ask(name), None).await.unwrap();
    }
    until_count(
        &t,
        "SELECT count(*) FROM outbox WHERE event_type = 'catalog.skill.resolved'",
        7,
    )
    .await;
    assert_eq!(
        t.count("SELECT count(*) FROM services WHERE lower(name) = 'tiler'")
            .await,
        1
    );
    assert_eq!(
        t.count("SELECT count(*) FROM services WHERE auto_created")
            .await,
        1,
        "plumbing is plumber's alias, not a new service"
    );
    assert_eq!(
        t.count("SELECT count(*) FROM outbox WHERE event_type = 'catalog.skill.resolved' AND (envelope->'data'->>'created')::boolean").await,
        1
    );
    assert_eq!(
        t.count("SELECT count(*) FROM outbox WHERE event_type = 'catalog.skill.resolved' AND envelope->'data'->'service'->>'slug' = 'plumber'").await,
        1
    );
    assert_eq!(t.get("/api/v1/services/tiler/").await.status, 200);
}
