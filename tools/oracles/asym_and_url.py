#!/usr/bin/env python3
"""Conformance vectors for hookctl's key-pair, JWT, URL-bound, token and Basic-auth
profiles, checked against each provider's own library where the registries serve one.

Run from the repository root after `cargo build`:

    python3 tools/oracles/asym_and_url.py            # writes tests/data/oracles-asym-url.json
    python3 tools/oracles/asym_and_url.py --check    # checks only, writes nothing

It installs the official packages from PyPI into a virtual environment in a temporary
folder, and Contentful's npm toolkit into another (nothing outside them is touched), then for every provider, with fresh random
keys, secrets and events, in both directions:

* hookctl signs (`hookctl sign`), the provider's library verifies: it must accept the
  delivery, and refuse it with one body byte changed;
* the library signs (or, for a key-pair scheme, a test key pair the script makes), and
  the delivery is recorded for `hookctl verify` (tests/oracles_asym_url.rs checks it
  offline), with a tampered copy that both must refuse.

Where no official package exists, the oracle is a second implementation of the
documented rule written here, independently of hookctl's code; `docs/schemes.md` says
which provider is checked against what.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse

PACKAGES = [
    "discord-interactions==0.4.0",
    "pynacl",
    "sendgrid",
    "telnyx",
    "twilio",
    "squareup",
    "hubspot-api-client",
    "cloudinary",
    "vonage-jwt",
    "messagebird",
    "plivo",
    "livekit-api",
    "pyjwt",
    "cryptography",
]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ensure_venv():
    """Re-runs this script inside a temporary virtual environment with the packages."""
    if os.environ.get("HOOKCTL_ORACLE_VENV"):
        return
    tmp = tempfile.mkdtemp(prefix="hookctl-oracles-")
    venv = os.path.join(tmp, "venv")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    py = os.path.join(venv, "bin", "python")
    subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", *PACKAGES], check=True)
    env = dict(os.environ, HOOKCTL_ORACLE_VENV=venv)
    sys.exit(subprocess.run([py, os.path.abspath(__file__), *sys.argv[1:]], env=env).returncode)


PACKAGE_VERSIONS = {}


def versions():
    from importlib.metadata import version

    out = dict(PACKAGE_VERSIONS)
    for p in PACKAGES:
        name = p.split("==")[0]
        try:
            out[name] = version(name)
        except Exception:
            out[name] = "?"
    return out


class Hookctl:
    def __init__(self, binary, tmp):
        self.binary = binary
        self.tmp = tmp

    def sign(self, profile, event, args):
        out = subprocess.run(
            [self.binary, "--no-store", "--json", "sign", "-p", profile, "-e", event, *args],
            capture_output=True,
            text=True,
            cwd=self.tmp,
            env={k: v for k, v in os.environ.items() if not k.startswith("HOOKCTL_")},
        )
        if out.returncode != 0:
            raise SystemExit(f"hookctl sign -p {profile} failed: {out.stderr}")
        rec = json.loads(out.stdout.splitlines()[0])["data"]
        body = rec["body"]["text"]
        return rec["headers"], body, rec["timestamp"]

    def file(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
        return path


def header(headers, name):
    for n, v in headers:
        if n.lower() == name.lower():
            return v
    raise KeyError(name)


def tamper(body):
    """One byte changed in the middle of the body (a digit or a letter, so the body
    stays valid text and the same shape)."""
    b = bytearray(body.encode())
    i = len(b) // 2
    while not chr(b[i]).isalnum():
        i += 1
    b[i] = ord("1") if b[i] != ord("1") else ord("2")
    return b.decode()


VECTORS = []


def record(provider, oracle, direction, headers, body, keys, now, accepts, url=None, method="POST"):
    VECTORS.append(
        {
            "provider": provider,
            "profile": provider,
            "oracle": oracle,
            "direction": direction,
            "method": method,
            "url": url,
            "headers": [list(h) for h in headers],
            "body": body,
            "keys": keys,
            "now": now,
            "valid": accepts,
        }
    )


def both(provider, oracle, headers, body, keys, now, lib_accepts, url=None, direction="hookctl-signed"):
    """Checks the library's verdict on a delivery and on its tampered copy, and records
    both."""
    ok = lib_accepts(headers, body)
    bad = lib_accepts(headers, tamper(body))
    if not ok:
        raise SystemExit(f"{provider}: {oracle} refused a delivery ({direction})")
    if bad:
        raise SystemExit(f"{provider}: {oracle} accepted a tampered delivery ({direction})")
    record(provider, oracle, direction, headers, body, keys, now, True, url)
    record(provider, oracle, direction + ", tampered", headers, tamper(body), keys, now, False, url)


# ---------------------------------------------------------------- key pairs

def ed25519_pair():
    from nacl.signing import SigningKey

    sk = SigningKey.generate()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization

    pk = Ed25519PrivateKey.from_private_bytes(bytes(sk))
    pem = pk.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return sk, pem, bytes(sk.verify_key)


def discord(h):
    from discord_interactions import verify_key

    oracle = "discord-interactions (PyPI) verify_key"
    for event in ["ping", "application_command"]:
        sk, pem, pub = ed25519_pair()
        headers, body, ts = h.sign("discord", event, ["--private-key", h.file("d.key", pem)])
        lib = lambda hs, b: verify_key(b.encode(), header(hs, "X-Signature-Ed25519"), header(hs, "X-Signature-Timestamp"), pub.hex())
        both("discord", oracle, headers, body, [{"kind": "public", "value": pub.hex()}], ts, lib)
        # The other way: a delivery signed with PyNaCl.
        now = int(time.time())
        body = json.dumps({"type": 1, "id": secrets.token_hex(9), "application_id": "1234567890123456789", "version": 1})
        sig = sk.sign(f"{now}{body}".encode()).signature.hex()
        hs = [["X-Signature-Ed25519", sig], ["X-Signature-Timestamp", str(now)]]
        both("discord", oracle + " (signed with PyNaCl)", hs, body, [{"kind": "public", "value": pub.hex()}], now, lib, direction="library-signed")


def telnyx(h):
    from telnyx.lib.webhook_verification import verify_webhook_signature

    oracle = "telnyx (PyPI) lib.webhook_verification.verify_webhook_signature"

    def lib_for(pub):
        def lib(hs, b):
            try:
                verify_webhook_signature(b, dict(hs), base64.b64encode(pub).decode())
                return True
            except Exception:
                return False

        return lib

    sk, pem, pub = ed25519_pair()
    headers, body, ts = h.sign("telnyx", "message.received", ["--private-key", h.file("t.key", pem)])
    key = [{"kind": "public", "value": base64.b64encode(pub).decode()}]
    both("telnyx", oracle, headers, body, key, ts, lib_for(pub))
    now = int(time.time())
    body = json.dumps({"data": {"event_type": "call.hangup", "id": secrets.token_hex(8), "record_type": "event"}})
    sig = base64.b64encode(sk.sign(f"{now}|{body}".encode()).signature).decode()
    hs = [["telnyx-signature-ed25519", sig], ["telnyx-timestamp", str(now)]]
    both("telnyx", oracle + " (signed with PyNaCl)", hs, body, key, now, lib_for(pub), direction="library-signed")


def sendgrid(h):
    from sendgrid.helpers.eventwebhook import EventWebhook
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives import hashes, serialization

    oracle = "sendgrid (PyPI) helpers.eventwebhook.EventWebhook.verify_signature"
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    spki = base64.b64encode(
        key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    ).decode()
    ew = EventWebhook()
    lib = lambda hs, b: ew.verify_signature(
        b,
        header(hs, "X-Twilio-Email-Event-Webhook-Signature"),
        header(hs, "X-Twilio-Email-Event-Webhook-Timestamp"),
        ew.convert_public_key_to_ecdsa(spki),
    )
    keys = [{"kind": "public", "value": spki}]
    for event in ["delivered", "bounce"]:
        headers, body, ts = h.sign("sendgrid", event, ["--private-key", h.file("s.key", pem)])
        both("sendgrid", oracle, headers, body, keys, ts, lib)
    now = int(time.time())
    body = json.dumps([{"email": "a@example.com", "event": "processed", "sg_event_id": secrets.token_hex(8)}]) + "\r\n"
    sig = base64.b64encode(key.sign(f"{now}{body}".encode(), ec.ECDSA(hashes.SHA256()))).decode()
    hs = [["X-Twilio-Email-Event-Webhook-Signature", sig], ["X-Twilio-Email-Event-Webhook-Timestamp", str(now)]]
    both("sendgrid", oracle + " (signed with cryptography)", hs, body, keys, now, lib, direction="library-signed")


def kick(h):
    """No official package: the documented rule, with `cryptography`."""
    from cryptography.hazmat.primitives.asymmetric import rsa, padding
    from cryptography.hazmat.primitives import hashes, serialization

    oracle = "independent implementation (cryptography RSA PKCS#1 v1.5 SHA-256 over id.timestamp.body)"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def lib(hs, b):
        msg = f"{header(hs, 'Kick-Event-Message-Id')}.{header(hs, 'Kick-Event-Message-Timestamp')}.{b}".encode()
        try:
            key.public_key().verify(base64.b64decode(header(hs, "Kick-Event-Signature")), msg, padding.PKCS1v15(), hashes.SHA256())
            return True
        except Exception:
            return False

    keys = [{"kind": "public", "value": pub}]
    headers, body, ts = h.sign("kick", "chat.message.sent", ["--private-key", h.file("k.key", pem)])
    both("kick", oracle, headers, body, keys, ts, lib)
    now = int(time.time())
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    mid = "01" + secrets.token_hex(12).upper()
    body = json.dumps({"broadcaster": {"user_id": 1, "username": "b"}, "is_live": True})
    sig = base64.b64encode(key.sign(f"{mid}.{stamp}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    hs = [["Kick-Event-Message-Id", mid], ["Kick-Event-Message-Timestamp", stamp], ["Kick-Event-Signature", sig], ["Kick-Event-Type", "livestream.status.updated"]]
    both("kick", oracle, hs, body, keys, now, lib, direction="library-signed")


# ---------------------------------------------------------------- JWTs

def netlify(h):
    """No official package: PyJWT plus the documented claims."""
    import jwt

    oracle = "independent implementation (PyJWT HS256, iss netlify, sha256 claim)"
    secret = secrets.token_urlsafe(24)

    def lib(hs, b):
        try:
            claims = jwt.decode(header(hs, "X-Webhook-Signature"), secret, algorithms=["HS256"], issuer="netlify")
        except jwt.InvalidTokenError:
            return False
        return hmac.compare_digest(claims.get("sha256", ""), hashlib.sha256(b.encode()).hexdigest())

    keys = [{"kind": "secret", "value": secret}]
    headers, body, ts = h.sign("netlify", "created", ["--secret", secret])
    both("netlify", oracle, headers, body, keys, ts, lib)
    body = json.dumps({"id": secrets.token_hex(12), "state": "ready", "name": "site"})
    token = jwt.encode({"iss": "netlify", "sha256": hashlib.sha256(body.encode()).hexdigest()}, secret, algorithm="HS256")
    both("netlify", oracle, [["X-Webhook-Signature", token]], body, keys, int(time.time()), lib, direction="library-signed")


def vonage(h):
    from vonage_jwt.verify_jwt import verify_signature
    import jwt

    oracle = "vonage-jwt (PyPI) verify_signature, plus the payload_hash claim"
    secret = secrets.token_urlsafe(24)

    def lib(hs, b):
        token = header(hs, "Authorization").removeprefix("Bearer ")
        if not verify_signature(token, secret):
            return False
        claims = jwt.decode(token, secret, algorithms=["HS256"])
        return claims.get("payload_hash") == hashlib.sha256(b.encode()).hexdigest()

    keys = [{"kind": "secret", "value": secret}]
    headers, body, ts = h.sign("vonage", "inbound", ["--secret", secret])
    both("vonage", oracle, headers, body, keys, ts, lib)
    now = int(time.time())
    body = json.dumps({"message_uuid": secrets.token_hex(16), "channel": "sms", "text": "hi"})
    token = jwt.encode({"iat": now, "jti": secrets.token_hex(8), "iss": "Vonage", "payload_hash": hashlib.sha256(body.encode()).hexdigest()}, secret, algorithm="HS256")
    both("vonage", oracle + " (signed with PyJWT)", [["Authorization", f"Bearer {token}"]], body, keys, now, lib, direction="library-signed")


def messagebird(h):
    from messagebird.request_validator import RequestValidator
    import jwt

    oracle = "messagebird (PyPI) RequestValidator.validate_signature"
    secret = secrets.token_urlsafe(48)
    url = f"https://hooks.example.com/mb/{secrets.token_hex(4)}?tenant=7"

    def lib_at(u):
        def lib(hs, b):
            try:
                RequestValidator(secret).validate_signature(header(hs, "MessageBird-Signature-JWT"), u, b.encode())
                return True
            except Exception:
                return False

        return lib

    keys = [{"kind": "secret", "value": secret}]
    headers, body, ts = h.sign("messagebird", "message.created", ["--secret", secret, "--url", url])
    both("messagebird", oracle, headers, body, keys, ts, lib_at(url), url=url)
    # The same delivery under another URL: refused by both.
    other = url.replace("https://", "http://")
    assert not lib_at(other)(headers, body)
    record("messagebird", oracle, "hookctl-signed, another URL", headers, body, keys, ts, False, other)
    now = int(time.time())
    body = json.dumps({"id": secrets.token_hex(8), "type": "message.updated"})
    token = jwt.encode(
        {
            "iss": "MessageBird",
            "nbf": now,
            "exp": now + 300,
            "jti": secrets.token_hex(8),
            "url_hash": hashlib.sha256(url.encode()).hexdigest(),
            "payload_hash": hashlib.sha256(body.encode()).hexdigest(),
        },
        secret,
        algorithm="HS512",
    )
    both("messagebird", oracle + " (signed with PyJWT, HS512)", [["MessageBird-Signature-JWT", token]], body, keys, now, lib_at(url), url=url, direction="library-signed")


def livekit(h):
    from livekit.api import TokenVerifier, WebhookReceiver
    import jwt

    oracle = "livekit-api (PyPI) WebhookReceiver.receive"
    secret = secrets.token_urlsafe(32)
    api_key = "APIhookctltest"  # the profile's vars.api_key
    receiver = WebhookReceiver(TokenVerifier(api_key, secret))

    def lib(hs, b):
        try:
            receiver.receive(b, header(hs, "Authorization"))
            return True
        except Exception:
            return False

    keys = [{"kind": "secret", "value": secret}]
    for event in ["room_started", "participant_joined"]:
        headers, body, ts = h.sign("livekit", event, ["--secret", secret])
        both("livekit", oracle, headers, body, keys, ts, lib)
    now = int(time.time())
    body = json.dumps({"event": "room_finished", "id": "EV_" + secrets.token_hex(6), "room": {"sid": "RM_x", "name": "r"}, "createdAt": str(now)})
    token = jwt.encode(
        {"iss": api_key, "nbf": now, "exp": now + 600, "sha256": base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()},
        secret,
        algorithm="HS256",
    )
    both("livekit", oracle + " (signed with PyJWT)", [["Authorization", token]], body, keys, now, lib, direction="library-signed")


def wise(h):
    """No official verifier package: the documented rule, with `cryptography`."""
    from cryptography.hazmat.primitives.asymmetric import rsa, padding
    from cryptography.hazmat.primitives import hashes, serialization

    oracle = "independent implementation (cryptography RSA PKCS#1 v1.5 SHA-256 over the body)"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def lib(hs, b):
        try:
            key.public_key().verify(base64.b64decode(header(hs, "X-Signature-SHA256")), b.encode(), padding.PKCS1v15(), hashes.SHA256())
            return True
        except Exception:
            return False

    keys = [{"kind": "public", "value": pub}]
    headers, body, ts = h.sign("wise", "transfers#state-change", ["--private-key", h.file("w.key", pem)])
    both("wise", oracle, headers, body, keys, ts, lib)
    body = json.dumps({"data": {"resource": {"id": secrets.randbelow(10**6)}}, "event_type": "balances#credit"})
    sig = base64.b64encode(key.sign(body.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    both("wise", oracle, [["X-Signature-SHA256", sig]], body, keys, int(time.time()), lib, direction="library-signed")


def plaid(h):
    """Plaid's packages only fetch the key: PyJWT ES256 plus the documented claim."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives import serialization

    oracle = "independent implementation (PyJWT ES256, request_body_sha256 claim, iat within 5 minutes)"
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def lib(hs, b):
        try:
            claims = jwt.decode(header(hs, "Plaid-Verification"), key.public_key(), algorithms=["ES256"])
        except jwt.InvalidTokenError:
            return False
        return time.time() - claims["iat"] <= 300 and claims.get("request_body_sha256") == hashlib.sha256(b.encode()).hexdigest()

    keys = [{"kind": "public", "value": pub}]
    headers, body, ts = h.sign("plaid", "DEFAULT_UPDATE", ["--private-key", h.file("p.key", pem)])
    both("plaid", oracle, headers, body, keys, ts, lib)
    now = int(time.time())
    body = json.dumps({"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE", "item_id": secrets.token_hex(10)})
    token = jwt.encode({"iat": now, "request_body_sha256": hashlib.sha256(body.encode()).hexdigest()}, key, algorithm="ES256", headers={"kid": "test"})
    both("plaid", oracle, [["Plaid-Verification", token]], body, keys, now, lib, direction="library-signed")


# ---------------------------------------------------------------- URL-bound

def twilio(h):
    from twilio.request_validator import RequestValidator

    oracle = "twilio (PyPI) RequestValidator.validate"
    token = secrets.token_hex(16)
    url = f"https://hooks.example.com/twilio/{secrets.token_hex(3)}?tenant=7"
    rv = RequestValidator(token)

    def lib_at(u):
        return lambda hs, b: rv.validate(u, dict(urllib.parse.parse_qsl(b, keep_blank_values=True)), header(hs, "X-Twilio-Signature"))

    keys = [{"kind": "secret", "value": token}]
    for event in ["incoming_message", "message_status"]:
        headers, body, ts = h.sign("twilio", event, ["--secret", token, "--url", url])
        both("twilio", oracle, headers, body, keys, ts, lib_at(url), url=url)
    other = url.replace("https://", "http://")
    assert not lib_at(other)(headers, body)
    record("twilio", oracle, "hookctl-signed, another URL", headers, body, keys, ts, False, other)
    # The SharedKey variant: HMAC-SHA256, announced by a header the validator reads.
    from twilio.request_validator import get_signature_algorithm

    shared = secrets.token_urlsafe(24)
    rv2 = RequestValidator(shared)
    lib2 = lambda hs, b: rv2.validate(url, dict(urllib.parse.parse_qsl(b, keep_blank_values=True)), header(hs, "X-Twilio-Signature"), algorithm=get_signature_algorithm(header(hs, "X-Twilio-Webhooks-Signature-Settings")))
    keys2 = [{"kind": "secret", "value": shared}]
    headers2, body2, ts2 = h.sign("twilio-sharedkey", "incoming_message", ["--secret", shared, "--url", url])
    both("twilio-sharedkey", oracle + " (HMAC_SHA256 from the settings header)", headers2, body2, keys2, ts2, lib2, url=url)
    params = {"MessageSid": "SM" + secrets.token_hex(16), "Body": "Hi", "From": "+14155550111"}
    body2 = urllib.parse.urlencode(params)
    sig2 = rv2.compute_signature(url, params, algorithm="HMAC_SHA256")
    hs2 = [["X-Twilio-Webhooks-Signature-Settings", "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"], ["X-Twilio-Signature", sig2]]
    both("twilio-sharedkey", oracle + " (compute_signature, HMAC_SHA256)", hs2, body2, keys2, int(time.time()), lib2, url=url, direction="library-signed")
    params = {"MessageSid": "SM" + secrets.token_hex(16), "Body": "Hello & good bye + ☃", "From": "+14155550111", "To": "+14155550100"}
    body = urllib.parse.urlencode(params)
    sig = rv.compute_signature(url, params)
    both("twilio", oracle + " (compute_signature)", [["X-Twilio-Signature", sig], ["Content-Type", "application/x-www-form-urlencoded"]], body, keys, int(time.time()), lib_at(url), url=url, direction="library-signed")


def plivo(h):
    from plivo.utils.signature_v3 import validate_v3_signature, construct_post_url, get_signature_v3

    oracle = "plivo (PyPI) utils.signature_v3.validate_v3_signature"
    token = secrets.token_hex(20)
    url = f"https://hooks.example.com/plivo/{secrets.token_hex(3)}?b=2&a=1"

    def lib_at(u):
        def lib(hs, b):
            params = dict(urllib.parse.parse_qsl(b, keep_blank_values=True))
            try:
                return validate_v3_signature("POST", u, header(hs, "X-Plivo-Signature-V3-Nonce"), token, header(hs, "X-Plivo-Signature-V3"), params)
            except Exception:
                return False

        return lib

    keys = [{"kind": "secret", "value": token}]
    for event in ["incoming_message", "message_status"]:
        headers, body, ts = h.sign("plivo", event, ["--secret", token, "--url", url])
        both("plivo", oracle, headers, body, keys, ts, lib_at(url), url=url)
    params = {"From": "14155550111", "To": "14155550100", "Text": "Hi & bye", "MessageUUID": secrets.token_hex(16)}
    body = urllib.parse.urlencode(params)
    nonce = secrets.token_hex(10)
    sig = get_signature_v3(token, construct_post_url(url, dict(params)).decode(), nonce).decode()
    hs = [["X-Plivo-Signature-V3-Nonce", nonce], ["X-Plivo-Signature-V3", sig]]
    both("plivo", oracle + " (get_signature_v3)", hs, body, keys, int(time.time()), lib_at(url), url=url, direction="library-signed")


def square(h):
    from square.utils.webhooks_helper import verify_signature

    oracle = "squareup (PyPI) utils.webhooks_helper.verify_signature"
    key = secrets.token_urlsafe(16)
    url = f"https://hooks.example.com/square/{secrets.token_hex(3)}"
    lib_at = lambda u: (lambda hs, b: verify_signature(request_body=b, signature_header=header(hs, "x-square-hmacsha256-signature"), signature_key=key, notification_url=u))
    keys = [{"kind": "secret", "value": key}]
    headers, body, ts = h.sign("square", "payment.created", ["--secret", key, "--url", url])
    both("square", oracle, headers, body, keys, ts, lib_at(url), url=url)
    body = json.dumps({"merchant_id": "6SSW7HV8K2ST5", "type": "refund.created", "event_id": secrets.token_hex(16)})
    sig = base64.b64encode(hmac.new(key.encode(), (url + body).encode(), hashlib.sha256).digest()).decode()
    both("square", oracle + " (signed here, accepted by it)", [["x-square-hmacsha256-signature", sig]], body, keys, int(time.time()), lib_at(url), url=url, direction="library-signed")


def hubspot(h):
    from hubspot.utils.signature import Signature

    oracle = "hubspot-api-client (PyPI) utils.signature.Signature.is_valid (v3)"
    secret = secrets.token_hex(16)
    url = f"https://hooks.example.com/hubspot/{secrets.token_hex(3)}?portal=33"

    def lib_at(u):
        def lib(hs, b):
            try:
                return Signature.is_valid(
                    signature=header(hs, "X-HubSpot-Signature-v3"),
                    client_secret=secret,
                    request_body=b,
                    http_uri=u,
                    http_method="POST",
                    signature_version="v3",
                    timestamp=header(hs, "X-HubSpot-Request-Timestamp"),
                )
            except Exception:
                return False

        return lib

    keys = [{"kind": "secret", "value": secret}]
    headers, body, ts = h.sign("hubspot", "contact.creation", ["--secret", secret, "--url", url])
    both("hubspot", oracle, headers, body, keys, ts, lib_at(url), url=url)
    now = int(time.time())
    body = json.dumps([{"eventId": secrets.randbelow(10**6), "subscriptionType": "deal.creation", "objectId": 7}])
    sig = Signature.get_signature(secret, body, "v3", url, "POST", str(now * 1000))
    hs = [["X-HubSpot-Signature-v3", sig], ["X-HubSpot-Request-Timestamp", str(now * 1000)]]
    both("hubspot", oracle + " (get_signature)", hs, body, keys, now, lib_at(url), url=url, direction="library-signed")


def trello(h):
    """No official verifier: the documented rule (HMAC-SHA1 of body ‖ callbackURL)."""
    oracle = "independent implementation (HMAC-SHA1 base64 of body + callbackURL)"
    secret = secrets.token_hex(32)
    url = f"https://hooks.example.com/trello/{secrets.token_hex(3)}"
    lib = lambda hs, b: hmac.compare_digest(base64.b64encode(hmac.new(secret.encode(), (b + url).encode(), hashlib.sha1).digest()).decode(), header(hs, "X-Trello-Webhook"))
    keys = [{"kind": "secret", "value": secret}]
    headers, body, ts = h.sign("trello", "createCard", ["--secret", secret, "--url", url])
    both("trello", oracle, headers, body, keys, ts, lib, url=url)


def mandrill(h):
    """No official verifier: the documented rule (HMAC-SHA1 of URL ‖ sorted key‖value)."""
    oracle = "independent implementation (HMAC-SHA1 base64 of URL + sorted POST key/values)"
    key = secrets.token_urlsafe(16)
    url = f"https://hooks.example.com/mandrill/{secrets.token_hex(3)}"

    def lib(hs, b):
        params = dict(urllib.parse.parse_qsl(b, keep_blank_values=True))
        s = url + "".join(k + params[k] for k in sorted(params))
        return hmac.compare_digest(base64.b64encode(hmac.new(key.encode(), s.encode(), hashlib.sha1).digest()).decode(), header(hs, "X-Mandrill-Signature"))

    keys = [{"kind": "secret", "value": key}]
    headers, body, ts = h.sign("mandrill", "send", ["--secret", key, "--url", url])
    both("mandrill", oracle, headers, body, keys, ts, lib, url=url)


def cloudinary_(h):
    import cloudinary
    import cloudinary.utils

    oracle = "cloudinary (PyPI) utils.verify_notification_signature"
    secret = secrets.token_urlsafe(20)
    cloudinary.config(api_secret=secret)
    lib = lambda hs, b: cloudinary.utils.verify_notification_signature(b, header(hs, "X-Cld-Timestamp"), header(hs, "X-Cld-Signature"))
    keys = [{"kind": "secret", "value": secret}]
    headers, body, ts = h.sign("cloudinary", "upload", ["--secret", secret])
    both("cloudinary", oracle, headers, body, keys, ts, lib)
    now = int(time.time())
    body = json.dumps({"notification_type": "delete", "resources": [{"public_id": secrets.token_hex(4)}]})
    sig = cloudinary.utils.compute_hex_hash(body + str(now) + secret)
    both("cloudinary", oracle + " (compute_hex_hash)", [["X-Cld-Timestamp", str(now)], ["X-Cld-Signature", sig]], body, keys, now, lib, direction="library-signed")


CONTENTFUL_JS = r"""
const { verifyRequest, signRequest } = require("@contentful/node-apps-toolkit");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
let out;
if (input.mode === "sign") {
  out = signRequest(input.secret, input.request, input.timestamp);
} else {
  try { out = verifyRequest(input.secret, input.request, 0); } catch (e) { out = false; }
}
process.stdout.write(JSON.stringify(out));
"""


def contentful(h):
    """The official toolkit is an npm package: installed into a temporary folder and
    run with node."""
    npm_dir = os.path.join(h.tmp, "npm")
    os.makedirs(npm_dir, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--silent", "--no-audit", "--no-fund", "@contentful/node-apps-toolkit@3"],
        cwd=npm_dir,
        check=True,
        capture_output=True,
    )
    with open(os.path.join(npm_dir, "oracle.js"), "w") as f:
        f.write(CONTENTFUL_JS)
    version = json.load(open(os.path.join(npm_dir, "node_modules", "@contentful", "node-apps-toolkit", "package.json")))["version"]
    PACKAGE_VERSIONS["@contentful/node-apps-toolkit (npm)"] = version

    def node(payload):
        out = subprocess.run(["node", "oracle.js"], input=json.dumps(payload), capture_output=True, text=True, cwd=npm_dir, check=True)
        return json.loads(out.stdout)

    oracle = "@contentful/node-apps-toolkit (npm) verifyRequest"
    secret = secrets.token_hex(32)
    path = f"/contentful/{secrets.token_hex(3)}?space=yadj1kx9rmg0&x=a b"
    lib = lambda hs, b: node({"mode": "verify", "secret": secret, "request": {"method": "POST", "path": path, "headers": dict(hs), "body": b}})
    keys = [{"kind": "secret", "value": secret}]
    url = "https://hooks.example.com" + path
    headers, body, ts = h.sign("contentful", "Entry.publish", ["--secret", secret, "--url", url])
    both("contentful", oracle, headers, body, keys, ts, lib, url=url)
    now = int(time.time())
    body = json.dumps({"sys": {"id": secrets.token_hex(8), "type": "Entry"}, "fields": {}})
    signed = node({"mode": "sign", "secret": secret, "timestamp": now * 1000, "request": {"method": "POST", "path": path, "headers": {"X-Contentful-Topic": "ContentManagement.Entry.save"}, "body": body}})
    hs = [["X-Contentful-Topic", "ContentManagement.Entry.save"]] + [[k, v] for k, v in signed.items()]
    both("contentful", oracle + " (signRequest)", hs, body, keys, now, lib, url=url, direction="library-signed")


# ---------------------------------------------------------------- tokens and Basic auth

def tokens(h):
    oracle = "independent implementation (the header equals the token)"
    for profile, event, name, prefix in [
        ("gitlab", "Push Hook", "X-Gitlab-Token", ""),
        ("telegram", "message", "X-Telegram-Bot-Api-Secret-Token", ""),
        ("okta", "user.session.start", "Authorization", ""),
        ("auth0", "s", "Authorization", ""),
        ("brevo", "delivered", "Authorization", "Bearer "),
        ("huggingface", "update", "X-Webhook-Secret", ""),
        ("cloudflare", "dos_attack_l7", "cf-webhook-auth", ""),
    ]:
        token = secrets.token_urlsafe(18)
        lib = lambda hs, b, name=name, prefix=prefix, token=token: hmac.compare_digest(header(hs, name), prefix + token)
        headers, body, ts = h.sign(profile, event, ["--secret", token])
        if not lib(headers, body):
            raise SystemExit(f"{profile}: the token is not in {name}")
        keys = [{"kind": "secret", "value": token}]
        record(profile, oracle, "hookctl-signed", headers, body, keys, ts, True)
        wrong = [[n, (prefix + secrets.token_urlsafe(18)) if n == name else v] for n, v in headers]
        record(profile, oracle, "hookctl-signed, another token", wrong, body, keys, ts, False)
    oracle = "independent implementation (Authorization: Basic base64(USER:PASSWORD))"
    for profile, event in [("postmark", "Delivery"), ("chargebee", "subscription_created"), ("pipedrive", "create.deal"), ("bandwidth", "message-received")]:
        cred = f"hook-{secrets.token_hex(3)}:{secrets.token_urlsafe(12)}"
        headers, body, ts = h.sign(profile, event, ["--secret", cred])
        got = base64.b64decode(header(headers, "Authorization").removeprefix("Basic ")).decode()
        if got != cred:
            raise SystemExit(f"{profile}: Basic auth carries {got!r}")
        keys = [{"kind": "secret", "value": cred}]
        record(profile, oracle, "hookctl-signed", headers, body, keys, ts, True)
        other = base64.b64encode(f"{cred}x".encode()).decode()
        wrong = [[n, f"Basic {other}" if n == "Authorization" else v] for n, v in headers]
        record(profile, oracle, "hookctl-signed, another password", wrong, body, keys, ts, False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hookctl", default=os.path.join(ROOT, "target", "debug", "hookctl"))
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data", "oracles-asym-url.json"))
    ap.add_argument("--check", action="store_true", help="check only; write nothing")
    args = ap.parse_args()
    ensure_venv()
    with tempfile.TemporaryDirectory() as tmp:
        h = Hookctl(args.hookctl, tmp)
        for f in [discord, telnyx, sendgrid, kick, wise, netlify, vonage, messagebird, livekit, plaid, twilio, plivo, square, hubspot, trello, mandrill, cloudinary_, contentful, tokens]:
            f(h)
            print(f"ok  {f.__name__.strip('_')}", file=sys.stderr)
    doc = {
        "about": "Made by tools/oracles/asym_and_url.py: deliveries signed by hookctl and accepted by each provider's library (or an independent implementation), deliveries signed by the library (or a test key pair) for hookctl to accept, and tampered copies both refuse. Keys and secrets are throwaway test values.",
        "packages": versions(),
        "vectors": VECTORS,
    }
    if not args.check:
        with open(args.out, "w") as f:
            json.dump(doc, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print(f"wrote {len(VECTORS)} vectors to {os.path.relpath(args.out, ROOT)}", file=sys.stderr)
    else:
        print(f"checked {len(VECTORS)} vectors", file=sys.stderr)


if __name__ == "__main__":
    main()
