//! What every page is made of: the frame (header, navigation, the language switch), tables,
//! severity and status badges, the pager, the CSRF field of forms, and the SVG charts
//! ([`charts`]). Pages are `maud` templates: every value spliced into one is escaped, and
//! text that comes from outside the server — anything read from the store, the register, a
//! scan or the request — is spliced as [`Untrusted`], which also shows spoofing characters
//! as codes (decision 020).

pub mod charts;

use crate::auth::Caller;
use mamori_i18n::{Lang, Messages};
use mamori_store::lifecycle::Tracked;
use maud::{html, Markup, Render, DOCTYPE};
use std::fmt::Write as _;

pub use charts::{on_track, Track};

/// Text from outside the server (a file's path, a certificate's name, an advisory's words,
/// a user's name, an error that quotes the request): escaped by
/// [`mamori_report::html_escape`], which also shows bidirectional overrides, zero-width and
/// control characters as `[U+202E]` so that a name looks like what it is.
pub struct Untrusted<'a>(pub &'a str);

impl Render for Untrusted<'_> {
    fn render_to(&self, buffer: &mut String) {
        // The one place text enters a page without maud's own escaping: html_escape
        // escapes everything maud's does (& < > ") and ' besides.
        mamori_report::html_escape_to(self.0, buffer);
    }
}

/// A query-string value: every byte but the unreserved ones percent-encoded.
pub fn url(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            o.push(b as char);
        } else {
            let _ = write!(o, "%{b:02X}");
        }
    }
    o
}

/// Severities from the worst, with their colours.
pub const SEVERITIES: [(&str, &str); 6] = [
    ("critical", "#8e1b1b"),
    ("high", "#d0451b"),
    ("medium", "#e0a100"),
    ("low", "#2e6fd8"),
    ("info", "#6b7785"),
    ("unrated", "#a0a7b2"),
];

/// The stylesheet every page links to (`/static/mamori.css`): a file of its own, so that
/// the pages' Content-Security-Policy allows no inline style or script at all.
pub fn stylesheet() -> &'static str {
    include_str!("parts/mamori.css")
}

/// Where pages find the stylesheet; the version in the query renews browsers' copies.
pub const STYLESHEET_PATH: &str = concat!("/static/mamori.css?v=", env!("CARGO_PKG_VERSION"));

/// The header's links: (the page's `active` name, where, catalog key).
const NAV: [(&str, &str, &str); 5] = [
    ("overview", "/", "web.nav.overview"),
    ("findings", "/findings", "web.nav.findings"),
    ("systems", "/systems", "web.nav.systems"),
    ("runs", "/runs", "web.nav.runs"),
    ("users", "/admin/users", "web.nav.users"),
];

/// A whole page: the header with the navigation (when signed in; the Users link for
/// admins), the language switch, the user's name and the sign-out form, then `body`.
/// `title` may hold a finding's or an asset's name, so it is untrusted.
pub fn frame(
    m: &Messages,
    lang: Lang,
    caller: Option<&Caller>,
    active: &str,
    title: &str,
    body: Markup,
) -> Markup {
    let code = if lang == Lang::Ja { "ja" } else { "en" };
    let (other, other_name) = if lang == Lang::Ja {
        ("en", "English")
    } else {
        ("ja", "日本語")
    };
    html! {
        (DOCTYPE)
        html lang=(code) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (Untrusted(title)) " — mamori" }
                link rel="stylesheet" href=(STYLESHEET_PATH);
            }
            body {
                header {
                    a class="brand" href="/" { "mamori 守り" }
                    @if let Some(c) = caller {
                        @for (key, href, name) in NAV {
                            @if key != "users" || c.user.is_admin() {
                                a href=(href) class=[on(key == active)] { (m.t(name)) }
                            }
                        }
                        span class="right" {
                            a href={ "/lang/" (other) } { (other_name) }
                            a href="/account" title=(m.t("web.account.title"))
                                class=[on(active == "account")] { (Untrusted(&c.user.name)) }
                            @if let Some(csrf) = &c.csrf {
                                form method="post" action="/logout" {
                                    input type="hidden" name="csrf" value=(csrf);
                                    button { (m.t("web.logout")) }
                                }
                            }
                        }
                    } @else {
                        span class="right" {
                            a href={ "/lang/" (other) } { (other_name) }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The class of the header's link to the page being shown.
fn on(active: bool) -> Option<&'static str> {
    active.then_some("on")
}

/// A table with its header row and `rows`: `cols` are catalog keys of the headings, a key
/// starting with `#` is a number column (right-aligned) and `-` a literal "#".
pub fn table(m: &Messages, id: &str, cols: &[&str], rows: Markup) -> Markup {
    html! {
        table id=(id) {
            tr {
                @for c in cols {
                    @if let Some(key) = c.strip_prefix('#') {
                        th class="n" { (m.t(key)) }
                    } @else if *c == "-" {
                        th { "#" }
                    } @else {
                        th { (m.t(c)) }
                    }
                }
            }
            (rows)
        }
    }
}

/// A row of a two-column table: the heading (a catalog key) and its value.
pub fn kv(m: &Messages, key: &str, value: impl Render) -> Markup {
    html! { tr { th { (m.t(key)) } td { (value) } } }
}

/// `run N`, linked to its page.
pub fn run_link(run: i64) -> Markup {
    html! { a href={ "/runs/" (run) } { "run " (run) } }
}

/// A date with the run it comes from: `2026-12-01T… (run 3)`.
pub fn at_run(at: &str, run: i64) -> Markup {
    html! { (Untrusted(at)) " (" (run_link(run)) ")" }
}

/// A severity badge.
pub fn sev_badge(m: &Messages, sev: Option<&str>) -> Markup {
    let s = SEVERITIES
        .iter()
        .map(|(n, _)| *n)
        .find(|n| Some(*n) == sev)
        .unwrap_or("unrated");
    html! { span class={ "sev sev-" (s) } { (m.t(&format!("web.sev.{s}"))) } }
}

/// A severity badge with the CVSS score it comes from, when there is one (`high 8.1`).
pub fn sev_score(m: &Messages, sev: Option<&str>, score: Option<f64>) -> Markup {
    html! {
        (sev_badge(m, sev))
        @if let Some(x) = score {
            " " span class="score" { (format!("{x:.1}")) }
        }
    }
}

/// A component's worst severity: its highest rating with that rating's score, and its
/// unrated advisories apart (`high 8.1 · 2 unrated`); the unrated badge when none is
/// rated.
pub fn worst(m: &Messages, w: &mamori_store::views::Widespread) -> Markup {
    match w.worst.as_deref() {
        Some(s) if w.unrated > 0 => html! {
            (sev_score(m, Some(s), w.worst_score))
            " · "
            span class="unrated" { (m.get("web.unrated_n", &[("n", w.unrated.to_string())])) }
        },
        Some(s) => sev_score(m, Some(s), w.worst_score),
        None => sev_badge(m, None),
    }
}

/// A vulnerability's name as people know it: the advisory id and its CVE ids
/// (`PYSEC-2023-254 (CVE-2023-49083)`), as the terminal report writes it. Plain text.
pub fn advisory_name(id: &str, aliases: &[String]) -> String {
    let cves: Vec<&str> = aliases
        .iter()
        .map(String::as_str)
        .filter(|a| a.starts_with("CVE-") && *a != id)
        .collect();
    if cves.is_empty() {
        id.to_string()
    } else {
        format!("{id} ({})", cves.join(", "))
    }
}

/// A tracked item's title as plain text: a vulnerability's with its CVE ids.
pub fn tracked_title(t: &Tracked) -> String {
    if t.kind == "vulnerability" {
        advisory_name(&t.title, &t.advisory.aliases)
    } else {
        t.title.clone()
    }
}

/// An advisory's summary on one line of its own under a title (it is the advisory's text,
/// not ours), cut at `max` characters; nothing when there is none.
pub fn summary_line(summary: &str, max: usize) -> Markup {
    let words: Vec<&str> = summary.split_whitespace().collect();
    if words.is_empty() {
        return html! {};
    }
    let one = words.join(" ");
    let cut: String = one.chars().take(max).collect();
    html! {
        span class="sum" {
            (Untrusted(&cut))
            @if cut.len() < one.len() { "…" }
        }
    }
}

/// A status badge.
pub fn status_badge(m: &Messages, status: &str) -> Markup {
    html! {
        span class={ "st st-" (Untrusted(status)) } {
            (m.t(&format!("web.status.{status}")))
        }
    }
}

/// The hidden CSRF field of a session's forms (nothing for a caller with an API token,
/// who needs none).
pub fn csrf_field(c: &Caller) -> Markup {
    html! {
        @if let Some(t) = &c.csrf {
            input type="hidden" name="csrf" value=(t);
        }
    }
}

/// Links to the page before and after this one (`href`s: the same list from another
/// offset), each only where there is one.
pub fn pager(m: &Messages, prev: Option<String>, next: Option<String>) -> Markup {
    html! {
        div class="pager" {
            @if let Some(href) = prev {
                a rel="prev" href=(href) { "← " (m.t("web.prev")) }
            }
            @if let Some(href) = next {
                a rel="next" href=(href) { (m.t("web.next")) " →" }
            }
        }
    }
}

/// A notice on a page (what a form just did, or why it could not).
pub fn notice(text: impl Render) -> Markup {
    html! { p class="notice" { (text) } }
}

/// A criticality in the reader's language (empty for a system not in the register).
pub fn criticality(m: &Messages, c: &str) -> String {
    if c.is_empty() {
        String::new()
    } else {
        m.t(&format!("plan.criticality.{c}"))
    }
}

/// The year now, for the migration's pace.
pub fn this_year() -> i32 {
    mamori_store::now_rfc3339()[..4].parse().unwrap_or(2026)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vulnerability_is_named_by_its_cve_ids_and_its_words_are_text() {
        let aliases = vec![
            "GHSA-jfhm-5ghh-2f97".to_string(),
            "CVE-2023-49083".to_string(),
            "CVE-2023-0001".to_string(),
        ];
        assert_eq!(
            advisory_name("PYSEC-2023-254", &aliases),
            "PYSEC-2023-254 (CVE-2023-49083, CVE-2023-0001)"
        );
        // An advisory that is a CVE is not named twice; one without a CVE by its id.
        assert_eq!(
            advisory_name("CVE-2023-49083", &aliases[1..2]),
            "CVE-2023-49083"
        );
        assert_eq!(advisory_name("GO-2024-1", &aliases[..1]), "GO-2024-1");
        // One line, escaped, cut at a character (not a byte) boundary.
        assert_eq!(
            summary_line("<b>x</b>\n  & \"y\"", 200).into_string(),
            "<span class=\"sum\">&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;</span>"
        );
        assert_eq!(
            summary_line("暗号の脆弱性です", 3).into_string(),
            "<span class=\"sum\">暗号の…</span>"
        );
        assert_eq!(summary_line(" \n ", 200).into_string(), "");
    }

    #[test]
    fn a_components_worst_is_its_highest_rating_and_the_unrated_apart() {
        let m = Messages::new(Lang::En);
        let mut w = mamori_store::views::Widespread {
            purl: "pkg:pypi/cryptography@38.0.4".into(),
            systems: 1,
            advisories: 3,
            items: 3,
            worst: Some("high".into()),
            worst_score: Some(8.1),
            unrated: 2,
        };
        assert_eq!(
            worst(&m, &w).into_string(),
            "<span class=\"sev sev-high\">high</span> <span class=\"score\">8.1</span> · <span class=\"unrated\">2 unrated</span>"
        );
        assert!(worst(&Messages::new(Lang::Ja), &w)
            .into_string()
            .ends_with("未評価 2 件</span>"));
        w.unrated = 0;
        w.worst_score = None;
        assert_eq!(
            worst(&m, &w).into_string(),
            "<span class=\"sev sev-high\">high</span>"
        );
        (w.worst, w.unrated) = (None, 3);
        assert_eq!(
            worst(&m, &w).into_string(),
            "<span class=\"sev sev-unrated\">unrated</span>"
        );
    }

    #[test]
    fn text_is_escaped_spoofing_shown_as_codes_and_urls_encoded() {
        let hostile = "<a href=\"x\">'&'</a>\u{202E}gpj.exe";
        let escaped = "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;[U+202E]gpj.exe";
        assert_eq!(html! { (Untrusted(hostile)) }.into_string(), escaped);
        assert_eq!(
            html! { p title=(Untrusted(hostile)) {} }.into_string(),
            format!("<p title=\"{escaped}\"></p>")
        );
        // Anything spliced without the wrapper is still escaped (by maud), never markup.
        assert_eq!(
            html! { (hostile) }.into_string(),
            "&lt;a href=&quot;x&quot;&gt;'&amp;'&lt;/a&gt;\u{202E}gpj.exe"
        );
        assert_eq!(url("a b/ä?&"), "a%20b%2F%C3%A4%3F%26");
    }

    #[test]
    fn the_frame_shows_the_caller_and_the_way_out() {
        use mamori_store::users::{Grant, Role, User};
        let m = Messages::new(Lang::En);
        let caller = Caller {
            user: User {
                id: 1,
                name: "hana\u{202E}ko".into(),
                grants: vec![Grant {
                    role: Role::Viewer,
                    system: Some("alpha".into()),
                }],
                created: String::new(),
            },
            csrf: Some("t0k\"en".into()),
        };
        let page = frame(
            &m,
            Lang::En,
            Some(&caller),
            "findings",
            "<x>",
            html! { h1 { "body" } },
        )
        .into_string();
        assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"));
        assert!(page.contains("<title>&lt;x&gt; — mamori</title>"));
        assert!(page.contains("<a href=\"/findings\" class=\"on\">Findings</a>"));
        assert!(!page.contains("/admin/users"), "no Users link for a viewer");
        assert!(page.contains(">hana[U+202E]ko</a>"));
        assert!(page.contains("<input type=\"hidden\" name=\"csrf\" value=\"t0k&quot;en\">"));
        assert!(page.contains("<a href=\"/lang/ja\">日本語</a>"));
        assert!(page.ends_with("<main><h1>body</h1></main></body></html>"));
    }
}
