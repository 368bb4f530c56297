// A plain Node.js receiver doing what `hookctl listen --profile github` does to each
// delivery, minus recording: read the body, HMAC-SHA256 it, compare in constant time.
'use strict';
const http = require('http');
const crypto = require('crypto');
const secret = process.env.SECRET || 'bench-secret';
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex');
    const got = req.headers['x-hub-signature-256'] || '';
    const ok = got.length === expected.length && crypto.timingSafeEqual(Buffer.from(got), Buffer.from(expected));
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(ok ? '{"received":true}' : '{"error":"invalid signature"}');
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${server.address().port}`));
