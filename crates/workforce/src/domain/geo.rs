//! Coordinates and distances (DOMAIN §3.9): Haversine with R = 6371 km everywhere.

pub const EARTH_RADIUS_KM: f64 = 6371.0;
/// Radius bounds of the nearby searches: beyond 100 km "nearby" means nothing and the scan grows.
pub const MAX_RADIUS_KM: f64 = 100.0;
pub const MAX_RESULTS: i64 = 50;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lng: f64,
}

impl Point {
    /// A point on Earth, or `None` for values out of range or not finite.
    pub fn new(lat: f64, lng: f64) -> Option<Point> {
        let ok = lat.is_finite()
            && lng.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lng);
        ok.then_some(Point { lat, lng })
    }
}

/// Great-circle distance in km; the argument of `asin` is clamped so rounding never yields NaN.
pub fn haversine_km(a: Point, b: Point) -> f64 {
    let (phi1, phi2) = (a.lat.to_radians(), b.lat.to_radians());
    let dphi = (b.lat - a.lat).to_radians();
    let dlambda = (b.lng - a.lng).to_radians();
    let h = (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().clamp(0.0, 1.0).asin()
}

/// A search radius in km: positive, finite, at most [`MAX_RADIUS_KM`].
pub fn radius_km(value: f64) -> Option<f64> {
    (value.is_finite() && value > 0.0 && value <= MAX_RADIUS_KM).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_matches_known_distances() {
        let mumbai = Point::new(19.0760, 72.8777).unwrap_or(Point { lat: 0.0, lng: 0.0 });
        let pune = Point::new(18.5204, 73.8567).unwrap_or(Point { lat: 0.0, lng: 0.0 });
        let d = haversine_km(mumbai, pune);
        assert!((d - 119.9).abs() < 1.0, "{d}");
        assert_eq!(haversine_km(mumbai, mumbai), 0.0);
    }

    #[test]
    fn bounds() {
        assert!(Point::new(91.0, 0.0).is_none());
        assert!(Point::new(0.0, f64::NAN).is_none());
        assert_eq!(radius_km(10.0), Some(10.0));
        assert!(
            radius_km(0.0).is_none() && radius_km(-1.0).is_none() && radius_km(500.0).is_none()
        );
    }
}
