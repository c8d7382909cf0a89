"""Safe-mode crypto against published test vectors, so our AES framing is WeChat's and not
merely self-consistent.

Vector 1: Tencent's official WXBizMsgCrypt Python sample (Sample.py by jonyqin, 2014), as
redistributed e.g. in wegostudio/wego tests/crypto/tests.py: token "spamtest", the sample
EncodingAESKey, AppID wx2c2769f8efd9abc2, msg_signature 5d197aaf….
Vector 2: wechatpy tests/test_crypto.py (token "123456", key kWxPEV2…, id
wx49f0ab532d5d035a): a decryption and an encryption with the random prefix fixed to
"1234567890123456", which pins the exact bytes of our output."""
from __future__ import annotations

import pytest

from channels.wechat_crypto import CryptoError, MessageCrypto, parse_key, sign, signature_ok

TENCENT_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PG"
    "HQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6"
    "tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp"
    "3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhv"
    "Ql+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=")
WECHATPY_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTy"
    "eDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYy"
    "olBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWO"
    "MZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7ml"
    "sl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=")
WECHATPY_REPLY = """<xml>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[test]]></Content>
<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>
<ToUserName><![CDATA[messense]]></ToUserName>
<AgentID>1</AgentID>
<CreateTime>1411525903</CreateTime>
</xml>"""


def test_tencent_sample_signature_and_decryption():
    assert sign("spamtest", "1409735669", "1320562132", TENCENT_ENCRYPT) == \
        "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
    crypto = MessageCrypto("spamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx2c2769f8efd9abc2")
    xml = crypto.decrypt(TENCENT_ENCRYPT)
    assert "<Content><![CDATA[abcdteT]]></Content>" in xml and "6054768590064713728" in xml


def test_wechatpy_vectors_decrypt_and_encrypt_byte_for_byte():
    crypto = MessageCrypto("123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a")
    assert sign("123456", "1411525903", "461056294", WECHATPY_ENCRYPT) == \
        "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
    assert "<FromUserName><![CDATA[messense]]></FromUserName>" in crypto.decrypt(WECHATPY_ENCRYPT)
    reply = crypto.encrypted_reply(WECHATPY_REPLY, "1411525903", "461056294", random=b"1234567890123456")
    assert "<Encrypt><![CDATA[9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk" in reply
    assert "jxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3]]></Encrypt>" in reply
    assert "<MsgSignature><![CDATA[407518b7649e86ef23978113f92d27afa9296533]]></MsgSignature>" in reply


def test_wrong_app_id_wrong_key_and_rotation():
    current = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    old = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
    sealed_with_old = MessageCrypto("t", old, "wx49f0ab532d5d035a").encrypt("<xml>旧密钥</xml>")
    with pytest.raises(CryptoError):
        MessageCrypto("t", current, "wx49f0ab532d5d035a").decrypt(sealed_with_old)
    rotating = MessageCrypto("t", current, "wx49f0ab532d5d035a", previous_aes_key=old)
    assert rotating.decrypt(sealed_with_old) == "<xml>旧密钥</xml>"
    with pytest.raises(CryptoError):
        MessageCrypto("t", old, "wx-another-app").decrypt(sealed_with_old)
    with pytest.raises(CryptoError):
        rotating.decrypt("not base64 at all!")
    with pytest.raises(CryptoError):
        parse_key("too-short")
    assert signature_ok(("t", "1", "2"), sign("t", "1", "2"))
    assert not signature_ok(("t", "1", "2"), sign("t", "1", "3"))
