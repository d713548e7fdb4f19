//! A service with the standard middleware of every HunarMitra service (request id and access log,
//! metrics, JSON errors, OpenAPI) and one small JSON endpoint, `GET /api/v1/bench/ping/`, for
//! `make bench-gateway` to call directly and through the gateway.
//!
//! With `BENCH_JWT_KEY_FILE` (an Ed25519 PEM, `hm-identity gen-key`) it also serves that key's JWKS at
//! `/.well-known/jwks.json`, for the gateway and itself to verify tokens with, and
//! `bench_upstream gen-key` prints a new key, `bench_upstream mint PEM N` prints N access tokens (one per line, N different users, valid an hour)
//! for the benchmark's signed-in round.

use hm_contracts::tokens::{Claims, TokenType};
use hm_contracts::Role;
use hm_platform::auth::{AuthConfig, Jwks, SigningKey, TokenVerifier};
use hm_platform::health::Readiness;
use hm_platform::metrics::Metrics;
use hm_platform::server::{self, ServiceInfo, Shared};
use paperclip::actix::{api_v2_operation, web};
use serde_json::json;

#[api_v2_operation]
async fn ping() -> Result<actix_web::HttpResponse, actix_web::Error> {
    Ok(actix_web::HttpResponse::Ok().json(json!({"status": "ok", "service": "bench"})))
}

#[api_v2_operation]
async fn keys(jwks: web::Data<Jwks>) -> Result<actix_web::HttpResponse, actix_web::Error> {
    Ok(actix_web::HttpResponse::Ok().json(jwks.get_ref()))
}

fn mint(pem: &str, count: usize) -> Result<(), Box<dyn std::error::Error>> {
    let key = SigningKey::from_pem(&std::fs::read_to_string(pem)?)?;
    let auth = AuthConfig::from_env()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    for _ in 0..count {
        let claims = Claims {
            token_type: TokenType::Access,
            user_id: uuid::Uuid::new_v4(),
            role: Role::Worker,
            jti: Some(uuid::Uuid::new_v4().simple().to_string()),
            iat: now,
            exp: now + 3600,
            iss: auth.issuer.clone(),
            aud: auth.audience.clone(),
        };
        println!("{}", key.sign(&claims)?);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [_, "mint", pem, count] => return mint(pem, count.parse()?),
        [_, "gen-key"] => {
            print!("{}", SigningKey::generate()?.pem());
            return Ok(());
        }
        _ => {}
    }
    let jwks = match std::env::var("BENCH_JWT_KEY_FILE") {
        Ok(path) => {
            let key = SigningKey::from_pem(&std::fs::read_to_string(path)?)?;
            Jwks {
                keys: vec![key.jwk().clone()],
            }
        }
        Err(_) => Jwks::default(),
    };
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(18101);
    let workers: usize = std::env::var("HTTP_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(2);
    server::init_logging(true, false);
    let shared = Shared {
        metrics: actix_web::web::Data::new(Metrics::new("bench")?),
        readiness: actix_web::web::Data::new(Readiness::default()),
        verifier: actix_web::web::Data::new(TokenVerifier::new(AuthConfig::from_env()?)),
    };
    let info = ServiceInfo {
        name: "bench",
        title: "bench upstream",
        description: "One small JSON endpoint.",
        ..ServiceInfo::NONE
    };
    let listener = server::bind("127.0.0.1", port)?;
    server::http_server(listener, info, shared, workers, move |cfg| {
        cfg.service(web::resource("/api/v1/bench/ping/").route(web::get().to(ping)));
        cfg.app_data(web::Data::new(jwks.clone()))
            .service(web::resource("/.well-known/jwks.json").route(web::get().to(keys)));
    })?
    .await?;
    Ok(())
}
