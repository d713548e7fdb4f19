//! diesel-async queries, one module per aggregate; every function takes the connection it runs on.

pub mod banners;
pub mod content;
pub mod flags;
pub mod media;
pub mod services;
pub mod themes;

use hm_platform::constraints::Constraint;

/// The answers to catalog's constraint violations (issue #15): DRF's unique messages, per field.
pub const CONSTRAINTS: &[Constraint] = &[
    Constraint::field(
        "services_slug_key",
        "slug",
        "service with this slug already exists.",
    ),
    Constraint::field(
        "services_name_key",
        "name",
        "service with this name already exists.",
    ),
    Constraint::field(
        "services_name_lower",
        "name",
        "service with this name already exists.",
    ),
    Constraint::field(
        "feature_flags_key_key",
        "key",
        "feature flag with this key already exists.",
    ),
    Constraint::field(
        "help_pages_slug_key",
        "slug",
        "help page with this slug already exists.",
    ),
    Constraint::field(
        "faqs_question_lang_key",
        "question",
        "FAQ with this question already exists.",
    ),
    Constraint::field(
        "promo_banners_check",
        "ends_at",
        "Must not be before starts_at.",
    ),
    Constraint::field(
        "themes_one_active",
        "active",
        "Another theme is active; activate this one instead.",
    ),
];
