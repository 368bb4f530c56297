// Receivers written as the seeds' own sample verification code, to check that what
// hookctl signs is accepted by them. Input: a JSON file of cases
// [{profile, secret, headers: [[name, value]...], body}]; output: a JSON array of booleans.
'use strict';
const crypto = require('crypto');
const fs = require('fs');

// shared/seeds/000 (HoverBot), TypeScript types dropped.
function hoverbotVerifySignature(payload, signature, secret) {
  const expected = 'sha256=' + crypto
    .createHmac('sha256', secret)
    .update(payload)
    .digest('hex');
  return crypto.timingSafeEqual(
    Buffer.from(signature),
    Buffer.from(expected)
  );
}

// shared/seeds/002 (Agentbot): note the re-serialised body.
function agentbotVerify(req) {
  const sig = req.headers['x-agentbot-signature'];   // "t=123,v1=hash"
  const [tPart, vPart] = sig.split(',');
  const t = tPart.slice(2);
  const v1 = vPart.slice(3);

  const expected = crypto
    .createHmac('sha256', process.env.AGENTBOT_SECRET)
    .update(`${t}.${JSON.stringify(req.body)}`)
    .digest('hex');

  return crypto.timingSafeEqual(Buffer.from(v1), Buffer.from(expected));
}

// shared/seeds/003 (Hyperleap), Node.js sample.
function hyperleapVerifySignature(payload, secret, signatureHeader) {
  const expected = 'sha256=' + crypto
    .createHmac('sha256', secret)
    .update(payload, 'utf8')
    .digest('hex');
  return crypto.timingSafeEqual(
    Buffer.from(expected),
    Buffer.from(signatureHeader)
  );
}

function check(c) {
  // As an Express app would see it: lower-case header names, JSON body parsed.
  const headers = {};
  for (const [n, v] of c.headers) headers[n.toLowerCase()] = v;
  try {
    switch (c.profile) {
      case 'hoverbot':
        return hoverbotVerifySignature(c.body, headers['x-hoverbot-signature'], c.secret);
      case 'agentbot':
        process.env.AGENTBOT_SECRET = c.secret;
        return agentbotVerify({ headers, body: JSON.parse(c.body) });
      case 'hyperleap':
        return hyperleapVerifySignature(c.body, c.secret, headers['x-hyperleap-signature']);
      default:
        throw new Error('no receiver for ' + c.profile);
    }
  } catch (e) {
    if (e instanceof RangeError) return false; // timingSafeEqual on different lengths
    throw e;
  }
}

const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
process.stdout.write(JSON.stringify(cases.map(check)));
