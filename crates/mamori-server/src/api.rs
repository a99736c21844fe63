//! The REST API under `/api/v1`, described by [`crate::openapi`]. Every client mistake is
//! a 4xx with a JSON body `{"error": {"code": "…", "message": "…"}}`; what a user may not
//! read answers 404, as if it did not exist.

use crate::auth::{identify, Caller};
use crate::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::handler::Handler;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, on, MethodFilter, MethodRouter};
use axum::{Json, Router};
use mamori_store::lifecycle::{Act, Status};
use mamori_store::views::{SortBy, TrackedQuery, Visible};
use mamori_store::StoreError;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// A stable code (`not-found`, `bad-request`, `csrf`, …).
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// Seconds to wait before trying again (`Retry-After`), when it is worth saying.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
    /// 400.
    pub fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-request", message)
    }
    /// 404.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", message)
    }
    /// 403.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    /// 401.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in, or send an API token as `Authorization: Bearer mamori_…` (`mamori user token NAME` makes one)",
        )
    }
    /// 500: our fault, not the client's.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
    /// What a store error means to a client.
    pub fn store(e: StoreError) -> ApiError {
        use mamori_store::lifecycle::ActError;
        use mamori_store::users::UserError;
        match e {
            // The same words as for what a reader may not see, so the two cannot be told
            // apart.
            StoreError::NoRun(id) => ApiError::not_found(format!("no run {id}")),
            StoreError::NoTracked(id) => ApiError::not_found(format!("no finding {id}")),
            StoreError::NoJob(id) => ApiError::not_found(format!("no scan {id}")),
            StoreError::User(UserError::NoToken { id, .. }) => {
                ApiError::not_found(format!("no API token {id}"))
            }
            StoreError::User(UserError::WrongPassword) => {
                ApiError::new(StatusCode::FORBIDDEN, "wrong-password", e.to_string())
            }
            StoreError::Act(ActError::Fixed(..)) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string())
            }
            StoreError::Act(_) | StoreError::User(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string())
            }
            StoreError::Open { .. }
            | StoreError::Sql(_)
            | StoreError::Url { .. }
            | StoreError::TooNew { .. }
            | StoreError::TooOld { .. } => {
                // The details (file names, SQL) go to the server's log, not to the client.
                eprintln!("mamori: {e}");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store-unavailable",
                    "the store cannot answer now; try again shortly",
                )
            }
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::store(e)
    }
}

impl ApiError {
    /// Seconds for `Retry-After`: the error's own, else 5 for a store that cannot answer.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self.retry_after {
            Some(secs) => Some(secs),
            None if self.status == StatusCode::SERVICE_UNAVAILABLE => Some(5),
            None => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            Json(json!({"error": {"code": self.code, "message": self.message}})),
        )
            .into_response();
        if let Some(secs) = self.retry_after_secs() {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        r
    }
}

/// The query string as `T`; a malformed one is a 400 naming the problem.
pub fn query<T: DeserializeOwned>(uri: &Uri) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|e| ApiError::bad(format!("bad query: {}", e.body_text())))
}

pub(crate) fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::bad("the request needs a JSON body"));
    }
    // An object, not an array serde would also take for a struct.
    let v: Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::bad(format!("bad JSON body: {e}")))?;
    if !v.is_object() {
        return Err(ApiError::bad("the JSON body must be an object"));
    }
    serde_json::from_value(v).map_err(|e| ApiError::bad(format!("bad JSON body: {e}")))
}

/// An authenticated caller of the API.
pub struct ApiCaller(pub Caller);

impl axum::extract::FromRequestParts<Arc<App>> for ApiCaller {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let c = identify(app, parts)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        // A change through the API with a session cookie (a script in the dashboard's own
        // pages) must carry the session's CSRF token in a header no other site can set.
        if c.csrf.is_some()
            && !matches!(
                parts.method,
                axum::http::Method::GET | axum::http::Method::HEAD
            )
        {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            c.check_csrf(sent)?;
        }
        Ok(ApiCaller(c))
    }
}

/// One operation of the API: its method and path, the handler that answers it, and what
/// the OpenAPI document says of it. The router is made from [`operations`] and so are the
/// document's paths (decision 020): neither can have a route the other lacks.
pub struct Operation {
    /// The method.
    pub method: Method,
    /// The path, in the router's syntax (`{id}`), which is OpenAPI's too.
    pub path: &'static str,
    /// The operation object of the OpenAPI document (its `operationId`, parameters,
    /// body and answers).
    pub doc: fn() -> Value,
    route: MethodRouter<Arc<App>>,
}

/// `method path` answered by `handler`, described by `doc`.
// Every operation names a standard method (GET, POST, PATCH, DELETE), which MethodFilter
// takes; the tests build the router from every operation.
#[allow(clippy::expect_used)]
fn op<H, T>(method: Method, path: &'static str, handler: H, doc: fn() -> Value) -> Operation
where
    H: Handler<T, Arc<App>>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("a method the router takes");
    Operation {
        method,
        path,
        doc,
        route: on(filter, handler),
    }
}

/// Every operation of the API, the health check's too.
pub fn operations() -> Vec<Operation> {
    use crate::account::{delete_token, list_tokens, post_password, post_token};
    use crate::openapi as doc;
    use Method as M;
    vec![
        op(M::GET, "/healthz", healthz, doc::health),
        op(M::GET, "/api/v1/me", me, doc::me),
        op(
            M::POST,
            "/api/v1/me/password",
            post_password,
            doc::change_password,
        ),
        op(M::GET, "/api/v1/tokens", list_tokens, doc::list_tokens),
        op(M::POST, "/api/v1/tokens", post_token, doc::create_token),
        op(
            M::DELETE,
            "/api/v1/tokens/{id}",
            delete_token,
            doc::revoke_token,
        ),
        op(M::GET, "/api/v1/overview", overview, doc::overview),
        op(M::GET, "/api/v1/systems", systems, doc::list_systems),
        op(M::GET, "/api/v1/systems/{id}", system, doc::get_system),
        op(M::GET, "/api/v1/runs", runs, doc::list_runs),
        op(M::GET, "/api/v1/runs/{id}", run, doc::get_run),
        op(
            M::GET,
            "/api/v1/runs/{id}/assets",
            run_assets,
            doc::list_run_assets,
        ),
        op(
            M::GET,
            "/api/v1/runs/{id}/components",
            run_components,
            doc::list_run_components,
        ),
        op(
            M::GET,
            "/api/v1/runs/{id}/export",
            run_export,
            doc::export_run,
        ),
        op(M::GET, "/api/v1/diff", diff, doc::diff_runs),
        op(M::GET, "/api/v1/scans", scans, doc::list_scans),
        op(M::POST, "/api/v1/scans", trigger, doc::trigger_scan),
        op(M::GET, "/api/v1/scans/{id}", scan, doc::get_scan),
        op(M::GET, "/api/v1/findings", findings, doc::list_findings),
        op(M::GET, "/api/v1/findings/{id}", finding, doc::get_finding),
        op(
            M::POST,
            "/api/v1/findings/{id}/status",
            set_status,
            doc::set_finding_status,
        ),
        op(
            M::POST,
            "/api/v1/findings/{id}/assignee",
            set_assignee,
            doc::assign_finding,
        ),
        op(
            M::POST,
            "/api/v1/findings/{id}/due",
            set_due,
            doc::set_finding_due,
        ),
        op(
            M::POST,
            "/api/v1/findings/{id}/comments",
            add_comment,
            doc::comment_finding,
        ),
    ]
}

/// The API's routes: every one of [`operations`] (the methods of one path together), and
/// the document itself.
pub fn router(app: Arc<App>) -> Router {
    operations()
        .into_iter()
        .fold(Router::new(), |r, o| r.route(o.path, o.route))
        .route("/api/openapi.json", get(openapi))
        .with_state(app)
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document(),
    )
        .into_response()
}

/// Up, and its store answers (nothing about the contents: no sign-in is needed).
async fn healthz(State(app): State<Arc<App>>) -> Result<Json<Value>, ApiError> {
    app.pool.run(|s| Ok(s.latest_run()?)).await?;
    Ok(Json(json!({"status": "ok"})))
}

fn visible_json(v: &Visible) -> Value {
    match v {
        Visible::All => Value::Null,
        Visible::Systems(s) => json!(s),
    }
}

async fn me(ApiCaller(c): ApiCaller) -> Json<Value> {
    Json(json!({
        "name": c.user.name,
        "grants": c.user.grants,
        "systems": visible_json(&c.visible()),
    }))
}

async fn overview(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
) -> Result<Json<Value>, ApiError> {
    let data = crate::insight::overview_data(&app, &c).await?;
    Ok(Json(serde_json::to_value(data).unwrap_or(Value::Null)))
}

async fn systems(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
) -> Result<Json<Value>, ApiError> {
    let list = crate::insight::systems_data(&app, &c).await?;
    Ok(Json(json!({ "items": list })))
}

async fn system(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let list = crate::insight::systems_data(&app, &c).await?;
    list.into_iter()
        .find(|s| s.id == id)
        .map(|s| Json(serde_json::to_value(s).unwrap_or(Value::Null)))
        .ok_or_else(|| ApiError::not_found(format!("no system {id}")))
}

/// The largest `offset` a list takes.
pub const MAX_OFFSET: usize = 100_000_000;
/// The largest text (comment, name) a change takes, in characters.
pub const MAX_TEXT: usize = 10_000;
/// The largest assignee name.
pub const MAX_NAME: usize = 200;

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    limit: Option<String>,
    #[serde(default)]
    offset: Option<String>,
}

struct Page {
    limit: Option<usize>,
    offset: Option<usize>,
}

/// `limit` (1–1000) and `offset` (0–[`MAX_OFFSET`]) of a list; others are a 400.
fn page(uri: &Uri) -> Result<Page, ApiError> {
    let q: PageQuery = query(uri)?;
    Ok(Page {
        limit: number(&q.limit, "limit", 1, 1000)?,
        offset: number(&q.offset, "offset", 0, MAX_OFFSET)?,
    })
}

fn number(
    v: &Option<String>,
    what: &str,
    min: usize,
    max: usize,
) -> Result<Option<usize>, ApiError> {
    match v.as_deref() {
        None => Ok(None),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .map(Some)
            .ok_or_else(|| {
                ApiError::bad(format!(
                    "{what} {s:?}: give a whole number from {min} to {max}"
                ))
            }),
    }
}

async fn runs(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let p = page(&uri)?;
    let list = crate::insight::runs_data(&app, &c).await?;
    let total = list.len();
    let items: Vec<_> = list
        .into_iter()
        .rev()
        .skip(p.offset.unwrap_or(0))
        .take(p.limit.unwrap_or(50))
        .collect();
    Ok(Json(json!({"items": items, "total": total})))
}

pub(crate) fn parse_id(s: &str, what: &str) -> Result<i64, ApiError> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::bad(format!("{what} {s:?}: give a whole number from 1")))
}

/// Whether `c` may see run `id` at all (a target of one of their systems), from the runs'
/// heads: nothing of a run is loaded before this says yes.
pub async fn check_run(app: &Arc<App>, c: &Caller, id: i64) -> Result<(), ApiError> {
    let runs = crate::insight::runs_data(app, c).await?;
    if runs.iter().any(|r| r.id == id) {
        Ok(())
    } else {
        Err(ApiError::not_found(format!("no run {id}")))
    }
}

/// A run's first `list` crypto assets and its counts of assets, findings, components and
/// active vulnerabilities, as `visible` sees them — read row by row, never the whole run.
pub async fn run_contents(
    app: &Arc<App>,
    visible: Visible,
    id: i64,
    list: usize,
) -> Result<(Vec<mamori_model::CryptoAsset>, u64, u64, u64, u64), ApiError> {
    let loaded = app.register();
    app.pool
        .run(move |s| {
            use crate::insight::{narrow_asset, narrow_component};
            let sees = |sys: Option<&str>| visible.sees(sys);
            Ok(match (&visible, &loaded) {
                (Visible::All, _) => {
                    let (a, na) = s.page_assets(id, None, 0, list)?;
                    let (_, nf) = s.page_findings(id, None, 0, 0)?;
                    let (_, nc) = s.page_components(id, None, 0, 0)?;
                    let (_, nv) = s.page_vulnerabilities(id, Some(&mut |v| v.active()), 0, 0)?;
                    (a, na, nf, nc, nv)
                }
                (v, Some(l)) => {
                    let (a, na) =
                        s.page_assets(id, Some(&mut |a| narrow_asset(a, v, l)), 0, list)?;
                    let (_, nf) =
                        s.page_findings(id, Some(&mut |f| sees(f.system.as_deref())), 0, 0)?;
                    let (_, nc) =
                        s.page_components(id, Some(&mut |c| narrow_component(c, v, l)), 0, 0)?;
                    let (_, nv) = s.page_vulnerabilities(
                        id,
                        Some(&mut |x| {
                            x.active()
                                && (sees(x.system.as_deref())
                                    || x.systems.iter().any(|p| sees(Some(&p.system))))
                        }),
                        0,
                        0,
                    )?;
                    (a, na, nf, nc, nv)
                }
                (_, None) => (Vec::new(), 0, 0, 0, 0),
            })
        })
        .await
}

async fn run(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id, "run")?;
    let runs = crate::insight::runs_data(&app, &c).await?;
    let info = runs
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::not_found(format!("no run {id}")))?;
    let (_, assets, findings, components, vulnerabilities) =
        run_contents(&app, c.visible(), id, 0).await?;
    Ok(Json(json!({
        "run": info,
        "summary": {
            "assets": assets,
            "findings": findings,
            "components": components,
            "vulnerabilities": vulnerabilities,
        },
    })))
}

/// A page of one of a run's lists, read row by row and narrowed to `c`'s systems.
async fn run_list<T, P, N>(
    app: &Arc<App>,
    c: &Caller,
    id: &str,
    uri: &Uri,
    page_of: P,
    narrow: N,
) -> Result<Json<Value>, ApiError>
where
    T: serde::Serialize + Send + 'static,
    P: Fn(
            &mamori_store::Store,
            i64,
            Option<&mut dyn FnMut(&mut T) -> bool>,
            usize,
            usize,
        ) -> Result<(Vec<T>, u64), StoreError>
        + Send
        + 'static,
    N: Fn(&mut T, &Visible, &crate::Loaded) -> bool + Send + 'static,
{
    let id = parse_id(id, "run")?;
    let p = page(uri)?;
    check_run(app, c, id).await?;
    let (v, loaded) = (c.visible(), app.register());
    let (offset, limit) = (p.offset.unwrap_or(0), p.limit.unwrap_or(100));
    let (items, total) = app
        .pool
        .run(move |s| {
            Ok(match (&v, loaded) {
                (Visible::All, _) => page_of(s, id, None, offset, limit)?,
                (_, Some(l)) => page_of(s, id, Some(&mut |x| narrow(x, &v, &l)), offset, limit)?,
                (_, None) => (Vec::new(), 0),
            })
        })
        .await?;
    Ok(Json(json!({"items": items, "total": total})))
}

async fn run_assets(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    run_list(
        &app,
        &c,
        &id,
        &uri,
        mamori_store::Store::page_assets,
        crate::insight::narrow_asset,
    )
    .await
}

async fn run_components(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    run_list(
        &app,
        &c,
        &id,
        &uri,
        mamori_store::Store::page_components,
        crate::insight::narrow_component,
    )
    .await
}

#[derive(Deserialize)]
struct ExportQuery {
    format: String,
    #[serde(default)]
    lang: Option<String>,
}

/// The formats a run can be exported in: the registry's run formats but the terminal
/// summary (`mamori_report::formats`; a test holds the two together).
pub const EXPORT_FORMATS: [&str; 5] = ["cyclonedx", "spdx", "sarif", "xlsx", "json"];

async fn run_export(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "run")?;
    let q: ExportQuery = query(&uri)?;
    if !EXPORT_FORMATS.contains(&q.format.as_str()) {
        return Err(ApiError::bad(format!(
            "unknown export format {:?}: use one of {}",
            q.format,
            EXPORT_FORMATS.join(", ")
        )));
    }
    let lang = match q.lang.as_deref() {
        None | Some("en") => "en",
        Some("ja") => "ja",
        Some(other) => return Err(ApiError::bad(format!("lang {other:?}: use ja or en"))),
    };
    export_response(&app, &c, id, &q.format, lang).await
}

/// A run exported for `c`: made by a child `mamori export` (a document of a million
/// assets is gigabytes while it is made; that memory is the child's) and streamed to the
/// client as it comes.
pub async fn export_response(
    app: &Arc<App>,
    c: &Caller,
    id: i64,
    format: &str,
    lang: &str,
) -> Result<Response, ApiError> {
    check_run(app, c, id).await?;
    let args = [
        "export".to_string(),
        id.to_string(),
        "--format".into(),
        format.into(),
        "--lang".into(),
        lang.into(),
    ];
    let (child, permit) = spawn_child(app, c, &args, || format!("no run {id}")).await?;
    let body = stream_child(child, permit, &format!("export of run {id}")).await?;
    let (media, ext) = export_type(format);
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"mamori-run-{id}.{ext}\""))
    {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// A child `mamori ARGS` for `c` — told the register and `c`'s systems when `c` reads only
/// some — once it has a place among the children ([`crate::children`]).
async fn spawn_child(
    app: &Arc<App>,
    c: &Caller,
    args: &[String],
    missing: impl FnOnce() -> String,
) -> Result<(tokio::process::Child, crate::children::ChildPermit), ApiError> {
    let mut cmd = tokio::process::Command::new(&app.cfg.exe);
    cmd.env("MAMORI_DB", app.pool.path()).args(args);
    if let Visible::Systems(systems) = c.visible() {
        let Some(loaded) = app.register() else {
            return Err(ApiError::not_found(missing()));
        };
        cmd.arg("--config").arg(&loaded.path);
        for s in systems {
            cmd.arg("--system").arg(s);
        }
    }
    // A place first: a flood of requests waits or is turned away, it starts no process.
    let permit = app.children.acquire(c.user.id).await?;
    let child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| ApiError::internal(format!("cannot start mamori {}: {e}", args[0])))?;
    Ok((child, permit))
}

/// `child`'s output as a response body, sent as it comes: nothing of it is held in the
/// server. The first bytes are awaited here, so a child that fails gives an error answer
/// (its reason goes to the log). The child's place is held until its last byte is sent;
/// a client that goes away stops it (`kill_on_drop`).
async fn stream_child(
    mut child: tokio::process::Child,
    permit: crate::children::ChildPermit,
    what: &str,
) -> Result<axum::body::Body, ApiError> {
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| ApiError::internal(format!("the {what} has no output")))?;
    let mut first = vec![0u8; 64 * 1024];
    let n = tokio::io::AsyncReadExt::read(&mut stdout, &mut first)
        .await
        .map_err(|e| ApiError::internal(format!("cannot read the {what}: {e}")))?;
    if n == 0 {
        let out = child
            .wait_with_output()
            .await
            .map_err(|e| ApiError::internal(format!("the {what} failed: {e}")))?;
        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
        eprintln!("mamori: {what} failed: {why}");
        return Err(ApiError::internal(format!("the {what} could not be made")));
    }
    first.truncate(n);
    let rest = tokio_util::io::ReaderStream::new(stdout);
    use futures_util::StreamExt;
    let stream = futures_util::stream::once(async move {
        Ok::<_, std::io::Error>(axum::body::Bytes::from(first))
    })
    .chain(rest)
    .chain(futures_util::stream::once(async move {
        let _ = child.wait().await;
        drop(permit);
        Ok(axum::body::Bytes::new())
    }));
    Ok(axum::body::Body::from_stream(stream))
}

/// The media type and file extension of an export format (from the one registry).
fn export_type(format: &str) -> (&'static str, &'static str) {
    let spec = format
        .parse::<mamori_report::formats::Format>()
        .unwrap_or(mamori_report::formats::Format::Json)
        .spec();
    (spec.media_type, spec.extension)
}

#[derive(Deserialize)]
struct DiffQuery {
    from: String,
    to: String,
}

/// The child `mamori diff FROM TO -f json` for `c`, both runs narrowed to `c`'s systems
/// before they are compared (what changed elsewhere neither shows nor hides anything), and
/// both runs' items in the child's memory, not the server's.
async fn diff_child(
    app: &Arc<App>,
    c: &Caller,
    from: i64,
    to: i64,
) -> Result<(tokio::process::Child, crate::children::ChildPermit), ApiError> {
    // Both runs must show the caller something.
    check_run(app, c, from).await?;
    check_run(app, c, to).await?;
    let args = [
        "diff".to_string(),
        from.to_string(),
        to.to_string(),
        "-f".into(),
        "json".into(),
    ];
    spawn_child(app, c, &args, || format!("no run {from}")).await
}

/// The difference between two runs, narrowed to what `c` may see (the dashboard's page
/// reads it whole to show its first items).
pub async fn visible_diff(
    app: &Arc<App>,
    c: &Caller,
    from: i64,
    to: i64,
) -> Result<mamori_store::Diff, ApiError> {
    let (child, _permit) = diff_child(app, c, from, to).await?;
    let out = child
        .wait_with_output()
        .await
        .map_err(|e| ApiError::internal(format!("cannot run the diff: {e}")))?;
    if !out.status.success() {
        eprintln!(
            "mamori: diff of runs {from} and {to} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return Err(ApiError::internal("the difference could not be made"));
    }
    serde_json::from_slice(&out.stdout)
        .map_err(|e| ApiError::internal(format!("the difference could not be read: {e}")))
}

/// `/api/v1/diff`: the child's JSON streamed as it is made.
async fn diff(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    uri: Uri,
) -> Result<Response, ApiError> {
    let q: DiffQuery = query(&uri)?;
    let (from, to) = (parse_id(&q.from, "run")?, parse_id(&q.to, "run")?);
    let (child, permit) = diff_child(&app, &c, from, to).await?;
    let body = stream_child(
        child,
        permit,
        &format!("difference of runs {from} and {to}"),
    )
    .await?;
    let mut r = body.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(r)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TriggerBody {
    #[serde(default)]
    system: Option<String>,
}

/// Queues a scan of `system` (or of every system) for `c`.
pub async fn trigger_scan(
    app: &Arc<App>,
    c: &Caller,
    system: Option<String>,
) -> Result<mamori_store::jobs::Job, ApiError> {
    let Some(loaded) = app.register() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no-register",
            "the server has no systems register (start it with --config mamori.toml) and so nothing to scan",
        ));
    };
    if let Some(s) = &system {
        if !c.can_read(Some(s)) || loaded.register.system(s).is_none() {
            return Err(ApiError::not_found(format!("no system {s}")));
        }
    }
    if !c.can_act(system.as_deref()) {
        return Err(ApiError::forbidden(match &system {
            Some(s) => format!("starting a scan of {s} needs the analyst or admin role for it"),
            None => {
                "scanning every system needs the analyst or admin role for every system".to_string()
            }
        }));
    }
    let by = c.user.name.clone();
    let job = app
        .pool
        .run(move |s| Ok(s.enqueue_job(system.as_deref(), &by)?))
        .await?;
    crate::worker::wake(app);
    Ok(job)
}

async fn trigger(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let b: TriggerBody = if bytes.is_empty() {
        TriggerBody::default()
    } else {
        body(&bytes)?
    };
    let job = trigger_scan(&app, &c, b.system).await?;
    let mut r = (StatusCode::ACCEPTED, Json(json!(job))).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/scans/{}", job.id)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

fn job_visible(c: &Caller, j: &mamori_store::jobs::Job) -> bool {
    c.can_read(j.system.as_deref())
}

async fn scans(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let p = page(&uri)?;
    let (limit, offset) = (p.limit.unwrap_or(50), p.offset.unwrap_or(0));
    let v = c.visible();
    let (items, total) = app
        .pool
        .run(move |s| Ok(s.jobs_page(&v, limit, offset)?))
        .await?;
    Ok(Json(json!({ "items": items, "total": total })))
}

async fn scan(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<mamori_store::jobs::Job>, ApiError> {
    let id = parse_id(&id, "scan")?;
    let job = app.pool.run(move |s| Ok(s.job(id)?)).await?;
    match job {
        Some(j) if job_visible(&c, &j) => Ok(Json(j)),
        _ => Err(ApiError::not_found(format!("no scan {id}"))),
    }
}

/// The findings list's query, shared by the page and the API.
#[derive(Deserialize, Default, Debug, Clone)]
pub struct FindingsParams {
    /// Comma-separated statuses.
    #[serde(default)]
    pub status: Option<String>,
    /// A system id.
    #[serde(default)]
    pub system: Option<String>,
    /// Minimum severity.
    #[serde(default)]
    pub severity: Option<String>,
    /// `finding` or `vulnerability`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Search words.
    #[serde(default)]
    pub q: Option<String>,
    /// Sort key.
    #[serde(default)]
    pub sort: Option<String>,
    /// `asc` or `desc`.
    #[serde(default)]
    pub order: Option<String>,
    /// Only overdue (`true`).
    #[serde(default)]
    pub overdue: Option<String>,
    /// Only assigned to.
    #[serde(default)]
    pub assignee: Option<String>,
    /// Page size.
    #[serde(default)]
    pub limit: Option<String>,
    /// Skip.
    #[serde(default)]
    pub offset: Option<String>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl FindingsParams {
    /// The store query for `c`; a value that is not understood is a 400 naming it.
    pub fn to_query(&self, c: &Caller) -> Result<TrackedQuery, ApiError> {
        let mut q = TrackedQuery {
            visible: c.visible(),
            ..Default::default()
        };
        if let Some(s) = blank(&self.status) {
            for w in s.split(',').map(str::trim).filter(|w| !w.is_empty()) {
                if w == "active" {
                    q.statuses
                        .extend(Status::ALL.into_iter().filter(|s| s.active()));
                    continue;
                }
                let st = Status::parse(w).ok_or_else(|| {
                    ApiError::bad(format!(
                        "unknown status {w:?}: use active, {}",
                        Status::ALL.map(|s| s.as_str()).join(", ")
                    ))
                })?;
                q.statuses.push(st);
            }
            q.statuses.sort_by_key(|s| s.as_str());
            q.statuses.dedup();
        }
        for (what, v) in [("system", &self.system), ("assignee", &self.assignee)] {
            if blank(v).is_some_and(|x| x.chars().count() > 200) {
                return Err(ApiError::bad(format!("{what}: at most 200 characters")));
            }
        }
        q.system = blank(&self.system).map(str::to_string);
        if let Some(s) = blank(&self.severity) {
            q.min_severity = Some(s.parse().map_err(|_| {
                ApiError::bad(format!(
                    "unknown severity {s:?}: use info, low, medium, high or critical"
                ))
            })?);
        }
        if let Some(k) = blank(&self.kind) {
            if k != "finding" && k != "vulnerability" {
                return Err(ApiError::bad(format!(
                    "unknown kind {k:?}: use finding or vulnerability"
                )));
            }
            q.kind = Some(k.into());
        }
        if let Some(words) = blank(&self.q) {
            // The first eight words count.
            if words.chars().count() > 200 {
                return Err(ApiError::bad("q: search with at most 200 characters"));
            }
            q.search = Some(words.to_string());
        }
        if let Some(s) = blank(&self.sort) {
            q.sort = SortBy::parse(s).ok_or_else(|| {
                ApiError::bad(format!(
                    "unknown sort {s:?}: use {}",
                    SortBy::ALL.map(|s| s.as_str()).join(", ")
                ))
            })?;
        }
        q.desc = match blank(&self.order) {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(o) => {
                return Err(ApiError::bad(format!(
                    "unknown order {o:?}: use asc or desc"
                )))
            }
        };
        match blank(&self.overdue) {
            None | Some("false") => {}
            Some("true") => q.overdue_on = Some(mamori_store::views::today()),
            Some(o) => return Err(ApiError::bad(format!("overdue {o:?}: use true or false"))),
        }
        q.assignee = blank(&self.assignee).map(str::to_string);
        q.limit = number(&self.limit, "limit", 1, 1000)?.unwrap_or(50);
        q.offset = number(&self.offset, "offset", 0, MAX_OFFSET)?.unwrap_or(0);
        Ok(q)
    }
}

async fn findings(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    uri: Uri,
) -> Result<Json<Value>, ApiError> {
    let p: FindingsParams = query(&uri)?;
    let q = p.to_query(&c)?;
    let (limit, offset) = (q.limit, q.offset);
    let (items, total) = findings_page(&app, q).await?;
    Ok(Json(
        json!({"items": items, "total": total, "limit": limit, "offset": offset}),
    ))
}

/// A page of findings and how many match, the count kept while the store is unchanged
/// (counting 100,000 rows on every page would cost more than the page).
pub async fn findings_page(
    app: &Arc<App>,
    q: TrackedQuery,
) -> Result<(Vec<mamori_store::lifecycle::Tracked>, u64), ApiError> {
    let pool = app.pool.clone();
    app.pool
        .run(move |s| {
            let rows = s.tracked_rows(&q)?;
            let total = pool.cached(&format!("count:{}", q.count_key()), || {
                Ok(s.tracked_count(&q)?)
            })?;
            Ok((rows, total))
        })
        .await
}

/// Tracked item `id` and its history, if `c` may read it.
pub async fn visible_finding(
    app: &Arc<App>,
    c: &Caller,
    id: i64,
) -> Result<
    (
        mamori_store::lifecycle::Tracked,
        Vec<mamori_store::lifecycle::Event>,
    ),
    ApiError,
> {
    let (t, events) = app.pool.run(move |s| Ok(s.tracked_one(id)?)).await?;
    if !c.can_read(t.system.as_deref()) {
        return Err(ApiError::not_found(format!("no finding {id}")));
    }
    Ok((t, events))
}

async fn finding(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id, "finding")?;
    let (t, events) = visible_finding(&app, &c, id).await?;
    Ok(Json(json!({"item": t, "history": events})))
}

/// Does `act` to finding `id` as `c`.
pub async fn act(
    app: &Arc<App>,
    c: &Caller,
    id: i64,
    act: Act,
    comment: Option<String>,
) -> Result<mamori_store::lifecycle::Tracked, ApiError> {
    let (t, _) = visible_finding(app, c, id).await?;
    if !c.can_act(t.system.as_deref()) {
        return Err(ApiError::forbidden(
            "changing a finding needs the analyst or admin role for its system",
        ));
    }
    if comment
        .as_deref()
        .is_some_and(|c| c.chars().count() > MAX_TEXT)
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("a comment is at most {MAX_TEXT} characters"),
        ));
    }
    if let Act::Assign { to } = &act {
        if to.chars().count() > MAX_NAME {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("a name is at most {MAX_NAME} characters"),
            ));
        }
    }
    if act == Act::Comment && comment.as_deref().is_none_or(|s| s.trim().is_empty()) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "a comment needs text",
        ));
    }
    let who = c.user.name.clone();
    app.pool
        .run(move |s| {
            Ok(s.act(
                id,
                &act,
                &who,
                comment.as_deref().map(str::trim).filter(|c| !c.is_empty()),
            )?)
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    status: String,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    comment: Option<String>,
}

async fn set_status(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id, "finding")?;
    let b: StatusBody = body(&bytes)?;
    let a = match (b.status.as_str(), b.until) {
        ("acknowledged", None) => Act::Acknowledge,
        ("accepted", Some(until)) => Act::Accept { until },
        ("accepted", None) => {
            return Err(ApiError::bad(
                "accepting a risk needs `until`, the date it ends (YYYY-MM-DD)",
            ))
        }
        ("acknowledged", Some(_)) => {
            return Err(ApiError::bad("`until` goes only with status accepted"))
        }
        (other, _) => {
            return Err(ApiError::bad(format!(
                "a person can set the status acknowledged or accepted, not {other:?}: runs set new, open, fixed and reopened"
            )))
        }
    };
    let t = act(&app, &c, id, a, b.comment).await?;
    Ok(Json(json!({ "item": t })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignBody {
    to: String,
    #[serde(default)]
    comment: Option<String>,
}

async fn set_assignee(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id, "finding")?;
    let b: AssignBody = body(&bytes)?;
    let t = act(&app, &c, id, Act::Assign { to: b.to }, b.comment).await?;
    Ok(Json(json!({ "item": t })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DueBody {
    date: String,
    #[serde(default)]
    comment: Option<String>,
}

async fn set_due(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id, "finding")?;
    let b: DueBody = body(&bytes)?;
    let t = act(&app, &c, id, Act::Due { date: b.date }, b.comment).await?;
    Ok(Json(json!({ "item": t })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentBody {
    text: String,
}

async fn add_comment(
    State(app): State<Arc<App>>,
    ApiCaller(c): ApiCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, "finding")?;
    let b: CommentBody = body(&bytes)?;
    let t = act(&app, &c, id, Act::Comment, Some(b.text)).await?;
    Ok((StatusCode::CREATED, Json(json!({ "item": t }))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_the_registry_run_formats_but_text() {
        let mut from_registry: Vec<&str> = mamori_report::formats::Format::for_run()
            .filter(|s| s.format != mamori_report::formats::Format::Text)
            .map(|s| s.name)
            .collect();
        from_registry.sort_unstable();
        let mut ours = EXPORT_FORMATS.to_vec();
        ours.sort_unstable();
        assert_eq!(ours, from_registry);
    }
}
