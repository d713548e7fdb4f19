//! Admin request bodies. One field set per entity, read either whole (`Create`: required fields
//! enforced, defaults applied) or partially (`Patch`: only what is sent is checked and changed).

use crate::domain::{self, LANGS, SLOTS};
use hm_platform::input::{is_valid_url, FromInput, Input, Text, NOT_A_URL};
use paperclip::actix::Apiv2Schema;
use paperclip::v2::models::DefaultSchemaRaw;
use paperclip::v2::schema::Apiv2Schema as Schema;
use serde_json::Value;

pub trait Fields: Sized {
    fn read(input: &mut Input, partial: bool) -> Option<Self>;
}

/// A body for creating: every required field present.
pub struct Create<T>(pub T);
/// A body for a partial update.
pub struct Patch<T>(pub T);

impl<T: Fields> FromInput for Create<T> {
    fn from_input(input: &mut Input) -> Option<Self> {
        T::read(input, false).map(Create)
    }
}

impl<T: Fields> FromInput for Patch<T> {
    fn from_input(input: &mut Input) -> Option<Self> {
        T::read(input, true).map(Patch)
    }
}

impl<T: Schema> Schema for Create<T> {
    fn name() -> Option<String> {
        T::name()
    }
    fn raw_schema() -> DefaultSchemaRaw {
        T::raw_schema()
    }
}

impl<T: Schema> Schema for Patch<T> {
    fn name() -> Option<String> {
        T::name()
    }
    fn raw_schema() -> DefaultSchemaRaw {
        T::raw_schema()
    }
}

fn text(input: &mut Input, name: &str, rule: Text, partial: bool) -> Option<String> {
    let rule = if partial {
        Text {
            required: false,
            ..rule
        }
    } else {
        rule
    };
    input.text(name, rule)
}

fn checked(
    input: &mut Input,
    name: &str,
    value: Option<String>,
    ok: fn(&str) -> bool,
    message: &str,
) -> Option<String> {
    match value {
        Some(v) if !ok(&v) => {
            input.error(name, message);
            None
        }
        other => other,
    }
}

fn colour(input: &mut Input, name: &str, partial: bool) -> Option<String> {
    let value = text(input, name, Text::optional(7), partial);
    checked(
        input,
        name,
        value,
        domain::is_colour,
        domain::COLOUR_MESSAGE,
    )
}

fn object_key(input: &mut Input, name: &str, required: bool, partial: bool) -> Option<String> {
    let rule = if required {
        Text::required(500)
    } else {
        Text::optional(500)
    };
    let value = text(input, name, rule, partial);
    match value {
        Some(v) if !v.is_empty() && !domain::is_object_key(&v) => {
            input.error(name, "Enter an object key such as static/logo.png.");
            None
        }
        other => other,
    }
}

fn lang(input: &mut Input, partial: bool) -> Option<String> {
    if partial && !input.has("lang") {
        return None;
    }
    input.choice("lang", &LANGS, Some("en"))
}

fn order(input: &mut Input, name: &str) -> Option<i32> {
    input.int(name, false, 0, i32::MAX as i64).map(|n| n as i32)
}

#[derive(Debug, Default, Apiv2Schema)]
pub struct ServiceFields {
    /// Unique, e.g. `Plumbing`.
    pub name: Option<String>,
    /// Unique; made from `name` when absent.
    pub slug: Option<String>,
    /// Defaults to `name`.
    pub title_en: Option<String>,
    pub title_hi: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    /// Object key of the icon, e.g. `services/icons/plumber.png`.
    pub icon_s3_key: Option<String>,
    pub is_active: Option<bool>,
    pub display_order: Option<i32>,
}

impl Fields for ServiceFields {
    fn read(input: &mut Input, partial: bool) -> Option<Self> {
        let name = text(input, "name", Text::required(100), partial);
        let slug = text(input, "slug", Text::optional(120), partial);
        let slug = checked(
            input,
            "slug",
            slug.filter(|s| !s.is_empty() || partial),
            domain::is_slug,
            domain::SLUG_MESSAGE,
        );
        let fields = ServiceFields {
            title_en: text(input, "title_en", Text::optional(100), partial),
            title_hi: text(input, "title_hi", Text::optional(100), partial),
            category: text(input, "category", Text::optional(50), partial),
            description: text(input, "description", Text::optional(10_000), partial),
            icon_s3_key: object_key(input, "icon_s3_key", false, partial),
            is_active: input.boolean("is_active", false),
            display_order: input
                .int("display_order", false, i32::MIN as i64, i32::MAX as i64)
                .map(|n| n as i32),
            name,
            slug,
        };
        Some(fields)
    }
}

#[derive(Debug, Default, Apiv2Schema)]
pub struct ThemeFields {
    pub name: Option<String>,
    /// `#RRGGBB`
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub background_color: Option<String>,
    pub logo_s3_key: Option<String>,
    pub hero_image_s3_key: Option<String>,
    /// `[{"family": "Inter", "s3_key": "static/fonts/inter.woff"}]`
    pub fonts: Option<Value>,
    /// Free-form object, e.g. `{"dark_mode_support": true}`.
    pub metadata: Option<Value>,
    /// `true` makes it the one active theme.
    pub active: Option<bool>,
}

impl Fields for ThemeFields {
    fn read(input: &mut Input, partial: bool) -> Option<Self> {
        let fonts = input.json("fonts", false);
        if let Some(fonts) = &fonts {
            let valid = fonts.as_array().is_some_and(|list| {
                list.iter().all(|f| {
                    f.get("family")
                        .and_then(Value::as_str)
                        .is_some_and(|s| !s.trim().is_empty())
                        && f.get("s3_key")
                            .and_then(Value::as_str)
                            .is_some_and(|k| k.is_empty() || domain::is_object_key(k))
                })
            });
            if !valid {
                input.error(
                    "fonts",
                    "Expected a list of {\"family\": \"...\", \"s3_key\": \"...\"} objects.",
                );
            }
        }
        let metadata = input.json("metadata", false);
        if metadata.as_ref().is_some_and(|m| !m.is_object()) {
            input.error("metadata", "Expected a JSON object.");
        }
        Some(ThemeFields {
            name: text(input, "name", Text::required(100), partial),
            primary_color: colour(input, "primary_color", partial),
            accent_color: colour(input, "accent_color", partial),
            background_color: colour(input, "background_color", partial),
            logo_s3_key: object_key(input, "logo_s3_key", false, partial),
            hero_image_s3_key: object_key(input, "hero_image_s3_key", false, partial),
            fonts,
            metadata,
            active: input.boolean("active", false),
        })
    }
}

#[derive(Debug, Default, Apiv2Schema)]
pub struct AppBannerFields {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub image_s3_key: Option<String>,
    /// `{"type": "route", "value": "/services"}` or `{"type": "url", "value": "https://…"}`
    pub action: Option<Value>,
    pub display_order: Option<i32>,
    pub active: Option<bool>,
}

impl Fields for AppBannerFields {
    fn read(input: &mut Input, partial: bool) -> Option<Self> {
        let action = input.json("action", false);
        if let Some(action) = &action {
            let kind = action.get("type").and_then(Value::as_str);
            let value = action.get("value").and_then(Value::as_str).unwrap_or("");
            let valid = action.as_object().is_some_and(|o| o.is_empty())
                || match kind {
                    Some("url") => is_valid_url(value),
                    Some("route") => value.starts_with('/') && !value.starts_with("//"),
                    _ => false,
                };
            if !valid {
                input.error("action", "Expected {\"type\": \"url\", \"value\": \"https://…\"} or {\"type\": \"route\", \"value\": \"/…\"}.");
            }
        }
        Some(AppBannerFields {
            title: text(input, "title", Text::required(200), partial),
            subtitle: text(input, "subtitle", Text::optional(300), partial),
            image_s3_key: object_key(input, "image_s3_key", true, partial),
            action,
            display_order: input
                .int("display_order", false, i32::MIN as i64, i32::MAX as i64)
                .map(|n| n as i32),
            active: input.boolean("active", false),
        })
    }
}

/// The promo banner body as documented; read into [`PromoBannerFields`].
#[allow(dead_code)] // Only its schema is used.
#[derive(Debug, Default, Apiv2Schema)]
pub struct PromoBannerBody {
    pub title: Option<String>,
    /// Full public URL of the image.
    pub image_url: Option<String>,
    /// Click-through URL or null.
    pub link: Option<String>,
    /// `home_top`, `home_mid`, `home_bottom`, `worker_top`, `job_top`
    pub slot: Option<String>,
    pub priority: Option<i32>,
    pub active: Option<bool>,
    /// ISO-8601 (naive = Asia/Kolkata); null for "always".
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
}

type When = chrono::DateTime<chrono::Utc>;

#[derive(Debug, Default)]
pub struct PromoBannerFields {
    pub title: Option<String>,
    pub image_url: Option<String>,
    /// Outer `None`: not sent; `Some(None)`: cleared.
    pub link: Option<Option<String>>,
    pub slot: Option<String>,
    pub priority: Option<i32>,
    pub active: Option<bool>,
    pub starts_at: Option<Option<When>>,
    pub ends_at: Option<Option<When>>,
}

impl Schema for PromoBannerFields {
    fn name() -> Option<String> {
        PromoBannerBody::name()
    }
    fn raw_schema() -> DefaultSchemaRaw {
        PromoBannerBody::raw_schema()
    }
}

impl Fields for PromoBannerFields {
    fn read(input: &mut Input, partial: bool) -> Option<Self> {
        let title = text(input, "title", Text::required(255), partial);
        let image_url = text(input, "image_url", Text::required(500), partial);
        let image_url = checked(input, "image_url", image_url, is_valid_url, NOT_A_URL);
        let link = match input.json("link", false) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(_) => {
                let raw = input
                    .text("link", Text::optional(500))
                    .filter(|l| !l.is_empty());
                Some(checked(input, "link", raw, is_valid_url, NOT_A_URL))
            }
        };
        let slot = if partial && !input.has("slot") {
            None
        } else {
            input.choice("slot", &SLOTS, Some("home_top"))
        };
        let starts_at = input.datetime("starts_at");
        let ends_at = input.datetime("ends_at");
        if let (Some(Some(s)), Some(Some(e))) = (starts_at, ends_at) {
            if s > e {
                input.error("ends_at", "Must not be before starts_at.");
            }
        }
        Some(PromoBannerFields {
            title,
            image_url,
            link,
            slot,
            priority: input
                .int("priority", false, i32::MIN as i64, i32::MAX as i64)
                .map(|n| n as i32),
            active: input.boolean("active", false),
            starts_at,
            ends_at,
        })
    }
}

#[derive(Debug, Default, Apiv2Schema)]
pub struct FlagFields {
    /// Unique, upper case with underscores, e.g. `FEATURE_CSR`.
    pub key: Option<String>,
    pub enabled: Option<bool>,
    pub description: Option<String>,
}

fn is_flag_key(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && k.as_bytes()[0].is_ascii_uppercase()
}

impl Fields for FlagFields {
    fn read(input: &mut Input, partial: bool) -> Option<Self> {
        let key = if partial {
            None
        } else {
            let key = input.text("key", Text::required(64));
            checked(
                input,
                "key",
                key,
                is_flag_key,
                "Use upper case letters, digits and underscores, e.g. FEATURE_CSR.",
            )
        };
        Some(FlagFields {
            key,
            enabled: input.boolean("enabled", false),
            description: text(input, "description", Text::optional(10_000), partial),
        })
    }
}

#[derive(Debug, Default, Apiv2Schema)]
pub struct TranslationFields {
    pub key: Option<String>,
    /// `en` or `hi`
    pub lang: Option<String>,
    pub value: Option<String>,
}

impl Fields for TranslationFields {
    fn read(input: &mut Input, _partial: bool) -> Option<Self> {
        let key = input.text("key", Text::required(255));
        let key = checked(
            input,
            "key",
            key,
            |k| !k.chars().any(char::is_whitespace),
            "Keys contain no spaces, e.g. apply_now.",
        );
        let lang = input.choice("lang", &LANGS, None);
        let value = input.text(
            "value",
            Text {
                allow_blank: true,
                ..Text::required(10_000)
            },
        );
        Some(TranslationFields { key, lang, value })
    }
}

#[derive(Debug, Default, Apiv2Schema)]
pub struct HelpPageFields {
    pub slug: Option<String>,
    pub title: Option<String>,
    /// Trusted HTML.
    pub content_html: Option<String>,
    pub lang: Option<String>,
    pub is_active: Option<bool>,
    pub order: Option<i32>,
}

impl Fields for HelpPageFields {
    fn read(input: &mut Input, partial: bool) -> Option<Self> {
        let slug = text(input, "slug", Text::required(100), partial);
        let slug = checked(input, "slug", slug, domain::is_slug, domain::SLUG_MESSAGE);
        Some(HelpPageFields {
            slug,
            title: text(input, "title", Text::required(255), partial),
            content_html: text(input, "content_html", Text::required(200_000), partial),
            lang: lang(input, partial),
            is_active: input.boolean("is_active", false),
            order: order(input, "order"),
        })
    }
}

#[derive(Debug, Default, Apiv2Schema)]
pub struct FaqFields {
    pub question: Option<String>,
    pub answer: Option<String>,
    pub lang: Option<String>,
    pub is_active: Option<bool>,
    pub order: Option<i32>,
}

impl Fields for FaqFields {
    fn read(input: &mut Input, partial: bool) -> Option<Self> {
        Some(FaqFields {
            question: text(input, "question", Text::required(255), partial),
            answer: text(input, "answer", Text::required(20_000), partial),
            lang: lang(input, partial),
            is_active: input.boolean("is_active", false),
            order: order(input, "order"),
        })
    }
}
