//! SSH knowledge: key exchange, host key, cipher and MAC algorithm names (IANA, OpenSSH).
