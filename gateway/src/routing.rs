//! The route table (ARCHITECTURE §6): path families → upstream and access policy, read from TOML so a
//! deployment changes routing without a rebuild. Matching is segment by segment on the raw path, with
//! no allocation, against routes sorted most specific first.

use actix_web::http::uri::{Authority, PathAndQuery, Scheme, Uri};
use actix_web::http::Method;
use hm_contracts::Role;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Who may call a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    Public,
    Authenticated,
    Roles(Vec<Role>),
}

#[derive(Debug, Clone)]
pub struct Upstream {
    pub name: String,
    /// Base URL without a trailing slash, e.g. `http://identity:8101`.
    pub url: String,
    pub timeout: Duration,
    /// The URL's scheme and authority when it has no path (the usual case), so that a request's
    /// upstream address is put together from parts rather than formatted and parsed again.
    origin: Option<(Scheme, Authority)>,
}

impl Upstream {
    /// Where a request for `path_and_query` goes on this upstream; `None` only for a base URL with a
    /// path that makes an invalid address with it.
    pub fn uri_for(&self, path_and_query: Option<&PathAndQuery>) -> Option<Uri> {
        let pq = path_and_query
            .cloned()
            .unwrap_or_else(|| PathAndQuery::from_static("/"));
        match &self.origin {
            Some((scheme, authority)) => Uri::builder()
                .scheme(scheme.clone())
                .authority(authority.clone())
                .path_and_query(pq)
                .build()
                .ok(),
            None => format!("{}{}", self.url, pq.as_str()).parse().ok(),
        }
    }
}

/// The scheme and authority of a base URL that has no path.
fn origin_of(url: &str) -> Option<(Scheme, Authority)> {
    let uri: Uri = url.parse().ok()?;
    let bare = uri.path_and_query().is_none_or(|pq| pq.as_str() == "/");
    match (bare, uri.scheme(), uri.authority()) {
        (true, Some(scheme), Some(authority)) => Some((scheme.clone(), authority.clone())),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Any,
}

#[derive(Debug, Clone)]
pub struct Route {
    /// As written in the table, for logs, `check-routes` and the `route` label of the request metrics
    /// (`hm_platform::metrics::RouteLabel`).
    pub prefix: Arc<str>,
    segments: Vec<Segment>,
    exact: bool,
    methods: Option<Vec<Method>>,
    /// Index into [`RouteTable::upstreams`].
    pub upstream: usize,
    pub policy: Policy,
    pub timeout: Duration,
    pub max_body_bytes: usize,
    pub throttle: bool,
    /// Whether a bearer token sent with the request is verified (and a bad one refused). `false` only
    /// where the endpoint runs no authentication at all (API §3.3: refresh ignores a stale token).
    pub verify_token: bool,
    /// Whether an `Upgrade: websocket` request becomes a relayed socket (`crate::sockets`); the route's
    /// timeout then bounds only the upstream handshake.
    pub websocket: bool,
}

impl Route {
    fn matches(&self, method: &Method, path: &str) -> bool {
        if let Some(methods) = &self.methods {
            // HEAD is the GET of the same path without its body (RFC 9110 §9.3.2).
            let allowed = methods.contains(method)
                || (method == Method::HEAD && methods.contains(&Method::GET));
            if !allowed {
                return false;
            }
        }
        let mut parts = segments(path);
        for expected in &self.segments {
            match (expected, parts.next()) {
                (Segment::Any, Some(_)) => {}
                (Segment::Literal(lit), Some(part)) if lit == part => {}
                _ => return false,
            }
        }
        !self.exact || parts.next().is_none()
    }

    /// Sort key: most specific first.
    fn specificity(&self) -> (usize, bool, bool, usize) {
        let literals = self
            .segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count();
        (
            self.segments.len(),
            self.exact,
            self.methods.is_some(),
            literals,
        )
    }

    pub fn describe_methods(&self) -> String {
        match &self.methods {
            None => "*".to_owned(),
            Some(m) => m.iter().map(Method::as_str).collect::<Vec<_>>().join(","),
        }
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// Paths the gateway refuses to forward: dot segments, empty interior segments and encoded separators
/// would let a path match one route here and mean another upstream.
pub fn is_safe_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    if path.contains('\\') {
        return false;
    }
    // One pass over the segments between the first and a trailing slash (`//` alone is the root).
    let inner = rest.strip_suffix('/').unwrap_or(rest);
    if !inner.is_empty()
        && inner
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return false;
    }
    // Most paths hold no `%` at all: one vectorised search answers for them.
    !path.contains('%')
        || !path.as_bytes().windows(3).any(|w| {
            w[0] == b'%'
                && matches!(
                    (w[1].to_ascii_lowercase(), w[2].to_ascii_lowercase()),
                    (b'2', b'e') | (b'2', b'f') | (b'5', b'c') | (b'0', b'0')
                )
        })
}

#[derive(Debug, Clone)]
pub struct RouteTable {
    pub upstreams: Vec<Upstream>,
    routes: Vec<Route>,
}

#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    #[error("route table is not valid TOML: {0}")]
    Toml(String),
    #[error("route table: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileUpstream {
    url: String,
    #[serde(default = "default_timeout_secs")]
    timeout_secs: u64,
}

fn default_timeout_secs() -> u64 {
    10
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRoute {
    prefix: String,
    upstream: String,
    policy: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    methods: Option<Vec<String>>,
    #[serde(default)]
    exact: bool,
    timeout_secs: Option<u64>,
    max_body_bytes: Option<usize>,
    #[serde(default = "yes")]
    throttle: bool,
    #[serde(default = "yes")]
    verify_token: bool,
    #[serde(default)]
    websocket: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    upstreams: BTreeMap<String, FileUpstream>,
    routes: Vec<FileRoute>,
}

/// The table compiled into the binary; `GATEWAY_ROUTES_FILE` replaces it.
pub const DEFAULT_TABLE: &str = include_str!("../routes.toml");

impl RouteTable {
    /// Parses and checks a table. `url_override(name)` supplies deployment URLs (UPSTREAM_<NAME>_URL).
    pub fn parse(
        text: &str,
        url_override: impl Fn(&str) -> Option<String>,
        default_max_body: usize,
    ) -> Result<Self, RouteError> {
        let file: File = toml::from_str(text).map_err(|e| RouteError::Toml(e.to_string()))?;
        let invalid = |msg: String| RouteError::Invalid(msg);
        let mut upstreams = Vec::new();
        for (name, up) in file.upstreams {
            let url = url_override(&name).unwrap_or(up.url);
            let url = url.trim_end_matches('/').to_owned();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(invalid(format!(
                    "upstream {name}: url must start with http:// or https://, got {url:?}"
                )));
            }
            if up.timeout_secs == 0 {
                return Err(invalid(format!(
                    "upstream {name}: timeout_secs must be > 0"
                )));
            }
            upstreams.push(Upstream {
                name,
                origin: origin_of(&url),
                url,
                timeout: Duration::from_secs(up.timeout_secs),
            });
        }
        let mut routes = Vec::new();
        for r in file.routes {
            let at = |msg: &str| invalid(format!("route {}: {msg}", r.prefix));
            if !r.prefix.starts_with('/') || !is_safe_path(&r.prefix.replace('*', "x")) {
                return Err(at(
                    "prefix must be an absolute path without dot or empty segments",
                ));
            }
            let upstream = upstreams
                .iter()
                .position(|u| u.name == r.upstream)
                .ok_or_else(|| at(&format!("unknown upstream {:?}", r.upstream)))?;
            let policy = match (r.policy.as_str(), r.roles.is_empty()) {
                ("public", true) => Policy::Public,
                ("authenticated", true) => Policy::Authenticated,
                ("role", false) => Policy::Roles(
                    r.roles
                        .iter()
                        .map(|s| Role::from_str(s).map_err(|_| at(&format!("unknown role {s:?}"))))
                        .collect::<Result<_, _>>()?,
                ),
                ("role", true) => return Err(at("policy \"role\" needs `roles`")),
                ("public" | "authenticated", false) => {
                    return Err(at("`roles` only goes with policy \"role\""))
                }
                (other, _) => return Err(at(&format!("unknown policy {other:?}"))),
            };
            let methods = match r.methods {
                None => None,
                Some(list) if list.is_empty() => return Err(at("`methods` is empty")),
                Some(list) => Some(
                    list.iter()
                        .map(|m| {
                            Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                                .map_err(|_| at(&format!("bad method {m:?}")))
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            };
            if r.timeout_secs == Some(0) || r.max_body_bytes == Some(0) {
                return Err(at("timeout_secs and max_body_bytes must be > 0"));
            }
            routes.push(Route {
                segments: segments(&r.prefix)
                    .map(|s| match s {
                        "*" => Segment::Any,
                        lit => Segment::Literal(lit.to_owned()),
                    })
                    .collect(),
                timeout: r
                    .timeout_secs
                    .map(Duration::from_secs)
                    .unwrap_or(upstreams[upstream].timeout),
                max_body_bytes: r.max_body_bytes.unwrap_or(default_max_body),
                prefix: r.prefix.into(),
                exact: r.exact,
                methods,
                upstream,
                policy,
                throttle: r.throttle,
                verify_token: r.verify_token,
                websocket: r.websocket,
            });
        }
        for (i, a) in routes.iter().enumerate() {
            if let Some(b) = routes[i + 1..]
                .iter()
                .find(|b| a.segments == b.segments && a.exact == b.exact && a.methods == b.methods)
            {
                return Err(invalid(format!(
                    "routes {} and {} overlap exactly",
                    a.prefix, b.prefix
                )));
            }
        }
        // Stable sort: equally specific routes keep file order.
        routes.sort_by_key(|r| std::cmp::Reverse(r.specificity()));
        Ok(RouteTable { upstreams, routes })
    }

    /// The route for a request, if any.
    pub fn resolve(&self, method: &Method, path: &str) -> Option<(usize, &Route)> {
        self.routes
            .iter()
            .enumerate()
            .find(|(_, r)| r.matches(method, path))
    }

    pub fn route(&self, index: usize) -> &Route {
        &self.routes[index]
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    pub fn upstream_of(&self, route: &Route) -> &Upstream {
        &self.upstreams[route.upstream]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn default_table() -> RouteTable {
        RouteTable::parse(DEFAULT_TABLE, |_| None, 1024).unwrap()
    }

    fn resolve<'a>(t: &'a RouteTable, method: &str, path: &str) -> Option<(&'a str, &'a Policy)> {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        t.resolve(&method, path)
            .map(|(_, r)| (t.upstream_of(r).name.as_str(), &r.policy))
    }

    #[test]
    fn every_path_family_of_the_spec_has_an_upstream() {
        let t = default_table();
        let cases = [
            (
                "POST",
                "/api/v1/auth/request-otp/",
                "identity",
                Policy::Public,
            ),
            (
                "POST",
                "/api/v1/auth/logout",
                "identity",
                Policy::Authenticated,
            ),
            ("GET", "/api/v1/app-config/", "catalog", Policy::Public),
            (
                "GET",
                "/api/v1/services/plumbing/",
                "catalog",
                Policy::Public,
            ),
            (
                "GET",
                "/api/v1/core/theme/active/",
                "catalog",
                Policy::Public,
            ),
            (
                "POST",
                "/api/v1/media/upload/",
                "catalog",
                Policy::Authenticated,
            ),
            ("GET", "/api/v1/workers/", "workforce", Policy::Public),
            (
                "GET",
                "/api/v1/workers/me/",
                "workforce",
                Policy::Authenticated,
            ),
            (
                "POST",
                "/api/v1/workers/",
                "workforce",
                Policy::Authenticated,
            ),
            (
                "POST",
                "/api/v1/attendance/kiosk/",
                "workforce",
                Policy::Public,
            ),
            (
                "GET",
                "/api/v1/attendance/site/abc/",
                "workforce",
                Policy::Authenticated,
            ),
            ("GET", "/api/v1/jobs/", "jobs", Policy::Public),
            (
                "POST",
                "/api/v1/jobs/x/apply/",
                "jobs",
                Policy::Authenticated,
            ),
            ("POST", "/api/v1/payments/", "jobs", Policy::Authenticated),
            ("POST", "/api/v1/payments/webhook/", "jobs", Policy::Public),
            (
                "POST",
                "/api/v1/emergency/requests/",
                "jobs",
                Policy::Public,
            ),
            (
                "GET",
                "/api/v1/emergency/requests/",
                "jobs",
                Policy::Authenticated,
            ),
            (
                "POST",
                "/api/v1/emergency/requests/x/accept/",
                "jobs",
                Policy::Authenticated,
            ),
            ("GET", "/api/v1/bookings/b1/", "jobs", Policy::Authenticated),
            (
                "GET",
                "/api/v1/bookings/b1/timeline/",
                "notifications",
                Policy::Authenticated,
            ),
            (
                "POST",
                "/api/v1/devices/register/",
                "notifications",
                Policy::Public,
            ),
            (
                "GET",
                "/api/notifications/devices/",
                "notifications",
                Policy::Authenticated,
            ),
            (
                "POST",
                "/api/v1/analytics/events/",
                "analytics",
                Policy::Public,
            ),
        ];
        for (method, path, upstream, policy) in cases {
            assert_eq!(
                resolve(&t, method, path),
                Some((upstream, &policy)),
                "{method} {path}"
            );
        }
        let admin = Policy::Roles(vec![Role::Admin]);
        assert_eq!(
            resolve(&t, "GET", "/api/v1/dashboard/admin/"),
            Some(("jobs", &admin))
        );
        assert_eq!(
            resolve(&t, "POST", "/api/v1/admin/catalog/services/"),
            Some(("catalog", &admin))
        );
        assert_eq!(
            resolve(&t, "POST", "/api/v1/kiosks/"),
            Some((
                "workforce",
                &Policy::Roles(vec![Role::Contractor, Role::Admin])
            ))
        );
        assert_eq!(
            resolve(&t, "POST", "/api/v1/attendance/kiosk/check-in/"),
            Some(("workforce", &Policy::Public))
        );
        assert_eq!(resolve(&t, "GET", "/api/v1/nothing/"), None);
        assert_eq!(resolve(&t, "GET", "/api/v1/"), None);
        assert_eq!(resolve(&t, "GET", "/api/v1/authx/"), None);
    }

    #[test]
    fn upstream_addresses_are_put_together_from_their_parts() {
        let table = |url: &str| {
            let text = format!("[upstreams.a]\nurl = \"{url}\"\n[[routes]]\nprefix = \"/api/v1/a/\"\nupstream = \"a\"\npolicy = \"public\"\n");
            RouteTable::parse(&text, |_| None, 1024).unwrap()
        };
        let pq = PathAndQuery::from_static("/api/v1/a/x/?q=1&r=%20");
        let bare = table("http://svc.hm:8101/");
        assert!(bare.upstreams[0].origin.is_some());
        assert_eq!(
            bare.upstreams[0].uri_for(Some(&pq)).unwrap().to_string(),
            "http://svc.hm:8101/api/v1/a/x/?q=1&r=%20"
        );
        assert_eq!(
            bare.upstreams[0].uri_for(None).unwrap().to_string(),
            "http://svc.hm:8101/"
        );
        let prefixed = table("https://edge.example/base");
        assert!(prefixed.upstreams[0].origin.is_none());
        assert_eq!(
            prefixed.upstreams[0]
                .uri_for(Some(&pq))
                .unwrap()
                .to_string(),
            "https://edge.example/base/api/v1/a/x/?q=1&r=%20"
        );
    }

    #[test]
    fn upstream_urls_are_overridden_per_deployment() {
        let t = RouteTable::parse(
            DEFAULT_TABLE,
            |name| (name == "jobs").then(|| "http://jobs.hm.svc:8104/".to_owned()),
            1024,
        )
        .unwrap();
        let jobs = t.upstreams.iter().find(|u| u.name == "jobs").unwrap();
        assert_eq!(jobs.url, "http://jobs.hm.svc:8104");
    }

    #[test]
    fn bad_tables_are_refused_with_the_reason() {
        let base = "[upstreams.a]\nurl = \"http://x\"\n";
        let bad = [
            ("[[routes]]\nprefix = \"/a/\"\nupstream = \"b\"\npolicy = \"public\"\n", "unknown upstream"),
            ("[[routes]]\nprefix = \"/a/\"\nupstream = \"a\"\npolicy = \"role\"\n", "needs `roles`"),
            ("[[routes]]\nprefix = \"/a/\"\nupstream = \"a\"\npolicy = \"role\"\nroles = [\"boss\"]\n", "unknown role"),
            ("[[routes]]\nprefix = \"/a/\"\nupstream = \"a\"\npolicy = \"open\"\n", "unknown policy"),
            ("[[routes]]\nprefix = \"a/\"\nupstream = \"a\"\npolicy = \"public\"\n", "absolute path"),
            ("[[routes]]\nprefix = \"/a/../b/\"\nupstream = \"a\"\npolicy = \"public\"\n", "absolute path"),
            ("[[routes]]\nprefix = \"/a/\"\nupstream = \"a\"\npolicy = \"public\"\n[[routes]]\nprefix = \"/a\"\nupstream = \"a\"\npolicy = \"authenticated\"\n", "overlap"),
            ("[[routes]]\nprefix = \"/a/\"\nupstream = \"a\"\npolicy = \"public\"\ncolour = 1\n", "unknown field"),
        ];
        for (routes, reason) in bad {
            let err = RouteTable::parse(&format!("{base}{routes}"), |_| None, 1)
                .unwrap_err()
                .to_string();
            assert!(err.contains(reason), "{err} should mention {reason}");
        }
        let err = RouteTable::parse(
            "routes = []\n[upstreams.a]\nurl = \"ftp://x\"\n",
            |_| None,
            1,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("http://"), "{err}");
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for ok in [
            "/",
            "/api/v1/auth/",
            "/api/v1/auth",
            "/api/v1/jobs/3fa85f64/",
        ] {
            assert!(is_safe_path(ok), "{ok}");
        }
        for bad in [
            "/api/v1/auth/../admin/",
            "/api/v1/./auth/",
            "/api//v1/admin/",
            "/api/v1/auth/%2e%2e/admin/",
            "/api/v1/auth%2Fx/",
            "/api\\v1/",
            "/api/v1/a%00/",
            "api/v1/",
        ] {
            assert!(!is_safe_path(bad), "{bad}");
        }
    }
}
