//! A minimal, bounded DER reader: enough to walk the structures of keys and certificates
//! without trusting a single length it has not checked.

/// One tag-length-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The identifier octet (class, constructed bit, tag number < 31).
    pub tag: u8,
    /// The content octets.
    pub value: &'a [u8],
    /// The whole encoding, header included.
    pub raw: &'a [u8],
}

/// SEQUENCE.
pub const SEQUENCE: u8 = 0x30;
/// INTEGER.
pub const INTEGER: u8 = 0x02;
/// OCTET STRING.
pub const OCTET_STRING: u8 = 0x04;
/// BIT STRING.
pub const BIT_STRING: u8 = 0x03;
/// OBJECT IDENTIFIER.
pub const OID: u8 = 0x06;

/// Read one TLV from the front of `input`; returns it and the rest.
/// Multi-byte tags and indefinite lengths are refused (DER has neither for what we read).
pub fn read(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *input.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *input.get(1)? as usize;
    let (len, hdr) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = input.get(2..2 + n)?;
        let mut len = 0usize;
        for b in bytes {
            len = (len << 8) | *b as usize;
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    let value = input.get(hdr..end)?;
    Some((
        Tlv {
            tag,
            value,
            raw: &input[..end],
        },
        &input[end..],
    ))
}

/// Read a TLV that must have `tag`.
pub fn expect(input: &[u8], tag: u8) -> Option<(Tlv<'_>, &[u8])> {
    let (t, rest) = read(input)?;
    (t.tag == tag).then_some((t, rest))
}

/// The children of a constructed value.
pub fn children(value: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        match read(rest) {
            Some((t, r)) => {
                out.push(t);
                rest = r;
            }
            None => break,
        }
    }
    out
}

/// Dotted form of an OBJECT IDENTIFIER's content octets (without tag and length); `None`
/// for non-minimal or truncated encodings. The first arc may span several octets (`2.999`).
pub fn oid_string(content: &[u8]) -> Option<String> {
    if content.is_empty() || content.len() > 256 {
        return None;
    }
    let mut arcs: Vec<u128> = Vec::new();
    let mut v: u128 = 0;
    let mut in_arc = false;
    for &b in content {
        if !in_arc && b == 0x80 {
            return None; // non-minimal encoding
        }
        v = v.checked_mul(128)?.checked_add((b & 0x7f) as u128)?;
        in_arc = true;
        if b & 0x80 == 0 {
            arcs.push(v);
            v = 0;
            in_arc = false;
        }
    }
    if in_arc {
        return None;
    }
    let first = *arcs.first()?;
    let (a, b) = if first < 40 {
        (0, first)
    } else if first < 80 {
        (1, first - 40)
    } else {
        (2, first - 80)
    };
    let mut s = format!("{a}.{b}");
    for x in &arcs[1..] {
        s.push('.');
        s.push_str(&x.to_string());
    }
    Some(s)
}

/// Bit length of an unsigned big-endian INTEGER's content (leading zero octets ignored).
pub fn int_bits(value: &[u8]) -> u32 {
    let v = match value.iter().position(|&b| b != 0) {
        Some(i) => &value[i..],
        None => return 0,
    };
    (v.len() as u32 - 1) * 8 + (8 - v[0].leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_oids_and_rejects_truncation() {
        // 1.2.840.113549.1.1.11
        let der = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b,
        ];
        let (t, rest) = expect(&der, OID).unwrap();
        assert!(rest.is_empty());
        assert_eq!(oid_string(t.value).unwrap(), "1.2.840.113549.1.1.11");
        for n in 0..der.len() {
            assert!(read(&der[..n]).is_none(), "truncated at {n}");
        }
        assert_eq!(int_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(int_bits(&[0x01]), 1);
    }
}
