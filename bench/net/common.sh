# Shared settings of bench/net/{setup-peers,servers,compare,bench}. Sourced, not run.
# Every server listens on 127.0.0.1 only; every scanner is pointed only at these.

BENCH_TOOLS=${BENCH_TOOLS:-/work/bench-tools}
NETVENV=${NETVENV:-$BENCH_TOOLS/netvenv}
PQCSCAN_SRC=${PQCSCAN_SRC:-$BENCH_TOOLS/pqcscan-src}
PQCSCAN=${PQCSCAN:-$BENCH_TOOLS/pqcscan/release/pqcscan}
SSLYZE=${SSLYZE:-$NETVENV/bin/sslyze}
SSH_AUDIT=${SSH_AUDIT:-$NETVENV/bin/ssh-audit}
TESTSSL=${TESTSSL:-$(command -v testssl 2>/dev/null || echo /usr/bin/testssl)}
NET_DIR=${NET_DIR:-/work/bench-data/net}   # server files (keys, configs, logs, pids)

# Ports 24422-24436 and 25000-25049 (chosen clear of ports other tests here use).
# name  port  kind  what
NET_SERVERS="
tls13      24431 tls openssl s_server, TLS 1.3 only, RSA-2048
tls12wide  24432 tls openssl s_server, TLS 1.2 only, wide suite list incl. weak (3DES, CBC, RSA kx, DHE), server order
tls10all   24433 tls openssl s_server, TLS 1.0 + 1.2 (no 1.1), -cipher ALL:@SECLEVEL=0 (anonymous DH too)
rsa1024    24434 tls openssl s_server, TLS 1.0-1.3 (SECLEVEL=0 lets 1.0/1.1 back in), RSA-1024 certificate
ecdsa256   24435 tls openssl s_server, TLS 1.2 + 1.3, ECDSA P-256 certificate
nginx      24436 tls nginx, TLS 1.2 + 1.3, RSA-2048 + ECDSA P-256 certificates, ALPN h2
rustls     25000 tls rustls (examples/tls_servers), TLS 1.2 + 1.3, X25519MLKEM768 first, ECDSA P-256 (first of the 50)
sshmodern  24422 ssh OpenSSH sshd, sntrup761x25519 + curve25519 + ecdh, ed25519/ecdsa/rsa-3072 host keys
sshlegacy  24423 ssh OpenSSH sshd, diffie-hellman-group1-sha1 + group14-sha1, ssh-rsa (RSA-1024), CBC, hmac-sha1/md5
"
RUSTLS_BASE=${RUSTLS_BASE:-25000}
RUSTLS_PORTS=${RUSTLS_PORTS:-50}

# Print "name port kind" for every server (optionally only KIND).
net_servers() {
    printf '%s\n' "$NET_SERVERS" | awk -v k="${1:-}" 'NF >= 3 && (k == "" || $3 == k) { print $1, $2, $3 }'
}

die() { echo "$(basename "$0"): $*" >&2; exit 1; }
