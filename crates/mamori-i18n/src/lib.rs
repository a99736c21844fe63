//! mamori's message catalogs (`i18n/en.toml`, `i18n/ja.toml`): every user-facing string,
//! looked up by key with `{name}` placeholders. Finding texts are keyed by finding code
//! (`msg.<code>`, `fix.<code>`, `title.<code>`), so any finding can be shown in either
//! language from its code and arguments.
//!
//! ```
//! use mamori_i18n::{Lang, Messages};
//! let m = Messages::new(Lang::Ja);
//! assert_eq!(m.get("assets_total", &[("n", "3".into())]), "暗号資産: 3 件");
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::sync::OnceLock;

/// Output language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Japanese.
    Ja,
}

impl Lang {
    /// From `--lang` (`ja`, `en`), else from the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`).
    pub fn detect(explicit: Option<&str>) -> Lang {
        if let Some(l) = explicit {
            return if l.to_ascii_lowercase().starts_with("ja") {
                Lang::Ja
            } else {
                Lang::En
            };
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var) {
                if !v.is_empty() {
                    return if v.starts_with("ja") {
                        Lang::Ja
                    } else {
                        Lang::En
                    };
                }
            }
        }
        Lang::En
    }
}

/// A loaded catalog.
pub struct Messages {
    map: &'static HashMap<String, String>,
}

fn load(text: &str) -> HashMap<String, String> {
    toml::from_str(text).unwrap_or_default()
}

fn catalog(lang: Lang) -> &'static HashMap<String, String> {
    static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
    static JA: OnceLock<HashMap<String, String>> = OnceLock::new();
    match lang {
        Lang::En => EN.get_or_init(|| load(include_str!("../i18n/en.toml"))),
        Lang::Ja => JA.get_or_init(|| load(include_str!("../i18n/ja.toml"))),
    }
}

impl Messages {
    /// The catalog for `lang`.
    pub fn new(lang: Lang) -> Messages {
        Messages { map: catalog(lang) }
    }

    /// The message `key` with `{name}` placeholders filled; the key itself when missing.
    pub fn get(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut s = self
            .map
            .get(key)
            .or_else(|| catalog(Lang::En).get(key))
            .cloned()
            .unwrap_or_else(|| key.to_string());
        for (k, v) in args {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }

    /// The message `key` without arguments.
    pub fn t(&self, key: &str) -> String {
        self.get(key, &[])
    }

    /// Whether the catalog (or the English fallback) has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key) || catalog(Lang::En).contains_key(key)
    }

    /// Catalog keys of a finding's message and remediation: `msg.<code>.<variant>` and
    /// `fix.<code>.<variant>` where the catalog has them, else `msg.<code>` / `fix.<code>`.
    pub fn finding_keys(&self, code: &str, variant: Option<&str>) -> (String, String) {
        let pick = |kind: &str| match variant {
            Some(v) if self.has(&format!("{kind}.{code}.{v}")) => format!("{kind}.{code}.{v}"),
            _ => format!("{kind}.{code}"),
        };
        (pick("msg"), pick("fix"))
    }

    /// A message from a map of arguments (as findings carry them).
    pub fn render(&self, key: &str, args: &std::collections::BTreeMap<String, String>) -> String {
        let v: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        self.get(key, &v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_have_the_same_keys_and_placeholders() {
        let en = catalog(Lang::En);
        let ja = catalog(Lang::Ja);
        assert!(en.len() > 30);
        for (k, v) in en {
            let j = ja.get(k).unwrap_or_else(|| panic!("ja.toml lacks {k}"));
            for part in v.split('{').skip(1) {
                let name = part.split('}').next().unwrap();
                if name == "note" {
                    continue; // notes come from English data files; Japanese texts omit them
                }
                assert!(
                    j.contains(&format!("{{{name}}}")),
                    "ja {k} lacks {{{name}}}"
                );
            }
        }
        assert_eq!(en.len(), ja.len(), "ja.toml has keys en.toml lacks");
        let m = Messages::new(Lang::Ja);
        assert_eq!(
            m.get("assets_total", &[("n", "3".into())]),
            "暗号資産: 3 件"
        );
    }
}
