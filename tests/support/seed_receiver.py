"""The Python sample of shared/seeds/003 (Hyperleap), checking what hookctl signs.

Input: a JSON file of cases [{secret, headers: [[name, value]...], body}];
output: a JSON array of booleans."""
import hashlib
import hmac
import json
import sys


def verify_signature(payload: bytes, secret: str, signature_header: str) -> bool:
    expected = 'sha256=' + hmac.new(
        secret.encode(), payload, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, signature_header)


cases = json.load(open(sys.argv[1], encoding="utf-8"))
out = []
for c in cases:
    headers = {n.lower(): v for n, v in c["headers"]}
    out.append(verify_signature(c["body"].encode("utf-8"), c["secret"], headers["x-hyperleap-signature"]))
print(json.dumps(out))
