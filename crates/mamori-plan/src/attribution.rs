//! Which system a place belongs to: the register's targets, resolved to absolute paths and
//! `host:port` endpoint names, indexed so that one lookup costs a hash probe per directory
//! level of the place (a plan attributes every occurrence of up to millions of assets).
//!
//! ```
//! use mamori_plan::attribution::Attribution;
//! use mamori_model::Location;
//! let a = Attribution::new([("/srv/app".to_string(), "app".to_string()),
//!                           ("mail.example.org:587".to_string(), "mail".to_string())]);
//! assert_eq!(a.system_of(&Location::file("/srv/app/conf/tls.pem")), Some("app"));
//! assert_eq!(a.system_of(&Location::file("/srv/application/x")), None);
//! assert_eq!(a.system_of(&Location::file("mail.example.org:587")), Some("mail"));
//! ```

use mamori_model::Location;
use std::collections::HashMap;

/// Places (paths, images, endpoints) → the id of the system they belong to.
#[derive(Debug, Clone, Default)]
pub struct Attribution {
    owners: HashMap<String, String>,
}

impl Attribution {
    /// From `(place, system id)` pairs. A place named twice keeps its first system (the
    /// register's order decides, as in a scan).
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Attribution {
        let mut owners = HashMap::new();
        for (place, id) in pairs {
            let place = if place.len() > 1 {
                place.trim_end_matches('/').to_string()
            } else {
                place
            };
            owners.entry(place).or_insert(id);
        }
        Attribution { owners }
    }

    /// Whether no place is known.
    pub fn is_empty(&self) -> bool {
        self.owners.is_empty()
    }

    /// The system a path (or endpoint name) is under: the place itself or its nearest
    /// ancestor directory that a system names.
    pub fn system_of_path(&self, path: &str) -> Option<&str> {
        let mut p = path;
        loop {
            if let Some(id) = self.owners.get(p) {
                return Some(id);
            }
            match p.rfind('/') {
                Some(0) if p.len() > 1 => p = "/",
                Some(i) if i > 0 => p = &p[..i],
                _ => return None,
            }
        }
    }

    /// The system of a location: by its path, else by what contains it (an image tarball).
    pub fn system_of(&self, loc: &Location) -> Option<&str> {
        self.system_of_path(&loc.path).or_else(|| {
            loc.container
                .as_deref()
                .and_then(|c| self.system_of_path(c.split('!').next().unwrap_or(c)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_named_ancestor_wins_and_prefixes_are_not_directories() {
        let a = Attribution::new([
            ("/srv".to_string(), "all".to_string()),
            ("/srv/app/".to_string(), "app".to_string()),
            ("/srv/app".to_string(), "dup".to_string()),
            ("/img/web.tar".to_string(), "web".to_string()),
            ("[::1]:443".to_string(), "v6".to_string()),
        ]);
        assert_eq!(a.system_of_path("/srv/app/x/y"), Some("app"));
        assert_eq!(a.system_of_path("/srv/app"), Some("app"));
        assert_eq!(a.system_of_path("/srv/other"), Some("all"));
        assert_eq!(a.system_of_path("/srvx"), None);
        assert_eq!(a.system_of_path("relative/x"), None);
        assert_eq!(a.system_of_path("[::1]:443"), Some("v6"));
        let mut l = Location::file("etc/ssl/cert.pem");
        l.container = Some("/img/web.tar".into());
        assert_eq!(a.system_of(&l), Some("web"));
        l.container = Some("/img/web.tar!app.jar".into());
        assert_eq!(a.system_of(&l), Some("web"));
        let root = Attribution::new([("/".to_string(), "host".to_string())]);
        assert_eq!(root.system_of_path("/etc/ssh/sshd_config"), Some("host"));
    }
}
