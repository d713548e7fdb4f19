//! Hostile input through the gateway (issue #15): every fault of the issue, and the other members of
//! its kind, as a client or an attacker sends them, each checked by what the client sees and by what
//! the services stored (nothing on a refusal, exactly one row after a race).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures_util::future::join_all;
use hm_e2e::{Stack, Timer};
use reqwest::Method;
use serde_json::{json, Value};

const NUL: &str = "Null characters are not allowed.";

/// A signed-in person with a profile.
struct Account {
    token: String,
    profile_id: String,
}

async fn worker(stack: &Stack, phone: &str) -> Account {
    let (token, _) = stack.login(phone, "worker").await;
    let (status, profile) = stack
        .call(
            Method::POST,
            "/api/v1/workers/",
            Some(&token),
            Some(json!({"skills": ["plumbing"], "bio": "Plumber, Aminabad",
                        "latitude": "26.8467", "longitude": "80.9462"})),
        )
        .await;
    assert_eq!(status, 201, "{profile}");
    Account {
        token,
        profile_id: profile["id"].as_str().unwrap().to_owned(),
    }
}

async fn contractor(stack: &Stack, phone: &str) -> Account {
    let (token, _) = stack.login(phone, "contractor").await;
    let (status, profile) = stack
        .call(
            Method::POST,
            "/api/v1/contractors/",
            Some(&token),
            Some(json!({"company_name": "Verma Builders"})),
        )
        .await;
    assert_eq!(status, 201, "{profile}");
    Account {
        token,
        profile_id: profile["id"].as_str().unwrap().to_owned(),
    }
}

fn field_error(field: &str, message: &str) -> Value {
    json!({ field: [message] })
}

/// A multipart body of text fields, as the reference's own tests post them (API §1.2).
fn multipart(fields: &[(&str, &str)]) -> (String, String) {
    let boundary = "hmBoundary7MA4YWxk";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_input_gets_a_clear_4xx_and_changes_nothing() {
    let _total = Timer::start("hostile: total");
    let stack = Stack::start().await;
    let plumbing = stack.service_id("plumber").await;
    let w = worker(&stack, "+919844400001").await;
    let c = contractor(&stack, "+919844400002").await;

    {
        let _t = Timer::start("hostile 1: NUL characters in bodies and queries");
        let me = format!("/api/v1/workers/{}/", w.profile_id);
        let (status, body) = stack
            .call(
                Method::PATCH,
                &me,
                Some(&w.token),
                Some(json!({"bio": "a\u{0}b"})),
            )
            .await;
        assert_eq!((status, body), (400, field_error("bio", NUL)));
        let (_, profile) = stack.call(Method::GET, &me, None, None).await;
        assert_eq!(profile["bio"], "Plumber, Aminabad", "nothing was changed");

        for (path, body, field) in [
            (
                "/api/v1/jobs/",
                json!({"title": "Pipe\u{0}", "description": "d", "service": plumbing}),
                "title",
            ),
            (
                "/api/v1/bookings/",
                json!({"service": plumbing, "address": "Gomti Nagar", "notes": "ring\u{0}bell"}),
                "notes",
            ),
            ("/api/v1/sites/", json!({"name": "Site\u{0}"}), "name"),
            (
                "/api/v1/sites/",
                json!({"name": "Site", "metadata": {"floor\u{0}": "2"}}),
                "metadata",
            ),
            (
                "/api/v1/sites/",
                json!({"name": "Site", "metadata": {"floors": ["2\u{0}"]}}),
                "metadata",
            ),
        ] {
            let (status, answer) = stack
                .call(Method::POST, path, Some(&c.token), Some(body))
                .await;
            assert_eq!((status, answer), (400, field_error(field, NUL)), "{path}");
        }
        assert_eq!(stack.count("jobs", "SELECT count(*) FROM jobs").await, 0);
        assert_eq!(
            stack.count("jobs", "SELECT count(*) FROM bookings").await,
            0
        );
        assert_eq!(
            stack.count("workforce", "SELECT count(*) FROM sites").await,
            0
        );
        let (status, answer) = stack
            .call(Method::GET, "/api/v1/jobs/?status=open%00", None, None)
            .await;
        assert_eq!((status, answer), (400, field_error("status", NUL)));
        let (status, answer) = stack
            .call(
                Method::GET,
                "/api/v1/admin/identity/users/?search=%00",
                Some(&stack.admin_login().await),
                None,
            )
            .await;
        assert_eq!((status, answer), (400, field_error("search", NUL)));
    }

    {
        let _t = Timer::start("hostile 2: digits of other scripts");
        let users = "SELECT count(*) FROM users";
        let before = stack.count("identity", users).await;
        let request = |phone: &'static str| {
            stack.call(
                Method::POST,
                "/api/v1/auth/request-otp/",
                None,
                Some(json!({"phone": phone, "role": "worker"})),
            )
        };
        let (status, _) = request("+919844400009").await;
        assert_eq!(status, 200);
        // The same number in Devanagari, full-width and Arabic-Indic digits: not a phone number, so
        // neither a second account nor a way around the per-phone limit.
        for phone in ["+९१९८४४४०००९", "+９１９８４４４０００９", "+٩١٩٨٤٤٤٠٠٠٩"]
        {
            let (status, answer) = request(phone).await;
            assert_eq!(
                (status, answer),
                (
                    400,
                    field_error(
                        "phone",
                        "Phone number must be entered in the format: '+999999999'. Up to 15 digits allowed."
                    )
                ),
                "{phone}"
            );
        }
        let (status, answer) = request("+919844400009").await;
        assert_eq!(
            (status, answer),
            (
                429,
                json!({"error": "Too many requests. Please wait a minute."})
            )
        );
        assert_eq!(stack.count("identity", users).await, before);
        assert_eq!(
            stack
                .count(
                    "identity",
                    "SELECT count(*) FROM otp_logs WHERE phone !~ '^[+]?[0-9]+$'"
                )
                .await,
            0,
            "no OTP was issued to another spelling"
        );
    }

    {
        let _t = Timer::start("hostile 3: null or blank where a number is required");
        for (lat, message) in [
            (Value::Null, "This field may not be null."),
            (json!(""), "A valid number is required."),
            (json!("२६.८"), "A valid number is required."),
        ] {
            let (status, answer) = stack
                .call(
                    Method::POST,
                    "/api/v1/workers/me/location/",
                    Some(&w.token),
                    Some(json!({"lat": lat, "lng": 80.9})),
                )
                .await;
            assert_eq!((status, answer), (400, field_error("lat", message)));
        }
        let (_, profile) = stack
            .call(Method::GET, "/api/v1/workers/me/", Some(&w.token), None)
            .await;
        assert_eq!(
            profile["latitude"], "26.846700",
            "the location is unchanged"
        );
        let (status, answer) = stack
            .call(
                Method::POST,
                "/api/v1/jobs/",
                Some(&c.token),
                Some(
                    json!({"title": "t", "description": "d", "service": plumbing, "budget": "abc"}),
                ),
            )
            .await;
        assert_eq!(
            (status, answer),
            (400, field_error("budget", "A valid number is required."))
        );
    }

    {
        let _t = Timer::start("hostile 4: create races decided by the database");
        let (token, _) = stack.login("+919844400003", "worker").await;
        let creates = (0..6).map(|_| {
            stack.call(
                Method::POST,
                "/api/v1/workers/",
                Some(&token),
                Some(json!({"bio": "x"})),
            )
        });
        let mut answers = join_all(creates).await;
        answers.sort_by_key(|(status, _)| *status);
        assert_eq!(answers[0].0, 201, "{answers:?}");
        for (status, body) in &answers[1..] {
            assert_eq!(
                (*status, body),
                (
                    400,
                    &json!({"error": "Worker profile already exists for this user."})
                )
            );
        }
        let (token, user) = stack.login("+919844400004", "contractor").await;
        let creates = (0..6).map(|_| {
            stack.call(
                Method::POST,
                "/api/v1/contractors/",
                Some(&token),
                Some(json!({"company_name": "Twice"})),
            )
        });
        let mut answers = join_all(creates).await;
        answers.sort_by_key(|(status, _)| *status);
        assert_eq!(answers[0].0, 201, "{answers:?}");
        assert!(answers[1..].iter().all(|(s, b)| *s == 400
            && *b == field_error("user", "contractor profile with this user already exists.")));
        assert_eq!(
            stack
                .count(
                    "workforce",
                    &format!("SELECT count(*) FROM contractor_profiles WHERE user_id = '{user}'")
                )
                .await,
            1
        );
        assert_eq!(
            stack
                .count(
                    "workforce",
                    "SELECT count(*) FROM worker_profiles GROUP BY user_id ORDER BY 1 DESC LIMIT 1"
                )
                .await,
            1,
            "one profile per user"
        );
    }

    {
        let _t = Timer::start("hostile 5: concurrent refreshes keep one chain");
        let (status, tokens) = stack
            .call(
                Method::POST,
                "/api/v1/auth/admin/login/",
                None,
                Some(json!({"email": hm_e2e::ADMIN_EMAIL, "password": hm_e2e::ADMIN_PASSWORD})),
            )
            .await;
        assert_eq!(status, 200);
        // A client refreshing because its access token expired may still send it: ignored (API §3.3).
        let refreshes = (0..3).map(|_| {
            stack
                .http()
                .post(stack.url("/api/v1/auth/refresh/"))
                .bearer_auth("x.y.z")
                .json(&json!({"refresh": tokens["refresh"]}))
                .send()
        });
        let mut successors = Vec::new();
        for res in join_all(refreshes).await {
            let res = res.unwrap();
            assert_eq!(res.status(), 200);
            let body: Value = res.json().await.unwrap();
            successors.push(body["refresh"].clone());
        }
        assert!(
            successors.iter().all(|s| *s == successors[0]),
            "one successor"
        );
    }

    {
        let _t = Timer::start("hostile 6: kiosk check-in of nobody");
        let (status, kiosk) = stack
            .call(
                Method::POST,
                "/api/v1/kiosks/",
                Some(&c.token),
                Some(json!({"device_uuid": "KIOSK_HOSTILE", "location_name": "Gate 1"})),
            )
            .await;
        assert_eq!(status, 201, "{kiosk}");
        let res = stack
            .http()
            .post(stack.url("/api/v1/attendance/kiosk/check-in/"))
            .header("X-Kiosk-Token", kiosk["device_token"].as_str().unwrap())
            .json(&json!({"worker_id": uuid::Uuid::new_v4(), "kiosk_id": kiosk["id"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        assert_eq!(
            res.json::<Value>().await.unwrap(),
            json!({"detail": "Worker not found"})
        );
        assert_eq!(
            stack
                .count("workforce", "SELECT count(*) FROM attendance_logs")
                .await,
            0
        );
    }

    {
        let _t = Timer::start("hostile 7: multipart bodies");
        let (content_type, body) = multipart(&[("phone", "+919844400005"), ("role", "worker")]);
        let res = stack
            .http()
            .post(stack.url("/api/v1/auth/request-otp/"))
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let (token, _) = {
            let code = stack.sms_code("+919844400005").await;
            let otp: Value = res.json().await.unwrap();
            let (content_type, body) = multipart(&[
                ("request_id", otp["request_id"].as_str().unwrap()),
                ("otp", &code),
            ]);
            let res = stack
                .http()
                .post(stack.url("/api/v1/auth/verify-otp/"))
                .header("Content-Type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            let tokens: Value = res.json().await.unwrap();
            (tokens["access"].as_str().unwrap().to_owned(), ())
        };
        let (content_type, body) = multipart(&[("bio", "Mason"), ("experience_years", "7")]);
        let res = stack
            .http()
            .post(stack.url("/api/v1/workers/"))
            .bearer_auth(&token)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let profile: Value = res.json().await.unwrap();
        assert_eq!(
            (&profile["bio"], &profile["experience_years"]),
            (&json!("Mason"), &json!(7))
        );
    }

    {
        let _t = Timer::start("hostile 8: HEAD and Allow");
        for path in [
            "/api/v1/services/",
            "/api/v1/health/",
            "/api/v1/app-config/",
        ] {
            let res = stack.http().head(stack.url(path)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            let length: usize = res.headers()["content-length"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(length > 0, "{path}: the GET's length");
            assert!(res.bytes().await.unwrap().is_empty(), "{path}: no body");
        }
        let res = stack
            .http()
            .delete(stack.url("/api/v1/services/"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405);
        assert_eq!(res.headers()["allow"], "GET, HEAD");
    }

    {
        let _t = Timer::start("hostile 9: any non-negative radius");
        for radius in ["0", "200", "20000"] {
            for endpoint in ["nearby", "search/nearby"] {
                let path = format!(
                    "/api/v1/workers/{endpoint}/?lat=26.8467&lng=80.9462&radius_km={radius}"
                );
                let (status, page) = stack.call(Method::GET, &path, None, None).await;
                assert_eq!(status, 200, "{path}: {page}");
            }
        }
    }

    {
        let _t = Timer::start("hostile 10: tokens and exposure");
        for (service, path) in [
            ("catalog", "/api/v1/services/"),
            ("workforce", "/api/v1/workers/"),
            ("jobs", "/api/v1/jobs/"),
            ("identity", "/.well-known/jwks.json"),
            ("notifications", "/healthz"),
        ] {
            let (status, body) = stack
                .call_service(service, Method::GET, path, Some("x.y.z"), None)
                .await;
            assert_eq!(status, 401, "{service} {path}: {body}");
            assert_eq!(body["code"], "token_not_valid");
        }
        let res = stack
            .http()
            .get(stack.url("/metrics"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "no metrics on the clients' port");
        let res = stack
            .http()
            .get(stack.gateway_metrics_url())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("hm_http_requests_total"));
    }

    {
        let _t = Timer::start("hostile 11: URLs and dates");
        let me = format!("/api/v1/workers/{}/", w.profile_id);
        for url in ["http://", "http://exa mple.com/", "ftp://example.com/a.mp3"] {
            let (status, answer) = stack
                .call(
                    Method::PATCH,
                    &me,
                    Some(&w.token),
                    Some(json!({"intro_audio_url": url})),
                )
                .await;
            assert_eq!(
                (status, answer),
                (400, field_error("intro_audio_url", "Enter a valid URL.")),
                "{url}"
            );
        }
        let (status, answer) = stack
            .call(
                Method::PATCH,
                &format!("/api/v1/contractors/{}/", c.profile_id),
                Some(&c.token),
                Some(json!({"website": "http://exa mple.com/"})),
            )
            .await;
        assert_eq!(
            (status, answer),
            (400, field_error("website", "Enter a valid URL."))
        );
        let (status, answer) = stack
            .call(
                Method::POST,
                "/api/v1/sites/",
                Some(&c.token),
                Some(json!({"name": "Old site", "start_date": "0000-01-01"})),
            )
            .await;
        assert_eq!(
            (status, answer),
            (
                400,
                field_error(
                    "start_date",
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                )
            )
        );
        assert_eq!(
            stack.count("workforce", "SELECT count(*) FROM sites").await,
            0
        );
    }
}
