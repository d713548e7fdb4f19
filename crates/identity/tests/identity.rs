//! identity's integration tests, against real PostgreSQL, Redis and RabbitMQ (spec/TESTS.md §1 and the
//! acceptance list of issue #2).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{admin_token, spawn, Listener, Options};
use serde_json::{json, Value};
use std::time::Duration;

const OTP: &str = "/api/v1/auth/request-otp/";
const VERIFY: &str = "/api/v1/auth/verify-otp/";
const REFRESH: &str = "/api/v1/auth/refresh/";
const LOGOUT: &str = "/api/v1/auth/logout/";

fn relaxed() -> Options {
    Options {
        per_minute: 100,
        per_hour: 100,
        ..Options::default()
    }
}

// ---- request-otp --------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a1_request_otp_returns_request_id_ttl_and_dev_otp_in_debug() {
    let app = spawn(Options::default()).await;
    let (status, body) = app
        .post(OTP, json!({"phone": "+919999999999", "role": "worker"}))
        .await;
    assert_eq!(status, 200);
    assert!(uuid::Uuid::parse_str(body["request_id"].as_str().unwrap()).is_ok());
    assert_eq!(body["ttl"], 300);
    assert_eq!(body["message"], "OTP sent to +919999999999");
    assert_eq!(body["is_existing_user"], false);
    let code = body["dev_otp"].as_str().unwrap();
    assert!(code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_otp_is_never_sent_without_debug() {
    let app = spawn(Options {
        debug: false,
        ..Options::default()
    })
    .await;
    let (status, body) = app.post(OTP, json!({"phone": "+919999999998"})).await;
    assert_eq!(status, 200);
    assert!(body.get("dev_otp").is_none(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_otp_reaches_sms_delivery_as_an_expiring_event_without_touching_the_database() {
    let app = spawn(Options::default()).await;
    let mut sms = Listener::bind(&app.bus, "identity.otp.requested").await;
    let (_, body) = app.post(OTP, json!({"phone": "+919811111111"})).await;
    let (event, expiration) = sms
        .next(Duration::from_secs(5))
        .await
        .expect("otp event published");
    assert_eq!(event["type"], "identity.otp.requested");
    assert_eq!(event["source"], "identity");
    assert_eq!(event["data"]["phone"], "+919811111111");
    assert_eq!(event["data"]["otp"], body["dev_otp"]);
    assert_eq!(event["data"]["request_id"], body["request_id"]);
    assert_eq!(expiration.as_deref(), Some("300000"));
    // Never at rest: not in the outbox, and the audit row has no code.
    assert_eq!(
        app.count("SELECT count(*) FROM outbox WHERE event_type = 'identity.otp.requested'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM otp_logs WHERE action = 'request'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a2_second_request_within_a_minute_is_429() {
    let app = spawn(Options::default()).await;
    let (first, _) = app.post(OTP, json!({"phone": "+918888888888"})).await;
    let (second, body) = app.post(OTP, json!({"phone": "+918888888888"})).await;
    assert_eq!(first, 200);
    assert_eq!(second, 429);
    assert_eq!(
        body,
        json!({"error": "Too many requests. Please wait a minute."})
    );
    // Another phone is not affected.
    assert_eq!(
        app.post(OTP, json!({"phone": "+918888888889"})).await.0,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixth_request_in_an_hour_is_429() {
    let app = spawn(Options {
        per_minute: 100,
        ..Options::default()
    })
    .await;
    for _ in 0..5 {
        assert_eq!(
            app.post(OTP, json!({"phone": "+918888888880"})).await.0,
            200
        );
    }
    let (status, body) = app.post(OTP, json!({"phone": "+918888888880"})).await;
    assert_eq!(status, 429);
    assert_eq!(
        body,
        json!({"error": "Too many requests. Please try again later."})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_ip_limit_applies_across_phones() {
    let app = spawn(Options {
        per_ip_hour: 2,
        ..Options::default()
    })
    .await;
    assert_eq!(
        app.post(OTP, json!({"phone": "+917000000001"})).await.0,
        200
    );
    assert_eq!(
        app.post(OTP, json!({"phone": "+917000000002"})).await.0,
        200
    );
    let (status, body) = app.post(OTP, json!({"phone": "+917000000003"})).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"], "Too many requests. Please try again later.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_down_during_request_otp_is_503_and_consumes_no_slot() {
    let proxy = common::chaos_amqp().await;
    let app = spawn(Options {
        amqp_via: Some(proxy.addr()),
        ..Options::default()
    })
    .await;
    proxy.cut();
    let (status, body) = app.post(OTP, json!({"phone": "+919700000000"})).await;
    assert_eq!(status, 503);
    assert_eq!(body["code"], "sms_unavailable");
    assert!(body["detail"].as_str().unwrap().contains("SMS"));
    assert_eq!(app.count("SELECT count(*) FROM otp_logs").await, 0);
    proxy.restore();
    // The per-minute limit (1) was not used up by the failed attempt.
    let (status, body) = app.post(OTP, json!({"phone": "+919700000000"})).await;
    assert_eq!(status, 200, "{body}");
}

// ---- input validation ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_400_with_field_errors() {
    let app = spawn(relaxed()).await;
    let cases = [
        (json!({}), json!({"phone": ["This field is required."]})),
        (
            json!({"phone": "+9198765432101234"}),
            json!({"phone": ["Ensure this field has no more than 15 characters."]}),
        ),
        (
            json!({"phone": "98765"}),
            json!({"phone": ["Phone number must be entered in the format: '+999999999'. Up to 15 digits allowed."]}),
        ),
        (
            json!({"phone": ["+919876543210"]}),
            json!({"phone": ["Not a valid string."]}),
        ),
        (
            json!({"phone": "+919876543210", "role": "admin"}),
            json!({"role": ["\"admin\" is not a valid choice."]}),
        ),
        (
            json!({"phone": null}),
            json!({"phone": ["This field may not be null."]}),
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(app.post(OTP, body.clone()).await, (400, expected), "{body}");
    }
    let (status, body) = app
        .post(VERIFY, json!({"request_id": "nope", "otp": 1234567}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["request_id"], json!(["Must be a valid UUID."]));
    assert_eq!(
        body["otp"],
        json!(["Ensure this field has no more than 6 characters."])
    );
    let (status, body) = app
        .post(
            VERIFY,
            json!({"request_id": uuid::Uuid::new_v4(), "otp": "12"}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"otp": ["Ensure this field has at least 4 characters."]})
        )
    );

    let raw = |ct: &'static str, body: &'static str| {
        app.http
            .post(app.url(OTP))
            .header("Content-Type", ct)
            .body(body)
            .send()
    };
    let res = raw("application/json", "{\"phone\": ").await.unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .starts_with("JSON parse error - "));
    let res = raw("application/json", "[1, 2]").await.unwrap();
    assert_eq!(res.status(), 400);
    let res = raw("text/plain", "phone=1").await.unwrap();
    assert_eq!(res.status(), 415);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["detail"],
        "Unsupported media type \"text/plain\" in request."
    );
    let res = raw(
        "application/x-www-form-urlencoded",
        "phone=%2B919876500000&role=contractor",
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let huge = "x".repeat(2 * 1024 * 1024);
    let res = app
        .http
        .post(app.url(OTP))
        .header("Content-Type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_answer_without_trailing_slash_and_unknown_routes_are_json() {
    let app = spawn(relaxed()).await;
    assert_eq!(
        app.post(
            "/api/v1/auth/request-otp",
            json!({"phone": "+919876500001"})
        )
        .await
        .0,
        200
    );
    let res = app
        .http
        .get(app.url("/api/v1/nothing/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"detail": "Not found."})
    );
    let res = app.http.get(app.url(OTP)).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"detail": "Method \"GET\" not allowed."})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_is_401_even_on_public_endpoints() {
    let app = spawn(relaxed()).await;
    let res = app
        .http
        .post(app.url(OTP))
        .bearer_auth("garbage")
        .json(&json!({"phone": "+919876500002"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "token_not_valid");
    assert_eq!(body["messages"][0]["message"], "Token is invalid");
    let res = app
        .http
        .post(app.url(OTP))
        .header("Authorization", "Bearer a b")
        .json(&json!({"phone": "+919876500002"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.json::<Value>().await.unwrap()["code"],
        "bad_authorization_header"
    );
}

// ---- verify-otp ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a3_verify_creates_the_user_and_announces_it() {
    let app = spawn(relaxed()).await;
    let mut registered = Listener::bind(&app.bus, "identity.user.registered").await;
    let body = app.login("+917777777777", "contractor").await;
    assert_eq!(body["is_new_user"], true);
    assert_eq!(body["profile_exists"], false);
    assert_eq!(body["user"]["phone"], "+917777777777");
    assert_eq!(body["user"]["role"], "contractor");
    assert_eq!(body["user"]["is_phone_verified"], true);
    assert!(body["access"].as_str().unwrap().split('.').count() == 3);
    assert_eq!(
        app.count("SELECT count(*) FROM users WHERE phone = '+917777777777'")
            .await,
        1
    );
    let (event, _) = registered
        .next(Duration::from_secs(5))
        .await
        .expect("user.registered via the outbox");
    assert_eq!(event["data"]["phone"], "+917777777777");
    assert_eq!(event["data"]["role"], "contractor");

    // Second login: existing user, role unchanged even if another is asked for.
    let (_, otp) = app
        .post(OTP, json!({"phone": "+917777777777", "role": "worker"}))
        .await;
    assert_eq!(otp["is_existing_user"], true);
    assert_eq!(otp["message"], "Welcome back! OTP sent to +917777777777");
    let (_, again) = app
        .post(
            VERIFY,
            json!({"request_id": otp["request_id"], "otp": otp["dev_otp"]}),
        )
        .await;
    assert_eq!(again["is_new_user"], false);
    assert_eq!(again["user"]["role"], "contractor");
    assert_eq!(again["user"]["id"], body["user"]["id"]);
    assert_eq!(
        app.count("SELECT count(*) FROM otp_logs WHERE action = 'verify_success'")
            .await,
        2
    );
}

fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:04}", (n + 1) % 10_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a4_wrong_codes_count_and_the_fifth_burns_the_challenge() {
    let app = spawn(relaxed()).await;
    let (_, otp) = app.post(OTP, json!({"phone": "+916666666666"})).await;
    let bad = wrong(otp["dev_otp"].as_str().unwrap());
    for _ in 0..4 {
        let res = app
            .post(VERIFY, json!({"request_id": otp["request_id"], "otp": bad}))
            .await;
        assert_eq!(res, (400, json!({"error": "Invalid OTP."})));
    }
    let res = app
        .post(VERIFY, json!({"request_id": otp["request_id"], "otp": bad}))
        .await;
    assert_eq!(
        res,
        (
            400,
            json!({"error": "Too many failed attempts. Please request a new OTP."})
        )
    );
    // Burned: even the right code no longer works.
    let res = app
        .post(
            VERIFY,
            json!({"request_id": otp["request_id"], "otp": otp["dev_otp"]}),
        )
        .await;
    assert_eq!(
        res,
        (400, json!({"error": "Invalid or expired request ID."}))
    );
    assert_eq!(
        app.count("SELECT count(*) FROM otp_logs WHERE action = 'verify_fail'")
            .await,
        5
    );
    assert_eq!(app.count("SELECT count(*) FROM users").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_challenge_is_refused() {
    let app = spawn(Options {
        ttl: Duration::from_secs(1),
        ..relaxed()
    })
    .await;
    let (_, otp) = app.post(OTP, json!({"phone": "+916666666660"})).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let res = app
        .post(
            VERIFY,
            json!({"request_id": otp["request_id"], "otp": otp["dev_otp"]}),
        )
        .await;
    assert_eq!(
        res,
        (400, json!({"error": "Invalid or expired request ID."}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_code_cannot_be_replayed() {
    let app = spawn(relaxed()).await;
    let (_, otp) = app.post(OTP, json!({"phone": "+916666666661"})).await;
    let body = json!({"request_id": otp["request_id"], "otp": otp["dev_otp"]});
    assert_eq!(app.post(VERIFY, body.clone()).await.0, 200);
    assert_eq!(
        app.post(VERIFY, body).await,
        (400, json!({"error": "Invalid or expired request ID."}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_verifies_of_one_code_exactly_one_wins() {
    let app = spawn(relaxed()).await;
    for round in 0..5 {
        let phone = format!("+91666666670{round}");
        let (_, otp) = app.post(OTP, json!({"phone": phone})).await;
        let body = json!({"request_id": otp["request_id"], "otp": otp["dev_otp"]});
        let (a, b) = tokio::join!(
            app.post(VERIFY, body.clone()),
            app.post(VERIFY, body.clone())
        );
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 400], "round {round}");
    }
    assert_eq!(app.count("SELECT count(*) FROM refresh_tokens").await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_account_gets_no_tokens() {
    let app = spawn(relaxed()).await;
    app.login("+916666666690", "worker").await;
    app.deactivate("+916666666690").await;
    let (_, otp) = app.post(OTP, json!({"phone": "+916666666690"})).await;
    let res = app
        .post(
            VERIFY,
            json!({"request_id": otp["request_id"], "otp": otp["dev_otp"]}),
        )
        .await;
    assert_eq!(res, (403, json!({"error": "Account is disabled."})));
}

// ---- refresh and logout -------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let app = spawn(Options {
        reuse_grace: Duration::ZERO,
        ..relaxed()
    })
    .await;
    let login = app.login("+915555555550", "worker").await;
    let (status, first) = app
        .post(REFRESH, json!({"refresh": login["refresh"]}))
        .await;
    assert_eq!(status, 200);
    assert_ne!(first["refresh"], login["refresh"]);
    assert!(first["access"].is_string());
    // The rotated token comes back: theft suspected, the family dies.
    let res = app
        .post(REFRESH, json!({"refresh": login["refresh"]}))
        .await;
    assert_eq!(
        res,
        (
            401,
            json!({"detail": "Token is blacklisted", "code": "token_not_valid"})
        )
    );
    let res = app
        .post(REFRESH, json!({"refresh": first["refresh"]}))
        .await;
    assert_eq!(res.0, 401);
    // Another login of the same user is unaffected.
    let other = app.login("+915555555550", "worker").await;
    assert_eq!(
        app.post(REFRESH, json!({"refresh": other["refresh"]}))
            .await
            .0,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refreshes_share_one_successor_and_never_fork_the_family() {
    let app = spawn(Options {
        reuse_grace: Duration::from_secs(1),
        ..relaxed()
    })
    .await;
    let login = app.login("+915555555551", "worker").await;
    let live = "SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL";
    let body = json!({"refresh": login["refresh"]});
    let (a, b, c) = tokio::join!(
        app.post(REFRESH, body.clone()),
        app.post(REFRESH, body.clone()),
        app.post(REFRESH, body.clone())
    );
    assert_eq!((a.0, b.0, c.0), (200, 200, 200), "{a:?} {b:?} {c:?}");
    // One successor, whoever came second or third: the duplicates get the very same token.
    assert_ne!(a.1["refresh"], login["refresh"]);
    assert_eq!(a.1["refresh"], b.1["refresh"]);
    assert_eq!(a.1["refresh"], c.1["refresh"]);
    assert_eq!(app.count(live).await, 1);
    assert_eq!(app.count("SELECT count(*) FROM refresh_tokens").await, 2);

    // The successor rotates once; its own duplicate inside the window gets that next token again.
    let successor = json!({"refresh": a.1["refresh"]});
    let next = app.post(REFRESH, successor.clone()).await;
    assert_eq!(next.0, 200);
    let again = app.post(REFRESH, successor.clone()).await;
    assert_eq!(again.0, 200);
    assert_eq!(again.1["refresh"], next.1["refresh"]);
    assert_eq!(app.count(live).await, 1);

    // After the window, presenting a rotated token again is reuse: the whole family is revoked.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        app.post(REFRESH, successor).await,
        (
            401,
            json!({"detail": "Token is blacklisted", "code": "token_not_valid"})
        )
    );
    assert_eq!(app.count(live).await, 0);
    assert_eq!(
        app.post(REFRESH, json!({"refresh": next.1["refresh"]}))
            .await
            .0,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_refuses_what_is_not_a_live_refresh_token() {
    let app = spawn(relaxed()).await;
    let login = app.login("+915555555552", "worker").await;
    assert_eq!(
        app.post(REFRESH, json!({})).await,
        (400, json!({"refresh": ["This field is required."]}))
    );
    let res = app.post(REFRESH, json!({"refresh": login["access"]})).await;
    assert_eq!(
        res,
        (
            401,
            json!({"detail": "Token has wrong type", "code": "token_not_valid"})
        )
    );
    let res = app.post(REFRESH, json!({"refresh": "not.a.token"})).await;
    assert_eq!(
        res,
        (
            401,
            json!({"detail": "Token is invalid", "code": "token_not_valid"})
        )
    );
    app.deactivate("+915555555552").await;
    let res = app
        .post(REFRESH, json!({"refresh": login["refresh"]}))
        .await;
    assert_eq!(res.1["code"], "no_active_account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a5_logout_revokes_the_refresh_token() {
    let app = spawn(relaxed()).await;
    let login = app.login("+915555555555", "worker").await;
    let access = login["access"].as_str().unwrap();
    let (status, body) = app
        .post_auth(LOGOUT, access, json!({"refresh": login["refresh"]}))
        .await;
    assert_eq!((status, body.as_str()), (205, ""));
    let res = app
        .post(REFRESH, json!({"refresh": login["refresh"]}))
        .await;
    assert_eq!(
        res,
        (
            401,
            json!({"detail": "Token is blacklisted", "code": "token_not_valid"})
        )
    );
    // Already revoked, garbage, or someone else's: 400 with an empty body.
    assert_eq!(
        app.post_auth(LOGOUT, access, json!({"refresh": login["refresh"]}))
            .await,
        (400, String::new())
    );
    assert_eq!(
        app.post_auth(LOGOUT, access, json!({"refresh": "x.y.z"}))
            .await,
        (400, String::new())
    );
    let other = app.login("+915555555556", "worker").await;
    assert_eq!(
        app.post_auth(LOGOUT, access, json!({"refresh": other["refresh"]}))
            .await,
        (400, String::new())
    );
    // Without a refresh token: nothing to revoke, still 205.
    assert_eq!(app.post_auth(LOGOUT, access, json!({})).await.0, 205);
    // Without credentials: 401 with the challenge header.
    let res = app
        .http
        .post(app.url(LOGOUT))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer realm=\"api\"");
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"detail": "Authentication credentials were not provided."})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_refuses_tokens_of_inactive_or_deleted_users() {
    let app = spawn(relaxed()).await;
    let login = app.login("+915555555557", "employer").await;
    let access = login["access"].as_str().unwrap();
    let res = app
        .http
        .get(app.url("/api/v1/auth/me/"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["role"], "employer");
    assert!(me["date_joined"].as_str().unwrap().ends_with("+05:30"));
    app.deactivate("+915555555557").await;
    let res = app
        .http
        .get(app.url("/api/v1/auth/me/"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"detail": "User is inactive", "code": "user_inactive"})
    );
    // Identity never deletes an account (no store function does): a deleted user is only SQL.
    app.sql("DELETE FROM users").await;
    let res = app
        .http
        .get(app.url("/api/v1/auth/me/"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "user_not_found");
}

// ---- keys, admin, documents, probes -------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_eddsa_and_verify_against_the_published_jwks() {
    let app = spawn(relaxed()).await;
    let login = app.login("+914444444444", "worker").await;
    let jwks: hm_platform::auth::Jwks = app
        .http
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks.keys[0].kty, "OKP");
    assert_eq!(jwks.keys[0].crv, "Ed25519");
    let verifier =
        hm_platform::auth::TokenVerifier::with_keys(app.config.tokens.auth.clone(), &jwks);
    let claims = verifier
        .verify(
            login["access"].as_str().unwrap(),
            hm_platform::auth::TokenType::Access,
        )
        .await
        .unwrap();
    assert_eq!(
        claims.user_id.to_string(),
        login["user"]["id"].as_str().unwrap()
    );
    assert_eq!(claims.role, hm_contracts::Role::Worker);
    let jti = claims.jti.unwrap();
    assert!(
        jti.len() == 32
            && jti
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(claims.exp - claims.iat, 3600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_sign_in_with_email_and_password() {
    let app = spawn(relaxed()).await;
    let hash = hm_identity::passwords::hash("correct horse".into())
        .await
        .unwrap();
    let mut conn = app.conn().await;
    hm_identity::store::users::upsert_admin(&mut conn, "Admin@HunarMitra.com", &hash)
        .await
        .unwrap();
    let (status, body) = app
        .post(
            "/api/v1/auth/admin/login/",
            json!({"email": "admin@hunarmitra.com", "password": "correct horse"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["user"]["is_staff"], true);
    let wrong = app
        .post(
            "/api/v1/auth/admin/login/",
            json!({"email": "admin@hunarmitra.com", "password": "nope"}),
        )
        .await;
    assert_eq!(
        wrong,
        (
            401,
            json!({"detail": "No active account found with the given credentials"})
        )
    );
    let unknown = app
        .post(
            "/api/v1/auth/admin/login/",
            json!({"email": "x@y.z", "password": "correct horse"}),
        )
        .await;
    assert_eq!(unknown.0, 401);
    assert_eq!(
        app.post("/api/v1/auth/admin/login/", json!({})).await.0,
        400
    );
}

/// PATCH as `token`: status, `X-Error-Code` (empty when absent) and body.
async fn patch(app: &common::Api, path: &str, token: &str, body: Value) -> (u16, String, Value) {
    let res = app
        .http
        .patch(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let code = res
        .headers()
        .get("x-error-code")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, code, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_back_office_renames_and_deactivates_users_and_names_its_refusals() {
    let app = spawn(relaxed()).await;
    let admin = common::admin_token(&app).await;
    let mut updated = Listener::bind(&app.bus, "identity.user.updated").await;
    let login = app.login("+917000000001", "worker").await;
    let path = format!(
        "/api/v1/admin/identity/users/{}/",
        login["user"]["id"].as_str().unwrap()
    );

    let (status, code, user) = patch(&app, &path, &admin, json!({"first_name": "Asha"})).await;
    assert_eq!((status, code.as_str()), (200, ""), "{user}");
    assert_eq!(
        (&user["first_name"], &user["is_active"]),
        (&json!("Asha"), &json!(true))
    );
    let (event, _) = updated
        .next(Duration::from_secs(5))
        .await
        .expect("user.updated via the outbox");
    assert_eq!(event["data"]["first_name"], "Asha");

    // Deactivation ends the user's sessions: their refresh token is revoked.
    let (status, _, user) = patch(&app, &path, &admin, json!({"is_active": false})).await;
    assert_eq!(
        (status, &user["is_active"], &user["first_name"]),
        (200, &json!(false), &json!("Asha"))
    );
    let (status, body) = app
        .post(REFRESH, json!({"refresh": login["refresh"]}))
        .await;
    assert_eq!(
        (status, body),
        (
            401,
            json!({"detail": "Token is blacklisted", "code": "token_not_valid"})
        )
    );

    let unknown = "/api/v1/admin/identity/users/00000000-0000-0000-0000-000000000001/";
    assert_eq!(
        patch(&app, unknown, &admin, json!({"first_name": "X"})).await,
        (
            404,
            "no_such_user".into(),
            json!({"detail": "No User matches the given query."})
        )
    );
    let me = app
        .http
        .get(app.url("/api/v1/auth/me/"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let own = format!(
        "/api/v1/admin/identity/users/{}/",
        me["id"].as_str().unwrap()
    );
    assert_eq!(
        patch(&app, &own, &admin, json!({"is_active": false})).await,
        (
            400,
            "cannot_deactivate_self".into(),
            json!({"is_active": ["You cannot deactivate your own account."]})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_creates_the_demo_users_once_and_announces_them() {
    let app = spawn(relaxed()).await;
    let mut conn = app.conn().await;
    assert_eq!(hm_identity::seed::run(&mut conn).await.unwrap(), 4);
    assert_eq!(hm_identity::seed::run(&mut conn).await.unwrap(), 0);
    assert_eq!(app.count("SELECT count(*) FROM users").await, 4);
    // New users announced as registered, existing ones again as updated, each with its write.
    for kind in ["identity.user.registered", "identity.user.updated"] {
        let query = format!("SELECT count(*) FROM outbox WHERE event_type = '{kind}'");
        assert_eq!(app.count(&query).await, 4, "{kind}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_probes_and_metrics_are_served() {
    let app = spawn(relaxed()).await;
    let served = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    hm_platform::testing::assert_openapi_document("identity", &served, &[]);
    let doc: Value = serde_json::from_slice(&served).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/auth/request-otp/",
        "/api/v1/auth/verify-otp/",
        "/api/v1/auth/refresh/",
        "/api/v1/auth/logout/",
    ] {
        assert!(doc["paths"][path]["post"].is_object(), "{path} missing");
    }
    let request_schema = &doc["paths"]["/api/v1/auth/request-otp/"]["post"]["requestBody"];
    assert!(request_schema.is_object(), "request body documented");
    assert_eq!(
        app.http
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(
        ready["checks"],
        json!({"database": "ok", "redis": "ok", "broker": "ok"})
    );
    app.post(OTP, json!({"phone": "+919876500003"})).await;
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("route=\"/api/v1/auth/request-otp/\""),
        "{metrics}"
    );
}

// ---- events consumed ----------------------------------------------------------------------------

async fn publish(bus: &hm_platform::events::BusConfig, event: &hm_contracts::Event) {
    let broker = hm_platform::events::Broker::new(bus.clone());
    broker.publish(event, None).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_exists_follows_workforce_events_once_per_event() {
    let app = spawn(relaxed()).await;
    let login = app.login("+913333333333", "worker").await;
    let user_id: uuid::Uuid = login["user"]["id"].as_str().unwrap().parse().unwrap();
    let event = hm_contracts::Event::new(
        "workforce",
        "workforce.worker.created",
        None,
        hm_contracts::events::ProfileRef {
            profile_id: uuid::Uuid::new_v4(),
            user_id,
            profile: None,
            service_ids: None,
            last_seen: None,
        },
    )
    .into_json()
    .unwrap();
    publish(&app.bus, &event).await;
    publish(&app.bus, &event).await; // redelivery of the same event
    let seen = hm_platform::testing::eventually(Duration::from_secs(10), || async {
        (app.count("SELECT count(*) FROM users WHERE has_worker_profile")
            .await
            == 1)
            .then_some(())
    })
    .await;
    assert!(seen.is_some(), "projection updated");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.count("SELECT count(*) FROM inbox").await, 1);
    let again = app.login("+913333333333", "worker").await;
    assert_eq!(again["profile_exists"], true);
}

/// `src/schema.rs` is diesel's print-schema of the migrated database (ARCHITECTURE §2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_rs_is_what_the_migrations_make() {
    hm_platform::testing::assert_schema_generated::<hm_identity::Identity>(env!(
        "CARGO_MANIFEST_DIR"
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_otp_chart_counts_requests_and_verifications_per_hour_of_india() {
    let app = spawn(relaxed()).await;
    let admin = admin_token(&app).await;
    app.login("+917000000011", "worker").await;
    app.login("+917000000012", "employer").await;
    let (_, otp) = app
        .post(
            "/api/v1/auth/request-otp/",
            json!({"phone": "+917000000013", "role": "worker"}),
        )
        .await;
    let (status, _) = app
        .post(
            "/api/v1/auth/verify-otp/",
            json!({"request_id": otp["request_id"], "otp": "0000"}),
        )
        .await;
    assert_eq!(status, 400);
    // One request three hours ago.
    app.sql(
        "INSERT INTO otp_logs (id, phone, request_id, action, user_agent, created_at, updated_at) \
         VALUES (gen_random_uuid(), '+917000000014', gen_random_uuid(), 'request', '', \
                 now() - interval '3 hours', now() - interval '3 hours')",
    )
    .await;
    let chart = |query: &'static str| {
        let (app, admin) = (&app, &admin);
        async move {
            let res = app
                .http
                .get(app.url(&format!(
                    "/api/v1/admin/identity/stats/otp-per-hour/{query}"
                )))
                .bearer_auth(admin)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = chart("?hours=5").await;
    assert_eq!(status, 200, "{body}");
    let hours = body["hours"].as_array().unwrap();
    assert_eq!(hours.len(), 5);
    let now = hm_platform::time::local(chrono::Utc::now());
    // Each bucket starts on the hour in India (":30" in UTC) and the last is the current one.
    let last = hours[4]["hour"].as_str().unwrap();
    assert!(last.ends_with(":00:00+05:30"), "{last}");
    assert_eq!(&last[..13], now.format("%Y-%m-%dT%H").to_string());
    let (r, f, s) = (
        &hours[4]["requests"],
        &hours[4]["verify_failures"],
        &hours[4]["verify_successes"],
    );
    assert_eq!((r, f, s), (&json!(3), &json!(1), &json!(2)), "{body}");
    assert_eq!(hours[1]["requests"], 1, "three hours ago: {body}");
    assert_eq!(
        hours
            .iter()
            .map(|h| h["requests"].as_i64().unwrap())
            .sum::<i64>(),
        4
    );
    let (_, body) = chart("").await;
    assert_eq!(body["hours"].as_array().unwrap().len(), 48);
    for bad in ["?hours=0", "?hours=721", "?hours=two"] {
        let (status, body) = chart(bad).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(
            body,
            json!({"hours": ["Enter a whole number from 1 to 720."]})
        );
    }
    let worker = app.login("+917000000015", "worker").await;
    let (status, _) = chart("").await;
    assert_eq!(status, 200);
    let res = app
        .http
        .get(app.url("/api/v1/admin/identity/stats/otp-per-hour/"))
        .bearer_auth(worker["access"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
}
