//! The gate every API request passes before it is served or proxied, in the order API §1.7 fixes:
//! route → token (a bad one is a 401 even on a public route) → policy → throttle. A request the route
//! table matched is then forwarded from here (`proxy::forward`); only the gateway's own pages go on to
//! actix's router.

use crate::metrics::GatewayMetrics;
use crate::routing::{is_safe_path, Policy, RouteTable};
use crate::throttle::{Rate, Throttle};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpRequest, ResponseError};
use hm_platform::auth::{self, AuthUser, TokenVerifier};
use hm_platform::error::ApiError;
use hm_platform::metrics::RouteLabel;
use hm_platform::redis::Keys;
use std::net::IpAddr;
use std::sync::Arc;

/// What the gateway shares between its workers.
pub struct Gateway {
    pub table: RouteTable,
    pub verifier: Arc<TokenVerifier>,
    pub throttle: Throttle,
    pub anon_rate: Option<Rate>,
    pub user_rate: Option<Rate>,
    pub keys: Keys,
    pub trusted_proxy_hops: usize,
    /// The origins browsers may call from; WebSocket handshakes are held to them too.
    pub cors: crate::config::CorsConfig,
    pub metrics: GatewayMetrics,
    /// The port of the internal listener that alone serves `/metrics` (never the clients' port).
    pub metrics_port: u16,
}

/// The gateway's own pages under `/api/`: public, and throttled like any endpoint.
const LOCAL: [&str; 4] = ["/api/v1/health", "/api/schema", "/api/docs", "/api/redoc"];

/// Probes, the documentation pages' static files and the admin console's files skip the gate (the
/// console's API calls do not).
fn ungated(path: &str) -> bool {
    matches!(path, "/healthz" | "/healthz/" | "/readyz" | "/readyz/")
        || path == "/admin"
        || path.starts_with("/admin/")
        || path.starts_with("/api/docs/assets/")
        || path.starts_with("/api/redoc/assets/")
}

fn is_local(path: &str) -> bool {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    LOCAL.contains(&trimmed)
}

const RATE_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const RATE_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");

fn is_metrics(path: &str) -> bool {
    matches!(path, "/metrics" | "/metrics/")
}

/// The middleware: refuses (404, 401, 403, 429 in the error envelope), forwards a routed request, or
/// passes one of the gateway's own pages on; a throttled request's response carries
/// `X-RateLimit-Limit` and `X-RateLimit-Remaining`.
pub async fn gate(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(gateway) = req.app_data::<web::Data<Gateway>>().cloned() else {
        return Ok(refuse(req, ApiError::internal("gateway state missing")));
    };
    let path = req.path();
    let local = ungated(path) || is_local(path);
    if req.method() == Method::HEAD && (local || is_metrics(path)) {
        // The gateway's own pages answer HEAD as their GET (the codec drops the body); proxied
        // requests keep their method and the upstream answers it.
        req.head_mut().method = Method::GET;
    }
    let path = req.path();
    // Metrics are for the cluster's monitoring, on their own port, and that port serves nothing else.
    let on_metrics_port = req.app_config().local_addr().port() == gateway.metrics_port;
    if is_metrics(path) != on_metrics_port {
        return Ok(refuse(req, ApiError::not_found()));
    }
    if on_metrics_port {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    if ungated(path) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    if !is_safe_path(path) {
        return Ok(refuse(req, ApiError::not_found()));
    }
    let (policy, throttled, verify_token, matched) = if local {
        (&Policy::Public, true, true, None)
    } else {
        match gateway.table.resolve(req.method(), path) {
            Some((index, route)) => {
                // The metrics name a proxied request by its route, as a service names its resource.
                req.extensions_mut()
                    .insert(RouteLabel(route.prefix.clone()));
                (
                    &route.policy,
                    route.throttle,
                    route.verify_token,
                    Some(index),
                )
            }
            None => return Ok(refuse(req, ApiError::not_found())),
        }
    };
    let user = if verify_token {
        match auth::authenticate(&gateway.verifier, req.headers()).await {
            Ok(user) => user,
            Err(e) => return Ok(refuse(req, e)),
        }
    } else {
        None
    };
    if let Err(e) = permit(policy, user.as_ref()) {
        return Ok(refuse(req, e));
    }
    // Read once: the anonymous throttle's key and the address the upstream is told.
    let client = ClientAddr::new(client_ip(req.request(), gateway.trusted_proxy_hops));
    let decision = if throttled {
        let (rate, key, scope) = match &user {
            Some(u) => (
                gateway.user_rate,
                gateway.keys.key(format_args!("throttle:user:{}", u.id)),
                "user",
            ),
            None => (
                gateway.anon_rate,
                gateway
                    .keys
                    .key(format_args!("throttle:anon:{}", client.as_str())),
                "anon",
            ),
        };
        match rate {
            Some(rate) => {
                let decision = gateway.throttle.check(&key, rate).await;
                if !decision.allowed {
                    gateway.metrics.throttled(scope);
                    let error = ApiError::throttled(decision.retry_after_secs());
                    return Ok(refuse(req, error));
                }
                Some(decision)
            }
            None => None,
        }
    } else {
        None
    };
    let mut res = match matched {
        Some(index) => crate::proxy::forward(req, &gateway, index, client).await,
        None => next.call(req).await?.map_into_boxed_body(),
    };
    if let Some(d) = decision {
        let headers = res.headers_mut();
        headers.insert(RATE_LIMIT, HeaderValue::from(d.limit));
        headers.insert(RATE_REMAINING, HeaderValue::from(d.remaining));
    }
    Ok(res)
}

fn permit(policy: &Policy, user: Option<&AuthUser>) -> Result<(), ApiError> {
    match (policy, user) {
        (Policy::Public, _) => Ok(()),
        (_, None) => Err(auth::not_authenticated()),
        (Policy::Authenticated, Some(_)) => Ok(()),
        (Policy::Roles(roles), Some(user)) if roles.contains(&user.role) => Ok(()),
        (Policy::Roles(_), Some(_)) => Err(ApiError::forbidden()),
    }
}

fn refuse(req: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    req.into_response(error.error_response())
}

/// The client's address as the gate read it ([`client_ip`]), with its text made once: the anonymous
/// throttle's key and the upstream's `X-Forwarded-For` and `X-Real-IP` all use it.
#[derive(Debug, Clone)]
pub struct ClientAddr {
    pub ip: IpAddr,
    /// `ip` as `Display` writes it (the canonical form, so one client has one throttle key).
    pub text: HeaderValue,
}

impl ClientAddr {
    pub fn new(ip: IpAddr) -> Self {
        use std::io::Write;
        // At most 45 bytes (IPv6 with an embedded IPv4), formatted on the stack; an IPv4 address (most
        // clients) digit by digit, which costs a tenth of `Display`'s formatting machinery.
        let mut buf = [0u8; 64];
        let written = match ip {
            IpAddr::V4(v4) => {
                let mut len = 0;
                for (i, octet) in v4.octets().into_iter().enumerate() {
                    if i > 0 {
                        buf[len] = b'.';
                        len += 1;
                    }
                    let digits = [octet / 100, octet / 10 % 10, octet % 10];
                    let skip = if octet >= 100 {
                        0
                    } else if octet >= 10 {
                        1
                    } else {
                        2
                    };
                    for d in &digits[skip..] {
                        buf[len] = b'0' + d;
                        len += 1;
                    }
                }
                Ok(len)
            }
            IpAddr::V6(_) => {
                let mut cursor = std::io::Cursor::new(&mut buf[..]);
                write!(cursor, "{ip}").map(|()| cursor.position() as usize)
            }
        };
        let text = written
            .ok()
            .and_then(|len| HeaderValue::from_bytes(&buf[..len]).ok())
            // Unreachable (an address's text is short ASCII); RFC 7239's word for an unknown node.
            .unwrap_or(HeaderValue::from_static("unknown"));
        ClientAddr { ip, text }
    }

    pub fn as_str(&self) -> &str {
        self.text.to_str().unwrap_or("unknown")
    }
}

/// The client's address: the peer, or, behind `hops` trusted proxies that each append the address they
/// saw to `X-Forwarded-For`, the entry the outermost of them appended.
pub fn client_ip(req: &HttpRequest, hops: usize) -> IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if hops == 0 {
        return peer;
    }
    let Some(chain) = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
    else {
        return peer;
    };
    // The `hops`-th entry from the right, or the leftmost when there are fewer.
    chain
        .rsplit(',')
        .take(hops)
        .last()
        .and_then(|e| e.trim().parse().ok())
        .unwrap_or(peer)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn client_ip_trusts_only_the_configured_proxies() {
        let req = TestRequest::default()
            .peer_addr("10.0.0.9:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "1.1.1.1, 203.0.113.7"))
            .to_http_request();
        assert_eq!(client_ip(&req, 0).to_string(), "10.0.0.9");
        assert_eq!(client_ip(&req, 1).to_string(), "203.0.113.7");
        assert_eq!(client_ip(&req, 2).to_string(), "1.1.1.1");
        assert_eq!(client_ip(&req, 5).to_string(), "1.1.1.1");
        let junk = TestRequest::default()
            .peer_addr("10.0.0.9:5000".parse().unwrap())
            .insert_header(("x-forwarded-for", "not-an-ip"))
            .to_http_request();
        assert_eq!(client_ip(&junk, 1).to_string(), "10.0.0.9");
    }

    #[test]
    fn a_client_address_reads_as_display_writes_it() {
        for text in [
            "0.0.0.0",
            "9.10.99.100",
            "255.255.255.255",
            "10.0.7.1",
            "::1",
            "2001:db8::ff00:42:8329",
            "::ffff:192.0.2.128",
        ] {
            let ip: IpAddr = text.parse().unwrap();
            let addr = ClientAddr::new(ip);
            assert_eq!(addr.as_str(), ip.to_string(), "{text}");
            assert_eq!(addr.text, ip.to_string().as_str(), "{text}");
        }
        for octet in 0..=255u8 {
            for ip in [[octet, 0, 1, octet], [1, octet, octet, 255]] {
                let ip = IpAddr::from(ip);
                assert_eq!(ClientAddr::new(ip).as_str(), ip.to_string());
            }
        }
    }

    #[test]
    fn local_pages_answer_with_and_without_the_slash() {
        assert!(is_local("/api/schema/"));
        assert!(is_local("/api/schema"));
        assert!(!is_local("/api/schema/x/"));
        assert!(ungated("/api/docs/assets/swagger-ui.css"));
        assert!(!ungated("/api/docs/"));
    }
}
