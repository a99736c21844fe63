"""Demo application code with crypto a migration plan must find."""
import hashlib
from Crypto.Cipher import DES


def legacy_token(user: str) -> str:
    return hashlib.md5(user.encode()).hexdigest()


def encrypt(key: bytes, data: bytes) -> bytes:
    return DES.new(key, DES.MODE_ECB).encrypt(data)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
