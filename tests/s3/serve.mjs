// A real S3-protocol server for the blob-storage tests (tests/lib/s3tmp.c).
// s3rver keeps the objects (in DIR) but does not check Signature Version 4
// (its source says so), so a front of our own on 127.0.0.1 does, the way
// AWS does, before it passes a request on: the Authorization header's
// credential scope, the signature over the canonical request (method, path,
// query, the signed headers, the payload hash of x-amz-content-sha256), the
// body against that hash, and x-amz-date within 15 minutes. A request that
// fails gets 403 and an S3 error document. Prints one line, {"port":N}, once
// it accepts requests; stops on SIGTERM. Credentials: ACCESS_KEY /
// SECRET_KEY below (tests/lib/s3tmp.h).
//   node serve.mjs DIR BUCKET...
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const S3rver = require('s3rver');

const ACCESS_KEY = 'S3RVER'; // s3rver's own account, so it accepts what we pass on
const SECRET_KEY = 'kycd-test-secret';

const [dir, ...buckets] = process.argv.slice(2);
const store = new S3rver({
	address: '127.0.0.1',
	port: 0,
	silent: true,
	directory: dir,
	vhostBuckets: false,
	configureBuckets: buckets.map((name) => ({ name })),
});
const inner = await store.run();

const sha256 = (b) => createHash('sha256').update(b).digest('hex');
const hmac = (k, s) => createHmac('sha256', k).update(s).digest();
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function refuse(res, code, message) {
	res.writeHead(403, { 'Content-Type': 'application/xml' });
	res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

// null when the request is signed right, else [code, message].
function check(req, body) {
	const auth = req.headers.authorization || '';
	const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
	if (!m) return ['AccessDenied', 'no Signature Version 4 authorization'];
	const [, akid, date, region, signed, signature] = m;
	if (akid !== ACCESS_KEY) return ['InvalidAccessKeyId', 'unknown access key'];
	const amzDate = req.headers['x-amz-date'] || '';
	const t = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
	if (!amzDate.startsWith(date) || !(Math.abs(Date.now() - t) < 15 * 60 * 1000)) return ['RequestTimeTooSkewed', 'x-amz-date'];
	const names = signed.split(';');
	if (!names.includes('host') || !names.includes('x-amz-date') || !names.includes('x-amz-content-sha256'))
		return ['AccessDenied', 'host, x-amz-date and x-amz-content-sha256 must be signed'];
	const payload = req.headers['x-amz-content-sha256'];
	if (payload !== sha256(body)) return ['XAmzContentSHA256Mismatch', 'the body does not match x-amz-content-sha256'];
	const url = new URL(req.url, 'http://x');
	const path = url.pathname.split('/').map((s) => enc(decodeURIComponent(s))).join('/');
	const query = [...url.searchParams].map(([k, v]) => [enc(k), enc(v)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&');
	const headers = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
	const canonical = [req.method, path, query, headers, signed, payload].join('\n');
	const scope = `${date}/${region}/s3/aws4_request`;
	const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
	const key = hmac(hmac(hmac(hmac('AWS4' + SECRET_KEY, date), region), 's3'), 'aws4_request');
	const want = hmac(key, toSign);
	if (!timingSafeEqual(want, Buffer.from(signature, 'hex'))) return ['SignatureDoesNotMatch', 'the signature does not match'];
	return null;
}

const front = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const body = Buffer.concat(chunks);
		const bad = check(req, body);
		if (bad) return refuse(res, ...bad);
		const fwd = http.request({ host: '127.0.0.1', port: inner.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
			res.writeHead(up.statusCode, up.headers);
			up.pipe(res);
		});
		fwd.on('error', () => { res.writeHead(502); res.end(); });
		fwd.end(body);
	});
});
front.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: front.address().port }) + '\n'));
process.on('SIGTERM', async () => {
	front.close();
	await store.close();
	process.exit(0);
});
