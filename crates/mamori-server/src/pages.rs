//! The dashboard: server-rendered pages, usable without JavaScript, in Japanese and
//! English (a `mamori_lang` cookie, else the browser's Accept-Language, else the server's
//! default). Every form posts the session's CSRF token.

use crate::api::{self, ApiError, FindingsParams};
use crate::auth::{cookie, identify, session_cookie, Caller, LANG_COOKIE, SESSION_COOKIE};
use crate::html::{self, esc, url};
use crate::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use mamori_i18n::{Lang, Messages};
use mamori_store::lifecycle::{Act, Status};
use mamori_store::views::Visible;
use serde::Deserialize;
use std::fmt::Write as _;
use std::sync::Arc;

mod account;

/// Characters of an advisory's summary shown in a list (the finding's page shows it whole).
const SUMMARY_IN_LISTS: usize = 200;

/// The page routes.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(overview))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/lang/{lang}", get(set_lang))
        .route("/findings", get(findings))
        .route("/findings/{id}", get(finding).post(finding_act))
        .route("/systems", get(systems))
        .route("/systems/{id}", get(system))
        .route("/systems/{id}/scan", post(scan_system))
        .route("/scan", post(scan_all))
        .route("/scans/{id}", get(scan_page))
        .route("/runs", get(runs))
        .route("/runs/{id}", get(run))
        .route("/runs/{id}/export", get(run_export))
        .route("/runs/{id}/assets/{asset}", get(asset))
        .route("/diff", get(diff))
        .route("/admin/users", get(users).post(users_act))
        .route("/account", get(account::account).post(account::account_act))
        .fallback(not_found)
        .with_state(app)
}

/// The language of a request.
pub fn lang_of(headers: &HeaderMap, default: Lang) -> Lang {
    if let Some(l) = cookie(headers, LANG_COOKIE) {
        return Lang::detect(Some(l));
    }
    if let Some(al) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(first) = al.split(',').next() {
            let f = first.trim().to_ascii_lowercase();
            if f.starts_with("ja") {
                return Lang::Ja;
            }
            if f.starts_with("en") {
                return Lang::En;
            }
        }
    }
    default
}

/// A signed-in page request: its caller and language. Without a session the browser is
/// sent to the login page and back.
pub struct PageCaller {
    caller: Caller,
    lang: Lang,
}

/// Why a page cannot be shown.
pub struct PageError {
    lang: Lang,
    caller: Option<Caller>,
    err: ApiError,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let m = Messages::new(self.lang);
        let title = m.t("web.error");
        let body = format!(
            "<h1>{}</h1><p class=\"notice\">{}</p><p><a href=\"/\">{}</a></p>",
            esc(&title),
            esc(&self.err.message),
            esc(&m.t("web.nav.overview"))
        );
        let mut r = (
            self.err.status,
            Html(html::page(
                &m,
                self.lang,
                self.caller.as_ref(),
                "",
                &title,
                &body,
            )),
        )
            .into_response();
        if let Some(secs) = self.err.retry_after_secs() {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        r
    }
}

impl PageCaller {
    fn err(&self, err: ApiError) -> PageError {
        PageError {
            lang: self.lang,
            caller: Some(self.caller.clone()),
            err,
        }
    }
    fn m(&self) -> Messages {
        Messages::new(self.lang)
    }
    fn page(&self, active: &str, title: &str, body: &str) -> Response {
        Html(html::page(
            &self.m(),
            self.lang,
            Some(&self.caller),
            active,
            title,
            body,
        ))
        .into_response()
    }
}

impl axum::extract::FromRequestParts<Arc<App>> for PageCaller {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(&parts.headers, app.cfg.lang);
        match identify(app, parts).await {
            Ok(Some(caller)) => Ok(PageCaller { caller, lang }),
            Ok(None) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                Err(Redirect::to(&format!("/login?next={}", url(next))).into_response())
            }
            Err(err) => Err(PageError {
                lang,
                caller: None,
                err,
            }
            .into_response()),
        }
    }
}

/// An error as a page, in the language the request asks for.
pub fn error_page(lang: Lang, err: ApiError) -> Response {
    PageError {
        lang,
        caller: None,
        err,
    }
    .into_response()
}

async fn not_found(headers: HeaderMap, State(app): State<Arc<App>>, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::not_found(format!(
            "no such endpoint: {} (see /api/openapi.json)",
            uri.path()
        ))
        .into_response();
    }
    error_page(
        lang_of(&headers, app.cfg.lang),
        ApiError::not_found(format!("no page {}", uri.path())),
    )
}

fn form<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_urlencoded::from_bytes(bytes).map_err(|e| ApiError::bad(format!("bad form: {e}")))
}

/// Only same-site paths are followed after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        // No control characters or spaces (browsers drop tabs and newlines in a Location,
        // which would turn "/\t/evil" into "//evil"), no backslash, no scheme-relative "//".
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes().all(|b| b > 0x20 && b != 0x7f && b != b'\\') =>
        {
            n.into()
        }
        _ => "/".into(),
    }
}

/// Whether a form post came from this server's own pages: its `Origin` (else its
/// `Referer`) names the host the request was sent to — or, behind a reverse proxy that
/// rewrites `Host`, the `X-Forwarded-Host` the proxy sets (a cross-site form cannot set
/// that header). A request with neither `Origin` nor `Referer` is not from a browser's form
/// (browsers send `Origin` with every POST) and passes.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let host_of = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| h.split(',').next())
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
    };
    let hosts = [host_of("host"), host_of("x-forwarded-host")];
    let from = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    let Some(from) = from else {
        return true;
    };
    // scheme://host[:port][/path]; "null" (a sandboxed or privacy-hidden origin) fails.
    let authority = from
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
        .map(|a| a.rsplit('@').next().unwrap_or(a).to_ascii_lowercase());
    authority.is_some_and(|a| !a.is_empty() && hosts.iter().flatten().any(|h| *h == a))
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    failed: Option<String>,
}

fn login_page(m: &Messages, lang: Lang, next: &str, failed: bool) -> String {
    let mut b = format!(
        "<div class=\"login\"><h1>{}</h1>",
        esc(&m.t("web.login.title"))
    );
    if failed {
        let _ = write!(
            b,
            "<p class=\"notice\" role=\"alert\">{}</p>",
            esc(&m.t("web.login.failed"))
        );
    }
    let _ = write!(
        b,
        "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"next\" value=\"{}\"><label>{}<br><input name=\"name\" autocomplete=\"username\" required autofocus></label><label>{}<br><input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label><button class=\"primary\" type=\"submit\">{}</button></form><p class=\"mut\">{}</p></div>",
        esc(next),
        esc(&m.t("web.login.name")),
        esc(&m.t("web.login.password")),
        esc(&m.t("web.login.submit")),
        esc(&m.t("web.login.hint"))
    );
    html::page(m, lang, None, "", &m.t("web.login.title"), &b)
}

async fn login_form(headers: HeaderMap, State(app): State<Arc<App>>, uri: Uri) -> Response {
    let lang = lang_of(&headers, app.cfg.lang);
    let q: NextQuery = api::query(&uri).unwrap_or_default();
    let next = safe_next(q.next.as_deref());
    Html(login_page(
        &Messages::new(lang),
        lang,
        &next,
        q.failed.is_some(),
    ))
    .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

async fn login(
    headers: HeaderMap,
    State(app): State<Arc<App>>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    bytes: Bytes,
) -> Response {
    let lang = lang_of(&headers, app.cfg.lang);
    let f: LoginForm = match form(&bytes) {
        Ok(f) => f,
        Err(err) => {
            return PageError {
                lang,
                caller: None,
                err,
            }
            .into_response()
        }
    };
    let next = safe_next(f.next.as_deref());
    let secs = app.cfg.session_secs;
    // Login CSRF: a page of another site must not sign this browser in (as the attacker,
    // whose account then collects what the victim types).
    if !same_origin(&headers) {
        return PageError {
            lang,
            caller: None,
            err: ApiError::forbidden(
                "a sign-in must come from this server's own login page (the request came from another site)",
            ),
        }
        .into_response();
    }
    // One check at a time per name, each counted before its password is: parallel
    // guesses wait for each other and the sixth is refused.
    let _one_at_a_time = app.logins.serialize(&f.name).await;
    let attempt = match app.logins.begin(&f.name, peer.ip()) {
        Ok(a) => a,
        Err(t) => {
            let m = Messages::new(lang);
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                Html(html::page(
                    &m,
                    lang,
                    None,
                    "",
                    &m.t("web.login.title"),
                    &format!(
                        "<div class=\"login\"><p class=\"notice\" role=\"alert\">{}</p></div>",
                        esc(&m.t("web.login.throttled"))
                    ),
                )),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&t.retry_after.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return r;
        }
    };
    let outcome = if f.name.len() > crate::throttle::NAME_MAX {
        // No user has such a name: no hash to check, and nothing of it is kept.
        Ok(None)
    } else {
        login_session(&app, f.name, f.password, secs).await
    };
    match &outcome {
        Ok(Some(_)) => app.logins.succeeded(attempt),
        Ok(None) => {}
        Err(_) => app.logins.abandoned(attempt),
    }
    match outcome {
        Ok(Some(token)) => {
            let secure = app.cfg.tls.is_some() || app.cfg.secure_cookies;
            let mut r = Redirect::to(&next).into_response();
            if let Ok(v) = HeaderValue::from_str(&session_cookie(&token, secure, secs)) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Ok(None) => {
            let m = Messages::new(lang);
            (
                StatusCode::UNAUTHORIZED,
                Html(login_page(&m, lang, &next, true)),
            )
                .into_response()
        }
        Err(err) => PageError {
            lang,
            caller: None,
            err,
        }
        .into_response(),
    }
}

/// Checks a password and starts a session. Argon2 runs outside the store's connections,
/// two at a time (a flood of logins cannot stall the pages), and an unknown name is
/// checked against a stand-in hash so it takes as long as a known one.
async fn login_session(
    app: &Arc<App>,
    name: String,
    password: String,
    secs: i64,
) -> Result<Option<String>, ApiError> {
    static ARGON: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    static STAND_IN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let n = name.clone();
    let hash = app.pool.run(move |s| Ok(s.password_hash(&n)?)).await?;
    let permit = ARGON
        .acquire()
        .await
        .map_err(|_| ApiError::internal("login is closed"))?;
    let ok = tokio::task::spawn_blocking(move || {
        let stand_in = STAND_IN.get_or_init(|| {
            mamori_store::users::hash_password("not a password anyone has 0x5f3759df")
                .unwrap_or_default()
        });
        let known = hash.is_some();
        let verified =
            mamori_store::users::verify_password(hash.as_deref().unwrap_or(stand_in), &password);
        known && verified
    })
    .await
    .map_err(|_| ApiError::internal("the password check stopped unexpectedly"))?;
    drop(permit);
    if !ok {
        return Ok(None);
    }
    app.pool
        .run(move |s| match s.user(&name)? {
            Some(u) => Ok(Some(s.new_session(&u, secs)?.0)),
            None => Ok(None),
        })
        .await
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: Option<String>,
}

async fn logout(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, PageError> {
    let f: CsrfForm = form(&bytes).map_err(|e| pc.err(e))?;
    pc.caller
        .check_csrf(f.csrf.as_deref())
        .map_err(|e| pc.err(e))?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let token = token.to_string();
        app.pool
            .run(move |s| Ok(s.end_session(&token)?))
            .await
            .map_err(|e| pc.err(e))?;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("mamori_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    Ok(r)
}

async fn set_lang(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let code = if lang.starts_with("ja") { "ja" } else { "en" };
    // Back where the link was followed from, when that was this site.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()));
    let mut r = Redirect::to(&safe_next(back.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={code}; Path=/; SameSite=Lax; Max-Age=31536000"
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

fn this_year() -> i32 {
    mamori_store::now_rfc3339()[..4].parse().unwrap_or(2026)
}

async fn overview(State(app): State<Arc<App>>, pc: PageCaller) -> Result<Response, PageError> {
    let m = pc.m();
    let d = crate::insight::overview_data(&app, &pc.caller)
        .await
        .map_err(|e| pc.err(e))?;
    let mut b = format!("<h1>{}</h1>", esc(&m.t("web.overview.title")));
    let active: u64 = d.findings.active.values().sum();
    // What the link lists: high, critical, and vulnerabilities without a rating (which
    // count at any level, decision 008).
    let worst = ["critical", "high", "unrated"]
        .iter()
        .map(|s| d.findings.active.get(*s).copied().unwrap_or(0))
        .sum::<u64>();
    b.push_str("<div class=\"cards\">");
    for (n, key, href) in [
        (
            active,
            "web.card.active",
            "/findings?status=active".to_string(),
        ),
        (
            worst,
            "web.card.worst",
            "/findings?status=active&severity=high".to_string(),
        ),
        (
            d.findings.overdue,
            "web.card.overdue",
            "/findings?overdue=true".to_string(),
        ),
        (
            d.findings.new,
            "web.card.new",
            "/findings?status=new".to_string(),
        ),
        (
            d.findings.accepted,
            "web.card.accepted",
            "/findings?status=accepted".to_string(),
        ),
        (
            d.findings.fixed,
            "web.card.fixed",
            "/findings?status=fixed".to_string(),
        ),
    ] {
        let _ = write!(
            b,
            "<a class=\"card\" id=\"{}\" href=\"{}\"><b>{n}</b><span>{}</span></a>",
            key.replace('.', "-"),
            esc(&href),
            esc(&m.t(key))
        );
    }
    let (cov, all) = d.sbom_coverage;
    let _ = write!(
        b,
        "<a class=\"card\" id=\"web-card-sbom\" href=\"/systems\"><b>{cov}/{all}</b><span>{}</span></a></div>",
        esc(&m.t("web.card.sbom"))
    );
    b.push_str("<div class=\"charts\">");
    let _ = write!(
        b,
        "<figure><figcaption>{}</figcaption>{}</figure>",
        esc(&m.t("web.chart.trend")),
        html::trend_svg(&m, &d.trend)
    );
    let _ = write!(
        b,
        "<figure><figcaption>{}</figcaption>{}</figure>",
        esc(&m.t("web.chart.age")),
        html::age_svg(&m, &d.findings.age)
    );
    let mut pq: Vec<(String, &crate::insight::SystemPqc)> = d
        .systems
        .iter()
        .filter_map(|s| s.pqc.as_ref().map(|p| (s.name.clone(), p)))
        .collect();
    pq.sort_by(|a, b| a.1.priority.cmp(&b.1.priority).then(a.0.cmp(&b.0)));
    pq.truncate(30);
    let _ = write!(
        b,
        "<figure><figcaption>{}</figcaption>{}",
        esc(&m.t("web.chart.pqc")),
        html::pqc_svg(&m, &pq, this_year())
    );
    if let Some(e) = &d.plan_error {
        let _ = write!(b, "<p class=\"notice\">{}</p>", esc(e));
    }
    b.push_str("</figure>");
    // The most widespread vulnerable components.
    let _ = write!(
        b,
        "<figure><figcaption>{}</figcaption>",
        esc(&m.t("web.widespread"))
    );
    if d.widespread.is_empty() {
        let _ = write!(b, "<p class=\"mut\">{}</p>", esc(&m.t("web.none")));
    } else {
        b.push_str(&html::table_head(
            &m,
            "widespread",
            &[
                "web.col.component",
                "#web.col.systems",
                "#web.col.advisories",
                "web.col.worst",
            ],
        ));
        for w in &d.widespread {
            let _ = write!(
                b,
                "<tr><td><a href=\"/findings?kind=vulnerability&amp;status=active&amp;q={}\"><code>{}</code></a></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                url(&w.purl),
                esc(&w.purl),
                w.systems,
                w.advisories,
                html::worst(&m, w)
            );
        }
        b.push_str("</table>");
    }
    b.push_str("</figure></div>");
    // The most overdue, oldest due date first.
    let overdue_q = mamori_store::views::TrackedQuery {
        visible: pc.caller.visible(),
        overdue_on: Some(mamori_store::views::today()),
        sort: mamori_store::views::SortBy::Due,
        limit: 10,
        ..Default::default()
    };
    let (overdue, n_overdue) = api::findings_page(&app, overdue_q)
        .await
        .map_err(|e| pc.err(e))?;
    if !overdue.is_empty() {
        let _ = write!(b, "<h2>{} ({n_overdue})</h2>", esc(&m.t("web.overdue")));
        b.push_str(&html::table_head(
            &m,
            "overdue",
            &[
                "web.col.due",
                "web.col.severity",
                "web.col.finding",
                "web.col.system",
                "web.col.status",
                "web.col.assignee",
            ],
        ));
        for t in &overdue {
            let _ = write!(
                b,
                "<tr data-id=\"{id}\"><td class=\"bad\">{}</td><td>{}</td><td><a href=\"/findings/{id}\">{}</a>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(t.due.as_deref().unwrap_or("")),
                html::sev_badge(&m, t.severity.map(|s| s.as_str())),
                esc(&html::tracked_title(t)),
                html::summary_line(&t.advisory.summary, SUMMARY_IN_LISTS),
                esc(t.system.as_deref().unwrap_or("")),
                html::status_badge(&m, t.status.as_str()),
                esc(t.assignee.as_deref().unwrap_or("")),
                id = t.id
            );
        }
        let _ = write!(
            b,
            "</table><p><a href=\"/findings?overdue=true&amp;sort=due\">{}</a></p>",
            esc(&m.t("web.all_overdue"))
        );
    }
    // Systems at a glance.
    let _ = write!(b, "<h2>{}</h2>", esc(&m.t("web.nav.systems")));
    b.push_str(&systems_table(&m, &d.systems));
    Ok(pc.page("overview", &m.t("web.overview.title"), &b))
}

/// A criticality in the reader's language (empty for a system not in the register).
fn criticality(m: &Messages, c: &str) -> String {
    if c.is_empty() {
        String::new()
    } else {
        m.t(&format!("plan.criticality.{c}"))
    }
}

fn systems_table(m: &Messages, systems: &[crate::insight::SystemSummary]) -> String {
    let mut b = html::table_head(
        m,
        "systems",
        &[
            "web.col.system",
            "web.col.owner",
            "web.col.criticality",
            "#web.col.active",
            "#web.col.overdue",
            "web.col.priority",
            "web.col.deadline",
            "#web.col.components",
            "web.col.last_scan",
        ],
    );
    for s in systems {
        let active: u64 = s.findings.active.values().sum();
        let _ = write!(
            b,
            "<tr data-system=\"{id}\"><td><a href=\"/systems/{uid}\">{}</a></td><td>{}</td><td>{}</td><td class=\"n\">{active}</td><td class=\"n{}\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&s.name),
            esc(&s.owner),
            esc(&criticality(m, &s.criticality)),
            if s.findings.overdue > 0 { " bad" } else { "" },
            s.findings.overdue,
            s.pqc.as_ref().map(|p| p.priority.clone()).unwrap_or_default(),
            s.pqc.as_ref().and_then(|p| p.deadline).map(|d| d.to_string()).unwrap_or_default(),
            s.components,
            esc(&s.schedule.as_ref().and_then(|x| x.last.clone()).unwrap_or_else(|| m.t("schedule.never"))),
            id = esc(&s.id),
            uid = url(&s.id),
        );
    }
    b.push_str("</table>");
    b
}

async fn findings(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    uri: Uri,
) -> Result<Response, PageError> {
    let m = pc.m();
    let p: FindingsParams = api::query(&uri).map_err(|e| pc.err(e))?;
    let q = p.to_query(&pc.caller).map_err(|e| pc.err(e))?;
    let (limit, offset, sort, desc) = (q.limit, q.offset, q.sort, q.desc);
    let (items, total) = api::findings_page(&app, q).await.map_err(|e| pc.err(e))?;
    let mut b = format!("<h1>{}</h1>", esc(&m.t("web.findings.title")));
    // Filters: a plain GET form.
    let v = |o: &Option<String>| esc(o.as_deref().unwrap_or(""));
    let _ = write!(
        b,
        "<form class=\"filters\" method=\"get\" action=\"/findings\"><label>{}<input name=\"q\" value=\"{}\" placeholder=\"{}\"></label>",
        esc(&m.t("web.filter.search")),
        v(&p.q),
        esc(&m.t("web.filter.search_hint"))
    );
    let select = |name: &str, label: &str, cur: Option<&str>, opts: &[(&str, String)]| {
        let mut s = format!("<label>{}<select name=\"{name}\">", esc(label));
        for (val, text) in opts {
            let _ = write!(
                s,
                "<option value=\"{}\"{}>{}</option>",
                esc(val),
                if cur == Some(*val) || (cur.is_none() && val.is_empty()) {
                    " selected"
                } else {
                    ""
                },
                esc(text)
            );
        }
        s.push_str("</select></label>");
        s
    };
    let mut statuses = vec![
        ("", m.t("web.filter.all")),
        ("active", m.t("web.filter.active")),
    ];
    for s in Status::ALL {
        statuses.push((s.as_str(), m.t(&format!("web.status.{}", s.as_str()))));
    }
    b.push_str(&select(
        "status",
        &m.t("web.col.status"),
        p.status.as_deref(),
        &statuses,
    ));
    let mut sevs = vec![("", m.t("web.filter.all"))];
    for (s, _) in html::SEVERITIES.iter().take(5) {
        sevs.push((
            s,
            m.get(
                "web.filter.at_least",
                &[("sev", m.t(&format!("web.sev.{s}")))],
            ),
        ));
    }
    b.push_str(&select(
        "severity",
        &m.t("web.col.severity"),
        p.severity.as_deref(),
        &sevs,
    ));
    b.push_str(&select(
        "kind",
        &m.t("web.col.kind"),
        p.kind.as_deref(),
        &[
            ("", m.t("web.filter.all")),
            ("finding", m.t("web.kind.finding")),
            ("vulnerability", m.t("web.kind.vulnerability")),
        ],
    ));
    let systems: Vec<String> = match app.register() {
        Some(l) => l
            .register
            .systems
            .iter()
            .filter(|s| pc.caller.can_read(Some(&s.id)))
            .map(|s| s.id.clone())
            .collect(),
        None => Vec::new(),
    };
    let mut sys_opts = vec![("", m.t("web.filter.all"))];
    for s in &systems {
        sys_opts.push((s.as_str(), s.clone()));
    }
    b.push_str(&select(
        "system",
        &m.t("web.col.system"),
        p.system.as_deref(),
        &sys_opts,
    ));
    let _ = write!(
        b,
        "<label><span><input type=\"checkbox\" name=\"overdue\" value=\"true\"{}> {}</span></label><button class=\"primary\" type=\"submit\">{}</button></form>",
        if p.overdue.as_deref() == Some("true") { " checked" } else { "" },
        esc(&m.t("web.filter.overdue")),
        esc(&m.t("web.filter.apply"))
    );
    // Links that keep the filters and change sorting or the page.
    let base = |sort_by: &str, order: &str, off: usize| {
        let mut parts = Vec::new();
        for (k, val) in [
            ("q", &p.q),
            ("status", &p.status),
            ("severity", &p.severity),
            ("kind", &p.kind),
            ("system", &p.system),
            ("overdue", &p.overdue),
            ("assignee", &p.assignee),
        ] {
            if let Some(x) = val.as_deref().filter(|x| !x.is_empty()) {
                parts.push(format!("{k}={}", url(x)));
            }
        }
        parts.push(format!("sort={sort_by}&order={order}"));
        if off > 0 {
            parts.push(format!("offset={off}"));
        }
        if limit != 50 {
            parts.push(format!("limit={limit}"));
        }
        format!("/findings?{}", esc(&parts.join("&")))
    };
    let _ = write!(
        b,
        "<p class=\"mut\" id=\"count\">{}</p>",
        esc(&m.get(
            "web.findings.count",
            &[
                ("total", total.to_string()),
                ("from", (offset + 1).min(total as usize).to_string()),
                ("to", (offset + items.len()).to_string())
            ]
        ))
    );
    b.push_str("<table id=\"findings\"><tr>");
    for (key, col) in [
        ("id", "web.col.id"),
        ("severity", "web.col.severity"),
        ("title", "web.col.finding"),
        ("system", "web.col.system"),
        ("", "web.col.place"),
        ("status", "web.col.status"),
        ("due", "web.col.due"),
        ("first_seen", "web.col.first_seen"),
        ("", "web.col.assignee"),
    ] {
        if key.is_empty() {
            let _ = write!(b, "<th>{}</th>", esc(&m.t(col)));
            continue;
        }
        let cur = sort.as_str() == key;
        let order = if cur && !desc { "desc" } else { "asc" };
        let arrow = match (cur, desc) {
            (true, false) => " ▲",
            (true, true) => " ▼",
            _ => "",
        };
        let _ = write!(
            b,
            "<th><a href=\"{}\">{}{arrow}</a></th>",
            base(key, order, 0),
            esc(&m.t(col))
        );
    }
    b.push_str("</tr>");
    let today = mamori_store::views::today();
    for t in &items {
        let overdue = t.status.active() && t.due.as_deref().is_some_and(|d| d < today.as_str());
        let _ = write!(
            b,
            "<tr data-id=\"{id}\" data-status=\"{st}\"><td><a href=\"/findings/{id}\">#{id}</a></td><td>{}</td><td><a href=\"/findings/{id}\">{}</a>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
            html::sev_score(
                &m,
                t.severity.map(|s| s.as_str()),
                t.advisory.cvss.as_ref().map(|c| c.score)
            ),
            esc(&html::tracked_title(t)),
            html::summary_line(&t.advisory.summary, SUMMARY_IN_LISTS),
            esc(t.system.as_deref().unwrap_or("")),
            esc(&t.location),
            html::status_badge(&m, t.status.as_str()),
            if overdue { "bad" } else { "" },
            esc(t.due.as_deref().unwrap_or("")),
            esc(t.first_seen.get(..10).unwrap_or(&t.first_seen)),
            esc(t.assignee.as_deref().unwrap_or("")),
            id = t.id,
            st = t.status.as_str(),
        );
    }
    b.push_str("</table><div class=\"pager\">");
    let order = if desc { "desc" } else { "asc" };
    if offset > 0 {
        let _ = write!(
            b,
            "<a rel=\"prev\" href=\"{}\">← {}</a>",
            base(sort.as_str(), order, offset.saturating_sub(limit)),
            esc(&m.t("web.prev"))
        );
    }
    if offset + items.len() < total as usize {
        let _ = write!(
            b,
            "<a rel=\"next\" href=\"{}\">{} →</a>",
            base(sort.as_str(), order, offset + limit),
            esc(&m.t("web.next"))
        );
    }
    b.push_str("</div>");
    Ok(pc.page("findings", &m.t("web.findings.title"), &b))
}

fn parse_id(s: &str, what: &str) -> Result<i64, ApiError> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::not_found(format!("no {what} {s}")))
}

async fn finding(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "finding").map_err(|e| pc.err(e))?;
    finding_page(&app, &pc, id, None).await
}

/// A finding's page; `failed` is why an act on it was just refused (the server's own
/// words, never text from the request: a link must not make the page say anything).
async fn finding_page(
    app: &Arc<App>,
    pc: &PageCaller,
    id: i64,
    failed: Option<&str>,
) -> Result<Response, PageError> {
    let m = pc.m();
    let (t, events) = api::visible_finding(app, &pc.caller, id)
        .await
        .map_err(|e| pc.err(e))?;
    let title = html::tracked_title(&t);
    let mut b = format!(
        "<h1>#{} {} {}</h1>",
        t.id,
        html::sev_badge(&m, t.severity.map(|s| s.as_str())),
        esc(&title)
    );
    if !t.advisory.summary.trim().is_empty() {
        // The advisory's own words, whole.
        let _ = write!(b, "<p id=\"summary\">{}</p>", esc(&t.advisory.summary));
    }
    if let Some(why) = failed {
        let _ = write!(b, "<p class=\"notice\" role=\"alert\">{}</p>", esc(why));
    }
    let row = |k: &str, v: String| format!("<tr><th>{}</th><td>{v}</td></tr>", esc(&m.t(k)));
    b.push_str("<table id=\"detail\">");
    b.push_str(&row(
        "web.col.status",
        html::status_badge(&m, t.status.as_str()),
    ));
    b.push_str(&row(
        "web.col.kind",
        esc(&m.t(&format!("web.kind.{}", t.kind))),
    ));
    b.push_str(&row(
        "web.col.system",
        match &t.system {
            Some(s) => format!("<a href=\"/systems/{}\">{}</a>", url(s), esc(s)),
            None => String::new(),
        },
    ));
    b.push_str(&row(
        "web.col.place",
        format!("<code>{}</code>", esc(&t.location)),
    ));
    b.push_str(&row("web.col.due", esc(t.due.as_deref().unwrap_or(""))));
    b.push_str(&row(
        "web.col.assignee",
        esc(t.assignee.as_deref().unwrap_or("")),
    ));
    if let Some(u) = &t.accepted_until {
        b.push_str(&row("web.col.accepted_until", esc(u)));
    }
    b.push_str(&row(
        "web.col.first_seen",
        format!(
            "{} (<a href=\"/runs/{r}\">run {r}</a>)",
            esc(&t.first_seen),
            r = t.first_run
        ),
    ));
    b.push_str(&row(
        "web.col.last_seen",
        format!(
            "{} (<a href=\"/runs/{r}\">run {r}</a>)",
            esc(&t.last_seen),
            r = t.last_run
        ),
    ));
    if !t.advisory.aliases.is_empty() {
        b.push_str(&row(
            "web.col.aliases",
            t.advisory
                .aliases
                .iter()
                .map(|a| format!("<code>{}</code>", esc(a)))
                .collect::<Vec<_>>()
                .join(" "),
        ));
    }
    if let Some(c) = &t.advisory.cvss {
        b.push_str(&row(
            "web.col.cvss",
            format!(
                "{:.1} (CVSS {}) <code>{}</code>",
                c.score,
                esc(&c.version),
                esc(&c.vector)
            ),
        ));
    }
    b.push_str(&row("web.col.key", format!("<code>{}</code>", esc(&t.key))));
    b.push_str("</table>");
    if pc.caller.can_act(t.system.as_deref()) && t.status != Status::Fixed {
        let csrf = html::csrf_field(&pc.caller);
        let _ = write!(
            b,
            "<h2>{}</h2><div class=\"acts\">",
            esc(&m.t("web.act.title"))
        );
        let comment = format!(
            "<input name=\"comment\" placeholder=\"{}\">",
            esc(&m.t("web.act.comment_hint"))
        );
        let _ = write!(
            b,
            "<form method=\"post\" id=\"ack\">{csrf}<input type=\"hidden\" name=\"action\" value=\"ack\">{comment}<button class=\"primary\" type=\"submit\">{}</button></form>",
            esc(&m.t("web.act.ack"))
        );
        let _ = write!(
            b,
            "<form method=\"post\" id=\"accept\">{csrf}<input type=\"hidden\" name=\"action\" value=\"accept\"><label>{}<input type=\"date\" name=\"until\" required></label>{comment}<button class=\"primary\" type=\"submit\">{}</button></form>",
            esc(&m.t("web.col.accepted_until")),
            esc(&m.t("web.act.accept"))
        );
        let _ = write!(
            b,
            "<form method=\"post\" id=\"assign\">{csrf}<input type=\"hidden\" name=\"action\" value=\"assign\"><label>{}<input name=\"to\" required></label>{comment}<button class=\"primary\" type=\"submit\">{}</button></form>",
            esc(&m.t("web.col.assignee")),
            esc(&m.t("web.act.assign"))
        );
        let _ = write!(
            b,
            "<form method=\"post\" id=\"due\">{csrf}<input type=\"hidden\" name=\"action\" value=\"due\"><label>{}<input type=\"date\" name=\"date\" required></label>{comment}<button class=\"primary\" type=\"submit\">{}</button></form>",
            esc(&m.t("web.col.due")),
            esc(&m.t("web.act.due"))
        );
        let _ = write!(
            b,
            "<form method=\"post\" id=\"comment\">{csrf}<input type=\"hidden\" name=\"action\" value=\"comment\"><textarea name=\"comment\" required rows=\"2\"></textarea><button class=\"primary\" type=\"submit\">{}</button></form></div>",
            esc(&m.t("web.act.comment"))
        );
    }
    let _ = write!(b, "<h2>{}</h2>", esc(&m.t("web.history")));
    b.push_str(&html::table_head(
        &m,
        "history",
        &[
            "web.col.when",
            "web.col.who",
            "web.col.what",
            "web.col.status",
            "web.col.detail",
        ],
    ));
    for e in events.iter().rev() {
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&e.at),
            esc(&e.actor),
            esc(&m.t(&format!("web.event.{}", e.action))),
            match (e.from, e.to) {
                (Some(f), Some(t)) if f != t => format!(
                    "{} → {}",
                    html::status_badge(&m, f.as_str()),
                    html::status_badge(&m, t.as_str())
                ),
                (None, Some(t)) => html::status_badge(&m, t.as_str()),
                _ => String::new(),
            },
            esc(e.detail.as_deref().unwrap_or(""))
        );
    }
    b.push_str("</table>");
    Ok(pc.page("findings", &format!("#{} {title}", t.id), &b))
}

#[derive(Deserialize)]
struct ActForm {
    #[serde(default)]
    csrf: Option<String>,
    action: String,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

async fn finding_act(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response, PageError> {
    let id = parse_id(&id, "finding").map_err(|e| pc.err(e))?;
    let f: ActForm = form(&bytes).map_err(|e| pc.err(e))?;
    pc.caller
        .check_csrf(f.csrf.as_deref())
        .map_err(|e| pc.err(e))?;
    let a = match f.action.as_str() {
        "ack" => Act::Acknowledge,
        "accept" => Act::Accept {
            until: f.until.unwrap_or_default(),
        },
        "assign" => Act::Assign {
            to: f.to.unwrap_or_default(),
        },
        "due" => Act::Due {
            date: f.date.unwrap_or_default(),
        },
        "comment" => Act::Comment,
        other => return Err(pc.err(ApiError::bad(format!("unknown action {other:?}")))),
    };
    match api::act(&app, &pc.caller, id, a, f.comment).await {
        Ok(_) => Ok(Redirect::to(&format!("/findings/{id}")).into_response()),
        // What the person can correct is shown on the page itself.
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT =>
        {
            let mut r = finding_page(&app, &pc, id, Some(&e.message)).await?;
            *r.status_mut() = e.status;
            Ok(r)
        }
        Err(e) => Err(pc.err(e)),
    }
}

async fn systems(State(app): State<Arc<App>>, pc: PageCaller) -> Result<Response, PageError> {
    let m = pc.m();
    let list = crate::insight::systems_data(&app, &pc.caller)
        .await
        .map_err(|e| pc.err(e))?;
    let mut b = format!("<h1>{}</h1>", esc(&m.t("web.nav.systems")));
    if app.register().is_none() {
        let _ = write!(
            b,
            "<p class=\"notice\">{}</p>",
            esc(&m.t("web.no_register"))
        );
    } else if pc.caller.can_act(None) {
        let _ = write!(
            b,
            "<form method=\"post\" action=\"/scan\">{}<button class=\"primary\" id=\"scan-all\" type=\"submit\">{}</button></form>",
            html::csrf_field(&pc.caller),
            esc(&m.t("web.scan_all"))
        );
    }
    b.push_str(&systems_table(&m, &list));
    Ok(pc.page("systems", &m.t("web.nav.systems"), &b))
}

async fn system(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let m = pc.m();
    let list = crate::insight::systems_data(&app, &pc.caller)
        .await
        .map_err(|e| pc.err(e))?;
    let Some(s) = list.into_iter().find(|s| s.id == id) else {
        return Err(pc.err(ApiError::not_found(format!("no system {id}"))));
    };
    let mut b = format!("<h1>{}</h1>", esc(&s.name));
    let kv = |k: &str, v: String| format!("<tr><th>{}</th><td>{v}</td></tr>", esc(&m.t(k)));
    b.push_str("<table id=\"system\">");
    b.push_str(&kv("web.col.id", format!("<code>{}</code>", esc(&s.id))));
    b.push_str(&kv("web.col.owner", esc(&s.owner)));
    b.push_str(&kv(
        "web.col.criticality",
        esc(&criticality(&m, &s.criticality)),
    ));
    b.push_str(&kv(
        "web.col.targets",
        s.targets
            .iter()
            .map(|t| format!("<code>{}</code>", esc(t)))
            .collect::<Vec<_>>()
            .join("<br>"),
    ));
    b.push_str(&kv("web.col.every", esc(s.every.as_deref().unwrap_or("-"))));
    if let Some(sc) = &s.schedule {
        b.push_str(&kv(
            "web.col.last_scan",
            match (&sc.last, sc.last_run) {
                (Some(l), Some(r)) => format!("{} (<a href=\"/runs/{r}\">run {r}</a>)", esc(l)),
                _ => esc(&m.t("schedule.never")),
            },
        ));
        b.push_str(&kv(
            "web.col.next_scan",
            esc(sc.next.as_deref().unwrap_or("-")),
        ));
    }
    b.push_str(&kv("web.col.components", s.components.to_string()));
    b.push_str("</table>");
    if pc.caller.can_act(Some(&s.id)) && !s.criticality.is_empty() {
        let _ = write!(
            b,
            "<form method=\"post\" action=\"/systems/{}/scan\">{}<button class=\"primary\" id=\"scan-now\" type=\"submit\">{}</button></form>",
            url(&s.id),
            html::csrf_field(&pc.caller),
            esc(&m.t("web.scan_now"))
        );
    }
    let _ = write!(
        b,
        "<h2>{}</h2><div class=\"cards\">",
        esc(&m.t("web.findings.title"))
    );
    for (sev, _) in html::SEVERITIES {
        let n = s.findings.active.get(sev).copied().unwrap_or(0);
        let _ = write!(
            b,
            "<a class=\"card\" href=\"/findings?system={}&amp;status=active&amp;severity={}\"><b>{n}</b><span>{}</span></a>",
            url(&s.id),
            if sev == "unrated" { "" } else { sev },
            esc(&m.t(&format!("web.sev.{sev}")))
        );
    }
    let _ = write!(
        b,
        "<a class=\"card\" href=\"/findings?system={}&amp;overdue=true\"><b>{}</b><span>{}</span></a></div>",
        url(&s.id),
        s.findings.overdue,
        esc(&m.t("web.card.overdue"))
    );
    if let Some(p) = &s.pqc {
        let _ = write!(b, "<h2>{}</h2>", esc(&m.t("web.chart.pqc")));
        b.push_str(&html::pqc_svg(&m, &[(s.name.clone(), p)], this_year()));
        let track = html::on_track(p, this_year());
        let _ = write!(
            b,
            "<table id=\"pqc-detail\">{}{}{}{}{}{}</table>",
            kv("web.col.priority", p.priority.clone()),
            kv(
                "web.col.deadline",
                p.deadline.map(|d| d.to_string()).unwrap_or_default()
            ),
            kv(
                "web.col.start_by",
                p.start_by.map(|d| d.to_string()).unwrap_or_default()
            ),
            kv("web.col.places", p.places.to_string()),
            kv("web.col.agility", format!("{}/100", p.agility)),
            kv(
                "web.col.track",
                format!(
                    "<span class=\"{}\">{}</span>",
                    match track {
                        html::Track::Done | html::Track::Ahead => "ok",
                        html::Track::Behind => "bad",
                        html::Track::Unknown => "mut",
                    },
                    esc(&m.t(match track {
                        html::Track::Done => "web.track.done",
                        html::Track::Ahead => "web.track.on",
                        html::Track::Behind => "web.track.behind",
                        html::Track::Unknown => "web.track.unknown",
                    }))
                )
            ),
        );
        if let Some(run) = app.insight().and_then(|i| i.run) {
            let _ = write!(
                b,
                "<p><a href=\"/runs/{run}?system={}\">{}</a></p>",
                url(&s.id),
                esc(&m.t("web.crypto_assets"))
            );
        }
    }
    Ok(pc.page("systems", &s.name, &b))
}

async fn scan_system(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response, PageError> {
    let f: CsrfForm = form(&bytes).map_err(|e| pc.err(e))?;
    pc.caller
        .check_csrf(f.csrf.as_deref())
        .map_err(|e| pc.err(e))?;
    let job = api::trigger_scan(&app, &pc.caller, Some(id))
        .await
        .map_err(|e| pc.err(e))?;
    Ok(Redirect::to(&format!("/scans/{}", job.id)).into_response())
}

async fn scan_all(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    bytes: Bytes,
) -> Result<Response, PageError> {
    let f: CsrfForm = form(&bytes).map_err(|e| pc.err(e))?;
    pc.caller
        .check_csrf(f.csrf.as_deref())
        .map_err(|e| pc.err(e))?;
    let job = api::trigger_scan(&app, &pc.caller, None)
        .await
        .map_err(|e| pc.err(e))?;
    Ok(Redirect::to(&format!("/scans/{}", job.id)).into_response())
}

async fn scan_page(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let m = pc.m();
    let id = parse_id(&id, "scan").map_err(|e| pc.err(e))?;
    let job = app
        .pool
        .run(move |s| Ok(s.job(id)?))
        .await
        .map_err(|e| pc.err(e))?;
    let Some(j) = job.filter(|j| pc.caller.can_read(j.system.as_deref())) else {
        return Err(pc.err(ApiError::not_found(format!("no scan {id}"))));
    };
    use mamori_store::jobs::JobStatus;
    let running = matches!(j.status, JobStatus::Queued | JobStatus::Running);
    let mut b = format!(
        "<h1>{}</h1><table id=\"job\" data-status=\"{}\">",
        esc(&m.get("web.scan.title", &[("id", j.id.to_string())])),
        j.status.as_str()
    );
    let kv = |k: &str, v: String| format!("<tr><th>{}</th><td>{v}</td></tr>", esc(&m.t(k)));
    b.push_str(&kv(
        "web.col.system",
        esc(j.system.as_deref().unwrap_or("*")),
    ));
    b.push_str(&kv(
        "web.col.status",
        esc(&m.t(&format!("web.job.{}", j.status.as_str()))),
    ));
    b.push_str(&kv("web.col.who", esc(&j.requested_by)));
    b.push_str(&kv(
        "web.col.attempts",
        format!("{}/{}", j.attempts, j.max_attempts),
    ));
    b.push_str(&kv("web.col.when", esc(&j.created)));
    if let Some(r) = j.run_id {
        b.push_str(&kv(
            "web.col.run",
            format!("<a id=\"run-link\" href=\"/runs/{r}\">run {r}</a>"),
        ));
    }
    if let Some(e) = &j.error {
        b.push_str(&kv("web.col.error", format!("<pre>{}</pre>", esc(e))));
    }
    b.push_str("</table>");
    if running {
        let _ = write!(b, "<p class=\"mut\">{}</p>", esc(&m.t("web.scan.refresh")));
    }
    let mut r = pc.page(
        "runs",
        &m.get("web.scan.title", &[("id", j.id.to_string())]),
        &b,
    );
    if running {
        // Progressive without script: the browser reloads until the scan ends.
        r.headers_mut()
            .insert("refresh", HeaderValue::from_static("3"));
    }
    Ok(r)
}

async fn runs(State(app): State<Arc<App>>, pc: PageCaller) -> Result<Response, PageError> {
    let m = pc.m();
    let list = crate::insight::runs_data(&app, &pc.caller)
        .await
        .map_err(|e| pc.err(e))?;
    let v = pc.caller.visible();
    let (jobs, _) = app
        .pool
        .run(move |s| Ok(s.jobs_page(&v, 20, 0)?))
        .await
        .map_err(|e| pc.err(e))?;
    let mut b = format!("<h1>{}</h1>", esc(&m.t("web.nav.runs")));
    let ids: Vec<i64> = list.iter().map(|r| r.id).collect();
    if ids.len() >= 2 {
        // Compare two runs: a GET form.
        let opts = |sel: i64| {
            ids.iter()
                .rev()
                .map(|i| {
                    format!(
                        "<option value=\"{i}\"{}>run {i}</option>",
                        if *i == sel { " selected" } else { "" }
                    )
                })
                .collect::<String>()
        };
        let _ = write!(
            b,
            "<form class=\"filters\" method=\"get\" action=\"/diff\"><label>{}<select name=\"from\">{}</select></label><label>{}<select name=\"to\">{}</select></label><button class=\"primary\" type=\"submit\">{}</button></form>",
            esc(&m.t("web.diff.from")),
            opts(ids[ids.len() - 2]),
            esc(&m.t("web.diff.to")),
            opts(ids[ids.len() - 1]),
            esc(&m.t("web.diff.compare"))
        );
    }
    // Already only the reader's (jobs_page).
    let visible_jobs = jobs;
    if !visible_jobs.is_empty() {
        let _ = write!(b, "<h2>{}</h2>", esc(&m.t("web.scans")));
        b.push_str(&html::table_head(
            &m,
            "jobs",
            &[
                "-",
                "web.col.system",
                "web.col.status",
                "web.col.who",
                "web.col.when",
                "web.col.run",
            ],
        ));
        for j in &visible_jobs {
            let _ = write!(
                b,
                "<tr data-status=\"{}\"><td><a href=\"/scans/{id}\">{id}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                j.status.as_str(),
                esc(j.system.as_deref().unwrap_or("*")),
                esc(&m.t(&format!("web.job.{}", j.status.as_str()))),
                esc(&j.requested_by),
                esc(&j.created),
                j.run_id.map(|r| format!("<a href=\"/runs/{r}\">run {r}</a>")).unwrap_or_default(),
                id = j.id
            );
        }
        b.push_str("</table>");
    }
    let _ = write!(b, "<h2>{}</h2>", esc(&m.t("web.nav.runs")));
    b.push_str(&html::table_head(
        &m,
        "runs",
        &["web.col.run", "web.col.when", "web.col.targets"],
    ));
    for r in list.iter().rev().take(200) {
        let _ = write!(
            b,
            "<tr><td><a href=\"/runs/{id}\">run {id}</a></td><td>{}</td><td>{}</td></tr>",
            esc(&r.started),
            r.targets
                .iter()
                .map(|t| format!("<code>{}</code>", esc(t)))
                .collect::<Vec<_>>()
                .join(" "),
            id = r.id
        );
    }
    b.push_str("</table>");
    Ok(pc.page("runs", &m.t("web.nav.runs"), &b))
}

#[derive(Deserialize, Default)]
struct RunQuery {
    #[serde(default)]
    system: Option<String>,
}

async fn run(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    let m = pc.m();
    let id = parse_id(&id, "run").map_err(|e| pc.err(e))?;
    let q: RunQuery = api::query(&uri).unwrap_or_default();
    api::check_run(&app, &pc.caller, id)
        .await
        .map_err(|e| pc.err(e))?;
    // What the page lists: the reader's systems, or the one asked for.
    let visible = match &q.system {
        Some(sys) if !pc.caller.can_read(Some(sys)) => {
            return Err(pc.err(ApiError::not_found(format!("no system {sys}"))));
        }
        Some(sys) => Visible::Systems(vec![sys.clone()]),
        None => pc.caller.visible(),
    };
    const LIST: usize = 500;
    let (assets, n_assets, n_findings, n_components, n_vulns) =
        api::run_contents(&app, visible, id, LIST)
            .await
            .map_err(|e| pc.err(e))?;
    let mut b = format!("<h1>run {id}</h1>");
    if let Some(s) = &q.system {
        let _ = write!(
            b,
            "<p>{}: <a href=\"/systems/{}\">{}</a></p>",
            esc(&m.t("web.col.system")),
            url(s),
            esc(s)
        );
    }
    let _ = write!(b, "<p>{}: ", esc(&m.t("web.export")));
    for f in api::EXPORT_FORMATS {
        let _ = write!(
            b,
            "<a class=\"export\" href=\"/runs/{id}/export?format={f}\">{}</a> ",
            esc(&m.t(&format!("web.format.{f}")))
        );
    }
    b.push_str("</p>");
    let _ = write!(
        b,
        "<div class=\"cards\"><div class=\"card\"><b>{}</b><span>{}</span></div><div class=\"card\"><b>{}</b><span>{}</span></div><div class=\"card\"><b>{}</b><span>{}</span></div><div class=\"card\"><b>{}</b><span>{}</span></div></div>",
        n_assets,
        esc(&m.t("web.crypto_assets")),
        n_findings,
        esc(&m.t("web.findings.title")),
        n_components,
        esc(&m.t("web.col.components")),
        n_vulns,
        esc(&m.t("web.kind.vulnerability")),
    );
    let _ = write!(b, "<h2>{}</h2>", esc(&m.t("web.crypto_assets")));
    b.push_str(&html::table_head(
        &m,
        "assets",
        &[
            "web.col.asset",
            "web.col.kind",
            "web.col.crypto_status",
            "web.col.place",
        ],
    ));
    for a in &assets {
        let _ = write!(
            b,
            "<tr><td><a href=\"/runs/{id}/assets/{}\">{}</a></td><td>{}</td><td>{}</td><td><code>{}</code>{}</td></tr>",
            url(&a.id),
            esc(&a.name),
            esc(a.kind.as_str()),
            esc(a.status().as_str()),
            esc(&a.occurrences.first().map(|o| o.location.to_string()).unwrap_or_default()),
            if a.occurrences.len() > 1 { format!(" <span class=\"mut\">+{}</span>", a.occurrences.len() - 1) } else { String::new() }
        );
    }
    b.push_str("</table>");
    if n_assets > LIST as u64 {
        let _ = write!(
            b,
            "<p class=\"mut\">{}</p>",
            esc(&m.get(
                "web.more_in_export",
                &[("n", (n_assets - LIST as u64).to_string())]
            ))
        );
    }
    Ok(pc.page("runs", &format!("run {id}"), &b))
}

async fn run_export(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageError> {
    #[derive(Deserialize)]
    struct Q {
        format: String,
    }
    let id = parse_id(&id, "run").map_err(|e| pc.err(e))?;
    let q: Q = api::query(&uri).map_err(|e| pc.err(e))?;
    if !api::EXPORT_FORMATS.contains(&q.format.as_str()) {
        return Err(pc.err(ApiError::bad(format!(
            "unknown export format {:?}",
            q.format
        ))));
    }
    let lang = if pc.lang == Lang::Ja { "ja" } else { "en" };
    api::export_response(&app, &pc.caller, id, &q.format, lang)
        .await
        .map_err(|e| pc.err(e))
}

async fn asset(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    Path((id, asset)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let m = pc.m();
    let id = parse_id(&id, "run").map_err(|e| pc.err(e))?;
    api::check_run(&app, &pc.caller, id)
        .await
        .map_err(|e| pc.err(e))?;
    let (v, loaded) = (pc.caller.visible(), app.register());
    let wanted = asset.clone();
    let found = app
        .pool
        .run(move |s| {
            let Some((mut a, findings)) = s.run_asset(id, &wanted)? else {
                return Ok(None);
            };
            if v == Visible::All {
                return Ok(Some((a, findings)));
            }
            // Only the reader's places of it, and findings of their systems.
            let Some(l) = loaded else { return Ok(None) };
            if !crate::insight::narrow_asset(&mut a, &v, &l) {
                return Ok(None);
            }
            let findings = findings
                .into_iter()
                .filter(|f| v.sees(f.system.as_deref()))
                .collect();
            Ok(Some((a, findings)))
        })
        .await
        .map_err(|e| pc.err(e))?;
    let Some((a, related)) = found else {
        return Err(pc.err(ApiError::not_found(format!("no asset {asset} in run {id}"))));
    };
    let a = &a;
    let mut b = format!("<h1>{}</h1>", esc(&a.name));
    let props = serde_json::to_value(a).unwrap_or_default();
    b.push_str("<table id=\"asset\">");
    if let Some(obj) = props.as_object() {
        for (k, v) in obj {
            if k == "occurrences" || v.is_null() {
                continue;
            }
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => serde_json::to_string_pretty(other).unwrap_or_default(),
            };
            let _ = write!(
                b,
                "<tr><th>{}</th><td><pre>{}</pre></td></tr>",
                esc(k),
                esc(&text)
            );
        }
    }
    b.push_str("</table>");
    let _ = write!(b, "<h2>{}</h2><ul>", esc(&m.t("web.col.place")));
    for o in a.occurrences.iter().take(200) {
        let _ = write!(
            b,
            "<li><code>{}</code> <span class=\"mut\">{}</span></li>",
            esc(&o.location.to_string()),
            esc(&o.detector)
        );
    }
    b.push_str("</ul>");
    if !related.is_empty() {
        let _ = write!(b, "<h2>{}</h2><ul>", esc(&m.t("web.findings.title")));
        for f in related {
            let _ = write!(
                b,
                "<li>{} <a href=\"/findings?q={}\">{}</a> <code>{}</code></li>",
                html::sev_badge(&m, Some(f.severity.as_str())),
                url(&f.code),
                esc(&f.code),
                esc(&f.location.to_string())
            );
        }
        b.push_str("</ul>");
    }
    Ok(pc.page("runs", &a.name, &b))
}

#[derive(Deserialize)]
struct DiffQuery {
    from: String,
    to: String,
}

async fn diff(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    uri: Uri,
) -> Result<Response, PageError> {
    let m = pc.m();
    let q: DiffQuery = api::query(&uri).map_err(|e| pc.err(e))?;
    let from = parse_id(&q.from, "run").map_err(|e| pc.err(e))?;
    let to = parse_id(&q.to, "run").map_err(|e| pc.err(e))?;
    let d = api::visible_diff(&app, &pc.caller, from, to)
        .await
        .map_err(|e| pc.err(e))?;
    let title = m.get(
        "web.diff.title",
        &[("from", from.to_string()), ("to", to.to_string())],
    );
    let mut b = format!("<h1>{}</h1>", esc(&title));
    let section = |b: &mut String, key: &str, id: &str, rows: Vec<String>| {
        let _ = write!(
            b,
            "<h2>{} ({})</h2><ul id=\"{id}\">",
            esc(&m.t(key)),
            rows.len()
        );
        for r in rows.iter().take(500) {
            let _ = write!(b, "<li>{r}</li>");
        }
        b.push_str("</ul>");
    };
    let f = |x: &mamori_model::Finding| {
        format!(
            "{} {} <code>{}</code>",
            html::sev_badge(&m, Some(x.severity.as_str())),
            esc(&x.code),
            esc(&x.location.to_string())
        )
    };
    section(
        &mut b,
        "web.diff.findings_added",
        "findings-added",
        d.findings_added.iter().map(f).collect(),
    );
    section(
        &mut b,
        "web.diff.findings_removed",
        "findings-removed",
        d.findings_removed.iter().map(f).collect(),
    );
    let a = |x: &mamori_model::CryptoAsset| {
        format!(
            "{} <span class=\"mut\">{}</span>",
            esc(&x.name),
            esc(x.kind.as_str())
        )
    };
    section(
        &mut b,
        "web.diff.assets_added",
        "assets-added",
        d.assets_added.iter().map(a).collect(),
    );
    section(
        &mut b,
        "web.diff.assets_removed",
        "assets-removed",
        d.assets_removed.iter().map(a).collect(),
    );
    let c = |x: &mamori_model::Component| format!("<code>{}</code>", esc(&x.purl));
    section(
        &mut b,
        "web.diff.components_added",
        "components-added",
        d.components_added.iter().map(c).collect(),
    );
    section(
        &mut b,
        "web.diff.components_removed",
        "components-removed",
        d.components_removed.iter().map(c).collect(),
    );
    let v = |x: &mamori_model::Vulnerability| {
        format!(
            "{} {} <code>{}</code>{}",
            html::sev_score(
                &m,
                x.severity.map(|s| s.as_str()),
                x.cvss.as_ref().map(|c| c.score)
            ),
            esc(&html::advisory_name(&x.id, &x.aliases)),
            esc(&x.component),
            html::summary_line(&x.summary, SUMMARY_IN_LISTS)
        )
    };
    section(
        &mut b,
        "web.diff.vulns_added",
        "vulns-added",
        d.vulnerabilities_added.iter().map(v).collect(),
    );
    section(
        &mut b,
        "web.diff.vulns_removed",
        "vulns-removed",
        d.vulnerabilities_removed.iter().map(v).collect(),
    );
    Ok(pc.page("runs", &title, &b))
}

/// The grants of a user in words (the command line's `mamori user list` too).
pub fn grants_text(m: &Messages, g: &[mamori_store::users::Grant]) -> String {
    g.iter()
        .map(|g| {
            let role = m.t(&format!("user.role.{}", g.role.as_str()));
            match &g.system {
                Some(s) => m.get("user.grant.one", &[("role", role), ("system", s.clone())]),
                None => m.get("user.grant.all", &[("role", role)]),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Users and their grants, for admins of every system (others: as if there were no page).
async fn users(State(app): State<Arc<App>>, pc: PageCaller) -> Result<Response, PageError> {
    users_page(&app, &pc, None).await
}

async fn users_page(
    app: &Arc<App>,
    pc: &PageCaller,
    notice: Option<String>,
) -> Result<Response, PageError> {
    if !pc.caller.user.is_admin() {
        return Err(pc.err(ApiError::not_found("no page /admin/users")));
    }
    let m = pc.m();
    let (list, tokens) = app
        .pool
        .run(|s| Ok((s.users()?, s.all_tokens()?)))
        .await
        .map_err(|e| pc.err(e))?;
    let mut b = format!("<h1>{}</h1>", esc(&m.t("web.users.title")));
    if let Some(n) = notice {
        let _ = write!(b, "<div class=\"notice\" role=\"status\">{n}</div>");
    }
    b.push_str(&html::table_head(
        &m,
        "users",
        &[
            "web.col.name",
            "web.col.grants",
            "web.col.when",
            "web.col.detail",
            "web.col.tokens",
        ],
    ));
    let csrf = html::csrf_field(&pc.caller);
    for u in &list {
        let _ = write!(
            b,
            "<tr data-user=\"{n}\"><td>{n}</td><td>{}</td><td>{}</td><td><form method=\"post\" class=\"inline\">{csrf}<input type=\"hidden\" name=\"action\" value=\"token\"><input type=\"hidden\" name=\"name\" value=\"{n}\"><button>{}</button></form> ",
            esc(&grants_text(&m, &u.grants)),
            esc(&u.created),
            esc(&m.t("web.users.token")),
            n = esc(&u.name)
        );
        if u.name != pc.caller.user.name {
            let _ = write!(
                b,
                "<form method=\"post\" class=\"inline\">{csrf}<input type=\"hidden\" name=\"action\" value=\"remove\"><input type=\"hidden\" name=\"name\" value=\"{}\"><button>{}</button></form>",
                esc(&u.name),
                esc(&m.t("web.users.remove"))
            );
        }
        // Each user's tokens, revoked one by one.
        let theirs: Vec<_> = tokens
            .iter()
            .filter(|(owner, _)| *owner == u.name)
            .map(|(_, t)| t)
            .collect();
        if theirs.is_empty() {
            b.push_str("</td><td class=\"n\">0</td></tr>");
        } else {
            let fields = format!(
                "<input type=\"hidden\" name=\"name\" value=\"{}\">",
                esc(&u.name)
            );
            let _ = write!(
                b,
                "</td><td><details><summary>{}</summary>{}</details></td></tr>",
                theirs.len(),
                account::tokens_table(
                    &m,
                    &format!("tokens-{}", u.name),
                    &theirs,
                    &csrf,
                    "/admin/users",
                    &fields
                )
            );
        }
    }
    b.push_str("</table>");
    let mut systems = String::from("<option value=\"\">*</option>");
    if let Some(l) = app.register() {
        for s in &l.register.systems {
            let _ = write!(systems, "<option value=\"{0}\">{0}</option>", esc(&s.id));
        }
    }
    let _ = write!(
        b,
        "<h2>{}</h2><form method=\"post\" id=\"add-user\" class=\"filters\">{csrf}<input type=\"hidden\" name=\"action\" value=\"add\"><label>{}<input name=\"name\" required></label><label>{}<input name=\"password\" type=\"password\" minlength=\"12\" required autocomplete=\"new-password\"></label><label>{}<select name=\"role\"><option value=\"viewer\">viewer</option><option value=\"analyst\">analyst</option><option value=\"admin\">admin</option></select></label><label>{}<select name=\"system\">{systems}</select></label><button class=\"primary\" type=\"submit\">{}</button></form><p class=\"mut\">{}</p>",
        esc(&m.t("web.users.add")),
        esc(&m.t("web.col.name")),
        esc(&m.t("web.login.password")),
        esc(&m.t("web.col.role")),
        esc(&m.t("web.col.system")),
        esc(&m.t("web.users.add")),
        esc(&m.t("web.users.hint"))
    );
    Ok(pc.page("users", &m.t("web.users.title"), &b))
}

#[derive(Deserialize)]
struct UserForm {
    #[serde(default)]
    csrf: Option<String>,
    action: String,
    name: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    system: Option<String>,
}

async fn users_act(
    State(app): State<Arc<App>>,
    pc: PageCaller,
    bytes: Bytes,
) -> Result<Response, PageError> {
    if !pc.caller.user.is_admin() {
        return Err(pc.err(ApiError::not_found("no page /admin/users")));
    }
    let f: UserForm = form(&bytes).map_err(|e| pc.err(e))?;
    pc.caller
        .check_csrf(f.csrf.as_deref())
        .map_err(|e| pc.err(e))?;
    let m = pc.m();
    let name = f.name.trim().to_string();
    let notice = match f.action.as_str() {
        "add" => {
            use mamori_store::users::{Grant, Role};
            let role = Role::parse(f.role.as_deref().unwrap_or("viewer"))
                .ok_or_else(|| pc.err(ApiError::bad("role: use viewer, analyst or admin")))?;
            let system = f.system.filter(|s| !s.trim().is_empty());
            let password = f.password.unwrap_or_default();
            let n = name.clone();
            let r = app
                .pool
                .run(move |s| Ok(s.add_user(&n, &password, &[Grant { role, system }])?))
                .await;
            match r {
                Ok(u) => esc(&m.get(
                    "web.users.added",
                    &[
                        ("name", u.name.clone()),
                        ("grants", grants_text(&m, &u.grants)),
                    ],
                )),
                Err(e) if e.status.is_client_error() => esc(&e.message),
                Err(e) => return Err(pc.err(e)),
            }
        }
        "remove" => {
            if name == pc.caller.user.name {
                return Err(pc.err(ApiError::bad("you cannot remove yourself")));
            }
            let n = name.clone();
            app.pool
                .run(move |s| Ok(s.remove_user(&n)?))
                .await
                .map_err(|e| pc.err(e))?;
            esc(&m.get("web.users.removed", &[("name", name)]))
        }
        "token" => {
            if pc.caller.csrf.is_none() {
                return Err(pc.err(ApiError::forbidden(
                    "an API token cannot make another: sign in on the dashboard",
                )));
            }
            let n = name.clone();
            let ends = mamori_store::unix_now() + mamori_store::users::DEFAULT_TOKEN_DAYS * 86_400;
            let t = app
                .pool
                .run(move |s| Ok(s.add_token(&n, "dashboard", Some(ends))?))
                .await
                .map_err(|e| pc.err(e))?;
            format!(
                "{}<br><code id=\"new-token\">{}</code>",
                esc(&m.get(
                    "web.users.token_once",
                    &[
                        ("name", name),
                        ("expires", t.info.expires.unwrap_or_default())
                    ]
                )),
                esc(&t.token)
            )
        }
        "revoke" => {
            let id =
                api::parse_id(f.id.as_deref().unwrap_or(""), "token").map_err(|e| pc.err(e))?;
            let n = name.clone();
            app.pool
                .run(move |s| Ok(s.revoke_token(&n, id)?))
                .await
                .map_err(|e| pc.err(e))?;
            esc(&m.get(
                "web.users.revoked",
                &[("id", id.to_string()), ("name", name)],
            ))
        }
        other => return Err(pc.err(ApiError::bad(format!("unknown action {other:?}")))),
    };
    // The answer is a page of its own (a token is shown once, never in a URL).
    let mut r = users_page(&app, &pc, Some(notice)).await?;
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_must_come_from_this_site() {
        let h = |pairs: &[(&str, &str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(
                    axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            m
        };
        let host = ("host", "mamori.example:8443");
        assert!(
            same_origin(&h(&[host])),
            "no Origin nor Referer: not a browser form"
        );
        assert!(same_origin(&h(&[
            host,
            ("origin", "https://mamori.example:8443")
        ])));
        assert!(same_origin(&h(&[
            host,
            ("origin", "https://MAMORI.example:8443")
        ])));
        assert!(same_origin(&h(&[
            host,
            ("referer", "https://mamori.example:8443/login?next=/")
        ])));
        for bad in [
            ("origin", "https://evil.example"),
            ("origin", "null"),
            ("origin", "https://mamori.example:8443.evil.example"),
            ("origin", "https://mamori.example"),
            ("referer", "https://evil.example/mamori.example:8443"),
            ("referer", "https://mamori.example:8443@evil.example/"),
        ] {
            assert!(!same_origin(&h(&[host, bad])), "{bad:?}");
        }
        // Behind a proxy that rewrites Host.
        let proxied = [
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-host", "mamori.example"),
            ("origin", "https://mamori.example"),
        ];
        assert!(same_origin(&h(&proxied)));
    }

    #[test]
    fn only_this_sites_paths_are_followed_after_login() {
        for (next, to) in [
            (Some("/findings?status=new"), "/findings?status=new"),
            (Some("//evil.example/"), "/"),
            (Some("/\t/evil.example/"), "/"),
            (Some("/\\evil.example"), "/"),
            (Some("/\r\nSet-Cookie: x=1"), "/"),
            (Some("https://evil.example/"), "/"),
            (Some("/ a"), "/"),
            (None, "/"),
        ] {
            assert_eq!(safe_next(next), to, "{next:?}");
        }
    }

    #[test]
    fn the_language_comes_from_the_cookie_then_the_browser() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_LANGUAGE,
            "ja-JP,ja;q=0.9,en;q=0.8".parse().unwrap(),
        );
        assert_eq!(lang_of(&h, Lang::En), Lang::Ja);
        h.insert(header::COOKIE, "mamori_lang=en".parse().unwrap());
        assert_eq!(lang_of(&h, Lang::Ja), Lang::En);
        assert_eq!(lang_of(&HeaderMap::new(), Lang::Ja), Lang::Ja);
    }
}
