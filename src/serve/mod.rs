//! HTTP front end (`dossier serve`): a read-only JSON API over one shared,
//! live index reader, and the web page that uses it. Every search runs the
//! request type the command line runs ([`SearchParams`] resolved by the
//! [`Engine`]), on the blocking pool, under a time limit and a cap on the
//! searches in flight.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::CorsLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::search::{ParamError, SearchError, Searchable};
use crate::Engine;

mod api;
mod article;
mod openapi;
mod page;

/// The most hits one HTTP request returns (the command line allows more).
pub const MAX_HTTP_LIMIT: u64 = 1_000;
/// The longest query, in bytes.
pub const MAX_QUERY_BYTES: usize = 4 * 1024;
/// The longest query string, in bytes (every parameter together).
pub const MAX_QUERY_STRING_BYTES: usize = 16 * 1024;
/// Searches running at once by default; more are refused with 503.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;
/// How long one request may search by default before it gets 503.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(10);

/// The page may run only its own scripts and styles, and talk only to this
/// server.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Searches running at once; more get 503.
    pub max_in_flight: usize,
    /// How long a request may search before it gets 503.
    pub time_limit: Duration,
    /// The one origin allowed to call the API from another site's pages.
    pub cors_origin: Option<HeaderValue>,
    /// Log each request on stderr.
    pub log_requests: bool,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            time_limit: DEFAULT_TIME_LIMIT,
            cors_origin: None,
            log_requests: false,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
struct App {
    engine: Arc<Engine>,
    index: Arc<Searchable>,
    in_flight: Arc<Semaphore>,
    time_limit: Duration,
}

impl App {
    /// Runs `work` on the blocking pool, holding one of the in-flight
    /// permits until it ends (even past the time limit, so the cap counts
    /// the searches really running).
    async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Searchable) -> Result<T, ApiError> + Send + 'static,
    {
        let permit = Arc::clone(&self.in_flight)
            .try_acquire_owned()
            .map_err(|_| ApiError::busy())?;
        let index = Arc::clone(&self.index);
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(&index)
        });
        match tokio::time::timeout(self.time_limit, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(ApiError::internal(&format!("a search task failed: {join}"))),
            Err(_) => Err(ApiError::too_slow(self.time_limit)),
        }
    }
}

/// An error response: a status and one sentence, naming the parameter at
/// fault for a 400.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    param: Option<String>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    param: Option<&'a str>,
}

impl ApiError {
    /// 400, naming `param`.
    fn bad(param: &str, message: String) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message,
            param: Some(param.to_string()),
        }
    }

    /// 400 from a parameter the search refused, worded for HTTP.
    fn param(error: &ParamError) -> ApiError {
        ApiError::bad(&error.param, error.to_string())
    }

    /// 404.
    fn not_found(message: String) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message,
            param: None,
        }
    }

    /// 503: every search slot is taken.
    fn busy() -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: "the server is running as many searches as it allows; retry in a moment"
                .to_string(),
            param: None,
        }
    }

    /// 503: the search ran past the time limit.
    fn too_slow(limit: Duration) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: format!(
                "the search took longer than {:.1} s, the limit of one request; narrow the query or add filters",
                limit.as_secs_f64()
            ),
            param: None,
        }
    }

    /// A server error: the detail goes to the server's log, never to the
    /// client, as it may name files on the server's disk.
    fn internal(detail: &str) -> ApiError {
        eprintln!("dossier serve: error: {detail}");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "the server failed to answer; its log says why".to_string(),
            param: None,
        }
    }

    /// A search's failure: the query's fault (400, naming `q`) or the
    /// index's (500).
    fn search(error: SearchError) -> ApiError {
        match error {
            SearchError::BadQuery { .. } => ApiError::bad("q", error.to_string()),
            other => ApiError::internal(&other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: &self.message,
            param: self.param.as_deref(),
        };
        let mut response = (self.status, api::json_body(&body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// The server's routes and layers over `index`.
pub fn router(engine: Arc<Engine>, index: Arc<Searchable>, options: &ServeOptions) -> Router {
    let app = App {
        engine,
        index,
        in_flight: Arc::new(Semaphore::new(options.max_in_flight)),
        time_limit: options.time_limit,
    };
    let mut router = Router::new()
        .route("/", get(page::index))
        .route("/assets/{file}", get(page::asset))
        .route("/healthz", get(api::health))
        .route("/api/search", get(api::search))
        .route("/api/histogram", get(api::histogram))
        .route("/api/articles/{id}", get(article::article))
        .route("/api/stats", get(api::stats))
        .route("/api/countries", get(api::countries))
        .route("/api/facets", get(api::facets))
        .route("/api/openapi.json", get(openapi::document))
        .fallback(api::no_route)
        .method_not_allowed_fallback(api::wrong_method)
        .with_state(app)
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a request handler panicked").into_response()
        }));
    if let Some(origin) = &options.cors_origin {
        router = router.layer(
            CorsLayer::new()
                .allow_origin(origin.clone())
                .allow_methods([Method::GET, Method::HEAD]),
        );
    }
    let headers: [(HeaderName, &'static str); 4] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    if options.log_requests {
        router = router.layer(middleware::from_fn(log_request));
    }
    router
}

/// One line per request on stderr: method, path, status, time.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let response = next.run(request).await;
    eprintln!(
        "{method} {uri} {} {:.1} ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// Serves `index` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    engine: Arc<Engine>,
    index: Arc<Searchable>,
    options: &ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let router = router(engine, index, options);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Whether serving on `addr` exposes the index beyond this machine.
pub fn is_exposed(addr: &SocketAddr) -> bool {
    !addr.ip().is_loopback()
}

/// Completes on Ctrl-C or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server's shared state over a one-article index in `dir`.
    fn app(dir: &std::path::Path, max_in_flight: usize, time_limit: Duration) -> App {
        let corpus = dir.join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        std::fs::write(
            corpus.join("a.txt"),
            " date 2024-01-01 APT31 hacked a ministry.",
        )
        .unwrap();
        let engine = Arc::new(Engine::new());
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        engine
            .index_folder(
                &corpus,
                &dir.join("index"),
                &crate::IndexOptions::new(today),
                &mut crate::pipeline::Silent,
            )
            .unwrap();
        let index = Arc::new(engine.open_live_index(&dir.join("index"), Some(1)).unwrap());
        App {
            engine,
            index,
            in_flight: Arc::new(Semaphore::new(max_in_flight)),
            time_limit,
        }
    }

    #[test]
    fn work_past_the_time_limit_is_a_503_and_keeps_its_slot_until_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let app = app(dir.path(), 1, Duration::from_millis(50));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let slow = runtime.block_on(app.blocking(move |_| {
            let _ = released.recv_timeout(Duration::from_secs(30));
            Ok(())
        }));
        let error = slow.unwrap_err();
        assert_eq!(error.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            error.message.contains("took longer than 0.1 s"),
            "{}",
            error.message
        );
        // The slow work still runs and holds the one slot.
        let busy = runtime.block_on(app.blocking(|_| Ok(()))).unwrap_err();
        assert!(
            busy.message.contains("as many searches"),
            "{}",
            busy.message
        );
        release.send(()).unwrap();
        let started = std::time::Instant::now();
        loop {
            match runtime.block_on(app.blocking(|index| Ok(index.searcher().num_docs()))) {
                Ok(articles) => {
                    assert_eq!(articles, 1);
                    break;
                }
                Err(_) if started.elapsed() < Duration::from_secs(10) => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(error) => panic!("the slot never came back: {}", error.message),
            }
        }
    }
}
