//! `mamori plan` end to end: real services on 127.0.0.1 (openssl s_server with RSA-2048
//! and classical key exchange; rustls offering X25519MLKEM768 with an RSA certificate),
//! real source files, a register, `mamori scan`, then every plan format read back the way
//! its reader would: JSON parsed, the workbook opened with calamine, the HTML page loaded
//! in headless Chromium, CSV parsed, SARIF checked for what code-scanning tools use.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{mamori, scan_register, stderr, stdout};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// A register of four systems around real services and files in `d`; returns its path.
struct Site {
    _servers: Vec<mamori_testkit::SServer>,
    reg: std::path::PathBuf,
    tax_port: u16,
    web_port: u16,
}

fn site(d: &Path) -> Site {
    // Tax: critical, 30 years secret, RSA-2048 over classical key exchange.
    let tax = d.join("tax");
    std::fs::create_dir(&tax).unwrap();
    mamori_testkit::self_signed(
        &tax,
        "rsa:2048",
        "site.pem",
        "site.key",
        "/CN=tax.example",
        &[],
    );
    let tax_server = mamori_testkit::s_server(&tax, "site.pem", "site.key", &[]);
    // Web: already on X25519MLKEM768, RSA certificate.
    let web = d.join("web-certs");
    std::fs::create_dir(&web).unwrap();
    mamori_testkit::self_signed(
        &web,
        "rsa:2048",
        "cert.pem",
        "key.pem",
        "/CN=web.example",
        &[],
    );
    let web_port =
        mamori_testkit::rustls_server(&web, "cert.pem", "key.pem", &[], "127.0.0.1:0").port();
    // Tool: only AES-256-GCM and SHA-384.
    let tool = d.join("tool");
    std::fs::create_dir(&tool).unwrap();
    std::fs::write(
        tool.join("crypt.py"),
        "import hashlib\nfrom cryptography.hazmat.primitives.ciphers.aead import AESGCM\n\ndef seal(key, nonce, data):\n    assert len(key) == 32\n    return AESGCM(key).encrypt(nonce, data, None)\n\ndef digest(data):\n    return hashlib.sha384(data).hexdigest()\n",
    )
    .unwrap();
    // Billing: RSA in code, MD5, and a weak key on disk.
    let billing = d.join("billing");
    std::fs::create_dir(&billing).unwrap();
    std::fs::write(
        billing.join("billing.py"),
        "import hashlib\nfrom cryptography.hazmat.primitives.asymmetric import rsa\n\nkey = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n\ndef fingerprint(data):\n    return hashlib.md5(data).hexdigest()\n",
    )
    .unwrap();
    mamori_testkit::openssl(&billing, &["genrsa", "-out", "old.key", "1024"]);
    let reg = d.join("mamori.toml");
    std::fs::write(
        &reg,
        format!(
            r#"[organization]
name = "Example City"

[plan]
policy = "ldp-2024"

[[system]]
id = "tax"
name = "Tax records"
owner = "Revenue"
criticality = "critical"
confidentiality_years = 30
targets = ["tls://127.0.0.1:{}"]

[[system]]
id = "web"
name = "Public web"
criticality = "high"
confidentiality_years = 10
targets = ["tls://127.0.0.1:{web_port}", "web-certs"]

[[system]]
id = "tool"
name = "Internal tool"
criticality = "low"
confidentiality_years = 1
targets = ["tool"]

[[system]]
id = "billing"
name = "Billing"
criticality = "medium"
confidentiality_years = 7
targets = ["billing"]
"#,
            tax_server.port
        ),
    )
    .unwrap();
    Site {
        tax_port: tax_server.port,
        _servers: vec![tax_server],
        reg,
        web_port,
    }
}

fn plan(db: &Path, reg: &Path, args: &[&str]) -> std::process::Output {
    let mut a = vec!["plan", "--config", reg.to_str().unwrap(), "--year", "2026"];
    a.extend_from_slice(args);
    let out = mamori(db, &a);
    assert_eq!(
        out.status.code(),
        Some(0),
        "plan {args:?}: {}",
        stderr(&out)
    );
    out
}

fn system<'a>(p: &'a Value, id: &str) -> &'a Value {
    p["systems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("system {id}"))
}

#[test]
fn plan_from_a_real_scan_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = site(d);
    let db = d.join("m.db");
    scan_register(&db, &s.reg);

    // JSON: the reasoning per system.
    let out = plan(&db, &s.reg, &["-f", "json", "--lang", "en"]);
    let p: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["schema"], "mamori-plan/1");
    assert_eq!(p["policy"]["id"], "ldp-2024");
    let tax = system(&p, "tax");
    assert_eq!(tax["priority"], "P1", "{tax:#}");
    assert_eq!(tax["deadline"], 2030);
    assert_eq!(tax["key_exchange"], "pending");
    assert_eq!(tax["mosca"]["exposed"], true);
    assert!(tax["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["key"] == "plan.reason.hndl-exposed"
            && r["text"].as_str().unwrap().contains("harvest now")));
    let web = system(&p, "web");
    assert_eq!(web["key_exchange"], "done", "{web:#}");
    assert_eq!(web["signatures"], "pending");
    let tool = system(&p, "tool");
    assert_eq!(tool["priority"], "P4", "{tool:#}");
    assert_eq!(tool["deadline"], Value::Null);
    assert_eq!(tool["pending"], 0);
    let billing = system(&p, "billing");
    assert!(billing["broken"].as_u64().unwrap() >= 2, "{billing:#}"); // MD5, RSA-1024
    let actions = p["actions"].as_array().unwrap();
    let tax_at = format!("127.0.0.1:{}", s.tax_port);
    let enable = actions
        .iter()
        .find(|a| a["kind"] == "enable-pq-tls")
        .expect("an enable-pq-tls action");
    assert_eq!(enable["target"], tax_at.as_str());
    assert_eq!(enable["wave"], 1);
    assert!(enable["text"].as_str().unwrap().contains("X25519MLKEM768"));
    assert!(!actions.iter().any(
        |a| a["kind"] == "enable-pq-tls" && a["target"] == format!("127.0.0.1:{}", s.web_port)
    ));
    assert!(actions.iter().all(|a| a["system"] != "tool"));
    assert!(actions.iter().any(|a| a["kind"] == "replace-key-now"
        && a["target"].as_str().unwrap().contains("billing/old.key")));
    assert!(actions.iter().any(|a| a["kind"] == "replace-in-code"
        && a["target"]
            .as_str()
            .unwrap()
            .ends_with("billing/billing.py:4")));
    // Waves are ordered, and every dependency comes earlier in the roadmap.
    let ids: Vec<&str> = actions.iter().map(|a| a["id"].as_str().unwrap()).collect();
    for (i, a) in actions.iter().enumerate() {
        for dep in a["depends_on"].as_array().unwrap() {
            let j = ids
                .iter()
                .position(|x| *x == dep.as_str().unwrap())
                .unwrap();
            assert!(j < i, "{dep} after {}", ids[i]);
        }
    }
    let assets = p["assets"].as_array().unwrap();
    assert!(assets
        .iter()
        .any(|a| a["system"] == "tool" && a["state"] == "safe"));

    // The terminal summary, in both languages.
    let en = stdout(&plan(&db, &s.reg, &["--lang", "en"]));
    assert!(
        en.contains("Post-quantum migration plan — Example City"),
        "{en}"
    );
    assert!(
        en.contains("Tax records (tax)") && en.contains("P1"),
        "{en}"
    );
    let ja = stdout(&plan(&db, &s.reg, &["--lang", "ja"]));
    assert!(ja.contains("耐量子計算機暗号への移行計画"), "{ja}");
    assert!(ja.contains("今収集し後で解読"), "{ja}");
    assert!(!ja.contains("plan."), "a catalog key leaked: {ja}");

    // CSV: one row per action, RFC 4180.
    let csv = stdout(&plan(&db, &s.reg, &["-f", "csv", "--lang", "en"]));
    assert!(csv.starts_with("Id,Wave,System,Deadline,Action,Where,After,Assets\r\n"));
    assert_eq!(csv.matches("\r\n").count(), actions.len() + 1);

    // Markdown: every action listed.
    let md = stdout(&plan(&db, &s.reg, &["-f", "md"]));
    for id in &ids {
        assert!(md.contains(&format!("| {id} |")), "{id} missing from md");
    }

    // XLSX read back.
    let xlsx = d.join("plan.xlsx");
    plan(
        &db,
        &s.reg,
        &["-f", "xlsx", "-o", xlsx.to_str().unwrap(), "--lang", "ja"],
    );
    check_workbook(&xlsx, actions.len(), assets.len());

    // SARIF: the code findings, located.
    let sarif: Value =
        serde_json::from_slice(&plan(&db, &s.reg, &["-f", "sarif", "--lang", "en"]).stdout)
            .unwrap();
    check_sarif(&sarif);

    // HTML in a real browser.
    let html = d.join("plan.html");
    plan(
        &db,
        &s.reg,
        &["-f", "html", "-o", html.to_str().unwrap(), "--lang", "ja"],
    );
    check_html(&html, d, 4);
}

fn check_workbook(path: &Path, actions: usize, assets: usize) {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(path).expect("the workbook opens");
    assert_eq!(
        wb.sheet_names(),
        ["概要", "システム", "対応", "資産", "進捗"],
        "sheets"
    );
    let summary = wb.worksheet_range("概要").unwrap();
    let title = summary.get_value((0, 0)).unwrap().to_string();
    assert!(title.contains("Example City"), "{title}");
    let systems = wb.worksheet_range("システム").unwrap();
    assert_eq!(systems.height(), 5, "header + 4 systems");
    // Sorted by priority: the tax system (P1) first, its deadline a number.
    assert_eq!(systems.get_value((1, 0)), Some(&Data::String("P1".into())));
    assert_eq!(systems.get_value((1, 4)), Some(&Data::Float(2030.0)));
    let acts = wb.worksheet_range("対応").unwrap();
    assert_eq!(acts.height(), actions + 1);
    let rows = wb.worksheet_range("資産").unwrap();
    assert_eq!(rows.height(), assets + 1);
    let progress = wb.worksheet_range("進捗").unwrap();
    assert_eq!(progress.height(), 2);
}

fn check_sarif(s: &Value) {
    assert_eq!(s["version"], "2.1.0");
    let run = &s["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(r["ruleId"], rules[i]);
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with(".py"));
        assert!(loc["region"]["startLine"].as_u64().unwrap() > 0);
        assert_eq!(r["properties"]["system"], "billing");
    }
    let md5 = results
        .iter()
        .find(|r| r["message"]["text"].as_str().unwrap().starts_with("MD5"))
        .expect("MD5 reported");
    assert_eq!(md5["level"], "error");
    assert_eq!(
        md5["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
    let rsa = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("RSA-2048")
        })
        .expect("RSA reported");
    assert_eq!(rsa["level"], "warning");
}

/// The page loads in headless Chromium with its three charts, and a screenshot is made.
fn check_html(path: &Path, d: &Path, systems: usize) {
    let page = std::fs::read_to_string(path).unwrap();
    for external in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
        assert!(
            !page.contains(external),
            "the page must be self-contained: {external}"
        );
    }
    let chromium = |args: &[&str]| {
        Command::new("chromium")
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"])
            .arg(format!("--user-data-dir={}", d.join("chromium").display()))
            .args(args)
            .arg(format!("file://{}", path.display()))
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run chromium ({e}): install the Debian package chromium (scripts/test does)")
            })
    };
    let out = chromium(&["--dump-dom"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dom = stdout(&out);
    for id in ["burndown", "timeline", "heatmap"] {
        let at = dom
            .find(&format!("<figure id=\"{id}\""))
            .unwrap_or_else(|| panic!("{id}"));
        assert!(dom[at..].contains("<svg"), "{id} has no chart");
    }
    assert_eq!(dom.matches("class=\"cell\"").count(), 16, "heat map cells");
    let n: u32 = dom
        .split("class=\"cell\"")
        .skip(1)
        .map(|c| {
            let v = c.split("data-n=\"").nth(1).unwrap();
            v[..v.find('"').unwrap()].parse::<u32>().unwrap()
        })
        .sum();
    assert_eq!(n as usize, systems, "every system in the heat map once");
    assert!(dom.contains("<polyline class=\"actual\""));
    assert_eq!(dom.matches("<details id=\"sys-").count(), systems);
    let shot = d.join("plan.png");
    let out = chromium(&[
        &format!("--screenshot={}", shot.display()),
        "--window-size=1280,2000",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
    if let Ok(keep) = std::env::var("MAMORI_SCREENSHOTS") {
        let _ = std::fs::create_dir_all(&keep);
        let _ = std::fs::copy(&shot, Path::new(&keep).join("plan.png"));
    }
}

#[test]
fn progress_falls_as_later_scans_show_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = site(d);
    let db = d.join("m.db");
    scan_register(&db, &s.reg);
    let first: Value = serde_json::from_slice(&plan(&db, &s.reg, &["-f", "json"]).stdout).unwrap();
    assert_eq!(first["progress"].as_array().unwrap().len(), 1);
    // The weak key is replaced by nothing, and MD5 leaves the code.
    std::fs::remove_file(d.join("billing/old.key")).unwrap();
    std::fs::write(
        d.join("billing/billing.py"),
        "from cryptography.hazmat.primitives.asymmetric import rsa\n\nkey = rsa.generate_private_key(public_exponent=65537, key_size=2048)\n",
    )
    .unwrap();
    scan_register(&db, &s.reg);
    let p: Value = serde_json::from_slice(&plan(&db, &s.reg, &["-f", "json"]).stdout).unwrap();
    let prog = p["progress"].as_array().unwrap();
    assert_eq!(prog.len(), 2);
    assert!(
        prog[1]["open"].as_u64() < prog[0]["open"].as_u64(),
        "{prog:?}"
    );
    assert!(
        p["totals"]["resolved"].as_u64().unwrap() >= 2,
        "{:#}",
        p["totals"]
    );
    let billing = system(&p, "billing");
    assert!(billing["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["key"] == "plan.reason.progress"));
    let text = stdout(&plan(&db, &s.reg, &["--lang", "en"]));
    assert!(
        text.contains("Progress: ") && text.contains("action(s) done since"),
        "{text}"
    );
    // An older plan can be reproduced from its run.
    let old: Value = serde_json::from_slice(
        &plan(
            &db,
            &s.reg,
            &["-f", "json", "--run", &first["run"]["id"].to_string()],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(old["totals"]["open"], first["totals"]["open"]);
}

#[test]
fn clear_errors_and_a_first_plan_before_any_scan() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("m.db");
    // No register.
    let out = Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(["plan"])
        .current_dir(d)
        .env("MAMORI_DB", &db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("mamori init"), "{}", stderr(&out));
    // The example register, before any scan: every system shown as not scanned.
    let reg = d.join("mamori.toml");
    assert_eq!(
        mamori(&db, &["init", reg.to_str().unwrap()]).status.code(),
        Some(0)
    );
    let out = plan(&db, &reg, &["-f", "json"]);
    let p: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["run"], Value::Null);
    assert!(p["systems"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["inventoried"] == false));
    assert_eq!(system(&p, "resident-portal")["priority"], "P1");
    // A policy that does not exist is named, with the ones that do.
    let out = mamori(
        &db,
        &[
            "plan",
            "--config",
            reg.to_str().unwrap(),
            "--policy",
            "nist-2099",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("nist-2099") && e.contains("ldp-2024"), "{e}");
    // A run that does not exist.
    let out = mamori(
        &db,
        &["plan", "--config", reg.to_str().unwrap(), "--run", "7"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no run 7"), "{}", stderr(&out));
}
