//! `hm-catalog seed`: the seed data of spec/CONFIG.md §4 (the reference's services exactly; ARCHITECTURE
//! §12.2: `plumbing`, the seed README's example, is an alias of `plumber`), idempotent: services and help upserted, flags created if missing, demo promo banners
//! replaced as a set, the demo theme and app banners created once.

use crate::store::banners::{self, NewAppBanner, NewPromoBanner};
use crate::store::content::{self, NewFaq, NewHelpPage};
use crate::store::flags;
use crate::store::services::{self, NewService};
use crate::store::themes::{self, NewTheme};
use chrono::{Duration, Utc};
use diesel::QueryResult;
use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hm_platform::events::enqueue;
use serde_json::json;
use uuid::Uuid;

type Row = (
    i32,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const SERVICES: [Row; 7] = [
    (
        1,
        "plumber",
        "Plumber",
        "Plumber",
        "प्लंबर",
        "construction",
        "Water supply and drainage systems",
        "services/icons/plumber.png",
    ),
    (
        2,
        "electrician",
        "Electrician",
        "Electrician",
        "इलेक्ट्रीशियन",
        "construction",
        "Electrical wiring and repairs",
        "services/icons/electrician.png",
    ),
    (
        3,
        "mason",
        "Mason",
        "Mason",
        "राजमिस्त्री",
        "construction",
        "Bricklaying and construction work",
        "services/icons/mason.png",
    ),
    (
        4,
        "carpenter",
        "Carpenter",
        "Carpenter",
        "बढ़ई",
        "construction",
        "Wood and furniture work",
        "services/icons/carpenter.png",
    ),
    (
        5,
        "tile-worker",
        "Tile Worker",
        "Tile Worker",
        "टाइल मजदूर",
        "construction",
        "Floor and wall tiling",
        "services/icons/tile_worker.png",
    ),
    (
        6,
        "painter",
        "Painter",
        "Painter",
        "पेंटर",
        "home_services",
        "Interior and exterior painting",
        "services/icons/painter.png",
    ),
    (
        7,
        "labour",
        "Labour",
        "General Labour",
        "मजदूर",
        "labour",
        "General construction and moving work",
        "services/icons/labour.png",
    ),
];

const FLAGS: [(&str, bool, &str); 5] = [
    (
        "FEATURE_CSR",
        false,
        "Corporate Social Responsibility module",
    ),
    ("FEATURE_EKYC", false, "Electronic KYC verification flow"),
    (
        "FEATURE_ATTENDANCE",
        false,
        "Worker attendance tracking system",
    ),
    (
        "FEATURE_CONTRACTOR",
        true,
        "Contractor module and workflows",
    ),
    ("FEATURE_EMERGENCY", true, "Emergency SOS and help features"),
];

/// (order, en slug, en title, en html, hi slug, hi title, hi html)
const HELP: [(i32, &str, &str, &str, &str, &str, &str); 3] = [
    (1, "getting-started", "Getting Started", "<h2>Welcome to HunarMitra</h2><p>Find skilled workers near you easily...</p>",
        "shuruat-kaise-karen", "शुरुआत कैसे करें", "<h2>हुनरमित्र में आपका स्वागत है</h2><p>अपने आस-पास कुशल कारीगर आसानी से खोजें...</p>"),
    (2, "booking-service", "How to Book a Service", "<h2>Booking Process</h2><p>1. Browse services<br>2. Select a worker<br>3. Confirm booking</p>",
        "seva-book-kaise-karen", "सेवा कैसे बुक करें", "<h2>बुकिंग प्रक्रिया</h2><p>1. सेवाएं देखें<br>2. कारीगर चुनें<br>3. बुकिंग की पुष्टि करें</p>"),
    (3, "payment-info", "Payment Information", "<h2>Payment Methods</h2><p>We accept cash, UPI, and digital payments...</p>",
        "bhugtan-jaankari", "भुगतान जानकारी", "<h2>भुगतान के तरीके</h2><p>हम नकद, UPI और डिजिटल पेमेंट स्वीकार करते हैं...</p>"),
];

/// (order, en question, en answer, hi question, hi answer)
const FAQS: [(i32, &str, &str, &str, &str); 3] = [
    (
        1,
        "How do I find workers near me?",
        "Open the app, enable location services, and browse workers sorted by distance.",
        "मुझे अपने पास कारीगर कैसे मिलेंगे?",
        "ऐप खोलें, लोकेशन सर्विस चालू करें, और दूरी के अनुसार कारीगर देखें।",
    ),
    (
        2,
        "What services are available?",
        "Plumbing, electrical work, painting, carpentry, and more.",
        "कौन सी सेवाएं उपलब्ध हैं?",
        "प्लंबिंग, बिजली का काम, पेंटिंग, बढ़ईगिरी और बहुत कुछ।",
    ),
    (
        3,
        "How do I make a payment?",
        "You can pay via cash, UPI, or any digital payment method.",
        "भुगतान कैसे करें?",
        "आप नकद, UPI या किसी भी डिजिटल पेमेंट विधि से भुगतान कर सकते हैं।",
    ),
];

/// The other slugs a seeded service answers to.
fn aliases_of(slug: &str) -> Vec<String> {
    match slug {
        "plumber" => vec!["plumbing".to_owned()],
        _ => Vec::new(),
    }
}

pub async fn run(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    conn.transaction(|conn| {
        async move {
            for (order, slug, name, title_en, title_hi, category, description, icon) in SERVICES {
                let service = services::upsert_by_slug(
                    conn,
                    &NewService {
                        id: Uuid::new_v4(),
                        name: name.into(),
                        slug: slug.into(),
                        title_en: title_en.into(),
                        title_hi: title_hi.into(),
                        category: category.into(),
                        description: description.into(),
                        icon_s3_key: icon.into(),
                        is_active: true,
                        display_order: order,
                        aliases: aliases_of(slug),
                        auto_created: false,
                        requested_by: None,
                    },
                )
                .await?;
                // Other services build their projections from this (ARCHITECTURE §3).
                enqueue(conn, crate::events::service_changed(&service, false, None)).await?;
            }
            for (key, enabled, description) in FLAGS {
                flags::insert_missing(conn, key, enabled, description).await?;
            }
            for (order, slug, title, html, hi_slug, hi_title, hi_html) in HELP {
                for (slug, title, html, lang) in [
                    (slug, title, html, "en"),
                    (hi_slug, hi_title, hi_html, "hi"),
                ] {
                    content::upsert_page(
                        conn,
                        &NewHelpPage {
                            id: Uuid::new_v4(),
                            slug: slug.into(),
                            title: title.into(),
                            content_html: html.into(),
                            lang: lang.into(),
                            is_active: true,
                            sort_order: order,
                        },
                    )
                    .await?;
                }
            }
            for (order, question, answer, hi_question, hi_answer) in FAQS {
                for (question, answer, lang) in
                    [(question, answer, "en"), (hi_question, hi_answer, "hi")]
                {
                    content::upsert_faq(
                        conn,
                        &NewFaq {
                            id: Uuid::new_v4(),
                            question: question.into(),
                            answer: answer.into(),
                            lang: lang.into(),
                            sort_order: order,
                            is_active: true,
                        },
                    )
                    .await?;
                }
            }
            if themes::by_name(conn, "HunarMitra Default").await?.is_none() {
                let theme = themes::insert(
                    conn,
                    &NewTheme {
                        id: Uuid::new_v4(),
                        name: "HunarMitra Default".into(),
                        primary_color: "#2563EB".into(),
                        accent_color: "#F59E0B".into(),
                        background_color: "#F9FAFB".into(),
                        logo_s3_key: "static/logo.png".into(),
                        hero_image_s3_key: String::new(),
                        fonts: json!([
                            {"family": "Inter", "s3_key": "static/fonts/default.woff"},
                            {"family": "Roboto", "s3_key": "static/fonts/roboto.woff"}
                        ]),
                        metadata: json!({"dark_mode_support": true, "rtl_support": false}),
                        active: false,
                        created_by: None,
                    },
                )
                .await?;
                if themes::active(conn).await?.is_none() {
                    themes::lock_activation(conn).await?;
                    themes::activate(conn, theme.id).await?;
                }
            }
            for (order, title, subtitle, key, action) in [
                (
                    1,
                    "Welcome to HunarMitra",
                    "Find skilled workers near you",
                    "static/banners/welcome.png",
                    json!({"type": "route", "value": "/services"}),
                ),
                (
                    2,
                    "Special Offer!",
                    "Get 10% off on first booking",
                    "static/banners/offer.png",
                    json!({"type": "url", "value": "https://hunarmitra.com/offers"}),
                ),
            ] {
                if banners::app_by_title(conn, title).await?.is_none() {
                    banners::insert_app(
                        conn,
                        &NewAppBanner {
                            id: Uuid::new_v4(),
                            title: title.into(),
                            subtitle: subtitle.into(),
                            image_s3_key: key.into(),
                            action,
                            display_order: order,
                            active: true,
                        },
                    )
                    .await?;
                }
            }
            seed_promo_banners(conn).await
        }
        .scope_boxed()
    })
    .await
}

async fn seed_promo_banners(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    banners::delete_promo_titled_like(conn, "[DEMO]").await?;
    let now = Utc::now();
    let days = Duration::days;
    let rows = [
        (
            "[DEMO] New Year Sale - Premium Workers",
            "home_top",
            100,
            true,
            Some(now - days(1)),
            Some(now + days(30)),
            Some("https://example.com/new-year-sale"),
            "FF6B35/FFFFFF?text=New+Year+Sale",
        ),
        (
            "[DEMO] Featured Workers of the Month",
            "home_top",
            50,
            true,
            Some(now - days(5)),
            Some(now + days(25)),
            Some("https://example.com/featured-workers"),
            "004E89/FFFFFF?text=Featured+Workers",
        ),
        (
            "[DEMO] Download Our Mobile App",
            "home_mid",
            10,
            true,
            None,
            None,
            Some("https://example.com/download-app"),
            "06D6A0/FFFFFF?text=Download+App",
        ),
        (
            "[DEMO] Refer & Earn Program",
            "home_bottom",
            5,
            true,
            Some(now),
            Some(now + days(60)),
            Some("https://example.com/refer-earn"),
            "F77F00/FFFFFF?text=Refer+and+Earn",
        ),
        (
            "[DEMO] Inactive Banner - Should Not Show",
            "home_top",
            200,
            false,
            None,
            None,
            None,
            "CCCCCC/000000?text=Inactive",
        ),
        (
            "[DEMO] Expired Banner - Should Not Show",
            "home_top",
            150,
            true,
            Some(now - days(10)),
            Some(now - days(1)),
            None,
            "999999/FFFFFF?text=Expired",
        ),
    ];
    for (title, slot, priority, active, starts_at, ends_at, link, image) in rows {
        banners::insert_promo(
            conn,
            &NewPromoBanner {
                id: Uuid::new_v4(),
                title: title.into(),
                image_url: format!("https://via.placeholder.com/800x300/{image}"),
                link: link.map(str::to_owned),
                slot: slot.into(),
                priority,
                active,
                starts_at,
                ends_at,
            },
        )
        .await?;
    }
    Ok(())
}
