"""WeChat callback signatures and safe-mode (AES) message crypto.

signature     = SHA-1 hex of the sorted, concatenated token, timestamp, nonce
msg_signature = the same over token, timestamp, nonce and the Encrypt text
Encrypt       = base64(AES-256-CBC(key, iv=key[:16], PKCS#7 to 32-byte blocks,
                       16 random bytes + 4-byte big-endian length + XML + AppID))
key           = base64-decode(EncodingAESKey + "=")  (43 characters -> 32 bytes)

During a key rotation the previous key still decrypts; replies use the current key."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


class CryptoError(Exception):
    """A payload that cannot be authenticated or decrypted."""


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signature_ok(expected_parts: tuple[str, ...], given: str) -> bool:
    """Constant-time comparison of a request's signature."""
    return hmac.compare_digest(sign(*expected_parts).encode(), (given or "").lower().encode())


def parse_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43:
        raise CryptoError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as exc:
        raise CryptoError(f"EncodingAESKey is not base64: {exc}") from None
    if len(key) != 32:
        raise CryptoError("EncodingAESKey must decode to 32 bytes")
    return key


class MessageCrypto:
    def __init__(self, token: str, encoding_aes_key: str, app_id: str,
                 previous_aes_key: str = ""):
        self.token = token
        self.app_id = app_id
        self.keys = [parse_key(encoding_aes_key)]
        if previous_aes_key:
            self.keys.append(parse_key(previous_aes_key))

    def encrypt(self, xml: str, *, random: bytes | None = None) -> str:
        body = xml.encode()
        plain = (random or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.app_id.encode()
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        key = self.keys[0]
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except binascii.Error:
            raise CryptoError("Encrypt is not base64") from None
        if not data or len(data) % 16:
            raise CryptoError("Encrypt has the wrong length")
        for key in self.keys:
            xml = self._decrypt_with(key, data)
            if xml is not None:
                return xml
        raise CryptoError("Encrypt does not decrypt with the configured keys and AppID")

    def _decrypt_with(self, key: bytes, data: bytes) -> str | None:
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            return None
        plain = plain[16:-pad]
        if len(plain) < 4:
            return None
        (length,) = struct.unpack(">I", plain[:4])
        body, app_id = plain[4:4 + length], plain[4 + length:]
        if len(body) != length or not hmac.compare_digest(app_id, self.app_id.encode()):
            return None
        try:
            return body.decode()
        except UnicodeDecodeError:
            return None

    def encrypted_reply(self, xml: str, timestamp: str, nonce: str, *,
                        random: bytes | None = None) -> str:
        encrypted = self.encrypt(xml, random=random)
        return ("<xml>\n"
                f"<Encrypt><![CDATA[{encrypted}]]></Encrypt>\n"
                f"<MsgSignature><![CDATA[{sign(self.token, timestamp, nonce, encrypted)}]]></MsgSignature>\n"
                f"<TimeStamp>{timestamp}</TimeStamp>\n"
                f"<Nonce><![CDATA[{nonce}]]></Nonce>\n"
                "</xml>")
