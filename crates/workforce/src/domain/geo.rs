//! Coordinates and distances (DOMAIN §3.9): Haversine with R = 6371 km everywhere.

/// The Earth's radius of DOMAIN §3.9.
pub const EARTH_RADIUS_KM: f64 = 6371.0;
/// Up to this radius a nearby search scans its whole window (the benchmarked case, `make bench-nearby`).
pub const FULL_SCAN_RADIUS_KM: f64 = 100.0;
/// Beyond [`FULL_SCAN_RADIUS_KM`], a search scans at most this many index entries: a larger radius is
/// narrowed (halved, never below 100 km) until its window holds no more, so any radius a client sends
/// answers in bounded time, nearest first, within the widest radius the cap allows (API §5.7–5.8).
pub const MAX_SCANNED: i64 = 50_000;

/// A position in decimal degrees.
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

/// Latitude bands per degree of `worker_search.band` (`floor(lat * 50)`, migration 8): 0.02° ≈ 2.2 km.
pub const BANDS_PER_DEGREE: f64 = 50.0;

/// The index ranges that hold every point within a radius: the latitude bands the radius spans and one
/// longitude range (the whole circle when the cap reaches a pole or crosses the antimeridian).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchWindow {
    pub bands: Vec<i16>,
    pub lng_min: f64,
    pub lng_max: f64,
}

/// Widening for rounding: the window may hold a little more than the circle, never less.
const MARGIN: f64 = 1.001;

impl SearchWindow {
    pub fn around(at: Point, radius_km: f64) -> SearchWindow {
        let angle = radius_km / EARTH_RADIUS_KM;
        let dlat = angle.to_degrees() * MARGIN + 1e-9;
        let (south, north) = ((at.lat - dlat).max(-90.0), (at.lat + dlat).min(90.0));
        let band = |lat: f64| (lat * BANDS_PER_DEGREE).floor() as i16;
        // The widest longitude of a spherical cap is asin(sin(angle) / cos(lat)) either side.
        let spread = angle.sin() / at.lat.to_radians().cos();
        let dlng = if spread < 1.0 && south > -90.0 && north < 90.0 {
            spread.asin().to_degrees() * MARGIN + 1e-9
        } else {
            f64::INFINITY
        };
        let (lng_min, lng_max) = if at.lng - dlng < -180.0 || at.lng + dlng > 180.0 {
            (-180.0, 180.0)
        } else {
            (at.lng - dlng, at.lng + dlng)
        };
        SearchWindow {
            bands: (band(south)..=band(north)).collect(),
            lng_min,
            lng_max,
        }
    }

    pub fn holds(&self, p: Point) -> bool {
        let band = (p.lat * BANDS_PER_DEGREE).floor() as i16;
        self.bands.contains(&band) && (self.lng_min..=self.lng_max).contains(&p.lng)
    }
}

/// Half the Earth's circumference: every point is within this distance of any other.
pub const HALF_CIRCUMFERENCE_KM: f64 = std::f64::consts::PI * EARTH_RADIUS_KM;

/// A search radius in km: any finite, non-negative number (API §5.7–5.8; 0 finds only the exact point);
/// beyond half the circumference it means "everywhere", and is that.
pub fn radius_km(value: f64) -> Option<f64> {
    (value.is_finite() && value >= 0.0).then_some(value.min(HALF_CIRCUMFERENCE_KM))
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

    /// Points just inside the radius in every direction, at several latitudes, fall in the window.
    #[test]
    fn the_window_holds_the_whole_circle() {
        for (lat, lng, radius) in [
            (19.076, 72.8777, 10.0),
            (26.85, 80.95, 100.0),
            (-33.9, 151.2, 5.0),
            (64.1, -21.9, 50.0),
        ] {
            let at = Point::new(lat, lng).unwrap_or(Point { lat: 0.0, lng: 0.0 });
            let window = SearchWindow::around(at, radius);
            for step in 0..360 {
                let bearing = f64::from(step).to_radians();
                let p = destination(at, bearing, radius * 0.9999);
                assert!(haversine_km(at, p) <= radius);
                assert!(window.holds(p), "{lat},{lng} r={radius}: {p:?} outside");
            }
            assert!(window.bands.len() < 100, "{}", window.bands.len());
        }
    }

    #[test]
    fn polar_and_antimeridian_windows_take_every_longitude() {
        let pole = SearchWindow::around(
            Point {
                lat: 89.95,
                lng: 10.0,
            },
            10.0,
        );
        assert_eq!((pole.lng_min, pole.lng_max), (-180.0, 180.0));
        let fiji = SearchWindow::around(
            Point {
                lat: -17.7,
                lng: 179.99,
            },
            10.0,
        );
        assert_eq!((fiji.lng_min, fiji.lng_max), (-180.0, 180.0));
        assert!(fiji.holds(Point {
            lat: -17.7,
            lng: -179.99
        }));
    }

    /// The point `km` away along `bearing` (great circle).
    fn destination(from: Point, bearing: f64, km: f64) -> Point {
        let (phi, lambda, d) = (
            from.lat.to_radians(),
            from.lng.to_radians(),
            km / EARTH_RADIUS_KM,
        );
        let phi2 = (phi.sin() * d.cos() + phi.cos() * d.sin() * bearing.cos()).asin();
        let lambda2 =
            lambda + (bearing.sin() * d.sin() * phi.cos()).atan2(d.cos() - phi.sin() * phi2.sin());
        Point {
            lat: phi2.to_degrees(),
            lng: lambda2.to_degrees(),
        }
    }

    #[test]
    fn bounds() {
        assert!(Point::new(91.0, 0.0).is_none());
        assert!(Point::new(0.0, f64::NAN).is_none());
        assert_eq!(radius_km(10.0), Some(10.0));
        assert!(
            radius_km(0.0) == Some(0.0)
                && radius_km(500.0) == Some(500.0)
                && radius_km(1e308) == Some(HALF_CIRCUMFERENCE_KM)
                && radius_km(-1.0).is_none()
                && radius_km(f64::INFINITY).is_none()
        );
    }
}
