//! JWT authentication (ARCHITECTURE §5): EdDSA keys and JWKS, the claims, a verifier with a JWKS cache,
//! and the `AuthUser` extractor every service uses, with the exact 401 bodies of spec/API.md §1.4.

use crate::config::{self, ConfigError};
use crate::error::ApiError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, ResponseError};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use futures_util::future::LocalBoxFuture;
use hm_contracts::Role;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use paperclip::actix::OperationModifier;
use paperclip::v2::models::{DefaultOperationRaw, SecurityScheme};
use paperclip::v2::schema::Apiv2Schema;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub issuer: String,
    pub audience: String,
    /// Where to fetch the signing keys; `None` when the service holds them itself (identity, tests).
    pub jwks_url: Option<String>,
}

impl AuthConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(AuthConfig {
            issuer: config::string("JWT_ISSUER", "hunarmitra-identity"),
            audience: config::string("JWT_AUDIENCE", "hunarmitra"),
            jwks_url: Some(config::string(
                "JWKS_URL",
                "http://127.0.0.1:8101/.well-known/jwks.json",
            )),
        })
    }
}

/// The claims are a wire type: they live in `hm-contracts`, beside the roles they carry.
pub use hm_contracts::tokens::{Claims, TokenType};

/// A JSON Web Key for an Ed25519 public key (RFC 8037): `kty` `OKP`, `crv` `Ed25519`, `x` the key
/// (base64url), `kid` its id, `alg` `EdDSA`, `use` `sig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, paperclip::actix::Apiv2Schema)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub kid: String,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(rename = "use", default)]
    pub use_: Option<String>,
}

/// A JSON Web Key Set (RFC 7517 §5): the current signing key first, then retired ones.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, Deserialize, paperclip::actix::Apiv2Schema,
)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// An Ed25519 signing key with its key id and public JWK.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    jwk: Jwk,
    pem: String,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("not a PKCS#8 Ed25519 private key in PEM form: {0}")]
    BadPem(String),
    #[error("could not sign a token: {0}")]
    Sign(String),
}

impl SigningKey {
    /// A fresh random key (development and tests).
    pub fn generate() -> Result<Self, KeyError> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
            .map_err(|e| KeyError::BadPem(e.to_string()))?;
        Self::from_der(pkcs8.as_ref())
    }

    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let body: String = pem
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("-----"))
            .collect();
        let der = STANDARD
            .decode(body)
            .map_err(|e| KeyError::BadPem(e.to_string()))?;
        Self::from_der(&der)
    }

    fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map_err(|e| KeyError::BadPem(e.to_string()))?;
        let public = pair.public_key().as_ref();
        let digest = ring::digest::digest(&ring::digest::SHA256, public);
        let kid = URL_SAFE_NO_PAD.encode(&digest.as_ref()[..12]);
        let jwk = Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: URL_SAFE_NO_PAD.encode(public),
            kid: kid.clone(),
            alg: Some("EdDSA".into()),
            use_: Some("sig".into()),
        };
        let encoded = STANDARD.encode(der);
        let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
        for chunk in encoded.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(chunk));
            pem.push('\n');
        }
        pem.push_str("-----END PRIVATE KEY-----\n");
        Ok(SigningKey {
            kid,
            encoding: EncodingKey::from_ed_der(der),
            jwk,
            pem,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    pub fn pem(&self) -> &str {
        &self.pem
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, KeyError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| KeyError::Sign(e.to_string()))
    }
}

/// Why a token was refused; the wording is what mobile clients see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("Token is expired")]
    Expired,
    #[error("Token is invalid")]
    Invalid,
    #[error("Token has wrong type")]
    WrongType,
    #[error("Token has no id")]
    NoId,
}

/// Verifies tokens against a set of public keys, refreshed from the JWKS endpoint of identity when a
/// token names a key it has not seen (rotation), and kept when identity is briefly unreachable.
pub struct TokenVerifier {
    config: AuthConfig,
    keys: Arc<RwLock<KeyMap>>,
    last_fetch: Arc<tokio::sync::Mutex<Option<Instant>>>,
    http: reqwest::Client,
    verified: VerifiedTokens,
}

/// Tokens whose signature, issuer and audience were checked, with their claims, kept until they expire
/// (issue #20): a client sends the same token with every request, and an Ed25519 verification costs
/// tens of microseconds where a look-up costs a hash. Keyed by the token's signature (a keyed SipHash of
/// it picks the shard and slot; the stored token is compared in full), so only the exact bytes once
/// verified are accepted. Expiry is checked on every hit with the same rule as the verification (`exp` < now is
/// expired, no leeway). Keys are never withdrawn from a verifier, so a cached answer stays the answer.
/// Bounded: each shard holds at most [`VERIFIED_PER_SHARD`] tokens and is emptied of expired ones, or
/// wholly, when full.
struct VerifiedTokens {
    shards: [VerifiedShard; VERIFIED_SHARDS],
    hasher: std::collections::hash_map::RandomState,
}

/// Hash of the token → the token and its claims.
type VerifiedShard = Mutex<HashMap<u64, (Box<str>, Claims)>>;

const VERIFIED_SHARDS: usize = 16;
/// 16 × 4096 tokens of about 400 bytes each: at most about 26 MB.
const VERIFIED_PER_SHARD: usize = 4096;

impl VerifiedTokens {
    fn new() -> Self {
        VerifiedTokens {
            shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
            hasher: Default::default(),
        }
    }

    fn slot(&self, token: &str) -> (u64, &VerifiedShard) {
        // The signature (the last segment, 86 characters for Ed25519) tells tokens apart as well as
        // the whole token does, at a quarter of the hashing; a hit still compares the whole token.
        let signature = token
            .rsplit_once('.')
            .map_or(token, |(_, signature)| signature);
        let hash = self.hasher.hash_one(signature);
        (hash, &self.shards[(hash as usize) % VERIFIED_SHARDS])
    }

    fn get(&self, token: &str) -> Option<Claims> {
        let (hash, shard) = self.slot(token);
        let shard = shard.lock().ok()?;
        shard
            .get(&hash)
            .filter(|(stored, _)| &**stored == token)
            .map(|(_, claims)| claims.clone())
    }

    fn insert(&self, token: &str, claims: &Claims) {
        let (hash, shard) = self.slot(token);
        let Ok(mut shard) = shard.lock() else {
            return;
        };
        if shard.len() >= VERIFIED_PER_SHARD {
            let now = unix_now();
            shard.retain(|_, (_, c)| c.exp >= now);
            if shard.len() >= VERIFIED_PER_SHARD {
                shard.clear();
            }
        }
        shard.insert(hash, (token.into(), claims.clone()));
    }
}

/// Seconds since the Unix epoch, as `exp` counts them.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

type KeyMap = HashMap<String, Arc<DecodingKey>>;

const REFETCH_INTERVAL: Duration = Duration::from_secs(5);

fn install(keys: &RwLock<KeyMap>, jwks: &Jwks) {
    let mut map = HashMap::new();
    for jwk in jwks
        .keys
        .iter()
        .filter(|k| k.kty == "OKP" && k.crv == "Ed25519")
    {
        if let Ok(key) = DecodingKey::from_ed_components(&jwk.x) {
            map.insert(jwk.kid.clone(), Arc::new(key));
        }
    }
    if let Ok(mut keys) = keys.write() {
        keys.extend(map);
    }
}

impl TokenVerifier {
    pub fn new(config: AuthConfig) -> Self {
        TokenVerifier {
            config,
            keys: Arc::new(RwLock::new(HashMap::new())),
            last_fetch: Arc::new(tokio::sync::Mutex::new(None)),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(3))
                .build()
                .unwrap_or_default(),
            verified: VerifiedTokens::new(),
        }
    }

    /// Trusts exactly these keys (identity trusts its own; tests their minted key).
    pub fn with_keys(config: AuthConfig, jwks: &Jwks) -> Self {
        let verifier = Self::new(AuthConfig {
            jwks_url: None,
            ..config
        });
        install(&verifier.keys, jwks);
        verifier
    }

    fn key(&self, kid: &str) -> Option<Arc<DecodingKey>> {
        self.keys.read().ok().and_then(|k| k.get(kid).cloned())
    }

    /// Fetches the JWKS at most once per interval. The fetch runs as its own task holding the lock, so a
    /// request abandoned meanwhile (its body refused first, its client gone) neither cancels it nor lets
    /// other requests through before the keys are in.
    async fn refresh_keys(&self) {
        let Some(url) = self.config.jwks_url.clone() else {
            return;
        };
        let mut last = self.last_fetch.clone().lock_owned().await;
        if last.is_some_and(|t| t.elapsed() < REFETCH_INTERVAL) {
            return;
        }
        let (http, keys) = (self.http.clone(), self.keys.clone());
        let fetch = tokio::spawn(async move {
            *last = Some(Instant::now());
            match http.get(&url).send().await {
                Ok(res) => match res.json::<Jwks>().await {
                    Ok(jwks) => install(&keys, &jwks),
                    Err(e) => tracing::warn!(error = %e, "JWKS response unreadable"),
                },
                Err(e) => tracing::warn!(error = %e, "JWKS fetch failed; keeping cached keys"),
            }
        });
        let _ = fetch.await;
    }

    /// The claims of a valid token of the `expected` type: signed by a known key (the JWKS is fetched
    /// again when the token names an unknown one), issuer and audience ours, not expired, with a `jti`.
    /// A token verified before answers from memory until it expires.
    pub async fn verify(&self, token: &str, expected: TokenType) -> Result<Claims, TokenError> {
        let claims = match self.verified.get(token) {
            Some(claims) if claims.exp < unix_now() => return Err(TokenError::Expired),
            Some(claims) => claims,
            None => {
                let claims = self.verify_signed(token).await?;
                self.verified.insert(token, &claims);
                claims
            }
        };
        if claims.token_type != expected {
            return Err(TokenError::WrongType);
        }
        if claims.jti.as_deref().is_none_or(str::is_empty) {
            return Err(TokenError::NoId);
        }
        Ok(claims)
    }

    /// The cryptographic check of a token not seen before: signature, algorithm, issuer, audience, expiry.
    async fn verify_signed(&self, token: &str) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid);
        }
        let kid = header.kid.ok_or(TokenError::Invalid)?;
        let key = match self.key(&kid) {
            Some(key) => key,
            None => {
                self.refresh_keys().await;
                self.key(&kid).ok_or(TokenError::Invalid)?
            }
        };
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = 0;
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| match e
            .kind()
        {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })?;
        Ok(data.claims)
    }
}

/// 401 for a token that is present but unusable (API §1.4).
pub fn token_not_valid(error: TokenError) -> ApiError {
    ApiError::body(
        StatusCode::UNAUTHORIZED,
        json!({
            "detail": "Given token not valid for any token type",
            "code": "token_not_valid",
            "messages": [{"token_class": "AccessToken", "token_type": "access", "message": error.to_string()}]
        }),
    )
}

pub fn not_authenticated() -> ApiError {
    ApiError::detail(
        StatusCode::UNAUTHORIZED,
        "Authentication credentials were not provided.",
    )
    .with_header(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"api\""),
    )
}

fn bad_header() -> ApiError {
    ApiError::coded(
        StatusCode::UNAUTHORIZED,
        "Authorization header must contain two space-delimited values",
        "bad_authorization_header",
    )
}

/// The bearer token of a request: `Ok(None)` when there are no credentials of our scheme (the first
/// whitespace-separated word is not `Bearer`, in any case), the token when exactly one word follows,
/// else the `bad_authorization_header` 401 (as for a value that is not ASCII).
///
/// A header value holds no control character but the tab (`http` refuses them), so it reads as text
/// exactly when it is ASCII, and its whitespace is spaces and tabs. The token (300 bytes and more) is
/// only searched for those two bytes (`str::contains` of one char is a `memchr`), not split character
/// by character: that split was 7 % of the gateway's instructions for a signed-in request (issue #20,
/// callgrind).
fn bearer(headers: &header::HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    if !value.as_bytes().is_ascii() {
        return Err(bad_header());
    }
    let value = std::str::from_utf8(value.as_bytes()).map_err(|_| bad_header())?;
    let space = [' ', '\t'];
    let value = value.trim_matches(space);
    let (scheme, rest) = value.split_once(space).unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }
    let token = rest.trim_start_matches(space);
    if token.is_empty() || token.contains(' ') || token.contains('\t') {
        return Err(bad_header());
    }
    Ok(Some(token))
}

/// The authenticated caller of a protected endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthUser {
    pub id: Uuid,
    pub role: Role,
    pub claims: Claims,
}

impl AuthUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// 403 unless the caller is `owner` or an admin.
    pub fn require_owner_or_admin(&self, owner: Uuid) -> Result<(), ApiError> {
        if self.id == owner || self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    pub fn require_role(&self, role: Role) -> Result<(), ApiError> {
        if self.role == role || self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// The caller named by the request's bearer token: `Ok(None)` without credentials, 401 for a bad token
/// or a malformed header (API §1.4). The gateway calls this directly; services through the extractors.
pub async fn authenticate(
    verifier: &TokenVerifier,
    headers: &header::HeaderMap,
) -> Result<Option<AuthUser>, ApiError> {
    let Some(token) = bearer(headers)? else {
        return Ok(None);
    };
    let claims = verifier
        .verify(token, TokenType::Access)
        .await
        .map_err(token_not_valid)?;
    Ok(Some(AuthUser {
        id: claims.user_id,
        role: claims.role,
        claims,
    }))
}

/// What the bearer-token check of [`authenticate_bearer`] found for a request.
#[derive(Debug, Clone)]
struct Authenticated(Option<AuthUser>);

/// Paths of a service where the `Authorization` header is not read at all (API §3.3: refresh runs no
/// authentication, so a stale access token sent with it is ignored), as the router sees them (with
/// their trailing slash).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenIgnoredPaths(pub &'static [&'static str]);

/// Every request to a service passes here before it is routed (API §1.4, issue #15): a bearer token,
/// when one is sent, is verified whatever the route, so a bad, expired or wrong-type token is a 401 on
/// public endpoints too, and a service reached on its own port refuses it as the gateway does (the
/// gateway, which knows its routes first, answers an unknown path 404 before looking at the token; a
/// service answers 401 first). The caller found is kept for the `AuthUser`, `MaybeAuthUser` and
/// `AdminUser` extractors.
pub async fn authenticate_bearer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let ignored = req
        .app_data::<web::Data<TokenIgnoredPaths>>()
        .is_some_and(|paths| paths.0.contains(&req.path()));
    if !ignored {
        if let Some(verifier) = req.app_data::<web::Data<TokenVerifier>>().cloned() {
            match authenticate(&verifier, req.headers()).await {
                Ok(user) => {
                    req.extensions_mut().insert(Authenticated(user));
                }
                Err(refusal) => {
                    let response = refusal.error_response();
                    return Ok(req.into_response(response).map_into_right_body());
                }
            }
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

async fn authenticate_request(req: HttpRequest) -> Result<Option<AuthUser>, ApiError> {
    let checked = req.extensions().get::<Authenticated>().cloned();
    if let Some(Authenticated(user)) = checked {
        return Ok(user);
    }
    let verifier = req
        .app_data::<web::Data<TokenVerifier>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("no TokenVerifier registered"))?;
    authenticate(&verifier, req.headers()).await
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate_request(req)
                .await?
                .ok_or_else(not_authenticated)
        })
    }
}

/// For public endpoints: no credentials is fine, but a bad token is still a 401 (API §1.4).
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<AuthUser>);

impl FromRequest for MaybeAuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate_request(req).await.map(MaybeAuthUser) })
    }
}

impl Apiv2Schema for AuthUser {
    fn name() -> Option<String> {
        Some("bearerAuth".into())
    }

    fn security_scheme() -> Option<SecurityScheme> {
        Some(SecurityScheme {
            name: Some("Authorization".into()),
            type_: "apiKey".into(),
            in_: Some("header".into()),
            description: Some("`Bearer <access JWT>` issued by identity".into()),
            ..Default::default()
        })
    }
}

impl OperationModifier for AuthUser {
    fn update_parameter(_: &mut DefaultOperationRaw) {}
}

/// The caller of an admin-only endpoint: 401 without a valid token, 403 for anyone but an admin. Put it
/// before the body in a handler's arguments, so a non-admin is refused before their body is read.
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

impl std::ops::Deref for AdminUser {
    type Target = AuthUser;
    fn deref(&self) -> &AuthUser {
        &self.0
    }
}

impl FromRequest for AdminUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = authenticate_request(req)
                .await?
                .ok_or_else(not_authenticated)?;
            if user.is_admin() {
                Ok(AdminUser(user))
            } else {
                Err(ApiError::forbidden())
            }
        })
    }
}

impl Apiv2Schema for AdminUser {
    fn name() -> Option<String> {
        AuthUser::name()
    }

    fn security_scheme() -> Option<SecurityScheme> {
        AuthUser::security_scheme()
    }
}

impl OperationModifier for AdminUser {
    fn update_parameter(_: &mut DefaultOperationRaw) {}
}

impl Apiv2Schema for MaybeAuthUser {}
impl OperationModifier for MaybeAuthUser {
    fn update_parameter(_: &mut DefaultOperationRaw) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reading `bearer` keeps: words split on ASCII whitespace, as before issue #20.
    fn bearer_by_words(value: &HeaderValue) -> Result<Option<String>, ()> {
        let value = value.to_str().map_err(|_| ())?;
        let mut parts = value.split_ascii_whitespace();
        match parts.next() {
            Some(scheme) if scheme.eq_ignore_ascii_case("bearer") => {}
            _ => return Ok(None),
        }
        match (parts.next(), parts.next()) {
            (Some(token), None) => Ok(Some(token.to_owned())),
            _ => Err(()),
        }
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn a_bearer_token_is_read_as_whitespace_separated_words() {
        let long = "e".repeat(400);
        let mut values: Vec<Vec<u8>> = [
            "Bearer abc",
            "bearer abc",
            "BEARER\tabc",
            "  Bearer   abc  ",
            "\tBearer abc\t",
            "Bearer",
            "Bearer ",
            "Bearer  \t ",
            "Bearer two parts",
            "Bearer a\tb",
            "Basic dXNlcjpwYXNz",
            "Bearerabc",
            "Bearer. abc",
            "",
            "   ",
            "Token abc def",
            "Bearer x!#$%&'*+-.^_`|~y",
        ]
        .iter()
        .map(|v| v.as_bytes().to_vec())
        .collect();
        values.push(format!("Bearer {long}").into_bytes());
        values.push(format!("Bearer {long} {long}").into_bytes());
        values.push(b"Bearer caf\xc3\xa9".to_vec());
        values.push(b"Bearer \xff".to_vec());
        values.push(b"\xffBearer abc".to_vec());
        for bytes in values {
            let value = HeaderValue::from_bytes(&bytes).unwrap();
            let mut headers = header::HeaderMap::new();
            headers.insert(header::AUTHORIZATION, value.clone());
            let ours = bearer(&headers)
                .map(|t| t.map(str::to_owned))
                .map_err(|e| e.status_code());
            let words = bearer_by_words(&value).map_err(|()| StatusCode::UNAUTHORIZED);
            assert_eq!(ours, words, "{:?}", String::from_utf8_lossy(&bytes));
        }
        assert_eq!(bearer(&header::HeaderMap::new()).ok(), Some(None));
    }

    fn config() -> AuthConfig {
        AuthConfig {
            issuer: "iss".into(),
            audience: "aud".into(),
            jwks_url: None,
        }
    }

    fn claims(token_type: TokenType, exp_offset: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            token_type,
            user_id: Uuid::new_v4(),
            role: Role::Worker,
            jti: Some("abc".into()),
            iat: now,
            exp: now + exp_offset,
            iss: "iss".into(),
            aud: "aud".into(),
        }
    }

    #[tokio::test]
    async fn verifies_signed_tokens_and_names_each_failure() -> Result<(), KeyError> {
        let key = SigningKey::generate()?;
        let verifier = TokenVerifier::with_keys(
            config(),
            &Jwks {
                keys: vec![key.jwk().clone()],
            },
        );
        let good = key.sign(&claims(TokenType::Access, 60))?;
        assert!(verifier.verify(&good, TokenType::Access).await.is_ok());
        assert_eq!(
            verifier.verify(&good, TokenType::Refresh).await,
            Err(TokenError::WrongType)
        );
        let expired = key.sign(&claims(TokenType::Access, -10))?;
        assert_eq!(
            verifier.verify(&expired, TokenType::Access).await,
            Err(TokenError::Expired)
        );
        let other = SigningKey::generate()?.sign(&claims(TokenType::Access, 60))?;
        assert_eq!(
            verifier.verify(&other, TokenType::Access).await,
            Err(TokenError::Invalid)
        );
        assert_eq!(
            verifier.verify("garbage", TokenType::Access).await,
            Err(TokenError::Invalid)
        );
        Ok(())
    }

    #[test]
    fn a_key_survives_a_pem_round_trip() -> Result<(), KeyError> {
        let key = SigningKey::generate()?;
        let again = SigningKey::from_pem(key.pem())?;
        assert_eq!(key.jwk(), again.jwk());
        Ok(())
    }
}
