//! The two nearby searches (API §5.7, §5.8): public, P-STD, index-driven (store::search).

use crate::domain::geo::{self, Point};
use crate::error::{Result, WorkforceError};
use crate::store::search::{self, Availability, Query, Sort};
use crate::store::worker_list::{self, ListFilter, ListOrder};
use crate::store::workers;
use crate::views::WorkerProfile;
use crate::AppState;
use hm_platform::input;
use hm_platform::input::numbers::parse_decimal;
use hm_platform::paging::{NumberedPage, Paging};
use hm_platform::reply::Reply;
use paperclip::actix::{api_v2_operation, web, Apiv2Schema};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// A trimmed, non-blank text parameter.
fn text(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

/// A radius parameter: `default` km when absent, else a number `geo::radius_km` accepts.
fn radius(raw: Option<&str>, default: f64) -> Result<f64> {
    let radius = number(raw)
        .ok_or(WorkforceError::InvalidRadius)?
        .unwrap_or(default);
    geo::radius_km(radius).ok_or(WorkforceError::InvalidRadius)
}

impl NearbyParams {
    /// The search asked for, and its page.
    fn search(&self) -> Result<(Query, Paging)> {
        let point = |raw: &Option<String>| {
            number(raw.as_deref())
                .flatten()
                .ok_or(WorkforceError::InvalidPoint)
        };
        let (lat, lng) = (point(&self.lat)?, point(&self.lng)?);
        let at = Point::new(lat, lng).ok_or(WorkforceError::InvalidPoint)?;
        let radius = radius(self.radius_km.as_deref(), 10.0)?;
        let paging = Paging::parse(self.page.as_deref(), self.per_page.as_deref())?;
        let query = Query {
            at,
            radius_km: radius,
            service: None,
            skill: text(self.skill.as_deref()).map(str::to_owned),
            availability: Availability::Status,
            min_price: None,
            max_price: None,
            sort: Sort::Distance,
            descending: false,
            limit: 0,
            offset: 0,
        };
        Ok((query, paging))
    }
}

/// `GET /api/v1/workers/nearby/`: workers whose status is `available`, nearest first.
#[api_v2_operation(tags(Workers))]
pub async fn nearby(
    state: web::Data<AppState>,
    params: input::Query<NearbyParams>,
) -> Result<Reply<NumberedPage<NearbyWorker>>> {
    let (query, paging) = params.search()?;
    let mut conn = state.db.get().await?;
    let (page, count, found) = search::run(&mut conn, query, paging).await?;
    let results = found
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

impl SearchParams {
    /// The search asked for, and its page.
    fn search(&self) -> Result<(Query, Paging)> {
        let (Some(lat), Some(lng)) = (text(self.lat.as_deref()), text(self.lng.as_deref())) else {
            return Err(WorkforceError::MissingPoint);
        };
        let at = parse_decimal(lat)
            .zip(parse_decimal(lng))
            .and_then(|(lat, lng)| Point::new(lat, lng))
            .ok_or(WorkforceError::InvalidCoordinates)?;
        let radius = radius(self.radius_km.as_deref(), 5.0)?;
        let service = match text(self.service_id.as_deref()) {
            None => None,
            Some(s) => Some(Uuid::parse_str(s).map_err(|_| WorkforceError::InvalidServiceId)?),
        };
        let sort = match self.sort_by.as_deref() {
            Some("price") => Sort::Price,
            Some("rating") => Sort::Rating,
            _ => Sort::Distance,
        };
        let paging = Paging::parse(self.page.as_deref(), self.per_page.as_deref())?;
        let query = Query {
            at,
            radius_km: radius,
            service,
            skill: None,
            availability: Availability::Online,
            // Unparsable prices are ignored (API §5.8).
            min_price: number(self.min_price.as_deref()).flatten(),
            max_price: number(self.max_price.as_deref()).flatten(),
            sort,
            descending: self.order.as_deref() == Some("desc"),
            limit: 0,
            offset: 0,
        };
        Ok((query, paging))
    }
}

/// `GET /api/v1/workers/search/nearby/`: online workers, by distance, price or rating.
#[api_v2_operation(tags(Workers))]
pub async fn search(
    state: web::Data<AppState>,
    params: input::Query<SearchParams>,
) -> Result<Reply<NumberedPage<SearchHit>>> {
    let (query, paging) = params.search()?;
    let mut conn = state.db.get().await?;
    let (page, count, found) = search::run(&mut conn, query, paging).await?;
    let results = found.iter().map(|(w, d)| search_item(w, *d)).collect();
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

impl ListParams {
    /// The filters and order asked for, and the page.
    fn filter(&self) -> Result<(ListFilter, Paging)> {
        let point = match (
            number(self.lat.as_deref()).flatten(),
            number(self.lng.as_deref()).flatten(),
        ) {
            (Some(lat), Some(lng)) => Point::new(lat, lng),
            _ => None,
        };
        let order = match (self.sort.as_deref(), point) {
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
            skill: text(self.skill.as_deref()).map(str::to_owned),
            // Unparsable values are ignored (API §5.1).
            min_price: number(self.min_price.as_deref()).flatten(),
            max_price: number(self.max_price.as_deref()).flatten(),
            min_rating: number(self.rating.as_deref()).flatten(),
            available_now: self
                .available_now
                .as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            order,
        };
        let paging = Paging::parse(self.page.as_deref(), self.per_page.as_deref())?;
        Ok((filter, paging))
    }
}

/// `GET /api/v1/workers/`: the worker list with filters (API §5.1), P-STD.
#[api_v2_operation(tags(Workers))]
pub async fn list(
    state: web::Data<AppState>,
    params: input::Query<ListParams>,
) -> Result<Reply<NumberedPage<ListedWorker>>> {
    let (filter, paging) = params.filter()?;
    let mut conn = state.db.get().await?;
    let (page, count, rows) = worker_list::list_page(&mut conn, &filter, paging).await?;
    let results = rows
        .iter()
        .map(|(w, d)| ListedWorker {
            profile: WorkerProfile::from(w),
            distance_km: *d,
        })
        .collect();
    Ok(Reply::json(paging.body(page, count, results)))
}
