//! The TLS ≤ 1.2 ServerKeyExchange (RFC 5246 §7.4.3, RFC 8422 §5.4): which curve an ECDHE
//! key exchange uses, how large a DHE prime is, and which signature scheme signed it.

use super::TLS12;

/// What a ServerKeyExchange reveals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyExchange {
    /// ECDHE over a named group.
    Ecdhe {
        /// The group's code point.
        group: u16,
        /// The signature scheme (TLS 1.2 only; earlier versions imply it from the suite).
        scheme: Option<u16>,
    },
    /// Finite-field DHE.
    Dhe {
        /// Size of the prime, bits.
        p_bits: u32,
        /// The signature scheme (TLS 1.2 only).
        scheme: Option<u16>,
    },
}

fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = (b.get(..n)?, b.get(n..)?);
    *b = rest;
    Some(head)
}

fn u16_at(b: &mut &[u8]) -> Option<u16> {
    let v = take(b, 2)?;
    Some(u16::from_be_bytes([*v.first()?, *v.get(1)?]))
}

fn opaque<'a>(b: &mut &'a [u8], len_bytes: usize) -> Option<&'a [u8]> {
    let n = match len_bytes {
        1 => usize::from(*take(b, 1)?.first()?),
        _ => usize::from(u16_at(b)?),
    };
    take(b, n)
}

/// Bit length of a big-endian unsigned integer.
fn bits(n: &[u8]) -> u32 {
    let Some(i) = n.iter().position(|&b| b != 0) else {
        return 0;
    };
    let lead = n.get(i).copied().unwrap_or(0);
    let bytes = u32::try_from(n.len() - i).unwrap_or(u32::MAX);
    bytes.saturating_sub(1).saturating_mul(8) + (8 - lead.leading_zeros())
}

/// Parses a ServerKeyExchange body for a suite whose key exchange is `kx` (`ECDHE`,
/// `DHE`, as `mamori_algorithms::tls` spells it) in `version`. `None` for other key
/// exchanges, explicit curves, or a malformed body.
pub fn parse(body: &[u8], kx: &str, version: u16) -> Option<KeyExchange> {
    let mut b = body;
    let scheme = |b: &mut &[u8]| {
        if version >= TLS12 {
            u16_at(b)
        } else {
            None
        }
    };
    match kx {
        "ECDHE" => {
            if *take(&mut b, 1)?.first()? != 3 {
                return None; // explicit prime/char2 curves
            }
            let group = u16_at(&mut b)?;
            opaque(&mut b, 1)?;
            Some(KeyExchange::Ecdhe {
                group,
                scheme: scheme(&mut b),
            })
        }
        "DHE" => {
            let p = opaque(&mut b, 2)?;
            opaque(&mut b, 2)?;
            opaque(&mut b, 2)?;
            Some(KeyExchange::Dhe {
                p_bits: bits(p),
                scheme: scheme(&mut b),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdhe_named_curve_with_scheme() {
        let mut body = vec![3, 0x00, 0x17, 65, 4];
        body.extend([7u8; 64]);
        body.extend([0x08, 0x04, 0, 2, 0xaa, 0xbb]);
        assert_eq!(
            parse(&body, "ECDHE", TLS12),
            Some(KeyExchange::Ecdhe {
                group: 0x17,
                scheme: Some(0x0804)
            })
        );
        assert_eq!(
            parse(&body, "ECDHE", super::super::TLS10),
            Some(KeyExchange::Ecdhe {
                group: 0x17,
                scheme: None
            })
        );
    }

    #[test]
    fn dhe_prime_size() {
        let mut body = vec![0x01, 0x00, 0x80];
        body.extend([0xffu8; 255]); // 2048-bit prime with top bit set
        body.extend([0, 1, 2, 0, 2, 1, 1, 0x04, 0x01]);
        assert_eq!(
            parse(&body, "DHE", TLS12),
            Some(KeyExchange::Dhe {
                p_bits: 2048,
                scheme: Some(0x0401)
            })
        );
        // a leading zero byte does not count
        let mut z = vec![0x00, 0x81, 0x00, 0x80];
        z.extend([0u8; 127]);
        z.extend([0, 1, 2, 0, 1, 9]);
        assert!(matches!(
            parse(&z, "DHE", TLS12),
            Some(KeyExchange::Dhe { p_bits: 1024, .. })
        ));
    }

    #[test]
    fn truncated_and_foreign_bodies_are_none() {
        assert_eq!(parse(&[], "ECDHE", TLS12), None);
        assert_eq!(parse(&[3, 0], "ECDHE", TLS12), None);
        assert_eq!(parse(&[1, 0, 0], "ECDHE", TLS12), None);
        assert_eq!(parse(&[0, 5, 1], "DHE", TLS12), None);
        assert_eq!(parse(&[3, 0, 0x17, 0], "RSA", TLS12), None);
    }
}
