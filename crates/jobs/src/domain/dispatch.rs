//! Emergency dispatch (DOMAIN §4.7 steps 1–3, §3.9): haversine distances, the bounding box the index
//! query starts from, the ranking of candidates, and how the dispatch index takes workforce's events in
//! any order.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

/// Mean Earth radius of the haversine formula (DOMAIN §3.9), km.
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// A position in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// −90..90.
    pub lat: f64,
    /// −180..180.
    pub lng: f64,
}

/// Great-circle distance between `a` and `b`, km (haversine, R = 6371; the `asin` argument clamped to
/// [0, 1] against rounding).
pub fn haversine_km(a: Point, b: Point) -> f64 {
    let (phi1, phi2) = (a.lat.to_radians(), b.lat.to_radians());
    let d_phi = (b.lat - a.lat).to_radians();
    let d_lambda = (b.lng - a.lng).to_radians();
    let h = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().clamp(0.0, 1.0).asin()
}

/// `km` rounded to 2 decimals, as dispatch reports distances (DOMAIN §3.9).
pub fn round_km(km: f64) -> f64 {
    (km * 100.0).round() / 100.0
}

/// The latitude/longitude rectangle that holds every point within a radius of a centre: what the
/// dispatch index is searched by before haversine decides.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lng: f64,
    pub max_lng: f64,
}

impl BoundingBox {
    /// The smallest box around the spherical cap of `radius_km` at `center` (the cap's exact longitude
    /// extent, asin(sin(d)/cos(φ))); near a pole, or where the cap crosses the antimeridian, the box
    /// takes every longitude (its latitude bounds still narrow the search).
    pub fn around(center: Point, radius_km: f64) -> BoundingBox {
        let d = radius_km / EARTH_RADIUS_KM;
        let d_deg = d.to_degrees();
        let (min_lat, max_lat) = (center.lat - d_deg, center.lat + d_deg);
        let whole = BoundingBox {
            min_lat: min_lat.max(-90.0),
            max_lat: max_lat.min(90.0),
            min_lng: -180.0,
            max_lng: 180.0,
        };
        if min_lat <= -90.0 || max_lat >= 90.0 {
            return whole;
        }
        let ratio = d.sin() / center.lat.to_radians().cos();
        if ratio >= 1.0 {
            return whole;
        }
        let d_lng = ratio.asin().to_degrees();
        let (min_lng, max_lng) = (center.lng - d_lng, center.lng + d_lng);
        if min_lng < -180.0 || max_lng > 180.0 {
            return whole;
        }
        BoundingBox {
            min_lat,
            max_lat,
            min_lng,
            max_lng,
        }
    }
}

/// A worker the dispatch index found inside the box: their profile, user, position and rating.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub worker_id: Uuid,
    pub user_id: Uuid,
    pub position: Point,
    /// 0–5.
    pub rating: f64,
}

/// A candidate chosen for a dispatch, with its distance (km, 2 decimals).
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub candidate: Candidate,
    pub distance_km: f64,
}

/// Dispatch's choice (DOMAIN §4.7 steps 2–3): the candidates within `radius_km` of `center` (haversine,
/// exact), nearest first by the distance as reported (2 decimals), the better rated first at an equal
/// distance (then by profile id, so the choice is repeatable), at most `max`.
pub fn rank(center: Point, radius_km: f64, max: usize, candidates: Vec<Candidate>) -> Vec<Ranked> {
    let mut near: Vec<Ranked> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let km = haversine_km(center, candidate.position);
            (km <= radius_km).then(|| Ranked {
                distance_km: round_km(km),
                candidate,
            })
        })
        .collect();
    near.sort_by(|a, b| {
        a.distance_km
            .total_cmp(&b.distance_km)
            .then(b.candidate.rating.total_cmp(&a.candidate.rating))
            .then(a.candidate.worker_id.cmp(&b.candidate.worker_id))
    });
    near.truncate(max);
    near
}

/// A worker as the dispatch index holds them: where, whether available, how rated, which services,
/// whether verified and when last active (the dashboards', DOMAIN §7), and how recent each of those is
/// (the events of the three sources may arrive in any order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexedWorker {
    pub user_id: Uuid,
    pub position: Option<Point>,
    pub is_available: bool,
    /// 0–5.
    pub rating: f64,
    pub service_ids: Vec<Uuid>,
    /// The back office verified the profile (a profile event's).
    pub is_verified: bool,
    /// When the worker was last active (DOMAIN §3.1): the latest any event told; it only moves forward.
    pub last_seen: Option<DateTime<Utc>>,
    /// When the rating and services were last set (a profile event's time).
    pub profile_at: Option<DateTime<Utc>>,
    pub location_at: Option<DateTime<Utc>>,
    pub availability_at: Option<DateTime<Utc>>,
}

/// What one workforce event says of a worker, as of `at` (its `occurred_at`): `None` parts say
/// nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerNews {
    pub at: DateTime<Utc>,
    pub user_id: Uuid,
    /// The position (`Some(None)`: the profile has none).
    pub position: Option<Option<Point>>,
    pub is_available: Option<bool>,
    /// When the worker was last active, if the event says (a toggle's or a position's time, a profile's
    /// `last_seen`).
    pub last_seen: Option<DateTime<Utc>>,
    /// Profile events only: the rating, the verification and, when the event carries them, the
    /// services.
    pub profile: Option<ProfileNews>,
}

/// The profile's part of [`WorkerNews`].
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileNews {
    pub rating: Option<f64>,
    pub is_verified: Option<bool>,
    pub service_ids: Option<Vec<Uuid>>,
}

impl WorkerNews {
    /// `workforce.worker.created|updated` as of `at`: the position, availability, rating and verification
    /// of its "WorkerProfile JSON" (`latitude`/`longitude` decimal strings or null, `is_available`,
    /// `rating` "4.50", `is_verified`) and the services it lists ([`WorkerNews::seen`] adds the
    /// event's `last_seen`). A field the snapshot lacks, or cannot be read, says nothing.
    pub fn from_profile(
        user_id: Uuid,
        profile: Option<&Value>,
        service_ids: Option<Vec<Uuid>>,
        at: DateTime<Utc>,
    ) -> WorkerNews {
        let field = |name: &str| profile.and_then(|p| p.get(name));
        let degrees = |v: Option<&Value>| match v {
            Some(Value::String(s)) => s.trim().parse::<f64>().ok().map(Some),
            Some(Value::Number(n)) => n.as_f64().map(Some),
            Some(Value::Null) => Some(None),
            _ => None,
        };
        let position = match (degrees(field("latitude")), degrees(field("longitude"))) {
            (Some(Some(lat)), Some(Some(lng))) => Some(Some(Point { lat, lng })),
            (Some(None), _) | (_, Some(None)) => Some(None),
            _ => None,
        };
        WorkerNews {
            at,
            user_id,
            position,
            is_available: field("is_available").and_then(Value::as_bool),
            last_seen: None,
            profile: Some(ProfileNews {
                rating: degrees(field("rating")).flatten(),
                is_verified: field("is_verified").and_then(Value::as_bool),
                service_ids,
            }),
        }
    }

    /// The same news, saying the worker was last active at `last_seen` (when known).
    pub fn seen(self, last_seen: Option<DateTime<Utc>>) -> WorkerNews {
        WorkerNews { last_seen, ..self }
    }
}

/// Whether news of `at` is at least as recent as what was last taken from its source.
fn newer(at: DateTime<Utc>, seen: Option<DateTime<Utc>>) -> bool {
    seen.is_none_or(|seen| at >= seen)
}

impl IndexedWorker {
    /// Takes what `news` says, source by source, unless that source already has something newer: an
    /// event delivered late never overwrites a later position, toggle or profile.
    pub fn apply(&mut self, news: &WorkerNews) {
        self.user_id = news.user_id;
        if let Some(profile) = &news.profile {
            if newer(news.at, self.profile_at) {
                if let Some(rating) = profile.rating.filter(|r| r.is_finite()) {
                    self.rating = rating.clamp(0.0, 5.0);
                }
                if let Some(ids) = &profile.service_ids {
                    self.service_ids.clone_from(ids);
                }
                if let Some(verified) = profile.is_verified {
                    self.is_verified = verified;
                }
                self.profile_at = Some(news.at);
            }
        }
        if let Some(position) = news.position {
            if newer(news.at, self.location_at) {
                self.position = position;
                self.location_at = Some(news.at);
            }
        }
        if let Some(available) = news.is_available {
            if newer(news.at, self.availability_at) {
                self.is_available = available;
                self.availability_at = Some(news.at);
            }
        }
        self.last_seen = self.last_seen.max(news.last_seen);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LUCKNOW: Point = Point {
        lat: 26.8467,
        lng: 80.9462,
    };

    /// A point `km` east of `from` along its parallel (close enough for a few km).
    fn east(from: Point, km: f64) -> Point {
        Point {
            lat: from.lat,
            lng: from.lng + (km / (EARTH_RADIUS_KM * from.lat.to_radians().cos())).to_degrees(),
        }
    }

    fn candidate(n: u128, position: Point, rating: f64) -> Candidate {
        Candidate {
            worker_id: Uuid::from_u128(n),
            user_id: Uuid::from_u128(1000 + n),
            position,
            rating,
        }
    }

    #[test]
    fn haversine_measures_known_distances() {
        assert_eq!(haversine_km(LUCKNOW, LUCKNOW), 0.0);
        // Lucknow to Delhi (28.6139, 77.2090): about 417 km.
        let delhi = Point {
            lat: 28.6139,
            lng: 77.2090,
        };
        let km = haversine_km(LUCKNOW, delhi);
        assert!((km - 417.0).abs() < 2.0, "{km}");
        // A degree of latitude is R·π/180.
        let north = Point {
            lat: LUCKNOW.lat + 1.0,
            lng: LUCKNOW.lng,
        };
        assert!((haversine_km(LUCKNOW, north) - 111.195).abs() < 0.001);
        assert!((haversine_km(LUCKNOW, east(LUCKNOW, 3.0)) - 3.0).abs() < 0.01);
        // Antipodes: the clamp keeps asin defined.
        let antipode = Point {
            lat: -0.0,
            lng: 180.0,
        };
        let origin = Point { lat: 0.0, lng: 0.0 };
        assert!(
            (haversine_km(origin, antipode) - EARTH_RADIUS_KM * std::f64::consts::PI).abs() < 1e-6
        );
        assert_eq!(round_km(1.23456), 1.23);
        assert_eq!(round_km(4.999), 5.0);
    }

    #[test]
    fn the_bounding_box_holds_the_whole_circle_and_little_more() {
        let radius = 5.0;
        let b = BoundingBox::around(LUCKNOW, radius);
        assert!(b.min_lat < LUCKNOW.lat && LUCKNOW.lat < b.max_lat);
        // Every point on the circle is inside the box.
        for step in 0..360 {
            let bearing = f64::from(step).to_radians();
            let d = radius / EARTH_RADIUS_KM;
            let (phi1, lambda1) = (LUCKNOW.lat.to_radians(), LUCKNOW.lng.to_radians());
            let phi2 = (phi1.sin() * d.cos() + phi1.cos() * d.sin() * bearing.cos()).asin();
            let lambda2 = lambda1
                + (bearing.sin() * d.sin() * phi1.cos()).atan2(d.cos() - phi1.sin() * phi2.sin());
            let p = Point {
                lat: phi2.to_degrees(),
                lng: lambda2.to_degrees(),
            };
            assert!(
                p.lat >= b.min_lat - 1e-9
                    && p.lat <= b.max_lat + 1e-9
                    && p.lng >= b.min_lng - 1e-9
                    && p.lng <= b.max_lng + 1e-9,
                "{p:?} outside {b:?}"
            );
        }
        // ... and the box is no wider than the circle (plus rounding).
        let width_km = haversine_km(
            Point {
                lat: LUCKNOW.lat,
                lng: b.min_lng,
            },
            Point {
                lat: LUCKNOW.lat,
                lng: b.max_lng,
            },
        );
        assert!((width_km - 2.0 * radius).abs() < 0.01, "{width_km}");
        // Near a pole or across the antimeridian every longitude is searched.
        let pole = BoundingBox::around(
            Point {
                lat: 89.99,
                lng: 10.0,
            },
            radius,
        );
        assert_eq!(
            (pole.min_lng, pole.max_lng, pole.max_lat),
            (-180.0, 180.0, 90.0)
        );
        let fiji = BoundingBox::around(
            Point {
                lat: -17.0,
                lng: 179.99,
            },
            radius,
        );
        assert_eq!((fiji.min_lng, fiji.max_lng), (-180.0, 180.0));
    }

    #[test]
    fn ranking_is_by_distance_then_rating_within_the_radius_and_the_count() {
        let candidates = vec![
            candidate(1, east(LUCKNOW, 3.0), 3.0),
            candidate(2, east(LUCKNOW, 1.0), 4.0),
            candidate(3, east(LUCKNOW, 1.0), 4.9), // as near as 2, better rated
            candidate(4, east(LUCKNOW, 6.0), 5.0), // outside 5 km
            candidate(5, east(LUCKNOW, 4.99), 1.0),
            candidate(6, east(LUCKNOW, 2.0), 0.0),
        ];
        let ranked = rank(LUCKNOW, 5.0, 10, candidates.clone());
        let order: Vec<u128> = ranked
            .iter()
            .map(|r| r.candidate.worker_id.as_u128())
            .collect();
        assert_eq!(order, [3, 2, 6, 1, 5]);
        assert_eq!(ranked[0].distance_km, 1.0);
        assert_eq!(ranked[4].distance_km, 4.99);
        let first_three = rank(LUCKNOW, 5.0, 3, candidates.clone());
        assert_eq!(first_three.len(), 3);
        assert_eq!(first_three[2].candidate.worker_id.as_u128(), 6);
        assert!(rank(LUCKNOW, 0.5, 5, candidates).is_empty());
    }

    #[test]
    fn the_index_takes_each_source_newest_first_whatever_the_order() {
        let t = |s: i64| DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::seconds(1_800_000_000 + s);
        let user = Uuid::from_u128(9);
        let service = Uuid::from_u128(77);
        let profile = WorkerNews::from_profile(
            user,
            Some(
                &json!({"latitude": "26.846700", "longitude": "80.946200", "is_available": false,
                          "rating": "4.50"}),
            ),
            Some(vec![service]),
            t(10),
        );
        assert_eq!(
            profile.position,
            Some(Some(Point {
                lat: 26.8467,
                lng: 80.9462
            }))
        );
        let moved = WorkerNews {
            at: t(20),
            user_id: user,
            position: Some(Some(Point { lat: 1.0, lng: 2.0 })),
            is_available: Some(true),
            last_seen: Some(t(20)),
            profile: None,
        };
        let stale_move = WorkerNews {
            at: t(5),
            position: Some(Some(Point { lat: 9.0, lng: 9.0 })),
            is_available: Some(false),
            last_seen: Some(t(5)),
            ..moved.clone()
        };
        let mut in_order = IndexedWorker::default();
        for news in [&stale_move, &profile, &moved] {
            in_order.apply(news);
        }
        let mut late = IndexedWorker::default();
        for news in [&moved, &profile, &stale_move] {
            late.apply(news);
        }
        assert_eq!(in_order, late);
        assert_eq!(late.position, Some(Point { lat: 1.0, lng: 2.0 }));
        assert!(late.is_available);
        assert_eq!(
            (late.rating, late.service_ids.clone()),
            (4.5, vec![service])
        );
        assert_eq!(
            (late.profile_at, late.location_at, late.availability_at),
            (Some(t(10)), Some(t(20)), Some(t(20)))
        );
        assert_eq!(late.last_seen, Some(t(20)), "last seen never moves back");
        // A newer profile without a position clears it; one without services keeps them.
        let cleared = WorkerNews::from_profile(
            user,
            Some(&json!({"latitude": null, "longitude": null, "rating": "3.00", "is_verified": true})),
            None,
            t(30),
        )
        .seen(Some(t(1)));
        late.apply(&cleared);
        assert!(late.is_verified);
        assert_eq!(late.last_seen, Some(t(20)));
        assert_eq!(late.position, None);
        assert!(late.is_available, "the snapshot said nothing of it");
        assert_eq!(
            (late.rating, late.service_ids.clone()),
            (3.0, vec![service])
        );
    }
}
