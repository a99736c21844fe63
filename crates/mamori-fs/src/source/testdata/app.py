"""Token service."""
import hashlib
import hmac
import ssl

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from Crypto.Cipher import AES


def legacy_digest(data: bytes) -> str:
    # hashlib.md5 is kept for old clients
    return hashlib.md5(data).hexdigest()  # expect: alg:MD5


def sign(key: bytes, msg: bytes) -> bytes:
    return hmac.new(key, msg, hashlib.sha256).digest()  # expect: alg:HMAC-SHA-256


def make_keys():
    private_key = rsa.generate_private_key(  # expect: alg:RSA-1024
        public_exponent=65537,
        key_size=1024,
    )
    ec_key = ec.generate_private_key(ec.SECP384R1())  # expect: alg:ECDSA-P-384
    return private_key, ec_key


def encrypt(key: bytes, data: bytes) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # expect: alg:AES-ECB
    legacy = AES.new(key, AES.MODE_CBC, iv=b"0" * 16)  # expect: alg:AES-CBC
    return enc.update(data) + legacy.encrypt(data)


def context() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_1  # expect: proto:tls-1.1
    return ctx


DIGEST = hashes.SHA1()  # expect: alg:SHA-1
