//! The OpenAPI document documents every operation's success body and request body (issue #17), and the
//! back office's typed rows read what Postgres holds (a row that did not fit its type would be a 500), and
//! `src/schema.rs` is what the migrations make.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use diesel_async::AsyncConnection;
use hm_contracts::Role;
use hm_notifications::store::devices::{self, DeviceInput};
use hm_notifications::store::notifications::{self, NewNotification};
use hm_notifications::store::sms_log;
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_documents_every_operation() {
    let api = common::Api::start().await;
    let served = api
        .http()
        .get(format!("{}/openapi.json", api.app.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    hm_platform::testing::assert_openapi_document(
        "notifications",
        &served,
        &[
            // Actions on the notifications the path (and the list's query filters) select.
            "PATCH /api/v1/notifications/{id}/mark_read/",
            "PATCH /api/v1/notifications/mark_all_read/",
        ],
    );
    let doc: Value = serde_json::from_slice(&served).unwrap();
    let twilio = &doc["paths"]["/api/v1/notifications/sms/status/"]["post"]["requestBody"];
    assert!(
        twilio["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]
            ["MessageSid"]
            .is_object(),
        "{twilio}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_back_office_lists_typed_rows() {
    let api = common::Api::start().await;
    let (_, admin) = api.user(Role::Admin);
    // The rows, written by the service's own store code.
    let (raju, _) = api.with_user("+919900000011", Role::Worker, "", "").await;
    let mut conn = diesel_async::AsyncPgConnection::establish(&api.db.url)
        .await
        .unwrap();
    for (user_id, title, message, data) in [
        (
            Some(raju),
            "Booking Confirmed",
            "Your booking is confirmed.",
            json!({"k": 1}),
        ),
        (None, "Hello", "To everyone.", json!({})),
    ] {
        notifications::insert(
            &mut conn,
            &NewNotification {
                user_id,
                kind: "system",
                title,
                message,
                data: &data,
                channel: "in_app",
            },
        )
        .await
        .unwrap();
    }
    let attempt = |attempt, status, error: Option<&str>, sid: Option<&str>| sms_log::Attempt {
        request_id: Uuid::new_v4(),
        phone: "+919900000011",
        provider: if attempt == 1 { "dev" } else { "twilio" },
        attempt,
        status,
        error: error.map(str::to_owned),
        provider_message_id: sid.map(str::to_owned),
    };
    sms_log::record(&mut conn, &attempt(1, "failed", Some("timeout"), None))
        .await
        .unwrap();
    sms_log::record(&mut conn, &attempt(2, "sent", None, Some("SM1")))
        .await
        .unwrap();
    sms_log::report_delivery(&mut conn, "SM1", "undelivered", Some("30003"))
        .await
        .unwrap();
    devices::create(
        &mut conn,
        &DeviceInput {
            user_id: Some(raju),
            platform: "android".into(),
            registration_token: "tok-1".into(),
            metadata: json!({}),
            is_active: true,
        },
    )
    .await
    .unwrap();

    let (status, page) = api
        .call(
            Method::GET,
            "/api/v1/admin/notifications/notifications/",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["count"], 2);
    let rows = page["results"].as_array().unwrap();
    let mine = rows.iter().find(|r| r["user_id"] == json!(raju)).unwrap();
    assert_eq!(
        (&mine["user_phone"], &mine["type"], &mine["data"]),
        (&json!("+919900000011"), &json!("system"), &json!({"k": 1}))
    );
    let broadcast = rows.iter().find(|r| r["user_id"].is_null()).unwrap();
    assert!(broadcast["user_phone"].is_null());

    let (status, page) = api
        .call(
            Method::GET,
            "/api/v1/admin/notifications/sms-log/?status=sent",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["count"], 1);
    let sent = &page["results"][0];
    assert_eq!(
        (
            &sent["attempt"],
            &sent["delivery_error_code"],
            &sent["error"]
        ),
        (&json!(2), &json!("30003"), &Value::Null)
    );
    let (status, page) = api
        .call(
            Method::GET,
            "/api/v1/admin/notifications/sms-log/",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!((status, page["count"].clone()), (200, json!(2)), "{page}");

    let (status, stats) = api
        .call(
            Method::GET,
            "/api/v1/admin/notifications/stats/",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(
        stats,
        json!({
            "notifications_unread": 1, "notifications_total": 2, "otp_sms_sent_last_hour": 1,
            "otp_sms_failed_last_hour": 1, "devices_active": 1, "pushes_queued": 0, "pushes_failed": 0,
        })
    );
}

/// `src/schema.rs` is diesel's print-schema of the migrated database (ARCHITECTURE §2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_rs_is_what_the_migrations_make() {
    hm_platform::testing::assert_schema_generated::<hm_notifications::Notifications>(env!(
        "CARGO_MANIFEST_DIR"
    ))
    .await;
}
