//! eKYC (API §3.5–3.6, DOMAIN §1.1/§1.5, spec/TESTS.md §2 K1–K10; K1, K2 and K8 are also unit tests of
//! `hm_identity::ekyc` and `domain::ekyc`), against real PostgreSQL, Redis and RabbitMQ.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{spawn, spawn_with, Api, Listener, Options};
use hm_identity::ekyc::{generate_key, EncryptionKey, Keyring};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const REQUIRED: &str = "This field is required";
const FORMAT: &str = "Must be exactly 4 digits (last 4 of Aadhaar only)";
const MISSING_USER: &str = "00000000-0000-4000-8000-000000000001";

fn relaxed() -> Options {
    Options {
        per_minute: 100,
        per_hour: 100,
        ..Options::default()
    }
}

fn upload_path(user_id: &str) -> String {
    format!("/api/v1/auth/users/{user_id}/ekyc/upload/")
}

fn status_path(user_id: &str) -> String {
    format!("/api/v1/auth/users/{user_id}/ekyc/status/")
}

/// A signed-in phone user.
struct Person {
    id: String,
    phone: String,
    token: String,
}

async fn person(app: &Api, phone: &str) -> Person {
    let login = app.login(phone, "worker").await;
    Person {
        id: login["user"]["id"].as_str().unwrap().to_owned(),
        phone: phone.to_owned(),
        token: login["access"].as_str().unwrap().to_owned(),
    }
}

async fn upload(app: &Api, token: &str, user_id: &str, body: Value) -> (u16, Value) {
    app.call(Method::POST, &upload_path(user_id), Some(token), Some(body))
        .await
}

async fn status(app: &Api, token: &str, user_id: &str) -> (u16, Value) {
    app.call(Method::GET, &status_path(user_id), Some(token), None)
        .await
}

fn keyring(current: &str, retired: &[&str]) -> Keyring {
    Keyring::new(
        EncryptionKey::parse(current).unwrap(),
        retired
            .iter()
            .map(|k| EncryptionKey::parse(k).unwrap())
            .collect(),
    )
}

/// What the users table holds for `user_id`, read raw: the sealed bytes, the key id, the status, and
/// every text column joined.
async fn raw_row(app: &Api, user_id: &str) -> (Option<Vec<u8>>, Option<String>, String, String) {
    let client = app.db.client().await;
    let row = client
        .query_one(
            "SELECT aadhaar_last4_encrypted, aadhaar_key_id, ekyc_status,
                    concat_ws('|', id::text, phone, role, language_preference, first_name, last_name,
                              email, profile_picture, password, aadhaar_key_id, ekyc_status)
             FROM users WHERE id::text = $1",
            &[&user_id],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1), row.get(2), row.get(3))
}

/// Four digits found in none of `texts` (so finding them later means they were written).
fn digits_not_in(texts: &[&str]) -> String {
    [
        "9876", "1357", "2604", "3719", "5083", "6142", "7295", "8031",
    ]
    .into_iter()
    .find(|d| texts.iter().all(|t| !t.contains(d)))
    .unwrap()
    .to_owned()
}

fn utf16(digits: &str, big_endian: bool) -> Vec<u8> {
    digits
        .encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ---- uploads and their answers --------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k3_k5_k10_a_user_uploads_four_digits_and_everything_else_is_refused_with_its_message() {
    let app = spawn(relaxed()).await;
    let me = person(&app, "+919876543210").await;
    let (code, body) = upload(&app, &me.token, &me.id, json!({"aadhaar_last4": "1234"})).await;
    assert_eq!(
        (code, body),
        (
            200,
            json!({"status": "success", "message": "eKYC data uploaded successfully",
                   "ekyc_status": "ocr_scanned", "aadhaar_masked": "XXXX-1234"})
        )
    );
    let cases = [
        (json!({}), REQUIRED),
        (json!({"aadhaar_last4": null}), REQUIRED),
        (json!({"aadhaar_last4": ""}), REQUIRED),
        (json!({"aadhaar_last4": "12345"}), FORMAT),
        (json!({"aadhaar_last4": "123"}), FORMAT),
        (json!({"aadhaar_last4": "abcd"}), FORMAT),
        (json!({"aadhaar_last4": "123456789012"}), FORMAT),
        (json!({"aadhaar_last4": 1234}), FORMAT),
        (json!({"aadhaar_last4": "१२३४"}), FORMAT),
        (json!({"aadhaar_last4": "١٢٣٤"}), FORMAT),
        (json!({"aadhaar_last4": "１２３４"}), FORMAT),
        (json!({"aadhaar_last4": " 1234"}), FORMAT),
        (json!({"aadhaar_last4": "12 34"}), FORMAT),
        (json!({"aadhaar_last4": "    "}), FORMAT),
        (json!({"aadhaar_last4": ["1234"]}), FORMAT),
    ];
    for (sent, message) in cases {
        let answer = upload(&app, &me.token, &me.id, sent.clone()).await;
        assert_eq!(answer, (400, json!({"aadhaar_last4": message})), "{sent}");
    }
    // A refused upload changes nothing: the first value and its status stay.
    assert_eq!(
        status(&app, &me.token, &me.id).await,
        (
            200,
            json!({"ekyc_status": "ocr_scanned", "aadhaar_masked": "XXXX-1234"})
        )
    );
    let (_, _, stored_status, _) = raw_row(&app, &me.id).await;
    assert_eq!(stored_status, "ocr_scanned");
    // Form bodies are read like JSON ones (API §1.2).
    let res = app
        .http
        .post(app.url(&upload_path(&me.id)))
        .bearer_auth(&me.token)
        .form(&[("aadhaar_last4", "4321")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap()["aadhaar_masked"],
        "XXXX-4321"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k4_the_database_holds_only_sealed_bytes_never_the_digits() {
    let app = spawn(relaxed()).await;
    let me = person(&app, "+917000111222").await;
    let key_id = app.config.encryption.as_ref().unwrap().current_id();
    let digits = digits_not_in(&[&me.id, &me.phone, key_id]);
    let (code, body) = upload(&app, &me.token, &me.id, json!({"aadhaar_last4": digits})).await;
    assert_eq!(code, 200, "{body}");
    let (sealed, stored_key, stored_status, text) = raw_row(&app, &me.id).await;
    let sealed = sealed.expect("a value is stored");
    assert_eq!(sealed.len(), 32, "nonce, four sealed bytes and the tag");
    assert!(!holds(&sealed, digits.as_bytes()));
    assert!(!holds(&sealed, &utf16(&digits, false)));
    assert!(!holds(&sealed, &utf16(&digits, true)));
    assert!(!String::from_utf8_lossy(&sealed).contains(&digits));
    assert_eq!(stored_key.as_deref(), Some(key_id));
    assert_eq!(stored_status, "ocr_scanned");
    assert!(
        !text.contains(&digits),
        "a text column holds the digits: {text}"
    );
    // Nor does the outbox: the announcement's payload (all known values) carries the status only.
    let outbox = app
        .db
        .client()
        .await
        .query("SELECT (envelope -> 'data')::text FROM outbox", &[])
        .await
        .unwrap();
    assert!(!outbox.is_empty());
    for row in outbox {
        let payload: String = row.get(0);
        assert!(!payload.contains(&digits), "{payload}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k6_the_answer_and_the_status_show_the_digits_masked_once() {
    let app = spawn(relaxed()).await;
    let me = person(&app, "+919111111110").await;
    let (code, body) = upload(&app, &me.token, &me.id, json!({"aadhaar_last4": "7890"})).await;
    assert_eq!((code, &body["aadhaar_masked"]), (200, &json!("XXXX-7890")));
    let res = app
        .http
        .get(app.url(&status_path(&me.id)))
        .bearer_auth(&me.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert_eq!(text.matches("7890").count(), 1, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        json!({"ekyc_status": "ocr_scanned", "aadhaar_masked": "XXXX-7890"})
    );
    // A re-upload replaces the value.
    upload(&app, &me.token, &me.id, json!({"aadhaar_last4": "0007"})).await;
    assert_eq!(
        status(&app, &me.token, &me.id).await.1["aadhaar_masked"],
        "XXXX-0007"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k9_a_user_with_nothing_stored_has_status_none_and_no_masked_value() {
    let app = spawn(relaxed()).await;
    let me = person(&app, "+919111111111").await;
    assert_eq!(
        status(&app, &me.token, &me.id).await,
        (200, json!({"ekyc_status": "none"}))
    );
    let (sealed, key_id, stored_status, _) = raw_row(&app, &me.id).await;
    assert_eq!(
        (sealed, key_id, stored_status.as_str()),
        (None, None, "none")
    );
}

// ---- who may, and the order of the checks -----------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn k7_another_user_may_neither_upload_nor_read() {
    let app = spawn(relaxed()).await;
    let owner = person(&app, "+919876543210").await;
    let other = person(&app, "+919000000001").await;
    let denied = (403, json!({"error": "Permission denied"}));
    assert_eq!(
        upload(
            &app,
            &other.token,
            &owner.id,
            json!({"aadhaar_last4": "1111"})
        )
        .await,
        denied
    );
    assert_eq!(status(&app, &other.token, &owner.id).await, denied);
    // Nothing was stored for the owner.
    assert_eq!(
        status(&app, &owner.token, &owner.id).await,
        (200, json!({"ekyc_status": "none"}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checks_come_in_the_order_401_404_403_400() {
    let app = spawn(relaxed()).await;
    let owner = person(&app, "+919222222220").await;
    let stranger = person(&app, "+919222222221").await;
    let no_user = (404, json!({"detail": "No User matches the given query."}));
    let invalid = json!({"aadhaar_last4": "12345"});

    let (code, body) = app
        .call(
            Method::POST,
            &upload_path(&owner.id),
            None,
            Some(invalid.clone()),
        )
        .await;
    assert_eq!(
        (code, body),
        (
            401,
            json!({"detail": "Authentication credentials were not provided."})
        )
    );
    // A stranger with invalid digits: 404 for a missing user (or a path that is no UUID), 403 for a
    // real one, whatever the body.
    assert_eq!(
        upload(&app, &stranger.token, MISSING_USER, invalid.clone()).await,
        no_user
    );
    assert_eq!(
        upload(&app, &stranger.token, "not-a-uuid", invalid.clone()).await,
        no_user
    );
    assert_eq!(status(&app, &stranger.token, MISSING_USER).await, no_user);
    assert_eq!(status(&app, &stranger.token, "12345").await, no_user);
    assert_eq!(
        upload(&app, &stranger.token, &owner.id, invalid.clone()).await,
        (403, json!({"error": "Permission denied"}))
    );
    let res = app
        .http
        .post(app.url(&upload_path(&owner.id)))
        .bearer_auth(&stranger.token)
        .header("Content-Type", "application/json")
        .body("{\"aadhaar_last4\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "the body is not read for a stranger");
    // The user themself: the body's verdict.
    assert_eq!(
        upload(&app, &owner.token, &owner.id, invalid).await,
        (400, json!({"aadhaar_last4": FORMAT}))
    );
    // Without the trailing slash too.
    let path = upload_path(&owner.id);
    let (code, _) = app
        .call(
            Method::POST,
            path.trim_end_matches('/'),
            Some(&owner.token),
            Some(json!({"aadhaar_last4": "2222"})),
        )
        .await;
    assert_eq!(code, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_upload_and_read_for_another_user() {
    let app = spawn(relaxed()).await;
    let admin = common::admin_token(&app).await;
    let user = person(&app, "+919333333330").await;
    let (code, body) = upload(&app, &admin, &user.id, json!({"aadhaar_last4": "5555"})).await;
    assert_eq!((code, &body["aadhaar_masked"]), (200, &json!("XXXX-5555")));
    assert_eq!(
        status(&app, &admin, &user.id).await,
        (
            200,
            json!({"ekyc_status": "ocr_scanned", "aadhaar_masked": "XXXX-5555"})
        )
    );
    // The user sees what staff stored.
    assert_eq!(
        status(&app, &user.token, &user.id).await.1["aadhaar_masked"],
        "XXXX-5555"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_encryption_key_ekyc_answers_503_after_the_other_checks() {
    let app = spawn_with(|config| {
        config.encryption = None;
        config.otp.per_minute = 100;
    })
    .await;
    let me = person(&app, "+919444444440").await;
    let stranger = person(&app, "+919444444441").await;
    let unconfigured = (503, json!({"error": "eKYC is not configured"}));
    assert_eq!(
        upload(&app, &me.token, &me.id, json!({"aadhaar_last4": "1234"})).await,
        unconfigured
    );
    assert_eq!(status(&app, &me.token, &me.id).await, unconfigured);
    assert_eq!(
        upload(&app, &me.token, &me.id, json!({"aadhaar_last4": "12"})).await,
        (400, json!({"aadhaar_last4": FORMAT}))
    );
    assert_eq!(
        upload(
            &app,
            &stranger.token,
            &me.id,
            json!({"aadhaar_last4": "1234"})
        )
        .await
        .0,
        403
    );
    assert_eq!(
        upload(
            &app,
            &stranger.token,
            MISSING_USER,
            json!({"aadhaar_last4": "1234"})
        )
        .await
        .0,
        404
    );
    let (sealed, _, stored_status, _) = raw_row(&app, &me.id).await;
    assert_eq!((sealed, stored_status.as_str()), (None, "none"));
}

// ---- keys: rotation and unknown keys --------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_a_value_under_a_retired_key_reads_and_reencrypt_moves_it_to_the_current_key() {
    let (old, new, lost) = (
        generate_key().unwrap(),
        generate_key().unwrap(),
        generate_key().unwrap(),
    );
    let before = keyring(&old, &[]);
    let rotated = keyring(&new, &[&old]);
    let served = rotated.clone();
    let app = spawn_with(move |config| {
        config.encryption = Some(served);
        config.otp.per_minute = 100;
    })
    .await;
    let early = person(&app, "+919555555550").await;
    let current = person(&app, "+919555555551").await;
    let orphan = person(&app, "+919555555552").await;
    // `early` uploaded before the rotation (sealed with the old key, stored by identity's store code);
    // `orphan`'s value is under a key identity no longer has; `current` uploads now.
    let mut conn = app.conn().await;
    let id = |p: &Person| p.id.parse::<uuid::Uuid>().unwrap();
    let sealed = before
        .seal(
            id(&early),
            &hm_identity::domain::ekyc::Last4::parse_str("2468").unwrap(),
        )
        .unwrap();
    hm_identity::store::ekyc::record_upload(&mut conn, id(&early), &sealed, None)
        .await
        .unwrap();
    let unknown = keyring(&lost, &[])
        .seal(
            id(&orphan),
            &hm_identity::domain::ekyc::Last4::parse_str("1357").unwrap(),
        )
        .unwrap();
    hm_identity::store::ekyc::record_upload(&mut conn, id(&orphan), &unknown, None)
        .await
        .unwrap();
    assert_eq!(
        upload(
            &app,
            &current.token,
            &current.id,
            json!({"aadhaar_last4": "8080"})
        )
        .await
        .0,
        200
    );

    assert_eq!(
        status(&app, &early.token, &early.id).await.1["aadhaar_masked"],
        "XXXX-2468"
    );
    assert_eq!(
        status(&app, &orphan.token, &orphan.id).await,
        (
            200,
            json!({"ekyc_status": "ocr_scanned", "aadhaar_masked": "XXXX-****"})
        )
    );
    assert_eq!(
        raw_row(&app, &early.id).await.1.as_deref(),
        Some(before.current_id())
    );

    let done = hm_identity::store::ekyc::reencrypt(&mut conn, &rotated)
        .await
        .unwrap();
    assert_eq!((done.rewritten, done.unreadable), (1, 1));
    let (bytes, key_id, _, _) = raw_row(&app, &early.id).await;
    assert_eq!(key_id.as_deref(), Some(rotated.current_id()));
    assert_ne!(bytes.unwrap(), sealed.bytes);
    assert_eq!(
        raw_row(&app, &current.id).await.1.as_deref(),
        Some(rotated.current_id())
    );
    assert_eq!(
        status(&app, &early.token, &early.id).await.1["aadhaar_masked"],
        "XXXX-2468"
    );
    // Once moved, the old key can go: the new ring alone still reads every readable value.
    let only_new = keyring(&new, &[]);
    let early_row = raw_row(&app, &early.id).await;
    let stored = hm_identity::ekyc::Sealed {
        bytes: early_row.0.unwrap(),
        key_id: early_row.1.unwrap(),
    };
    assert_eq!(only_new.open(id(&early), &stored).unwrap().as_str(), "2468");
    // A second run has nothing left to move; the orphan stays as it was.
    let again = hm_identity::store::ekyc::reencrypt(&mut conn, &rotated)
        .await
        .unwrap();
    assert_eq!((again.rewritten, again.unreadable), (0, 1));
    assert_eq!(raw_row(&app, &orphan.id).await.0.unwrap(), unknown.bytes);
}

// ---- the event and the back office ----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_of_ekyc_status_is_announced_with_the_write() {
    let app = spawn(relaxed()).await;
    let me = person(&app, "+919666666660").await;
    let mut updated = Listener::bind(&app.bus, "identity.user.updated").await;
    assert_eq!(
        upload(&app, &me.token, &me.id, json!({"aadhaar_last4": "3141"}))
            .await
            .0,
        200
    );
    let (event, _) = updated
        .next(Duration::from_secs(5))
        .await
        .expect("identity.user.updated via the outbox");
    assert_eq!(event["data"]["user_id"], me.id.as_str());
    assert_eq!(event["data"]["ekyc_status"], "ocr_scanned");
    assert!(
        !event.to_string().contains("3141"),
        "the event carries no digits"
    );
    // A re-upload leaves the status as it was: nothing new to announce.
    upload(&app, &me.token, &me.id, json!({"aadhaar_last4": "2718"})).await;
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE event_type = 'identity.user.updated'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_back_office_shows_ekyc_and_marks_it_verified() {
    let app = spawn(relaxed()).await;
    let admin = common::admin_token(&app).await;
    let me = person(&app, "+919777777770").await;
    let other = person(&app, "+919777777771").await;
    upload(&app, &me.token, &me.id, json!({"aadhaar_last4": "6174"})).await;
    let path = format!("/api/v1/admin/identity/users/{}/", me.id);

    let (code, row) = app.call(Method::GET, &path, Some(&admin), None).await;
    assert_eq!(code, 200, "{row}");
    assert_eq!(
        (&row["ekyc_status"], &row["aadhaar_masked"]),
        (&json!("ocr_scanned"), &json!("XXXX-6174"))
    );
    let (_, list) = app
        .call(
            Method::GET,
            "/api/v1/admin/identity/users/?ekyc_status=ocr_scanned",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(list["count"], 1, "{list}");
    assert_eq!(list["results"][0]["aadhaar_masked"], "XXXX-6174");
    let (_, list) = app
        .call(
            Method::GET,
            &format!(
                "/api/v1/admin/identity/users/?search={}",
                other.phone.replace('+', "%2B")
            ),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        (
            &list["results"][0]["ekyc_status"],
            &list["results"][0]["aadhaar_masked"]
        ),
        (&json!("none"), &Value::Null)
    );

    let mut updated = Listener::bind(&app.bus, "identity.user.updated").await;
    let (code, row) = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"ekyc_status": "verified"})),
        )
        .await;
    assert_eq!(code, 200, "{row}");
    assert_eq!(
        (&row["ekyc_status"], &row["aadhaar_masked"]),
        (&json!("verified"), &json!("XXXX-6174"))
    );
    // The upload's own update (`ocr_scanned`) may still be on its way when the listener binds: the
    // relay publishes when it gets to it (ARCHITECTURE §7). Only that one may come first.
    let verified = loop {
        let (event, _) = updated
            .next(Duration::from_secs(5))
            .await
            .expect("identity.user.updated via the outbox");
        match event["data"]["ekyc_status"].as_str() {
            Some("ocr_scanned") => continue,
            _ => break event,
        }
    };
    assert_eq!(verified["data"]["ekyc_status"], "verified");
    assert_eq!(
        status(&app, &me.token, &me.id).await.1["ekyc_status"],
        "verified"
    );
    let (code, body) = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"ekyc_status": "approved"})),
        )
        .await;
    assert_eq!(
        (code, body),
        (
            400,
            json!({"ekyc_status": ["\"approved\" is not a valid choice."]})
        )
    );
    // Users cannot verify themselves; a new upload needs checking again (DOMAIN §1.5).
    let (code, _) = app
        .call(
            Method::PATCH,
            &path,
            Some(&me.token),
            Some(json!({"ekyc_status": "verified"})),
        )
        .await;
    assert_eq!(code, 403);
    let (_, body) = upload(&app, &me.token, &me.id, json!({"aadhaar_last4": "6175"})).await;
    assert_eq!(body["ekyc_status"], "ocr_scanned");
}
