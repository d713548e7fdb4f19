//! The back office's admin APIs (issue #9) through the gateway and past it: admins only, the dashboard's
//! numbers from the seed data, search and filters, and a deactivated user's login refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hm_e2e::{Stack, Timer};
use reqwest::Method;
use serde_json::json;

/// Every admin endpoint: (service, method, path).
const ADMIN_ENDPOINTS: &[(&str, &str, &str)] = &[
    ("identity", "GET", "/api/v1/admin/identity/stats/"),
    ("identity", "GET", "/api/v1/admin/identity/users/"),
    (
        "identity",
        "GET",
        "/api/v1/admin/identity/users/00000000-0000-0000-0000-000000000001/",
    ),
    (
        "identity",
        "PATCH",
        "/api/v1/admin/identity/users/00000000-0000-0000-0000-000000000001/",
    ),
    ("identity", "GET", "/api/v1/admin/identity/otp-logs/"),
    ("catalog", "GET", "/api/v1/admin/catalog/stats/"),
    ("catalog", "GET", "/api/v1/admin/catalog/services/"),
    ("catalog", "POST", "/api/v1/admin/catalog/services/"),
    (
        "catalog",
        "PATCH",
        "/api/v1/admin/catalog/services/00000000-0000-0000-0000-000000000001/",
    ),
    (
        "catalog",
        "DELETE",
        "/api/v1/admin/catalog/services/00000000-0000-0000-0000-000000000001/",
    ),
    ("catalog", "GET", "/api/v1/admin/catalog/themes/"),
    ("catalog", "POST", "/api/v1/admin/catalog/themes/"),
    (
        "catalog",
        "PATCH",
        "/api/v1/admin/catalog/themes/00000000-0000-0000-0000-000000000001/",
    ),
    (
        "catalog",
        "DELETE",
        "/api/v1/admin/catalog/themes/00000000-0000-0000-0000-000000000001/",
    ),
    ("catalog", "GET", "/api/v1/admin/catalog/app-banners/"),
    ("catalog", "POST", "/api/v1/admin/catalog/app-banners/"),
    (
        "catalog",
        "PATCH",
        "/api/v1/admin/catalog/app-banners/00000000-0000-0000-0000-000000000001/",
    ),
    (
        "catalog",
        "DELETE",
        "/api/v1/admin/catalog/app-banners/00000000-0000-0000-0000-000000000001/",
    ),
    ("catalog", "GET", "/api/v1/admin/catalog/promo-banners/"),
    ("catalog", "POST", "/api/v1/admin/catalog/promo-banners/"),
    (
        "catalog",
        "PATCH",
        "/api/v1/admin/catalog/promo-banners/00000000-0000-0000-0000-000000000001/",
    ),
    (
        "catalog",
        "DELETE",
        "/api/v1/admin/catalog/promo-banners/00000000-0000-0000-0000-000000000001/",
    ),
    ("catalog", "GET", "/api/v1/admin/catalog/help-pages/"),
    ("catalog", "POST", "/api/v1/admin/catalog/help-pages/"),
    (
        "catalog",
        "PATCH",
        "/api/v1/admin/catalog/help-pages/00000000-0000-0000-0000-000000000001/",
    ),
    (
        "catalog",
        "DELETE",
        "/api/v1/admin/catalog/help-pages/00000000-0000-0000-0000-000000000001/",
    ),
    ("catalog", "GET", "/api/v1/admin/catalog/faqs/"),
    ("catalog", "POST", "/api/v1/admin/catalog/faqs/"),
    (
        "catalog",
        "PATCH",
        "/api/v1/admin/catalog/faqs/00000000-0000-0000-0000-000000000001/",
    ),
    (
        "catalog",
        "DELETE",
        "/api/v1/admin/catalog/faqs/00000000-0000-0000-0000-000000000001/",
    ),
    (
        "catalog",
        "GET",
        "/api/v1/admin/catalog/services/00000000-0000-0000-0000-000000000001/",
    ),
    (
        "catalog",
        "POST",
        "/api/v1/admin/catalog/themes/00000000-0000-0000-0000-000000000001/activate/",
    ),
    ("catalog", "GET", "/api/v1/admin/catalog/flags/"),
    ("catalog", "POST", "/api/v1/admin/catalog/flags/"),
    ("catalog", "PATCH", "/api/v1/admin/catalog/flags/FEATURE_X/"),
    (
        "catalog",
        "DELETE",
        "/api/v1/admin/catalog/flags/FEATURE_X/",
    ),
    ("catalog", "GET", "/api/v1/admin/catalog/translations/"),
    ("catalog", "POST", "/api/v1/admin/catalog/translations/"),
    (
        "catalog",
        "DELETE",
        "/api/v1/admin/catalog/translations/en/x/",
    ),
    ("workforce", "GET", "/api/v1/admin/workforce/stats/"),
    ("workforce", "GET", "/api/v1/admin/workforce/workers/"),
    ("workforce", "GET", "/api/v1/admin/workforce/contractors/"),
    ("workforce", "GET", "/api/v1/admin/workforce/sites/"),
    ("workforce", "GET", "/api/v1/admin/workforce/kiosks/"),
    (
        "workforce",
        "POST",
        "/api/v1/admin/workforce/kiosks/00000000-0000-0000-0000-000000000001/rotate-token/",
    ),
    ("jobs", "GET", "/api/v1/admin/jobs/stats/"),
    ("jobs", "GET", "/api/v1/admin/jobs/jobs/"),
    ("jobs", "GET", "/api/v1/admin/jobs/bookings/"),
    ("jobs", "GET", "/api/v1/admin/jobs/payments/"),
    ("notifications", "GET", "/api/v1/admin/notifications/stats/"),
    (
        "notifications",
        "GET",
        "/api/v1/admin/notifications/notifications/",
    ),
    (
        "notifications",
        "GET",
        "/api/v1/admin/notifications/sms-log/",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_admin_apis_are_for_admins_and_answer_from_real_data() {
    let _total = Timer::start("back office APIs: total");
    let stack = Stack::start().await;
    let (worker, _) = stack.login("+919866600001", "worker").await;
    let admin = stack.admin_login().await;
    {
        let _t = Timer::start("back office APIs: 403 for a worker, everywhere");
        for (service, method, path) in ADMIN_ENDPOINTS {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let body = Some(json!({}));
            let (status, _) = stack
                .call(method.clone(), path, Some(&worker), body.clone())
                .await;
            assert_eq!(status, 403, "gateway {method} {path}");
            // And the service itself refuses, should anyone get past the gateway.
            let (status, _) = stack
                .call_service(service, method.clone(), path, Some(&worker), body)
                .await;
            assert_eq!(status, 403, "{service} {method} {path}");
            if method == Method::GET {
                let (status, answer) = stack.call(method.clone(), path, Some(&admin), None).await;
                let expected = if path.contains("0000-000000000001") {
                    404
                } else {
                    200
                };
                assert_eq!(status, expected, "admin {method} {path}: {answer}");
            }
        }
    }

    // The seed's users, and the admin and the worker of this test.
    let (_, stats) = stack
        .call(
            Method::GET,
            "/api/v1/admin/identity/stats/",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        stats["users_by_role"],
        json!({"worker": 3, "contractor": 1, "employer": 1, "admin": 1}),
        "{stats}"
    );
    assert!(stats["otp_requests_last_hour"].as_i64().unwrap() >= 1);
    let (_, sms) = stack
        .call(
            Method::GET,
            "/api/v1/admin/notifications/stats/",
            Some(&admin),
            None,
        )
        .await;
    assert!(
        sms["otp_sms_sent_last_hour"].as_i64().unwrap() >= 1,
        "{sms}"
    );

    // Search and filters.
    let (_, found) = stack
        .call(
            Method::GET,
            "/api/v1/admin/identity/users/?search=9876543211",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(found["count"], 1, "{found}");
    assert_eq!(found["results"][0]["first_name"], "Vikram");
    let (status, bad) = stack
        .call(
            Method::GET,
            "/api/v1/admin/identity/users/?role=wizard",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 400);
    assert!(bad["role"].is_array(), "{bad}");
    let (status, _) = stack
        .call(
            Method::GET,
            "/api/v1/admin/jobs/bookings/?payment_method=card",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 400);
    let (status, page) = stack
        .call(
            Method::GET,
            "/api/v1/admin/identity/users/?page=9",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!((status, &page["detail"]), (404, &json!("Invalid page.")));

    // Deactivating a user refuses their next login, and says so in the projection of other services.
    let vikram = found["results"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/admin/identity/users/{vikram}/");
    let (status, user) = stack
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"is_active": false})),
        )
        .await;
    assert_eq!((status, &user["is_active"]), (200, &json!(false)), "{user}");
    stack.assert_login_refused("+919876543211").await;
    // A kiosk's token is rotated: the old one stops working, the new one is accepted.
    let (status, kiosk) = stack
        .call(
            Method::POST,
            "/api/v1/kiosks/",
            Some(&admin),
            Some(json!({"device_uuid": "KIOSK-E2E-1", "location_name": "Gate 2"})),
        )
        .await;
    assert_eq!(status, 201, "{kiosk}");
    let path = format!(
        "/api/v1/admin/workforce/kiosks/{}/rotate-token/",
        kiosk["id"].as_str().unwrap()
    );
    let (status, rotated) = stack.call(Method::POST, &path, Some(&admin), None).await;
    assert_eq!(status, 200, "{rotated}");
    let check_in = |token: String| {
        let url = format!("{}/api/v1/attendance/kiosk/check-in/", stack.gateway);
        let body = json!({"kiosk_id": kiosk["id"], "worker_id": uuid::Uuid::new_v4()});
        async move {
            reqwest::Client::new()
                .post(url)
                .header("X-Kiosk-Token", token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let old = kiosk["device_token"].as_str().unwrap().to_owned();
    let new = rotated["device_token"].as_str().unwrap().to_owned();
    assert_ne!(old, new);
    assert_eq!(check_in(old).await, 401);
    assert_ne!(check_in(new).await, 401, "the new token is the kiosk's");

    // An admin cannot lock themselves out.
    let (_, me) = stack
        .call(Method::GET, "/api/v1/auth/me/", Some(&admin), None)
        .await;
    let (status, _) = stack
        .call(
            Method::PATCH,
            &format!(
                "/api/v1/admin/identity/users/{}/",
                me["id"].as_str().unwrap()
            ),
            Some(&admin),
            Some(json!({"is_active": false})),
        )
        .await;
    assert_eq!(status, 400);
}
