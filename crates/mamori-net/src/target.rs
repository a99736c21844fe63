//! What the user names: `tls://host:port`, `https://host`, `ssh://host`, STARTTLS schemes,
//! bare `host:port`, IPv4 / IPv6 literals, and address ranges (CIDR) — the latter only inside
//! a [`Scope`].

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Largest range expanded from a CIDR: 65 536 addresses (an IPv4 /16, an IPv6 /112).
pub const MAX_RANGE_ADDRESSES: u128 = 1 << 16;

/// The protocol spoken at a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// TLS from the first byte (`tls://`).
    Tls,
    /// HTTPS (TLS from the first byte).
    Https,
    /// SSH.
    Ssh,
    /// SMTP with STARTTLS.
    Smtp,
    /// IMAP with STARTTLS.
    Imap,
    /// POP3 with STLS.
    Pop3,
    /// FTP with AUTH TLS.
    Ftp,
    /// LDAP with the StartTLS extended operation.
    Ldap,
    /// PostgreSQL with SSLRequest.
    Postgres,
    /// A bare `host:port`: TLS or SSH, detected when probing.
    Unknown,
}

impl Kind {
    /// The URL scheme for this kind (`None` for [`Kind::Unknown`]).
    pub fn scheme(self) -> Option<&'static str> {
        Some(match self {
            Kind::Tls => "tls",
            Kind::Https => "https",
            Kind::Ssh => "ssh",
            Kind::Smtp => "smtp",
            Kind::Imap => "imap",
            Kind::Pop3 => "pop3",
            Kind::Ftp => "ftp",
            Kind::Ldap => "ldap",
            Kind::Postgres => "postgres",
            Kind::Unknown => return None,
        })
    }

    /// Whether TLS starts only after a plaintext exchange (STARTTLS, AUTH TLS, LDAP
    /// StartTLS, PostgreSQL SSLRequest).
    pub fn needs_starttls(self) -> bool {
        matches!(
            self,
            Kind::Smtp | Kind::Imap | Kind::Pop3 | Kind::Ftp | Kind::Ldap | Kind::Postgres
        )
    }

    /// The port used when a scheme's target names none (`None` for `tls://` and bare
    /// targets, which need an explicit port).
    pub fn default_port(self) -> Option<u16> {
        match self {
            Kind::Https => Some(443),
            Kind::Ssh => Some(22),
            Kind::Smtp => Some(25),
            Kind::Imap => Some(143),
            Kind::Pop3 => Some(110),
            Kind::Ftp => Some(21),
            Kind::Ldap => Some(389),
            Kind::Postgres => Some(5432),
            Kind::Tls | Kind::Unknown => None,
        }
    }

    fn from_scheme(s: &str) -> Option<Kind> {
        Some(match s.to_ascii_lowercase().as_str() {
            "tls" => Kind::Tls,
            "https" => Kind::Https,
            "ssh" => Kind::Ssh,
            "smtp" => Kind::Smtp,
            "imap" => Kind::Imap,
            "pop3" => Kind::Pop3,
            "ftp" => Kind::Ftp,
            "ldap" => Kind::Ldap,
            "postgres" | "postgresql" => Kind::Postgres,
            _ => return None,
        })
    }
}

/// One endpoint to probe.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// The protocol spoken there.
    pub kind: Kind,
    /// Host name or address literal (IPv6 without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Optional system id the user tagged the target with (`--targets FILE`).
    pub system: Option<String>,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = self.kind.scheme() {
            write!(f, "{s}://")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Why a target was refused; every variant names the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Nothing was given.
    #[error("empty target")]
    Empty,
    /// The scheme is not one mamori probes.
    #[error("{input:?}: unknown scheme {scheme:?} (expected tls, https, ssh, smtp, imap, pop3, ftp, ldap or postgres)")]
    UnknownScheme {
        /// The whole input.
        input: String,
        /// The scheme given.
        scheme: String,
    },
    /// A port is needed and none was given.
    #[error("{input:?}: no port given (write host:port)")]
    MissingPort {
        /// The whole input.
        input: String,
    },
    /// The port is not a number in 1..=65535.
    #[error("{input:?}: invalid port {port:?} (expected 1-65535)")]
    BadPort {
        /// The whole input.
        input: String,
        /// The port text.
        port: String,
    },
    /// The host is not a valid name or address.
    #[error("{input:?}: invalid host {host:?}: {why}")]
    BadHost {
        /// The whole input.
        input: String,
        /// The host text.
        host: String,
        /// What is wrong.
        why: &'static str,
    },
    /// An address range was named outside any scope.
    #[error("{input:?}: address ranges are probed only when a --scope file lists them")]
    RangeNotInScope {
        /// The whole input.
        input: String,
    },
    /// An address range is too large to expand.
    #[error(
        "{input:?}: range has {addresses} addresses, more than the limit of {MAX_RANGE_ADDRESSES}"
    )]
    RangeTooLarge {
        /// The whole input.
        input: String,
        /// How many addresses it holds.
        addresses: u128,
    },
    /// Extra text after the target.
    #[error("{input:?}: unexpected text {extra:?} after the target")]
    Trailing {
        /// The whole input.
        input: String,
        /// What followed.
        extra: String,
    },
}

/// A network range or host the user allows ranges to be probed in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ScopeEntry {
    Net(IpAddr, u8),
    Host(String),
}

/// The `--scope FILE`: one CIDR or host a line; `#` comments and blank lines ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    entries: Vec<ScopeEntry>,
}

impl Scope {
    /// Parses a scope file; returns the scope and the bad lines (1-based) with what was wrong.
    pub fn parse(text: &str) -> (Scope, Vec<(usize, String)>) {
        let mut entries = Vec::new();
        let mut errors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            if let Some((addr, prefix)) = line.split_once('/') {
                match parse_cidr(addr, prefix) {
                    Some((a, p)) => entries.push(ScopeEntry::Net(a, p)),
                    None => errors.push((i + 1, format!("{line:?}: invalid CIDR range"))),
                }
            } else if let Ok(a) = line.trim_matches(['[', ']']).parse::<IpAddr>() {
                let bits = if a.is_ipv4() { 32 } else { 128 };
                entries.push(ScopeEntry::Net(a, bits));
            } else if valid_hostname(line).is_ok() {
                entries.push(ScopeEntry::Host(line.to_ascii_lowercase()));
            } else {
                errors.push((i + 1, format!("{line:?}: neither a CIDR range nor a host")));
            }
        }
        (Scope { entries }, errors)
    }

    /// Whether the range `addr/prefix` lies wholly inside one scope entry.
    pub fn contains_range(&self, addr: IpAddr, prefix: u8) -> bool {
        self.entries.iter().any(|e| match e {
            ScopeEntry::Net(net, p) => *p <= prefix && same_prefix(*net, addr, *p),
            ScopeEntry::Host(_) => false,
        })
    }

    /// Whether a single host (name or address) is listed or inside a listed range.
    pub fn contains_host(&self, host: &str) -> bool {
        if let Ok(a) = host.parse::<IpAddr>() {
            let bits = if a.is_ipv4() { 32 } else { 128 };
            return self.contains_range(a, bits);
        }
        let h = host.to_ascii_lowercase();
        self.entries
            .iter()
            .any(|e| matches!(e, ScopeEntry::Host(x) if *x == h))
    }
}

fn strip_comment(line: &str) -> &str {
    match line.find('#') {
        Some(i) => &line[..i],
        None => line,
    }
}

fn to_bits(a: IpAddr) -> (u128, u8) {
    match a {
        IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
        IpAddr::V6(v) => (u128::from(v), 128),
    }
}

fn same_prefix(net: IpAddr, addr: IpAddr, prefix: u8) -> bool {
    let (n, nb) = to_bits(net);
    let (a, ab) = to_bits(addr);
    if nb != ab {
        return false;
    }
    let shift = u32::from(nb - prefix.min(nb));
    n.checked_shr(shift).unwrap_or(0) == a.checked_shr(shift).unwrap_or(0)
}

fn parse_cidr(addr: &str, prefix: &str) -> Option<(IpAddr, u8)> {
    let a: IpAddr = addr.trim_matches(['[', ']']).parse().ok()?;
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let p: u8 = prefix.parse().ok()?;
    let max = if a.is_ipv4() { 32 } else { 128 };
    (p <= max).then_some((a, p))
}

fn valid_hostname(h: &str) -> Result<(), &'static str> {
    if h.is_empty() {
        return Err("empty");
    }
    if h.len() > 253 {
        return Err("longer than 253 characters");
    }
    for label in h.trim_end_matches('.').split('.') {
        if label.is_empty() {
            return Err("empty label");
        }
        if label.len() > 63 {
            return Err("label longer than 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err("only letters, digits, '-', '_' and '.' are allowed");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a label starts or ends with '-'");
        }
    }
    Ok(())
}

fn parse_port(input: &str, p: &str) -> Result<u16, TargetError> {
    let bad = || TargetError::BadPort {
        input: input.to_string(),
        port: p.to_string(),
    };
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(bad()),
        Ok(n) => Ok(n),
    }
}

/// Parses one target (no system tag). Returns several targets only for an address range,
/// which is refused here since no scope is given; see [`parse_target_in`].
pub fn parse_target(s: &str) -> Result<Vec<Target>, TargetError> {
    parse_target_in(s, None)
}

/// Parses one target; an address range is accepted when `scope` contains it and is
/// expanded to one target per address (network and broadcast addresses included).
pub fn parse_target_in(s: &str, scope: Option<&Scope>) -> Result<Vec<Target>, TargetError> {
    let input = s.trim();
    if input.is_empty() {
        return Err(TargetError::Empty);
    }
    let (kind, rest) = match input.split_once("://") {
        Some((scheme, rest)) => match Kind::from_scheme(scheme) {
            Some(k) => (k, rest),
            None => {
                return Err(TargetError::UnknownScheme {
                    input: input.to_string(),
                    scheme: scheme.to_string(),
                })
            }
        },
        None => (Kind::Unknown, input),
    };
    // Tolerate one trailing '/' (as in a URL).
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port_text) = split_host_port(input, rest)?;
    let port = match port_text {
        Some(p) => parse_port(input, p)?,
        None => kind
            .default_port()
            .ok_or_else(|| TargetError::MissingPort {
                input: input.to_string(),
            })?,
    };
    let bad_host = |why| TargetError::BadHost {
        input: input.to_string(),
        host: host.to_string(),
        why,
    };
    if let Some((addr, prefix)) = host.split_once('/') {
        let (net, p) = parse_cidr(addr, prefix).ok_or_else(|| bad_host("invalid CIDR range"))?;
        if !scope.is_some_and(|sc| sc.contains_range(net, p)) {
            return Err(TargetError::RangeNotInScope {
                input: input.to_string(),
            });
        }
        return expand(input, net, p)
            .map(|addrs| addrs.into_iter().map(|h| target(kind, h, port)).collect());
    }
    if host.contains(':') {
        let a: Ipv6Addr = host.parse().map_err(|_| bad_host("invalid IPv6 address"))?;
        return Ok(vec![target(kind, a.to_string(), port)]);
    }
    if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let a: Ipv4Addr = host.parse().map_err(|_| bad_host("invalid IPv4 address"))?;
        return Ok(vec![target(kind, a.to_string(), port)]);
    }
    valid_hostname(host).map_err(bad_host)?;
    Ok(vec![target(kind, host.to_ascii_lowercase(), port)])
}

fn target(kind: Kind, host: String, port: u16) -> Target {
    Target {
        kind,
        host,
        port,
        system: None,
    }
}

/// Splits `host[:port]`, `[v6][:port]`, `addr/prefix[:port]`.
fn split_host_port<'a>(
    input: &str,
    rest: &'a str,
) -> Result<(&'a str, Option<&'a str>), TargetError> {
    if let Some(after) = rest.strip_prefix('[') {
        let Some((inside, tail)) = after.split_once(']') else {
            return Err(TargetError::BadHost {
                input: input.to_string(),
                host: rest.to_string(),
                why: "missing ']'",
            });
        };
        if tail.starts_with('/') {
            return Err(TargetError::BadHost {
                input: input.to_string(),
                host: rest.to_string(),
                why: "write an IPv6 range as [addr/prefix]",
            });
        }
        return match tail {
            "" => Ok((inside, None)),
            t => match t.strip_prefix(':') {
                Some(p) => Ok((inside, Some(p))),
                None => Err(TargetError::Trailing {
                    input: input.to_string(),
                    extra: t.to_string(),
                }),
            },
        };
    }
    match rest.matches(':').count() {
        0 => Ok((rest, None)),
        1 => {
            let (h, p) = rest.split_once(':').unwrap_or((rest, ""));
            Ok((h, Some(p)))
        }
        _ => Err(TargetError::BadHost {
            input: input.to_string(),
            host: rest.to_string(),
            why: "IPv6 addresses must be written in brackets, e.g. [::1]:443",
        }),
    }
}

fn expand(input: &str, net: IpAddr, prefix: u8) -> Result<Vec<String>, TargetError> {
    let (bits, width) = to_bits(net);
    let host_bits = u32::from(width - prefix);
    let count: u128 = if host_bits >= 128 {
        u128::MAX
    } else {
        1u128 << host_bits
    };
    if count > MAX_RANGE_ADDRESSES {
        return Err(TargetError::RangeTooLarge {
            input: input.to_string(),
            addresses: count,
        });
    }
    let base = bits & !(count - 1);
    Ok((0..count)
        .map(|i| match net {
            IpAddr::V4(_) => Ipv4Addr::from((base + i) as u32).to_string(),
            IpAddr::V6(_) => Ipv6Addr::from(base + i).to_string(),
        })
        .collect())
}

/// Parses a `--targets FILE`: one target a line, optionally followed by whitespace and a
/// system id; `#` comments and blank lines ignored. Returns the targets and the bad lines
/// (1-based line number, error).
pub fn parse_targets_file(
    text: &str,
    scope: Option<&Scope>,
) -> (Vec<Target>, Vec<(usize, TargetError)>) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or_default();
        let system = words.next().map(str::to_string);
        if let Some(extra) = words.next() {
            errors.push((
                i + 1,
                TargetError::Trailing {
                    input: line.to_string(),
                    extra: extra.to_string(),
                },
            ));
            continue;
        }
        match parse_target_in(first, scope) {
            Ok(ts) => targets.extend(ts.into_iter().map(|mut t| {
                t.system.clone_from(&system);
                t
            })),
            Err(e) => errors.push((i + 1, e)),
        }
    }
    (targets, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> Target {
        let v = parse_target(s).unwrap();
        assert_eq!(v.len(), 1, "{s}");
        v.into_iter().next().unwrap()
    }

    #[test]
    fn schemes_and_default_ports() {
        let cases = [
            ("tls://example.org:8443", Kind::Tls, 8443),
            ("https://example.org", Kind::Https, 443),
            ("https://example.org:8443/", Kind::Https, 8443),
            ("ssh://example.org", Kind::Ssh, 22),
            ("ssh://example.org:2222", Kind::Ssh, 2222),
            ("smtp://mail.example.org", Kind::Smtp, 25),
            ("smtp://mail.example.org:587", Kind::Smtp, 587),
            ("imap://mail.example.org", Kind::Imap, 143),
            ("pop3://mail.example.org", Kind::Pop3, 110),
            ("ftp://files.example.org", Kind::Ftp, 21),
            ("ldap://dir.example.org", Kind::Ldap, 389),
            ("postgres://db.example.org", Kind::Postgres, 5432),
            ("db.example.org:5433", Kind::Unknown, 5433),
        ];
        for (s, k, p) in cases {
            let t = one(s);
            assert_eq!((t.kind, t.port), (k, p), "{s}");
        }
        assert_eq!(one("HTTPS://Example.ORG").host, "example.org");
    }

    #[test]
    fn addresses_and_display() {
        let t = one("tls://192.0.2.7:443");
        assert_eq!(t.host, "192.0.2.7");
        assert_eq!(t.to_string(), "tls://192.0.2.7:443");
        let t = one("[::1]:443");
        assert_eq!(
            (t.kind, t.host.as_str(), t.port),
            (Kind::Unknown, "::1", 443)
        );
        assert_eq!(t.to_string(), "[::1]:443");
        let t = one("https://[2001:db8::0001]");
        assert_eq!(t.host, "2001:db8::1");
        assert_eq!(t.to_string(), "https://[2001:db8::1]:443");
        assert_eq!(
            one("tls://example.org:443").to_string(),
            "tls://example.org:443"
        );
    }

    #[test]
    fn errors_name_input_and_problem() {
        let e = parse_target("gopher://x:70").unwrap_err();
        assert!(matches!(e, TargetError::UnknownScheme { ref scheme, .. } if scheme == "gopher"));
        assert!(e.to_string().contains("gopher://x:70"));
        assert!(matches!(
            parse_target("tls://example.org"),
            Err(TargetError::MissingPort { .. })
        ));
        assert!(matches!(
            parse_target("example.org"),
            Err(TargetError::MissingPort { .. })
        ));
        for p in ["0", "65536", "x", "", "-1"] {
            let s = format!("example.org:{p}");
            let e = parse_target(&s).unwrap_err();
            assert!(matches!(e, TargetError::BadPort { .. }), "{s}: {e}");
            assert!(e.to_string().contains(&s));
        }
        for h in [
            "exa mple.org:1",
            "-a.org:1",
            "a..b:1",
            "300.1.1.1:1",
            "::1:443",
            "[::g]:1",
            "[::1:1",
        ] {
            assert!(
                matches!(parse_target(h), Err(TargetError::BadHost { .. })),
                "{h}"
            );
        }
        assert!(matches!(
            parse_target("[::1]x"),
            Err(TargetError::Trailing { .. })
        ));
        assert_eq!(parse_target("  "), Err(TargetError::Empty));
    }

    #[test]
    fn ranges_need_scope_and_are_capped() {
        let e = parse_target("10.0.0.0/24:443").unwrap_err();
        assert!(matches!(e, TargetError::RangeNotInScope { .. }));
        assert!(e.to_string().contains("10.0.0.0/24"));
        let (scope, bad) =
            Scope::parse("# lab\n10.0.0.0/16\n\n192.0.2.1\nhost.example\nnot a cidr/x\n");
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].0, 6);
        let v = parse_target_in("tls://10.0.1.0/30:443", Some(&scope)).unwrap();
        let hosts: Vec<_> = v.iter().map(|t| t.host.as_str()).collect();
        assert_eq!(hosts, ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3"]);
        assert!(v.iter().all(|t| t.kind == Kind::Tls && t.port == 443));
        // outside the scope
        assert!(matches!(
            parse_target_in("10.1.0.0/24:443", Some(&scope)),
            Err(TargetError::RangeNotInScope { .. })
        ));
        // wider than the scope entry
        assert!(matches!(
            parse_target_in("10.0.0.0/15:443", Some(&scope)),
            Err(TargetError::RangeNotInScope { .. })
        ));
        assert_eq!(
            parse_target_in("10.0.0.0/16:1", Some(&scope))
                .unwrap()
                .len(),
            65536
        );
        let (big, _) = Scope::parse("10.0.0.0/8\n2001:db8::/32");
        assert!(matches!(
            parse_target_in("10.0.0.0/15:1", Some(&big)),
            Err(TargetError::RangeTooLarge {
                addresses: 131072,
                ..
            })
        ));
        let v6 = parse_target_in("[2001:db8::/126]:443", Some(&big)).unwrap();
        assert_eq!(v6.len(), 4);
        assert_eq!(v6[3].host, "2001:db8::3");
        assert!(scope.contains_host("HOST.example"));
        assert!(scope.contains_host("10.0.200.1"));
        assert!(!scope.contains_host("10.1.0.1"));
    }

    #[test]
    fn targets_file() {
        let (scope, _) = Scope::parse("192.0.2.0/24");
        let text = "# inventory\n\ntls://a.example:443 billing\nssh://b.example   # no tag\n192.0.2.4/31:22 lab-net\nbogus://x\nc.example:1 sys extra\n";
        let (ts, errs) = parse_targets_file(text, Some(&scope));
        let shown: Vec<_> = ts
            .iter()
            .map(|t| format!("{t} {}", t.system.as_deref().unwrap_or("-")))
            .collect();
        assert_eq!(
            shown,
            [
                "tls://a.example:443 billing",
                "ssh://b.example:22 -",
                "192.0.2.4:22 lab-net",
                "192.0.2.5:22 lab-net"
            ]
        );
        let lines: Vec<_> = errs.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [6, 7]);
        assert!(matches!(errs[0].1, TargetError::UnknownScheme { .. }));
        assert!(matches!(errs[1].1, TargetError::Trailing { .. }));
        let (_, errs) = parse_targets_file("10.0.0.0/24:443\n", None);
        assert!(matches!(errs[0].1, TargetError::RangeNotInScope { .. }));
    }
}
