//! The two nearby searches (API §5.7, §5.8): public, P-STD, index-driven (store::search).

use crate::domain::geo::{self, Point};
use crate::error::Result;
use crate::store::search::{self, Availability, Query, Sort};
use crate::store::workers;
use crate::views::WorkerProfile;
use crate::AppState;
use actix_web::http::StatusCode;
use hm_platform::input;
use hm_platform::input::numbers::parse_decimal;
use hm_platform::paging::{NumberedPage, Page, Paging};
use hm_platform::reply::Reply;
use hm_platform::ApiError;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

fn refuse(message: &str) -> ApiError {
    ApiError::error(StatusCode::BAD_REQUEST, message)
}

/// A numeric query parameter: `Some(None)` when absent or blank, `None` when not a number.
fn number(raw: Option<&str>) -> Option<Option<f64>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => parse_decimal(s).map(Some),
    }
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct NearbyParams {
    pub lat: Option<String>,
    pub lng: Option<String>,
    /// km, default 10; any non-negative number (beyond 100 km the search narrows to what
    /// 50,000 index entries cover).
    pub radius_km: Option<String>,
    /// A service whose name, English title or alias contains this (case-insensitive).
    pub skill: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

async fn run(
    state: &AppState,
    mut query: Query,
    paging: Paging,
) -> Result<(i64, i64, Vec<(workers::Worker, f64)>)> {
    let mut conn = state.db.get().await?;
    query.radius_km = search::scannable_radius(&mut conn, &query).await?;
    query.limit = paging.per_page;
    if paging.page == Page::Last {
        query.limit = 0;
        let (_, count) = search::page(&mut conn, &query).await?;
        query.limit = paging.per_page;
        query.offset = paging.offset(paging.resolve(count)?);
    } else if let Page::Number(n) = paging.page {
        query.offset = paging.offset(n);
    }
    let (hits, count) = search::page(&mut conn, &query).await?;
    let page = paging.resolve(count)?;
    let ids: Vec<Uuid> = hits.iter().map(|h| h.worker_id).collect();
    let profiles = workers::by_ids(&mut conn, &ids).await?;
    let results = profiles
        .into_iter()
        .filter_map(|w| {
            hits.iter()
                .find(|h| h.worker_id == w.id)
                .map(|h| (w, h.distance_km))
        })
        .collect();
    Ok((page, count, results))
}

/// `GET /api/v1/workers/nearby/`: workers whose status is `available`, nearest first.
#[api_v2_operation(tags(Workers))]
pub async fn nearby(
    state: web::Data<AppState>,
    params: input::Query<NearbyParams>,
) -> Result<Reply<NumberedPage<NearbyWorker>>> {
    let bad_point = || refuse("Invalid or missing lat/lng parameters");
    let lat = number(params.lat.as_deref())
        .flatten()
        .ok_or_else(bad_point)?;
    let lng = number(params.lng.as_deref())
        .flatten()
        .ok_or_else(bad_point)?;
    let at = Point::new(lat, lng).ok_or_else(bad_point)?;
    let radius = number(params.radius_km.as_deref())
        .ok_or_else(|| refuse("Invalid radius_km"))?
        .unwrap_or(10.0);
    let radius = geo::radius_km(radius).ok_or_else(|| refuse("Invalid radius_km"))?;
    let paging = Paging::parse(params.page.as_deref(), params.per_page.as_deref())?;
    let query = Query {
        at,
        radius_km: radius,
        service: None,
        skill: params
            .skill
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        availability: Availability::Status,
        min_price: None,
        max_price: None,
        sort: Sort::Distance,
        descending: false,
        limit: 0,
        offset: 0,
    };
    let (page, count, results) = run(&state, query, paging).await?;
    let results = results
        .iter()
        .map(|(w, d)| NearbyWorker {
            profile: WorkerProfile::from(w),
            distance_km: *d,
        })
        .collect();
    Ok(Reply::json(paging.body(page, count, results)))
}

/// A worker the nearby search found: "WorkerProfile JSON" and its distance.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct NearbyWorker {
    #[serde(flatten)]
    pub profile: WorkerProfile,
    /// Kilometres from the point searched, unrounded.
    pub distance_km: f64,
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct SearchParams {
    pub lat: Option<String>,
    pub lng: Option<String>,
    /// km, default 5; any non-negative number (beyond 100 km the search narrows to what
    /// 50,000 index entries cover).
    pub radius_km: Option<String>,
    /// A catalog service id.
    pub service_id: Option<String>,
    pub min_price: Option<String>,
    pub max_price: Option<String>,
    /// `distance` (default), `price`, `rating`
    pub sort_by: Option<String>,
    /// `asc` (default) or `desc`
    pub order: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// A worker the service search found (API §5.8): a short view of the profile.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct SearchHit {
    /// The worker profile's id.
    pub id: Uuid,
    pub user_name: String,
    /// The profile's first service as shown; `null` without one.
    pub service: Option<String>,
    /// Decimal (10,2) as a string.
    pub price_amount: Option<String>,
    /// `per_hour`, `per_day` or `per_job`.
    pub price_type: String,
    /// Decimal (3,2) as a string.
    pub rating: String,
    /// Decimal (9,6) as a string.
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    /// Kilometres with two decimals, as a string, e.g. `"1.25"`.
    pub distance_km: String,
    pub is_available: bool,
}

fn search_item(w: &workers::Worker, distance_km: f64) -> SearchHit {
    SearchHit {
        id: w.id,
        user_name: w.user_name.clone(),
        service: w.services_list.first().cloned(),
        price_amount: w.price_amount.clone(),
        price_type: w.price_type.clone(),
        rating: w.rating.clone(),
        latitude: w.latitude.clone(),
        longitude: w.longitude.clone(),
        distance_km: format!("{distance_km:.2}"),
        is_available: w.is_available,
    }
}

/// `GET /api/v1/workers/search/nearby/`: online workers, by distance, price or rating.
#[api_v2_operation(tags(Workers))]
pub async fn search(
    state: web::Data<AppState>,
    params: input::Query<SearchParams>,
) -> Result<Reply<NumberedPage<SearchHit>>> {
    let (Some(lat), Some(lng)) = (
        params
            .lat
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty()),
        params
            .lng
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty()),
    ) else {
        return Err(refuse("lat and lng parameters are required").into());
    };
    let at = match (parse_decimal(lat), parse_decimal(lng)) {
        (Some(lat), Some(lng)) => {
            Point::new(lat, lng).ok_or_else(|| refuse("Invalid coordinates"))?
        }
        _ => return Err(refuse("Invalid coordinates").into()),
    };
    let radius = number(params.radius_km.as_deref())
        .ok_or_else(|| refuse("Invalid radius_km"))?
        .unwrap_or(5.0);
    let radius = geo::radius_km(radius).ok_or_else(|| refuse("Invalid radius_km"))?;
    let service = match params
        .service_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => Some(Uuid::parse_str(s).map_err(|_| refuse("Invalid service_id"))?),
    };
    let sort = match params.sort_by.as_deref() {
        Some("price") => Sort::Price,
        Some("rating") => Sort::Rating,
        _ => Sort::Distance,
    };
    let paging = Paging::parse(params.page.as_deref(), params.per_page.as_deref())?;
    let query = Query {
        at,
        radius_km: radius,
        service,
        skill: None,
        availability: Availability::Online,
        // Unparsable prices are ignored (API §5.8).
        min_price: number(params.min_price.as_deref()).flatten(),
        max_price: number(params.max_price.as_deref()).flatten(),
        sort,
        descending: params.order.as_deref() == Some("desc"),
        limit: 0,
        offset: 0,
    };
    let (page, count, results) = run(&state, query, paging).await?;
    let results = results.iter().map(|(w, d)| search_item(w, *d)).collect();
    Ok(Reply::json(paging.body(page, count, results)))
}

#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct ListParams {
    /// A service whose name, English title or alias contains this (case-insensitive).
    pub skill: Option<String>,
    pub min_price: Option<String>,
    pub max_price: Option<String>,
    /// Minimum rating.
    pub rating: Option<String>,
    /// `true`: only workers whose status is `available`.
    pub available_now: Option<String>,
    /// `price`, `rating`, `distance` (with `lat`, `lng`); default newest first.
    pub sort: Option<String>,
    pub lat: Option<String>,
    pub lng: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// A worker of the worker list: "WorkerProfile JSON", and its distance when sorted by distance.
#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ListedWorker {
    #[serde(flatten)]
    pub profile: WorkerProfile,
    /// Kilometres from `lat`, `lng`, unrounded; only with `sort=distance` (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
}

/// `GET /api/v1/workers/`: the worker list with filters (API §5.1), P-STD.
#[api_v2_operation(tags(Workers))]
pub async fn list(
    state: web::Data<AppState>,
    params: input::Query<ListParams>,
) -> Result<Reply<NumberedPage<ListedWorker>>> {
    use crate::store::workers::{ListFilter, ListOrder};
    let point = match (
        number(params.lat.as_deref()).flatten(),
        number(params.lng.as_deref()).flatten(),
    ) {
        (Some(lat), Some(lng)) => Point::new(lat, lng),
        _ => None,
    };
    let order = match (params.sort.as_deref(), point) {
        (Some("price"), _) => ListOrder::Price,
        (Some("rating"), _) => ListOrder::Rating,
        // Distance without a usable point falls back to newest first (API §5.1).
        (Some("distance"), Some(p)) => ListOrder::Distance {
            lat: p.lat,
            lng: p.lng,
        },
        _ => ListOrder::Newest,
    };
    let filter = ListFilter {
        skill: params
            .skill
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        // Unparsable values are ignored (API §5.1).
        min_price: number(params.min_price.as_deref()).flatten(),
        max_price: number(params.max_price.as_deref()).flatten(),
        min_rating: number(params.rating.as_deref()).flatten(),
        available_now: params
            .available_now
            .as_deref()
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        order,
    };
    let paging = Paging::parse(params.page.as_deref(), params.per_page.as_deref())?;
    let mut conn = state.db.get().await?;
    let offset = match paging.page {
        Page::Number(n) => paging.offset(n),
        Page::Last => {
            let (_, count) = workers::list(&mut conn, &filter, 0, 0).await?;
            paging.offset(paging.resolve(count)?)
        }
    };
    let (rows, count) = workers::list(&mut conn, &filter, paging.per_page, offset).await?;
    let page = paging.resolve(count)?;
    let results = rows
        .iter()
        .map(|(w, d)| ListedWorker {
            profile: WorkerProfile::from(w),
            distance_km: *d,
        })
        .collect();
    Ok(Reply::json(paging.body(page, count, results)))
}
