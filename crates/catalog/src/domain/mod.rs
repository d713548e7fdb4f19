//! Catalog's rules, free of I/O: slugs, colours, languages, banner slots and visibility, object URLs.

pub mod media;

use chrono::{DateTime, Utc};

/// Languages of translations, help pages and FAQs (DOMAIN §2.6–2.8).
pub const LANGS: [&str; 2] = ["en", "hi"];
pub const INVALID_LANG: &str = "Invalid language. Supported: en, hi";

/// The language of a translations document or the TTS stub: `en` when none is asked, `hi`, or `None`
/// for one that is not supported (case and surrounding blanks do not matter).
pub fn supported_lang(lang: Option<&str>) -> Option<&'static str> {
    match lang.map(str::trim) {
        None | Some("") => Some("en"),
        Some(lang) => LANGS
            .iter()
            .copied()
            .find(|known| known.eq_ignore_ascii_case(lang)),
    }
}

/// `lang` filters content only when it is one of the content languages, exactly (API §4.9).
pub fn content_lang(lang: Option<&str>) -> Option<&'static str> {
    let lang = lang?;
    LANGS.iter().copied().find(|known| *known == lang)
}

/// Promo banner slots (DOMAIN §2.4).
pub const SLOTS: [&str; 5] = [
    "home_top",
    "home_mid",
    "home_bottom",
    "worker_top",
    "job_top",
];

/// The promo banners a listing asks for (API §4.8): every slot, one of [`SLOTS`], or a slot no banner
/// can be in (the database refuses any other), whose listing is always empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlotFilter {
    /// No `slot` asked (or a blank one).
    Every,
    /// One of [`SLOTS`].
    Slot(&'static str),
    /// Any other name.
    Unknown,
}

/// The `slot` of a listing's query: blank or absent means every slot; the name is matched exactly once
/// surrounding blanks are trimmed.
pub fn slot_filter(slot: Option<&str>) -> SlotFilter {
    match slot.map(str::trim).filter(|s| !s.is_empty()) {
        None => SlotFilter::Every,
        Some(slot) => SLOTS
            .iter()
            .copied()
            .find(|known| *known == slot)
            .map_or(SlotFilter::Unknown, SlotFilter::Slot),
    }
}

/// `Plumbing Works` → `plumbing-works` (DOMAIN §2.1: lowercase, spaces to `-`, other characters dropped).
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_') && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A new service's slug: the one given, else made from its name; `None` when that is not a slug.
pub fn service_slug(given: Option<String>, name: &str) -> Option<String> {
    let slug = given
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| slugify(name));
    is_slug(&slug).then_some(slug)
}

pub const SLUG_MESSAGE: &str =
    "Enter a valid \"slug\" consisting of lowercase letters, numbers or hyphens.";

/// `#RRGGBB`.
pub fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

pub const COLOUR_MESSAGE: &str = "Enter a colour as #RRGGBB.";

/// A promo banner is shown while active and inside its window, both ends inclusive (DOMAIN §2.4).
pub fn is_visible(
    active: bool,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    active && starts_at.is_none_or(|s| s <= now) && ends_at.is_none_or(|e| e >= now)
}

/// The public URL of an object key (DOMAIN §2.10): `base` + key without leading slashes; `None` for an
/// empty key. The one place URLs of stored objects are made.
pub fn public_url(base: &str, key: &str) -> Option<String> {
    let key = key.trim().trim_start_matches('/');
    if key.is_empty() {
        return None;
    }
    let mut url = String::with_capacity(base.len() + key.len());
    url.push_str(base);
    url.push_str(key);
    Some(url)
}

/// An object key is a relative path of safe segments (no `..`, no empty segment, no backslash).
pub fn is_object_key(key: &str) -> bool {
    let key = key.trim_start_matches('/');
    !key.is_empty()
        && key.len() <= 500
        && !key.contains('\\')
        && key
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && key.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Tile Worker"), "tile-worker");
        assert_eq!(slugify("  AC  Repair & Service! "), "ac-repair-service");
        assert!(is_slug("tile-worker"));
        for bad in ["", "Tile", "a--b", "-a", "a-", "a b", "à"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn new_services_get_a_slug_from_their_name() {
        assert_eq!(
            service_slug(None, "Tile Worker").as_deref(),
            Some("tile-worker")
        );
        assert_eq!(
            service_slug(Some(String::new()), "AC Repair").as_deref(),
            Some("ac-repair")
        );
        assert_eq!(
            service_slug(Some("tiles".into()), "x").as_deref(),
            Some("tiles")
        );
        assert_eq!(service_slug(None, "!!!"), None);
        assert_eq!(service_slug(Some("Bad Slug".into()), "x"), None);
    }

    #[test]
    fn languages() {
        assert_eq!(supported_lang(None), Some("en"));
        assert_eq!(supported_lang(Some(" HI ")), Some("hi"));
        assert_eq!(supported_lang(Some("")), Some("en"));
        assert_eq!(supported_lang(Some("fr")), None);
        assert_eq!(content_lang(Some("hi")), Some("hi"));
        assert_eq!(content_lang(Some("fr")), None);
        assert_eq!(content_lang(Some("HI")), None, "content filters are exact");
        assert_eq!(supported_lang(Some("En")), Some("en"));
        assert_eq!(supported_lang(Some("e n")), None);
    }

    #[test]
    fn slot_filters() {
        assert_eq!(slot_filter(None), SlotFilter::Every);
        assert_eq!(slot_filter(Some("  ")), SlotFilter::Every);
        assert_eq!(
            slot_filter(Some(" home_top ")),
            SlotFilter::Slot("home_top")
        );
        assert_eq!(slot_filter(Some("HOME_TOP")), SlotFilter::Unknown);
        assert_eq!(slot_filter(Some("sidebar")), SlotFilter::Unknown);
    }

    #[test]
    fn colours() {
        assert!(is_colour("#2563EB") && is_colour("#abcdef"));
        assert!(!is_colour("2563EB") && !is_colour("#25G3EB") && !is_colour("#2563E"));
    }

    #[test]
    fn object_urls_strip_leading_slashes_and_skip_empty_keys() {
        let base = "http://localhost:9000/hunarmitra/";
        assert_eq!(
            public_url(base, "static/logo.png").as_deref(),
            Some("http://localhost:9000/hunarmitra/static/logo.png")
        );
        let stripped = public_url(base, "/static/logo.png").unwrap_or_default();
        assert!(!stripped.contains("//static"), "{stripped}");
        assert_eq!(public_url(base, ""), None);
        assert_eq!(public_url(base, "  "), None);
        assert!(is_object_key("static/fonts/a.woff"));
        assert!(!is_object_key("../etc/passwd") && !is_object_key("a//b") && !is_object_key(""));
    }

    #[test]
    fn banner_windows_are_inclusive() {
        let now = Utc::now();
        assert!(is_visible(true, None, None, now));
        assert!(is_visible(true, Some(now), Some(now), now));
        assert!(!is_visible(false, None, None, now));
        assert!(!is_visible(true, Some(now + Duration::days(1)), None, now));
        assert!(!is_visible(true, None, Some(now - Duration::days(1)), now));
    }
}
