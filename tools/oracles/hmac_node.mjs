// The Node side of tools/oracles/hmac.py: the providers' own npm packages, asked
// one case at a time. Reads one JSON case per line on standard input and writes one
// JSON answer per line: {"ok": true|false, "error": "…"} for `verify`, and
// {"headers": {…}} for `sign`. hmac.py copies it into the folder where the packages
// are installed, and runs it there.

import readline from "node:readline";

const load = (name) => import(name);

const octokit = await load("@octokit/webhooks-methods");
const muxPkg = await load("@mux/mux-node");
const linear = await load("@linear/sdk/webhooks");
const notion = await load("@notionhq/client");
const sanity = await load("@sanity/webhook");
const webflowPkg = await load("webflow-api");

const Mux = muxPkg.default ?? muxPkg.Mux;
const mux = new Mux({ tokenId: "oracle", tokenSecret: "oracle" });
const webflow = new webflowPkg.WebflowClient({ accessToken: "oracle" });

const get = (headers, name) => {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
};

async function verify(c) {
  const body = Buffer.from(c.body, "utf8");
  const h = c.headers;
  switch (c.provider) {
    case "github":
      return octokit.verify(c.secret, c.body, get(h, "X-Hub-Signature-256"));
    case "mux":
      await mux.webhooks.verifySignature(c.body, h, c.secret);
      return true;
    case "linear":
      return new linear.LinearWebhookClient(c.secret).verify(body, get(h, "Linear-Signature"));
    case "notion":
      return notion.verifyWebhookSignature({
        body: c.body,
        signature: get(h, "X-Notion-Signature"),
        verificationToken: c.secret,
      });
    case "sanity":
      return sanity.isValidSignature(c.body, get(h, "sanity-webhook-signature"), c.secret);
    case "webflow": {
      const lower = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
      return webflow.webhooks.verifySignature({ headers: lower, body: c.body, secret: c.secret });
    }
    default:
      throw new Error(`no Node oracle for ${c.provider}`);
  }
}

async function sign(c) {
  switch (c.provider) {
    case "github":
      return { "X-Hub-Signature-256": await octokit.sign(c.secret, c.body) };
    case "notion":
      return {
        "X-Notion-Signature": await notion.signWebhookPayload({
          body: c.body,
          verificationToken: c.secret,
        }),
      };
    case "sanity":
      return {
        "sanity-webhook-signature": await sanity.encodeSignatureHeader(c.body, c.timestamp_ms, c.secret),
      };
    default:
      throw new Error(`no Node signer for ${c.provider}`);
  }
}

const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  const c = JSON.parse(line);
  let answer;
  try {
    answer = c.op === "sign" ? { headers: await sign(c) } : { ok: (await verify(c)) !== false };
  } catch (e) {
    answer = c.op === "sign" ? { error: String(e) } : { ok: false, error: String(e?.message ?? e) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
