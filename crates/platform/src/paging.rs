//! P-STD pagination (API §1.6): `page` (default 1, `last` allowed), `per_page` (default 20, at most 50;
//! non-positive or non-integer → 20), `{"count", "next_page", "prev_page", "results"}`.

use crate::input::numbers::parse_int;
use crate::ApiError;
use actix_web::http::StatusCode;
use paperclip::v2::models::{DataType, DefaultSchemaRaw};
use paperclip::v2::schema::Apiv2Schema;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Number(i64),
    Last,
}

#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: Page,
    pub per_page: i64,
}

impl Paging {
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Paging, ApiError> {
        let per_page = page_size(per_page, 20, 50);
        let page = match page.map(str::trim) {
            None | Some("") => Page::Number(1),
            Some("last") => Page::Last,
            Some(p) => match parse_int(p) {
                Some(n) if n >= 1 => Page::Number(n),
                _ => return Err(invalid_page()),
            },
        };
        Ok(Paging { page, per_page })
    }

    /// Rows to skip for page `page` (already resolved against the total, so it cannot overflow).
    pub fn offset(&self, page: i64) -> i64 {
        (page - 1).saturating_mul(self.per_page)
    }

    pub fn pages(&self, count: i64) -> i64 {
        ((count + self.per_page - 1) / self.per_page).max(1)
    }

    /// The page number for a known total, or 404 "Invalid page." when it is past the end.
    pub fn resolve(&self, count: i64) -> Result<i64, ApiError> {
        let pages = self.pages(count);
        match self.page {
            Page::Last => Ok(pages),
            Page::Number(n) if n <= pages => Ok(n),
            Page::Number(_) => Err(invalid_page()),
        }
    }

    pub fn body<T>(&self, page: i64, count: i64, results: Vec<T>) -> NumberedPage<T> {
        let pages = self.pages(count);
        NumberedPage {
            count,
            next_page: (page < pages).then_some(page + 1),
            prev_page: (page > 1).then_some(page - 1),
            results,
        }
    }
}

/// A page size parameter: `default` when absent, not an integer or not positive; `max` when larger
/// (a size of any number of digits is larger).
pub fn page_size(raw: Option<&str>, default: i64, max: i64) -> i64 {
    match raw.and_then(|p| parse_int(p.trim())) {
        Some(n) if n > max => max,
        Some(n) if n > 0 => n,
        _ => default,
    }
}

pub fn invalid_page() -> ApiError {
    ApiError::detail(StatusCode::NOT_FOUND, "Invalid page.")
}

/// P-DRF pagination (API §1.6): pages of 20, `{"count", "next", "previous", "results"}` with absolute
/// links (host and scheme as the client called: the gateway's `X-Forwarded-Host`/`-Proto`); the link to
/// page 1 has no `page` parameter.
pub const DRF_PAGE_SIZE: i64 = 20;

pub fn drf_page(raw: Option<&str>, count: i64) -> Result<i64, ApiError> {
    classic_page(raw, count, DRF_PAGE_SIZE)
}

pub fn drf_body<T>(
    req: &actix_web::HttpRequest,
    page: i64,
    count: i64,
    results: Vec<T>,
) -> LinkedPage<T> {
    classic_body(req, page, DRF_PAGE_SIZE, count, results)
}

/// The page asked for in pages of `size` (`last` allowed), or 404 "Invalid page." past the end.
pub fn classic_page(raw: Option<&str>, count: i64, size: i64) -> Result<i64, ApiError> {
    let pages = ((count + size - 1) / size).max(1);
    match raw.map(str::trim) {
        None | Some("") => Ok(1),
        Some("last") => Ok(pages),
        Some(p) => match parse_int(p) {
            Some(n) if n >= 1 && n <= pages => Ok(n),
            _ => Err(invalid_page()),
        },
    }
}

/// `{"count", "next", "previous", "results"}` for pages of `size`, with absolute links.
pub fn classic_body<T>(
    req: &actix_web::HttpRequest,
    page: i64,
    size: i64,
    count: i64,
    results: Vec<T>,
) -> LinkedPage<T> {
    let pages = ((count + size - 1) / size).max(1);
    let info = req.connection_info();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let scheme = header("x-forwarded-proto").unwrap_or_else(|| info.scheme().to_owned());
    let host = header("x-forwarded-host").unwrap_or_else(|| info.host().to_owned());
    let kept: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("page="))
        .collect();
    let link = |n: i64| {
        let mut params = kept.clone();
        let page_param = format!("page={n}");
        if n > 1 {
            params.push(&page_param);
        }
        let query = if params.is_empty() {
            String::new()
        } else {
            format!("?{}", params.join("&"))
        };
        format!("{scheme}://{host}{}{query}", req.path())
    };
    LinkedPage {
        count,
        next: (page < pages).then(|| link(page + 1)),
        previous: (page > 1).then(|| link(page - 1)),
        results,
    }
}

/// A P-STD page of `T`s (API §1.6): `{"count", "next_page", "prev_page", "results"}`; the page numbers
/// are `null` at either end. Documented as `<T>Page`.
#[derive(Debug, Serialize)]
pub struct NumberedPage<T> {
    /// Rows in all pages.
    pub count: i64,
    pub next_page: Option<i64>,
    pub prev_page: Option<i64>,
    pub results: Vec<T>,
}

/// A P-DRF page of `T`s (API §1.6): `{"count", "next", "previous", "results"}` with absolute links,
/// `null` at either end. Documented as `<T>LinkedPage`.
#[derive(Debug, Serialize)]
pub struct LinkedPage<T> {
    /// Rows in all pages.
    pub count: i64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

/// The schema of a page: `count` and `results` always there, the two neighbours nullable.
fn page_schema<T: Apiv2Schema>(neighbours: [(&str, DataType); 2]) -> DefaultSchemaRaw {
    let scalar = |data_type| {
        Box::new(DefaultSchemaRaw {
            data_type: Some(data_type),
            ..Default::default()
        })
    };
    let mut schema = DefaultSchemaRaw {
        data_type: Some(DataType::Object),
        ..Default::default()
    };
    schema
        .properties
        .insert("count".into(), scalar(DataType::Integer));
    for (name, data_type) in neighbours {
        schema.properties.insert(name.into(), scalar(data_type));
    }
    schema.properties.insert(
        "results".into(),
        Box::new(DefaultSchemaRaw {
            data_type: Some(DataType::Array),
            items: Some(Box::new(T::schema_with_ref())),
            ..Default::default()
        }),
    );
    schema.required = BTreeSet::from(["count".into(), "results".into()]);
    schema
}

impl<T: Apiv2Schema> Apiv2Schema for NumberedPage<T> {
    fn name() -> Option<String> {
        Some(format!(
            "{}Page",
            T::name().unwrap_or_else(|| "Object".into())
        ))
    }

    fn raw_schema() -> DefaultSchemaRaw {
        let mut schema = page_schema::<T>([
            ("next_page", DataType::Integer),
            ("prev_page", DataType::Integer),
        ]);
        schema.name = Self::name();
        schema
    }
}

impl<T: Apiv2Schema> Apiv2Schema for LinkedPage<T> {
    fn name() -> Option<String> {
        Some(format!(
            "{}LinkedPage",
            T::name().unwrap_or_else(|| "Object".into())
        ))
    }

    fn raw_schema() -> DefaultSchemaRaw {
        let mut schema =
            page_schema::<T>([("next", DataType::String), ("previous", DataType::String)]);
        schema.name = Self::name();
        schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_page_is_clamped_and_pages_resolve() {
        let p = Paging::parse(None, Some("500")).unwrap_or(Paging {
            page: Page::Number(9),
            per_page: 0,
        });
        assert_eq!(p.per_page, 50);
        assert_eq!(
            Paging::parse(None, Some("99999999999999999999"))
                .map(|p| p.per_page)
                .ok(),
            Some(50)
        );
        assert_eq!(
            Paging::parse(None, Some("४०")).map(|p| p.per_page).ok(),
            Some(20)
        );
        assert!(Paging::parse(Some("99999999999999999999"), None)
            .and_then(|p| p.resolve(10))
            .is_err());
        assert!(Paging::parse(Some("२"), None).is_err());
        assert_eq!(
            Paging::parse(None, Some("-3")).map(|p| p.per_page).ok(),
            Some(20)
        );
        assert_eq!(
            Paging::parse(None, Some("x")).map(|p| p.per_page).ok(),
            Some(20)
        );
        let p = Paging::parse(Some("last"), Some("10")).unwrap_or(Paging {
            page: Page::Number(9),
            per_page: 0,
        });
        assert_eq!(p.resolve(25).ok(), Some(3));
        assert_eq!(p.resolve(0).ok(), Some(1));
        assert!(Paging::parse(Some("0"), None).is_err());
        let p = Paging::parse(Some("4"), Some("10")).unwrap_or(Paging {
            page: Page::Number(9),
            per_page: 0,
        });
        assert!(p.resolve(25).is_err());
        assert_eq!(p.body::<()>(2, 25, vec![]).next_page, Some(3));
    }
}
