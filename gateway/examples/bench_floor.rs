//! Bare reverse proxies for `make bench-gateway` (issue #20): the floor of an HTTP library stack, with
//! none of the gateway's work (no route table, token, throttle, CORS, request id, access log or
//! metrics), so a run shows how much of the gateway's cost per request is its stack's and how much its
//! own.
//!
//! `bench_floor actix`: actix-web with awc, the gateway's own stack and upstream client
//! (`hm_gateway::proxy::client`), `HTTP_WORKERS` workers; the response keeps the upstream's
//! `Content-Length`, as the gateway's does. `bench_floor hyper`: hyper 1's HTTP/1 server and pooled
//! client (hyper-util's), one single-threaded runtime per worker, each accepting on its own
//! `SO_REUSEPORT` socket. Both listen on 127.0.0.1:`PORT` and forward each request to `BENCH_UPSTREAM`
//! (default `http://127.0.0.1:18101`) with its method, path and query, the client's headers minus
//! `Connection` and `Host`, `X-Forwarded-For` set to the peer's address and `X-Forwarded-Proto: http`.
//! They are made for the benchmark's GETs: the actix floor sends no request body, and neither removes
//! the other hop-by-hop headers. A failed upstream call is a 502 with no body.

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// hyper's side: a worker's runtime, listener and connection pool.
mod bare_hyper {
    use super::*;
    use hyper::header::{HeaderValue, CONNECTION, HOST};
    use hyper::{Request, Response, StatusCode, Uri};

    type Upstream = Client<HttpConnector, Incoming>;

    fn upstream_client() -> Upstream {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(2)));
        Client::builder(TokioExecutor::new())
            .pool_idle_timeout(hm_gateway::proxy::UPSTREAM_IDLE)
            .pool_max_idle_per_host(256)
            .build(connector)
    }

    async fn forward(
        client: &Upstream,
        upstream: &str,
        peer: SocketAddr,
        req: Request<Incoming>,
    ) -> Result<Response<BoxBody<Bytes, hyper::Error>>, Error> {
        let (mut parts, body) = req.into_parts();
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        parts.uri = Uri::try_from(format!("{upstream}{path}"))?;
        parts.headers.remove(CONNECTION);
        parts.headers.remove(HOST);
        parts.headers.insert(
            "x-forwarded-for",
            HeaderValue::try_from(peer.ip().to_string())?,
        );
        parts
            .headers
            .insert("x-forwarded-proto", HeaderValue::from_static("http"));
        let res = client.request(Request::from_parts(parts, body)).await?;
        Ok(res.map(BodyExt::boxed))
    }

    async fn worker(port: u16, upstream: &'static str) -> Result<(), Error> {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_reuseport(true)?;
        socket.set_reuseaddr(true)?;
        socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
        let listener = socket.listen(1024)?;
        let client = upstream_client();
        loop {
            // A failed accept (a client gone, a full file table) loses that connection, not the worker.
            let Ok((stream, peer)) = listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let _ = stream.set_nodelay(true);
            let client = client.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let client = client.clone();
                    async move {
                        Ok::<_, Infallible>(match forward(&client, upstream, peer, req).await {
                            Ok(res) => res,
                            Err(_) => {
                                let mut res = Response::new(
                                    Empty::new().map_err(|never| match never {}).boxed(),
                                );
                                *res.status_mut() = StatusCode::BAD_GATEWAY;
                                res
                            }
                        })
                    }
                });
                // A client that goes away mid-request ends its connection, nothing else.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }

    pub fn run(port: u16, workers: usize, upstream: &'static str) -> Result<(), Error> {
        let threads: Vec<_> = (0..workers)
            .map(|_| {
                std::thread::spawn(move || -> Result<(), String> {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| e.to_string())?
                        .block_on(worker(port, upstream))
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        for thread in threads {
            thread.join().map_err(|_| "a worker panicked")??;
        }
        Ok(())
    }
}

/// actix-web's side: the gateway's server and upstream client, nothing else.
mod bare_actix {
    use actix_web::body::SizedStream;
    use actix_web::http::header::{HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH, HOST};
    use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
    use std::time::Duration;

    async fn forward(
        req: HttpRequest,
        client: web::Data<awc::Client>,
        upstream: web::Data<String>,
    ) -> HttpResponse {
        let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let mut request =
            client.request(req.method().clone(), format!("{}{path}", upstream.as_str()));
        for (name, value) in req.headers() {
            if name != CONNECTION && name != HOST {
                request.headers_mut().append(name.clone(), value.clone());
            }
        }
        if let Some(Ok(peer)) = req
            .peer_addr()
            .map(|peer| HeaderValue::try_from(peer.ip().to_string()))
        {
            request
                .headers_mut()
                .insert(HeaderName::from_static("x-forwarded-for"), peer);
        }
        request.headers_mut().insert(
            HeaderName::from_static("x-forwarded-proto"),
            HeaderValue::from_static("http"),
        );
        match request.send().await {
            Ok(res) => {
                let mut out = HttpResponse::build(res.status());
                for (name, value) in res.headers() {
                    if name != CONNECTION && name != CONTENT_LENGTH {
                        out.append_header((name.clone(), value.clone()));
                    }
                }
                let length = res
                    .headers()
                    .get(CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
                match length {
                    Some(length) => out.body(SizedStream::new(length, res)),
                    None => out.streaming(res),
                }
            }
            Err(_) => HttpResponse::BadGateway().finish(),
        }
    }

    pub async fn run(port: u16, workers: usize, upstream: String) -> std::io::Result<()> {
        let upstream = web::Data::new(upstream);
        HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(hm_gateway::proxy::client(
                    Duration::from_secs(2),
                )))
                .app_data(upstream.clone())
                .default_service(web::to(forward))
        })
        .workers(workers)
        .bind(("127.0.0.1", port))?
        .run()
        .await
    }
}

fn main() -> Result<(), Error> {
    let port: u16 = env_or("PORT", 18004);
    let workers: usize = env_or("HTTP_WORKERS", 2);
    let upstream: &'static str = Box::leak(
        env_or("BENCH_UPSTREAM", "http://127.0.0.1:18101".to_owned())
            .trim_end_matches('/')
            .to_owned()
            .into_boxed_str(),
    );
    match std::env::args().nth(1).as_deref() {
        Some("hyper") => bare_hyper::run(port, workers, upstream),
        Some("actix") => Ok(actix_web::rt::System::new().block_on(bare_actix::run(
            port,
            workers,
            upstream.to_owned(),
        ))?),
        _ => Err("usage: bench_floor hyper|actix (PORT, HTTP_WORKERS, BENCH_UPSTREAM)".into()),
    }
}
