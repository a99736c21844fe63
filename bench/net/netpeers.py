"""Run mamori and its network peers against the bench servers and bring every output to one
shape, for bench/net/compare and bench/net/bench. Python 3 standard library only.

Normalised record of one endpoint as one tool saw it: a dict field -> value, where a field
the tool does not report is absent (shown as "-", never counted as a disagreement).
  TLS: versions (set), suites:<version> (set of IANA names), groups (set, lower-case IANA
       names), pq_group (bool), cert_sha256 (set of hex), cert_key (set: RSA-2048,
       ECDSA-P-256 ...), compression (bool), secure_renegotiation (bool), alpn (set)
  SSH: kex, host_key_algorithms, ciphers, macs (tuples, server order), host_keys (set of
       "type/bits"), strict_kex (bool), pq_kex (bool)
"""

import base64
import hashlib
import json
import os
import re
import socket
import subprocess
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def common_settings():
    """Values of bench/net/common.sh, so the shell and Python halves agree."""
    script = ". '%s/common.sh'; for v in BENCH_TOOLS NETVENV PQCSCAN_SRC PQCSCAN SSLYZE " \
             "SSH_AUDIT TESTSSL NET_DIR RUSTLS_BASE RUSTLS_PORTS; do eval echo \"$v=\\$$v\"; " \
             "done; net_servers" % HERE
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout
    env, servers = {}, []
    for line in out.splitlines():
        if "=" in line and " " not in line.split("=", 1)[0]:
            k, v = line.split("=", 1)
            env[k] = v
        elif line.strip():
            name, port, kind = line.split()
            servers.append({"name": name, "port": int(port), "kind": kind})
    return env, servers


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


VERSIONS = ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

GROUP_ALIASES = {
    "prime256v1": "secp256r1", "p-256": "secp256r1", "p256": "secp256r1",
    "p-384": "secp384r1", "p384": "secp384r1", "p-521": "secp521r1", "p521": "secp521r1",
    "ecdh_x25519": "x25519", "curve25519": "x25519",
}


def norm_group(name):
    n = name.strip().lower()
    n = n.split("/")[-1]  # testssl "RFC7919/ffdhe2048"
    return GROUP_ALIASES.get(n, n)


PQ_GROUPS = {"x25519mlkem768", "secp256r1mlkem768", "secp384r1mlkem1024", "mlkem512",
             "mlkem768", "mlkem1024", "x25519kyber768draft00"}


def norm_suite(name):
    n = name.strip()
    if n.startswith("TLS_AKE_WITH_"):  # nmap's spelling of TLS 1.3 suites
        n = "TLS_" + n[len("TLS_AKE_WITH_"):]
    return n


EC_BITS_CURVE = {256: "P-256", 384: "P-384", 521: "P-521"}
CURVE_ALIASES = {"secp256r1": "P-256", "prime256v1": "P-256", "secp384r1": "P-384",
                 "secp521r1": "P-521"}


def key_label(alg, bits=None, curve=None):
    a = alg.lower()
    if "rsa" in a:
        return "RSA-%s" % bits
    if a.startswith("ec") or "elliptic" in a:
        c = CURVE_ALIASES.get((curve or "").lower()) or EC_BITS_CURVE.get(bits) or curve or bits
        return "ECDSA-%s" % c
    if "ed25519" in a:
        return "Ed25519"
    return "%s-%s" % (alg, bits)


SSH_IMPLIED_BITS = {"ssh-ed25519": 256, "ecdsa-sha2-nistp256": 256, "ecdsa-sha2-nistp384": 384,
                    "ecdsa-sha2-nistp521": 521, "ssh-ed448": 456}
SSH_PQ_KEX = ("sntrup761", "mlkem", "kyber", "frodokem", "ntruprime")


def ssh_key_type(alg):
    """Host key *type* of a host key algorithm (rsa-sha2-256 -> ssh-rsa)."""
    if alg in ("rsa-sha2-256", "rsa-sha2-512"):
        return "ssh-rsa"
    return alg


# ---------------------------------------------------------------- sslyze

SSLYZE_VERSIONS = {"ssl_2_0": "SSLv2", "ssl_3_0": "SSLv3", "tls_1_0": "TLSv1.0",
                   "tls_1_1": "TLSv1.1", "tls_1_2": "TLSv1.2", "tls_1_3": "TLSv1.3"}
SSLYZE_COMMANDS = ["--certinfo", "--sslv2", "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2",
                   "--tlsv1_3", "--elliptic_curves", "--compression", "--reneg"]


def sslyze_cmd(env, port, out):
    return [env["SSLYZE"], "--quiet", "--json_out", out] + SSLYZE_COMMANDS + ["127.0.0.1:%d" % port]


def parse_sslyze(path):
    d = json.load(open(path))
    res = {}
    for sr in d.get("server_scan_results", []):
        port = sr["server_location"]["port"]
        r = sr.get("scan_result") or {}
        n = {}
        versions = set()
        for key, ver in SSLYZE_VERSIONS.items():
            x = (r.get(key + "_cipher_suites") or {}).get("result")
            if not x:
                continue
            acc = {norm_suite(c["cipher_suite"]["name"]) for c in x.get("accepted_cipher_suites", [])}
            if acc:
                versions.add(ver)
                n["suites:" + ver] = frozenset(acc)
        n["versions"] = frozenset(versions)
        ec = (r.get("elliptic_curves") or {}).get("result")
        if ec is not None:
            n["groups"] = frozenset(norm_group(c["name"]) for c in ec.get("supported_curves") or [])
            n["pq_group"] = bool(n["groups"] & PQ_GROUPS)
        ci = (r.get("certificate_info") or {}).get("result")
        if ci:
            shas, keys = set(), set()
            for dep in ci.get("certificate_deployments", []):
                chain = dep.get("received_certificate_chain") or []
                if not chain:
                    continue
                leaf = chain[0]
                for c in chain:
                    shas.add(base64.b64decode(c["fingerprint_sha256"]).hex())
                pk = leaf.get("public_key") or {}
                keys.add(key_label(pk.get("algorithm", "?"), pk.get("key_size"), pk.get("ec_curve_name")))
            n["cert_sha256"] = frozenset(shas)
            n["cert_key"] = frozenset(keys)
        comp = (r.get("tls_compression") or {}).get("result")
        if comp is not None:
            n["compression"] = bool(comp.get("supports_compression"))
        reneg = (r.get("session_renegotiation") or {}).get("result")
        if reneg is not None:
            n["secure_renegotiation"] = bool(reneg.get("supports_secure_renegotiation"))
        res[port] = n
    return res


# ---------------------------------------------------------------- testssl.sh

TESTSSL_ARGS = ["--warnings", "off", "--color", "0", "-q", "--ip", "one",
                "-p", "-P", "-E", "-f", "-S", "-R", "-C"]
TESTSSL_VERSIONS = {"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLS1": "TLSv1.0", "TLS1_1": "TLSv1.1",
                    "TLS1_2": "TLSv1.2", "TLS1_3": "TLSv1.3"}
TESTSSL_CIPHER_PREFIX = [("cipher-tls1_3_", "TLSv1.3"), ("cipher-tls1_2_", "TLSv1.2"),
                         ("cipher-tls1_1_", "TLSv1.1"), ("cipher-tls1_", "TLSv1.0"),
                         ("cipher-ssl3_", "SSLv3"), ("cipher-ssl2_", "SSLv2")]


def testssl_cmd(env, port, out):
    return [env["TESTSSL"], "--jsonfile", out] + TESTSSL_ARGS + ["127.0.0.1:%d" % port]


def parse_testssl(path):
    entries = json.load(open(path))
    n = {}
    versions = set()
    suites = {}
    certs = {}
    for e in entries:
        i, f = e.get("id", ""), e.get("finding", "")
        if i in TESTSSL_VERSIONS:
            if f.startswith("offered"):
                versions.add(TESTSSL_VERSIONS[i])
            continue
        for pre, ver in TESTSSL_CIPHER_PREFIX:
            if i.startswith(pre):
                if "not offered" not in f:
                    suites.setdefault(ver, set()).add(norm_suite(f.split()[-1]))
                break
        m = re.match(r"^(cert_\w+)(?: <cert#(\d+)>)?$", i)
        if m:
            certs.setdefault(m.group(2) or "1", {})[m.group(1)] = f
        if i in ("PFS_ECDHE_curves", "FS_ECDHE_curves"):
            n.setdefault("_groups", set()).update(norm_group(g) for g in f.split())
        if i in ("DH_groups", "FS_TLS13_groups"):
            n.setdefault("_dh", set()).update(norm_group(g) for g in f.split() if "ffdhe" in g.lower())
        if i == "secure_renego" and "TLS 1.3 only" not in f:  # RFC 5746 has no TLS 1.3 meaning
            n["secure_renegotiation"] = f.lower().startswith("supported")
        if i == "CRIME_TLS":
            n["compression"] = "VULNERABLE" in f  # "TLS 1.3 only server": no compression in 1.3
        if i in ("ALPN", "ALPN_HTTP2"):  # ALPN_HTTP2 names h2, ALPN the other protocols
            alpn = n.setdefault("alpn", frozenset())
            if "not offered" not in f:
                n["alpn"] = alpn | frozenset(a for a in re.split(r"[ ,]+", f) if a and a not in ("offered", "with"))
    n["versions"] = frozenset(versions)
    for ver, s in suites.items():
        n["suites:" + ver] = frozenset(s)
    groups = n.pop("_groups", set())
    dh = n.pop("_dh", set())
    if "TLSv1.3" in versions:
        groups |= dh  # TLS 1.3 ffdhe groups; for TLS 1.2, DH_groups names DHE parameters
    if groups or "TLSv1.3" in versions or "TLSv1.2" in versions:
        n["groups"] = frozenset(groups)
        n["pq_group"] = bool(groups & PQ_GROUPS)
    if certs:
        shas, keys = set(), set()
        for c in certs.values():
            if "cert_fingerprintSHA256" in c:
                shas.add(c["cert_fingerprintSHA256"].lower())
            ks = c.get("cert_keySize", "")
            m = re.match(r"(\w+)\s+(\d+)\s+bits", ks)
            if m:
                keys.add(key_label(m.group(1), int(m.group(2))))
        n["cert_sha256"] = frozenset(shas)
        n["cert_key"] = frozenset(keys)
    return n


# ---------------------------------------------------------------- pqcscan

def pqcscan_cmd(env, kind, targets_file, out, nonpqc=True):
    cmd = [env["PQCSCAN"], "ssh-scan" if kind == "ssh" else "tls-scan", "-T", targets_file, "-o", out]
    if kind == "tls" and nonpqc:
        cmd.append("--test-nonpqc-algos")
    return cmd


def parse_pqcscan(path):
    d = json.load(open(path))
    res = {}
    for r in d.get("results", []):
        if "Tls" in r:
            t = r["Tls"]
            n = {}
            if not t.get("error"):
                algos = (t.get("pqc_algos") or []) + (t.get("hybrid_algos") or []) + (t.get("nonpqc_algos") or [])
                n["groups"] = frozenset(norm_group(a) for a in algos)
                n["pq_group"] = bool(t.get("pqc_supported"))
            else:
                n["error"] = t["error"]
            res[t["targetspec"]["port"]] = n
        elif "Ssh" in r:
            t = r["Ssh"]
            n = {}
            if not t.get("error"):
                kex = (t.get("pqc_algos") or []) + (t.get("nonpqc_algos") or [])
                n["kex_set"] = frozenset(kex)  # pqcscan sorts PQ first: the order is not the server's
                n["strict_kex"] = any(k.startswith("kex-strict-s") for k in kex)
                n["pq_kex"] = bool(t.get("pqc_supported"))
            else:
                n["error"] = t["error"]
            res[t["targetspec"]["port"]] = n
    return res


# ---------------------------------------------------------------- ssh-audit

def ssh_audit_cmd(env, port):
    return [env["SSH_AUDIT"], "-j", "127.0.0.1:%d" % port]


def parse_ssh_audit(path):
    d = json.load(open(path))
    n = {}
    n["kex"] = tuple(k["algorithm"] for k in d.get("kex", []))
    n["host_key_algorithms"] = tuple(k["algorithm"] for k in d.get("key", []))
    n["ciphers"] = tuple(k["algorithm"] for k in d.get("enc", []))
    n["macs"] = tuple(k["algorithm"] for k in d.get("mac", []))
    n["strict_kex"] = any(k.startswith("kex-strict-s") for k in n["kex"])
    n["pq_kex"] = any(p in k for k in n["kex"] for p in SSH_PQ_KEX)
    bits = {}
    for k in d.get("key", []):
        if "keysize" in k:
            bits[ssh_key_type(k["algorithm"])] = k["keysize"]
    keys = set()
    for fp in d.get("fingerprints", []):
        t = fp["hostkey"]
        keys.add("%s/%s" % (t, bits.get(t) or SSH_IMPLIED_BITS.get(t, "?")))
    n["host_keys"] = frozenset(keys)
    return n


# ---------------------------------------------------------------- nmap

def nmap_cmd(ports, out):
    return ["nmap", "-Pn", "-n", "-p", ",".join(str(p) for p in ports),
            "--script", "ssl-enum-ciphers,ssl-cert", "-oX", out, "127.0.0.1"]


def _nmap_table(elem):
    """An nmap script <table>/<elem> tree as nested dicts/lists."""
    items = list(elem)
    if items and all(c.get("key") is None for c in items):
        return [_nmap_table(c) if c.tag == "table" else c.text for c in items]
    d = {}
    for c in items:
        d[c.get("key")] = _nmap_table(c) if c.tag == "table" else c.text
    return d


NMAP_VERSIONS = {"SSLv3": "SSLv3", "TLSv1.0": "TLSv1.0", "TLSv1.1": "TLSv1.1",
                 "TLSv1.2": "TLSv1.2", "TLSv1.3": "TLSv1.3"}


def parse_nmap(path):
    root = ET.parse(path).getroot()
    res = {}
    for port in root.iter("port"):
        p = int(port.get("portid"))
        n = {}
        for script in port.iter("script"):
            t = _nmap_table(script)
            if script.get("id") == "ssl-enum-ciphers" and isinstance(t, dict):
                versions, comp = set(), False
                for ver, body in t.items():
                    if ver not in NMAP_VERSIONS or not isinstance(body, dict):
                        continue
                    ciphers = body.get("ciphers") or []
                    names = {norm_suite(c["name"]) for c in ciphers if isinstance(c, dict) and c.get("name")}
                    if names:
                        versions.add(NMAP_VERSIONS[ver])
                        n["suites:" + NMAP_VERSIONS[ver]] = frozenset(names)
                    comps = body.get("compressors") or []
                    comp = comp or any(c and c != "NULL" for c in comps)
                n["versions"] = frozenset(versions)
                n["compression"] = comp
            if script.get("id") == "ssl-cert" and isinstance(t, dict):
                pem = t.get("pem") or ""
                b64 = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
                try:
                    n["cert_sha256"] = frozenset([hashlib.sha256(base64.b64decode(b64)).hexdigest()])
                except ValueError:
                    pass
                pk = t.get("pubkey") or {}
                if isinstance(pk, dict) and pk.get("type"):
                    bits = int(pk.get("bits") or 0)
                    n["cert_key"] = frozenset([key_label(pk["type"], bits, pk.get("ecdhparams", {}).get("curve_params", {}).get("curve") if isinstance(pk.get("ecdhparams"), dict) else None)])
        res[p] = n
    return res


# ---------------------------------------------------------------- mamori

def mamori_cmd(binary, targets, out, pq_only=False, extra=()):
    cmd = [binary, "scan", "--no-store", "--format", "json", "-o", out]
    if pq_only:
        cmd.append("--pq-only")
    return cmd + list(extra) + list(targets)


def parse_mamori(path):
    """mamori JSON: top-level "endpoints", each a mamori_model::Endpoint."""
    d = json.load(open(path))
    eps = d.get("endpoints")
    if eps is None:
        raise ValueError("%s: no top-level \"endpoints\" array" % path)
    res = {}
    for ep in eps:
        n = {}
        if ep.get("error"):
            n["error"] = ep["error"]
        tls = ep.get("tls")
        if tls:
            if not tls.get("groups_only"):
                n["versions"] = frozenset(tls.get("versions") or [])
                for ver, suites in (tls.get("suites") or {}).items():
                    if suites:
                        n["suites:" + ver] = frozenset(norm_suite(s) for s in suites)
                shas, keys = set(), set()
                for ch in tls.get("chains") or []:
                    shas.update(c.lower() for c in ch.get("certificates") or [])
                    if ch.get("key"):
                        keys.add(ch["key"])
                n["cert_sha256"] = frozenset(shas)
                n["cert_key"] = frozenset(keys)
                if tls.get("compression") is not None:
                    n["compression"] = tls["compression"]
                if tls.get("secure_renegotiation") is not None:
                    n["secure_renegotiation"] = tls["secure_renegotiation"]
                n["alpn"] = frozenset(tls.get("alpn") or [])
            n["groups"] = frozenset(norm_group(g) for g in tls.get("groups") or [])
            n["pq_group"] = bool(tls.get("pq_key_exchange"))
        ssh = ep.get("ssh")
        if ssh:
            n["kex"] = tuple(ssh.get("kex") or [])
            n["host_key_algorithms"] = tuple(ssh.get("host_key_algorithms") or [])
            n["ciphers"] = tuple(ssh.get("ciphers") or [])
            n["macs"] = tuple(ssh.get("macs") or [])
            keys = set()
            for k in ssh.get("host_keys") or []:
                t = k.get("key_type") or ssh_key_type(k.get("algorithm", "?"))
                keys.add("%s/%s" % (t, k.get("bits") or SSH_IMPLIED_BITS.get(t, "?")))
            n["host_keys"] = frozenset(keys)
            n["strict_kex"] = bool(ssh.get("strict_kex"))
            n["pq_kex"] = bool(ssh.get("pq_key_exchange"))
        res[int(ep.get("port", 0))] = n
    return res
