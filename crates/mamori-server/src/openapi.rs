//! The OpenAPI 3.1 document of `/api/v1`, served at `/api/openapi.json`. Its paths are
//! made from [`crate::api::operations`], the list the router is made from: each operation
//! names its method, its path, its handler and the function here that describes it, so a
//! route cannot be added without its description nor described without being routed
//! (decision 020). The tests below check the descriptions (ids, path parameters) and ask a
//! router for every method of every path; schemathesis exercises the document against a
//! live server.

use serde_json::{json, Value};
use std::sync::OnceLock;

/// The largest id the API takes (JSON's exact integers).
const MAX_ID: i64 = 9_007_199_254_740_991;

/// Comma-separated statuses.
const STATUS_LIST: &str = "^$|^(active|new|open|acknowledged|accepted|fixed|reopened)(,(active|new|open|acknowledged|accepted|fixed|reopened))*$";

fn error_response(desc: &str) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn ok(desc: &str, schema: Value) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": schema}}})
}

fn id_param(name: &str, what: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": what, "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}})
}

fn q(name: &str, desc: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": desc, "schema": schema})
}

fn with_errors(mut responses: Value, codes: &[&str]) -> Value {
    let Some(obj) = responses.as_object_mut() else {
        return responses;
    };
    for c in codes {
        let desc = match *c {
            "400" => "The request is malformed (a parameter or body that is not understood).",
            "401" => "No API token or session, or an unknown or expired token (code expired-token, saying when it ended).",
            "403" => "The caller's role does not allow this.",
            "404" => "No such item, or not one the caller may read.",
            "409" => "The item's state does not allow this.",
            "422" => "The values are understood but refused (a past date, an empty name).",
            "429" => "Too many wrong passwords for this user: wait the Retry-After seconds.",
            _ => "The store cannot answer now; retry after the Retry-After seconds.",
        };
        obj.insert(c.to_string(), error_response(desc));
    }
    obj.insert(
        "503".into(),
        error_response("The store cannot answer now; retry after the Retry-After seconds."),
    );
    responses
}

fn page_of(item: &str) -> Value {
    json!({"type": "object", "required": ["items"], "properties": {
        "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}},
        "total": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer"},
        "offset": {"type": "integer"}
    }})
}

fn paging() -> Vec<Value> {
    vec![
        q(
            "limit",
            "Page size (1–1000).",
            json!({"type": "integer", "minimum": 1, "maximum": 1000}),
        ),
        q(
            "offset",
            "Items to skip.",
            json!({"type": "integer", "minimum": 0, "maximum": crate::api::MAX_OFFSET}),
        ),
    ]
}

/// The id of a finding in a path.
fn finding_id() -> Value {
    id_param(
        "id",
        "The finding's id (as `mamori findings list` shows it).",
    )
}

/// The id of a run in a path.
fn run_id() -> Value {
    id_param("id", "The run's id.")
}

/// A run's id and a page of its items.
fn run_paged() -> Vec<Value> {
    [run_id()].into_iter().chain(paging()).collect()
}

/// An item as a change leaves it.
fn item() -> Value {
    json!({"type": "object", "required": ["item"], "properties": {"item": {"$ref": "#/components/schemas/Tracked"}}})
}

/// The comment a change may carry.
fn comment() -> Value {
    json!({"type": ["string", "null"], "maxLength": 10000, "description": "A comment kept in the history."})
}

/// The filters, order and page of the findings list.
fn findings_params() -> Vec<Value> {
    let mut params = vec![
        q(
            "status",
            "Comma-separated statuses; `active` is new, open, acknowledged and reopened; empty: all.",
            json!({"type": "string", "pattern": STATUS_LIST, "examples": ["active", "new,reopened"]}),
        ),
        q("system", "Only this system.", json!({"type": "string", "maxLength": 200})),
        q(
            "severity",
            "Only at or above this severity (unrated vulnerabilities count at any level); empty: any.",
            json!({"type": "string", "enum": ["", "info", "low", "medium", "high", "critical"]}),
        ),
        q(
            "kind",
            "Findings of cryptography or vulnerabilities of components; empty: both.",
            json!({"type": "string", "enum": ["", "finding", "vulnerability"]}),
        ),
        q(
            "q",
            "Words that must all appear in the code or advisory, place, system, assignee or key (the first eight count).",
            json!({"type": "string", "maxLength": 200}),
        ),
        q(
            "sort",
            "Sort key; empty: severity.",
            json!({"type": "string", "enum": ["", "severity", "id", "due", "first_seen", "last_seen", "status", "system", "title"]}),
        ),
        q(
            "order",
            "Sort order (severity ascending is the worst first); empty: asc.",
            json!({"type": "string", "enum": ["", "asc", "desc"]}),
        ),
        q(
            "overdue",
            "Only active items past their due date; empty: false.",
            json!({"type": "string", "enum": ["", "true", "false"]}),
        ),
        q(
            "assignee",
            "Only items assigned to this person.",
            json!({"type": "string", "maxLength": 200}),
        ),
    ];
    params.extend(paging());
    params
}

/// `GET /healthz`.
pub fn health() -> Value {
    json!({
        "operationId": "health", "summary": "Whether the server and its store answer (nothing of the contents: no sign-in needed).", "security": [],
        "responses": with_errors(json!({"200": ok("Up.", json!({"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}}))}), &[])
    })
}

/// `GET /api/v1/me`.
pub fn me() -> Value {
    json!({
        "operationId": "me", "summary": "The caller and their grants.",
        "responses": with_errors(json!({"200": ok("The caller.", json!({"type": "object", "required": ["name", "grants"], "properties": {"name": {"type": "string"}, "grants": {"type": "array", "items": {"$ref": "#/components/schemas/Grant"}}, "systems": {"type": ["array", "null"], "items": {"type": "string"}, "description": "The systems the caller may read; null: all."}}}))}), &["401"])
    })
}

/// `POST /api/v1/me/password`.
pub fn change_password() -> Value {
    json!({
        "operationId": "changePassword", "summary": "Change the caller's password, giving the current one. The caller's browser sessions end, but the one asking (with a session cookie); API tokens keep working. Five wrong current passwords in 15 minutes wait the rest of them (429).",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["current", "new"], "properties": {
            "current": {"type": "string", "maxLength": crate::account::MAX_PASSWORD},
            "new": {"type": "string", "minLength": 12, "maxLength": crate::account::MAX_PASSWORD, "description": "At least 12 characters, not the current password."}
        }}}}},
        "responses": with_errors(json!({"200": ok("Changed.", json!({"type": "object", "required": ["sessions_ended"], "properties": {"sessions_ended": {"type": "integer", "minimum": 0, "description": "Browser sessions signed out."}}}))}), &["400", "401", "403", "409", "422", "429"])
    })
}

/// `GET /api/v1/tokens`.
pub fn list_tokens() -> Value {
    json!({
        "operationId": "listTokens", "summary": "The caller's API tokens: label, when made, when they end and when last used (to the minute); never a token itself.",
        "responses": with_errors(json!({"200": ok("The tokens, oldest first.", json!({"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}}}}))}), &["401"])
    })
}

/// `POST /api/v1/tokens`.
pub fn create_token() -> Value {
    json!({
        "operationId": "createToken", "summary": "Make an API token of the caller's, shown this once. Only a signed-in browser session makes one (with the X-CSRF-Token header): a token cannot make another (403).",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["label"], "properties": {
            "label": {"type": "string", "minLength": 1, "maxLength": mamori_store::users::MAX_LABEL, "description": "What it is for: one line, not only spaces."},
            "expires_in_days": {"type": ["integer", "null"], "minimum": 1, "maximum": mamori_store::users::MAX_TOKEN_DAYS, "description": "Days until it ends; null or none: 90."}
        }}}}},
        "responses": with_errors(json!({"201": ok("The token (shown this once) and what is kept of it.", json!({"type": "object", "required": ["token", "item"], "properties": {"token": {"type": "string", "pattern": "^mamori_[0-9a-f]{64}$"}, "item": {"$ref": "#/components/schemas/Token"}}}))}), &["400", "401", "403", "422"])
    })
}

/// `DELETE /api/v1/tokens/{id}`.
pub fn revoke_token() -> Value {
    json!({
        "operationId": "revokeToken", "summary": "Revoke one of the caller's API tokens (the one in use too): requests with it are refused from then on.",
        "parameters": [id_param("id", "The token's id.")],
        "responses": with_errors(json!({"204": {"description": "Revoked."}}), &["400", "401", "404"])
    })
}

/// `GET /api/v1/overview`.
pub fn overview() -> Value {
    json!({
        "operationId": "overview", "summary": "The organization in numbers: findings by severity and age, overdue, trend, systems, widespread vulnerable components, SBOM coverage.",
        "responses": with_errors(json!({"200": ok("The overview.", json!({"type": "object", "properties": {"widespread": {"type": "array", "items": {"$ref": "#/components/schemas/Widespread"}}}}))}), &["401"])
    })
}

/// `GET /api/v1/systems`.
pub fn list_systems() -> Value {
    json!({
        "operationId": "listSystems", "summary": "Systems of the register the caller may read, with their findings, schedule and post-quantum migration.",
        "responses": with_errors(json!({"200": ok("The systems.", json!({"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/System"}}}}))}), &["401"])
    })
}

/// `GET /api/v1/systems/{id}`.
pub fn get_system() -> Value {
    json!({
        "operationId": "getSystem", "summary": "One system.",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": with_errors(json!({"200": ok("The system.", json!({"$ref": "#/components/schemas/System"}))}), &["401", "404"])
    })
}

/// `GET /api/v1/runs`.
pub fn list_runs() -> Value {
    json!({
        "operationId": "listRuns", "summary": "Stored runs, newest first (targets narrowed to the caller's systems).",
        "parameters": paging(),
        "responses": with_errors(json!({"200": ok("The runs.", page_of("RunHead"))}), &["400", "401"])
    })
}

/// `GET /api/v1/runs/{id}`.
pub fn get_run() -> Value {
    json!({
        "operationId": "getRun", "summary": "A run and how much of what it found the caller sees.",
        "parameters": [run_id()],
        "responses": with_errors(json!({"200": ok("The run.", json!({"type": "object", "required": ["run", "summary"], "properties": {"run": {"$ref": "#/components/schemas/RunHead"}, "summary": {"type": "object", "required": ["assets", "findings", "components", "vulnerabilities"], "properties": {"assets": {"type": "integer"}, "findings": {"type": "integer"}, "components": {"type": "integer"}, "vulnerabilities": {"type": "integer", "description": "active (not suppressed by VEX)"}}}}}))}), &["400", "401", "404"])
    })
}

/// `GET /api/v1/runs/{id}/assets`.
pub fn list_run_assets() -> Value {
    json!({
        "operationId": "listRunAssets", "summary": "The run's crypto assets (CycloneDX cryptoProperties in mamori's model).",
        "parameters": run_paged(),
        "responses": with_errors(json!({"200": ok("Crypto assets.", json!({"type": "object", "required": ["items", "total"], "properties": {"items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "integer"}}}))}), &["400", "401", "404"])
    })
}

/// `GET /api/v1/runs/{id}/components`.
pub fn list_run_components() -> Value {
    json!({
        "operationId": "listRunComponents", "summary": "The run's software components (by purl).",
        "parameters": run_paged(),
        "responses": with_errors(json!({"200": ok("Components.", json!({"type": "object", "required": ["items", "total"], "properties": {"items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "integer"}}}))}), &["400", "401", "404"])
    })
}

/// `GET /api/v1/runs/{id}/export`.
pub fn export_run() -> Value {
    json!({
        "operationId": "exportRun", "summary": "The run as CycloneDX 1.6, SPDX 2.3, SARIF 2.1.0, an XLSX workbook, or mamori's JSON.",
        "parameters": [run_id(), {"name": "format", "in": "query", "required": true, "schema": {"type": "string", "enum": ["cyclonedx", "spdx", "sarif", "xlsx", "json"]}}, q("lang", "Language of the workbook's headings.", json!({"type": "string", "enum": ["ja", "en"]}))],
        "responses": with_errors(json!({"200": {"description": "The document, as an attachment.", "content": {
            "application/vnd.cyclonedx+json": {"schema": {"type": "object"}},
            "application/spdx+json": {"schema": {"type": "object"}},
            "application/sarif+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "contentEncoding": "binary"}}
        }}}), &["400", "401", "404"])
    })
}

/// `GET /api/v1/diff`.
pub fn diff_runs() -> Value {
    json!({
        "operationId": "diffRuns", "summary": "What appeared and went away between two runs.",
        "parameters": [
            {"name": "from", "in": "query", "required": true, "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
            {"name": "to", "in": "query", "required": true, "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
        ],
        "responses": with_errors(json!({"200": ok("The difference.", json!({"type": "object", "required": ["from", "to"]}))}), &["400", "401", "404"])
    })
}

/// `GET /api/v1/scans`.
pub fn list_scans() -> Value {
    json!({
        "operationId": "listScans", "summary": "Scan jobs of the caller's systems, newest first.",
        "parameters": paging(),
        "responses": with_errors(json!({"200": ok("Jobs.", json!({"type": "object", "required": ["items", "total"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}}, "total": {"type": "integer", "minimum": 0}}}))}), &["400", "401"])
    })
}

/// `POST /api/v1/scans`.
pub fn trigger_scan() -> Value {
    json!({
        "operationId": "triggerScan", "summary": "Asks for a scan of one system (or every system). A scan of it already waiting or running is returned instead.",
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {"system": {"type": ["string", "null"], "description": "A system id; none: every system (needs a grant for every system)."}}}}}},
        "responses": with_errors(json!({"202": {"description": "Queued; follow it at the Location.", "headers": {"Location": {"schema": {"type": "string"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}}}}), &["400", "401", "403", "404", "409"])
    })
}

/// `GET /api/v1/scans/{id}`.
pub fn get_scan() -> Value {
    json!({
        "operationId": "getScan", "summary": "Follow a scan job: queued, running, done (with its run) or failed (with why).",
        "parameters": [id_param("id", "The job's id.")],
        "responses": with_errors(json!({"200": ok("The job.", json!({"$ref": "#/components/schemas/Job"}))}), &["400", "401", "404"])
    })
}

/// `GET /api/v1/findings`.
pub fn list_findings() -> Value {
    json!({
        "operationId": "listFindings", "summary": "Tracked findings and vulnerabilities: filtered, searched, sorted and paged.",
        "parameters": findings_params(),
        "responses": with_errors(json!({"200": ok("A page of items.", page_of("Tracked"))}), &["400", "401"])
    })
}

/// `GET /api/v1/findings/{id}`.
pub fn get_finding() -> Value {
    json!({
        "operationId": "getFinding", "summary": "One item and its whole history.",
        "parameters": [finding_id()],
        "responses": with_errors(json!({"200": ok("The item.", json!({"type": "object", "required": ["item", "history"], "properties": {"item": {"$ref": "#/components/schemas/Tracked"}, "history": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}))}), &["400", "401", "404"])
    })
}

/// `POST /api/v1/findings/{id}/status`.
pub fn set_finding_status() -> Value {
    json!({
        "operationId": "setFindingStatus", "summary": "Acknowledge an item, or accept its risk until a date.",
        "parameters": [finding_id()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["status"], "properties": {
            "status": {"type": "string", "enum": ["acknowledged", "accepted"]},
            "until": {"type": ["string", "null"], "format": "date", "description": "With accepted (and only with it): the day the acceptance ends, after today."},
            "comment": comment()
        },
        "if": {"properties": {"status": {"const": "accepted"}}},
        "then": {"required": ["until"], "properties": {"until": {"type": "string", "format": "date"}}},
        "else": {"properties": {"until": {"type": "null"}}}
        }}}},
        "responses": with_errors(json!({"200": ok("The item as it is now.", item())}), &["400", "401", "403", "404", "409", "422"])
    })
}

/// `POST /api/v1/findings/{id}/assignee`.
pub fn assign_finding() -> Value {
    json!({
        "operationId": "assignFinding", "summary": "Give an item to someone.",
        "parameters": [finding_id()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["to"], "properties": {"to": {"type": "string", "minLength": 1, "maxLength": 200}, "comment": comment()}}}}},
        "responses": with_errors(json!({"200": ok("The item as it is now.", item())}), &["400", "401", "403", "404", "409", "422"])
    })
}

/// `POST /api/v1/findings/{id}/due`.
pub fn set_finding_due() -> Value {
    json!({
        "operationId": "setFindingDue", "summary": "Set the date an item must be resolved by.",
        "parameters": [finding_id()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["date"], "properties": {"date": {"type": "string", "format": "date"}, "comment": comment()}}}}},
        "responses": with_errors(json!({"200": ok("The item as it is now.", item())}), &["400", "401", "403", "404", "409", "422"])
    })
}

/// `POST /api/v1/findings/{id}/comments`.
pub fn comment_finding() -> Value {
    json!({
        "operationId": "commentFinding", "summary": "Add a comment to an item's history.",
        "parameters": [finding_id()],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 10000}}}}}},
        "responses": with_errors(json!({"201": ok("The comment is in the history.", item())}), &["400", "401", "403", "404", "409", "422"])
    })
}

/// The schemas the operations refer to.
fn schemas() -> Value {
    json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
        "Token": {"type": "object", "required": ["id", "label", "created", "expires", "last_used", "expired"], "properties": {
            "id": {"type": "integer"}, "label": {"type": "string"}, "created": {"type": "string"},
            "expires": {"type": ["string", "null"], "description": "When it stops working; null: never."},
            "last_used": {"type": ["string", "null"], "description": "When it last authenticated a request, to the minute; null: never."},
            "expired": {"type": "boolean"}
        }},
        "Grant": {"type": "object", "required": ["role"], "properties": {"role": {"type": "string", "enum": ["viewer", "analyst", "admin"]}, "system": {"type": ["string", "null"]}}},
        "Tracked": {"type": "object", "required": ["id", "key", "kind", "title", "status", "location", "first_run", "last_run", "first_seen", "last_seen"], "properties": {
            "id": {"type": "integer"}, "key": {"type": "string"}, "kind": {"type": "string", "enum": ["finding", "vulnerability"]},
            "title": {"type": "string"}, "severity": {"type": ["string", "null"], "enum": ["info", "low", "medium", "high", "critical", null]},
            "system": {"type": ["string", "null"]}, "location": {"type": "string"}, "scope": {"type": "string"},
            "status": {"type": "string", "enum": ["new", "open", "acknowledged", "accepted", "fixed", "reopened"]},
            "accepted_until": {"type": ["string", "null"]}, "assignee": {"type": ["string", "null"]}, "due": {"type": ["string", "null"]},
            "first_run": {"type": "integer"}, "last_run": {"type": "integer"}, "first_seen": {"type": "string"}, "last_seen": {"type": "string"},
            "fixed_run": {"type": ["integer", "null"]},
            "aliases": {"type": "array", "items": {"type": "string"}, "description": "A vulnerability's other ids (CVE-…, GHSA-…), as the run that last saw it stored them; absent for a finding."},
            "summary": {"type": "string", "description": "A vulnerability's one-line summary: the advisory's own words (untrusted text)."},
            "cvss": {"$ref": "#/components/schemas/Cvss"}
        }},
        "Cvss": {"type": "object", "required": ["version", "vector", "score"], "description": "The CVSS rating a vulnerability's severity comes from.", "properties": {
            "version": {"type": "string", "examples": ["3.1", "4.0"]}, "vector": {"type": "string"}, "score": {"type": "number", "minimum": 0, "maximum": 10}
        }},
        "Widespread": {"type": "object", "required": ["purl", "systems", "advisories", "items", "unrated"], "description": "A component with open vulnerabilities, by how far it has spread.", "properties": {
            "purl": {"type": "string"}, "systems": {"type": "integer", "minimum": 0}, "advisories": {"type": "integer", "minimum": 0}, "items": {"type": "integer", "minimum": 0},
            "worst": {"type": ["string", "null"], "enum": ["info", "low", "medium", "high", "critical", null], "description": "The highest rating among its advisories; null when none is rated."},
            "worst_score": {"type": ["number", "null"], "description": "The highest CVSS score among its advisories at that rating."},
            "unrated": {"type": "integer", "minimum": 0, "description": "Its advisories without any rating, counted apart (an unrated advisory may be anything)."}
        }},
        "Event": {"type": "object", "required": ["at", "actor", "action"], "properties": {
            "key": {"type": "string"}, "at": {"type": "string"}, "actor": {"type": "string"}, "action": {"type": "string"},
            "from": {"type": ["string", "null"]}, "to": {"type": ["string", "null"]}, "run": {"type": ["integer", "null"]}, "detail": {"type": ["string", "null"]}
        }},
        "RunHead": {"type": "object", "required": ["id", "started", "finished", "targets"], "properties": {
            "id": {"type": "integer"}, "started": {"type": "string"}, "finished": {"type": "string"}, "targets": {"type": "array", "items": {"type": "string"}}
        }},
        "Job": {"type": "object", "required": ["id", "status", "requested_by", "attempts", "max_attempts", "created"], "properties": {
            "id": {"type": "integer"}, "system": {"type": ["string", "null"]}, "requested_by": {"type": "string"},
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "attempts": {"type": "integer"}, "max_attempts": {"type": "integer"}, "created": {"type": "string"}, "not_before": {"type": "string"},
            "started": {"type": ["string", "null"]}, "finished": {"type": ["string", "null"]}, "heartbeat": {"type": ["string", "null"]},
            "worker": {"type": ["string", "null"]}, "run_id": {"type": ["integer", "null"]}, "error": {"type": ["string", "null"]}
        }},
        "System": {"type": "object", "required": ["id", "name"], "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "owner": {"type": "string"}, "criticality": {"type": "string"},
            "targets": {"type": "array", "items": {"type": "string"}}, "every": {"type": ["string", "null"]},
            "schedule": {"type": ["object", "null"]}, "findings": {"type": "object"}, "pqc": {"type": ["object", "null"]}, "components": {"type": "integer"}
        }}
    })
}

fn build() -> Value {
    let mut paths = serde_json::Map::new();
    for o in crate::api::operations() {
        let path = paths.entry(o.path).or_insert_with(|| json!({}));
        path[o.method.as_str().to_ascii_lowercase()] = (o.doc)();
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "mamori API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Continuous cyber-risk monitoring: systems, scan runs and their inventories (crypto assets, software components), tracked findings with their lifecycle, and exports. Every list is narrowed to the systems the caller holds a grant for. Errors are JSON: {\"error\": {\"code\", \"message\"}}.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API token from `mamori user token NAME`."},
                "session": {"type": "apiKey", "in": "cookie", "name": "mamori_session", "description": "A browser session from the login page. Changes (POST, DELETE) with a session also need the header X-CSRF-Token with the session's token (the value of the csrf field in the dashboard's forms)."}
            },
            "schemas": schemas()
        }
    })
}

/// The document, serialized once.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_string_pretty(&build()).unwrap_or_default())
}

/// The document as JSON (for tests and tools).
pub fn value() -> Value {
    build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode};
    use std::collections::BTreeSet;
    use tower::ServiceExt as _;

    /// The `{name}`s of a path.
    fn path_parameters(path: &str) -> Vec<&str> {
        path.split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect()
    }

    #[test]
    fn every_operation_is_described_once_with_its_path_parameters() {
        let doc = value();
        let ops = crate::api::operations();
        let mut ids = BTreeSet::new();
        for o in &ops {
            let method = o.method.as_str().to_ascii_lowercase();
            let d = &doc["paths"][o.path][&method];
            let id = d["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {}", o.path));
            assert!(ids.insert(id.to_string()), "operationId {id} twice");
            assert!(d["summary"].is_string(), "{id}");
            assert!(d["responses"].is_object(), "{id}");
            let in_path: Vec<&str> = d["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(in_path, path_parameters(o.path), "{id}");
            assert!(
                o.path.starts_with("/api/v1/") || o.path == "/healthz",
                "{}",
                o.path
            );
        }
        // Nothing is described that is not an operation.
        let described: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum();
        assert_eq!(described, ops.len());
        assert!(described >= 24, "{described}");
    }

    #[tokio::test]
    async fn the_router_answers_every_described_method_of_a_path_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let router = crate::router(crate::test_app(dir.path().join("m.db")));
        let doc = value();
        let ask = |method: Method, path: String| {
            let router = router.clone();
            async move {
                let req = Request::builder()
                    .method(method)
                    .uri(path)
                    .body(Body::empty())
                    .unwrap();
                let r = router.oneshot(req).await.unwrap();
                let status = r.status();
                let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
                (status, String::from_utf8_lossy(&body).to_string())
            }
        };
        for (path, ops) in doc["paths"].as_object().unwrap() {
            let concrete = path.replace("{id}", "1");
            for method in [
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ] {
                let described = ops
                    .get(method.as_str().to_ascii_lowercase().as_str())
                    .is_some();
                let (status, body) = ask(method.clone(), concrete.clone()).await;
                if described {
                    // Routed: answered by its handler (without credentials: 401), not by
                    // the router's "no such endpoint" or "not this method".
                    assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                    assert!(
                        !body.contains("no such endpoint"),
                        "{method} {path}: {body}"
                    );
                } else {
                    assert_eq!(
                        status,
                        StatusCode::METHOD_NOT_ALLOWED,
                        "{method} {path} is routed but not described: {body}"
                    );
                }
            }
        }
        // A path under /api/v1 that is not described is not routed either.
        for path in ["/api/v1/", "/api/v1/users", "/api/v1/findings/1/history"] {
            let (status, body) = ask(Method::GET, path.to_string()).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(body.contains("no such endpoint"), "{path}: {body}");
        }
    }
}
