// Browser tests of the hosted verification page and the review console:
// the real kycd binary ($KYCD_BIN) on a free loopback port with a fresh data
// directory, document photos from `kycd synth`, and Debian's Chromium driven
// headless by playwright-core. Screenshots of each step go to
// tests/artifacts/web/. Prints "[web] N passed, N failed" like the C suites.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const KYCD = path.resolve(root, process.env.KYCD_BIN || 'build/asan/kycd');
const CHROMIUM = process.env.KYCD_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.join(root, 'tests', 'artifacts', 'web');
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// The WCAG 2.0, 2.1 and 2.2 A and AA rules of axe-core.
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
const WAIT = 60000; // generous: a loaded machine is slow, never wrong
const CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync'];

// ---- a tiny harness ----
const results = [];
async function test(name, fn) {
	try {
		await fn();
		results.push([name, null]);
		console.log(`ok ${name}`);
	} catch (e) {
		results.push([name, e]);
		console.log(`not ok ${name}\n  ${(e && e.stack) || e}`);
	}
}
function check(cond, what) {
	if (!cond) throw new Error(`check failed: ${what}`);
}
function eq(got, want, what) {
	if (got !== want) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

// ---- kycd ----
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kycd-web-'));
const data = path.join(work, 'data');
fs.mkdirSync(data);
const logPath = path.join(work, 'kycd.log');
let server = null;
let base = '';

function cli(args, input) {
	const r = spawnSync(KYCD, [...args, '--data', data], { input, encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`kycd ${args.join(' ')}: ${r.status} ${r.stderr}`);
	return JSON.parse(r.stdout.trim().split('\n').pop());
}

function freePort() {
	return new Promise((ok, fail) => {
		const s = net.createServer();
		s.on('error', fail);
		s.listen(0, '127.0.0.1', () => {
			const p = s.address().port;
			s.close(() => ok(p));
		});
	});
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function startServer() {
	for (let attempt = 0; attempt < 5; attempt++) {
		const port = await freePort();
		const log = fs.openSync(logPath, 'a');
		const child = spawn(KYCD, ['serve', '--data', data, '--listen', `127.0.0.1:${port}`, '--threads', '2'], {
			stdio: ['ignore', log, log],
			env: { ...process.env, KYCD_CLOCK_FILE: path.join(work, 'clock') },
		});
		fs.closeSync(log);
		let exited = false;
		child.on('exit', () => { exited = true; });
		for (let i = 0; i < 500 && !exited; i++) {
			try {
				const r = await fetch(`http://127.0.0.1:${port}/healthz`);
				if (r.status === 200) {
					server = child;
					base = `http://127.0.0.1:${port}`;
					return;
				}
			} catch { /* not up yet */ }
			await sleep(20);
		}
		if (!exited) child.kill('SIGKILL');
	}
	throw new Error(`kycd did not start; log in ${logPath}`);
}

async function stopServer() {
	if (!server) return null;
	const child = server;
	server = null;
	const done = new Promise((ok) => child.on('exit', (code, sig) => ok(sig ? -1 : code)));
	child.kill('SIGTERM');
	return done;
}

async function apiJson(method, p, key, body) {
	const headers = { Authorization: `Bearer ${key}` };
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const r = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	const j = await r.json().catch(() => null);
	return { status: r.status, json: j, headers: r.headers };
}

// A console login without a browser: the session cookie value and the CSRF token.
async function consoleLogin(username, password) {
	const r = await fetch(`${base}/console/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
	eq(r.status, 200, `login of ${username}`);
	const sid = /kycd_console=([0-9a-f]{64})/.exec(r.headers.get('set-cookie'))[1];
	return { cookie: `kycd_console=${sid}`, csrf: (await r.json()).csrf_token };
}

// Signs in on the console's own page as a person does (login form, then the
// queue), for the tests about what a signed-in operator sees.
async function consoleSignIn(page, username, password) {
	await page.goto(`${base}/console`);
	await page.locator('#view-login').waitFor({ state: 'visible', timeout: WAIT });
	await page.locator('#login-user').fill(username);
	await page.locator('#login-pass').fill(password);
	await page.locator('#login-submit').click();
	await page.locator('#view-queue').waitFor({ state: 'visible', timeout: WAIT });
}

// ---- specimen photos ----
// Passports (TD3) from the generator, keeping those a policy should pass:
// an expiry well ahead and an adult holder, as a real applicant would bring.
function specimens() {
	const dir = path.join(work, 'synth');
	const r = spawnSync(KYCD, ['synth', '--out', dir, '--count', '40', '--seed', '20261', '--format', 'TD3', '--level', '0'], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`kycd synth: ${r.stderr}`);
	const today = new Date().toISOString().slice(0, 10);
	const soon = new Date(Date.now() + 365 * 86400000).toISOString().slice(0, 10);
	const adult = new Date(Date.now() - 25 * 365.25 * 86400000).toISOString().slice(0, 10);
	const good = fs.readFileSync(path.join(dir, 'truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
		.filter((t) => t.fields.expiry_date > soon && t.fields.birth_date < adult && t.fields.expiry_date > today)
		.map((t) => ({ file: path.join(dir, t.file), fields: t.fields }));
	if (good.length < 6) throw new Error('the generator gave fewer than 6 usable passports');
	return good;
}

// Chromium's fake camera plays an MJPEG file: JPEG frames one after another.
// The frame is made like a phone's: 1920x1080, the document photo fitted in
// on a dark background (Chromium's file camera also needs even sizes).
async function cameraFile(browser, jpegPath) {
	const page = await browser.newPage();
	const src = `data:image/jpeg;base64,${fs.readFileSync(jpegPath).toString('base64')}`;
	const b64 = await page.evaluate(async (url) => {
		const img = new Image();
		img.src = url;
		await img.decode();
		const c = document.createElement('canvas');
		c.width = 1920;
		c.height = 1080;
		const g = c.getContext('2d');
		g.fillStyle = '#202020';
		g.fillRect(0, 0, c.width, c.height);
		const s = Math.min(c.width / img.width, c.height / img.height);
		const w = img.width * s, h = img.height * s;
		g.drawImage(img, (c.width - w) / 2, (c.height - h) / 2, w, h);
		return c.toDataURL('image/jpeg', 0.95).split(',')[1];
	}, src);
	await page.close();
	const frame = Buffer.from(b64, 'base64');
	const out = path.join(work, 'camera.mjpeg');
	fs.writeFileSync(out, Buffer.concat(Array.from({ length: 30 }, () => frame)));
	return out;
}

// A real selfie: one frontal face cut from a demo photo of the pinned
// @vladmandic/face-api package (MIT; scripts/fetch-models extracts it), the
// region tests/lib/faces.c calls person A. Cut and encoded by Chromium.
async function faceSelfie(browser) {
	const models = process.env.KYCD_MODELS || path.join(root, 'build', 'models', 'face-api');
	const src = `data:image/jpeg;base64,${fs.readFileSync(path.join(models, 'samples', 'sample5.jpg')).toString('base64')}`;
	const page = await browser.newPage();
	const b64 = await page.evaluate(async (url) => {
		const img = new Image();
		img.src = url;
		await img.decode();
		const [x, y, w] = [190, 720, 570];
		const h = Math.min(720, img.height - y);
		const c = document.createElement('canvas');
		c.width = w;
		c.height = h;
		c.getContext('2d').drawImage(img, x, y, w, h, 0, 0, w, h);
		return c.toDataURL('image/jpeg', 0.9).split(',')[1];
	}, src);
	await page.close();
	const out = path.join(work, 'selfie.jpg');
	fs.writeFileSync(out, Buffer.from(b64, 'base64'));
	return out;
}

// ---- the browser ----
let shot = 0;
async function screenshot(page, name) {
	shot++;
	const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	await audit(page, name);
}

// axe-core, injected through the DevTools protocol (the pages' CSP allows no
// inline script), audits what the page shows now. Violations of impact
// serious or critical fail; every audit is listed in tests/artifacts/web/axe.json.
const audits = [];
async function audit(page, what) {
	if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE);
	const found = await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'] })
		.then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) })))`);
	const bad = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	audits.push({ what, lang: await page.evaluate('document.documentElement.lang'), violations: found });
	fs.writeFileSync(path.join(ARTIFACTS, 'axe.json'), JSON.stringify(audits, null, 1));
	if (bad.length) throw new Error(`axe on ${what}: ${bad.map((v) => `${v.id} (${v.impact}: ${v.help}) at ${v.nodes.join(', ')}`).join('; ')}`);
}

// Every request a page makes stays on kycd; every console error is a failure
// (a CSP violation shows as one).
function watch(page) {
	const w = { foreign: [], errors: [] };
	page.on('request', (req) => {
		const u = req.url();
		if (!u.startsWith(base) && !u.startsWith('blob:') && !u.startsWith('data:')) w.foreign.push(u);
	});
	page.on('console', (m) => { if (m.type() === 'error') w.errors.push(m.text()); });
	page.on('pageerror', (e) => w.errors.push(String(e)));
	return w;
}
function clean(w) {
	eq(w.foreign.length, 0, `requests to other origins (${w.foreign.join(', ')})`);
	// A failed API call is logged by Chromium as "Failed to load resource" with
	// its status; the negative tests expect those, nothing else.
	const bad = w.errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|403|409|422)/.test(e));
	eq(bad.length, 0, `console errors (${bad.join(' | ')})`);
}

// The specimen generator's real countries (src/document/synth_id.c) by their
// alpha-2 code, for the names the browser itself gives them.
const ALPHA2 = { AUT: 'AT', BEL: 'BE', BRA: 'BR', CAN: 'CA', CHE: 'CH', CZE: 'CZ', DNK: 'DK', ESP: 'ES', EST: 'EE', FIN: 'FI',
	FRA: 'FR', GBR: 'GB', GRC: 'GR', HUN: 'HU', IRL: 'IE', ISL: 'IS', ITA: 'IT', JPN: 'JP', KEN: 'KE', LTU: 'LT', LVA: 'LV',
	MEX: 'MX', NLD: 'NL', NOR: 'NO', NZL: 'NZ', POL: 'PL', PRT: 'PT', ROU: 'RO', SWE: 'SE', SVN: 'SI', TUR: 'TR', UKR: 'UA',
	USA: 'US', ZAF: 'ZA', IND: 'IN', AUS: 'AU', ARG: 'AR', CHL: 'CL', EGY: 'EG', NGA: 'NG', D: 'DE' };
async function countryName(page, alpha3, lang) {
	return page.evaluate(([a2, l]) => new Intl.DisplayNames([l], { type: 'region' }).of(a2), [ALPHA2[alpha3], lang]);
}
// The review's value for a field label (dt), as shown.
async function reviewValue(page, label) {
	return page.evaluate((l) => {
		const dt = [...document.querySelectorAll('#review-fields dt')].find((d) => d.textContent === l);
		return dt ? dt.nextElementSibling.firstChild.textContent : null;
	}, label);
}

// Reflow (WCAG 1.4.10): nothing wider than the viewport, so no sideways scrolling.
async function noSideScroll(page, what) {
	const [wide, view] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
	check(wide <= view, `${what}: ${wide} px of content in a ${view} px viewport`);
}

// A new step takes focus on its heading (a screen reader starts there) and
// draws no focus ring around it.
async function headingFocused(page, id, what) {
	const [active, outline] = await page.evaluate(() => [document.activeElement && document.activeElement.id,
		getComputedStyle(document.activeElement).outlineStyle]);
	eq(active, id, `${what}: focus on the step's heading`);
	eq(outline, 'none', `${what}: no ring around the heading`);
}

// The image is whole on the screen: its top and bottom inside the viewport.
async function fitted(page, what) {
	await page.evaluate(() => window.scrollTo(0, 0));
	const [top, bottom, height, view] = await page.locator('#v-images img').first()
		.evaluate((i) => { const r = i.getBoundingClientRect(); return [r.top, r.bottom, r.height, window.innerHeight]; });
	check(top >= 0 && bottom <= view && height > 150, `${what}: from ${top} to ${bottom} px in ${view} px`);
}

// A step of the hosted page has come: shown, its heading focused, its counter.
async function stepShown(page, section, heading, counter) {
	await page.locator(`#${section}`).waitFor({ state: 'visible', timeout: WAIT });
	await headingFocused(page, heading, section);
	eq(await page.locator('#progress').textContent(), counter, `the counter on ${section}`);
	eq(await page.locator(`#${heading}`).getAttribute('aria-describedby'), 'progress', `a screen reader hears the counter with the heading of ${section}`);
}

// Moves the focus with Tab alone until it is on selector.
async function tabTo(page, selector) {
	for (let i = 0; i < 30; i++) {
		await page.keyboard.press('Tab');
		if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
	}
	throw new Error(`${selector} cannot be reached with Tab`);
}

async function newVerification(key, level, applicant) {
	const a = await apiJson('POST', '/v1/applicants', key, applicant);
	eq(a.status, 201, 'applicant created');
	const v = await apiJson('POST', '/v1/verifications', key, { applicant_id: a.json.id, level });
	eq(v.status, 201, 'verification created');
	const l = await apiJson('POST', `/v1/verifications/${v.json.id}/hosted-link`, key, {});
	eq(l.status, 201, 'hosted link created');
	return { applicant: a.json, verification: v.json, link: l.json };
}

// The hosted flow up to the capture of the front.
async function startFlow(page, link, type) {
	await page.goto(link.url);
	await page.locator('#step-consent').waitFor({ state: 'visible', timeout: WAIT });
	await screenshot(page, `consent-${type}`);
	check(await page.locator('#consent-next').isDisabled(), 'continue waits for the consent box');
	await page.locator('#consent-box').check();
	await page.locator('#consent-next').click();
	await page.locator('#step-document').waitFor({ state: 'visible', timeout: WAIT });
	await page.locator('#doc-type').selectOption('passport');
	await screenshot(page, `document-${type}`);
	await page.locator('#doc-next').click();
	await page.locator('#step-capture').waitFor({ state: 'visible', timeout: WAIT });
}

// A phone-sized page of a basic-level link, consent given, on the document step.
async function basicToDocument(browser, link) {
	const ctx = await browser.newContext({ locale: 'en', viewport: { width: 390, height: 844 } });
	const page = await ctx.newPage();
	const w = watch(page);
	await page.goto(link.url);
	await stepShown(page, 'step-consent', 'consent-h', 'Step 1 of 4');
	await page.locator('#consent-box').check();
	await page.locator('#consent-next').click();
	await stepShown(page, 'step-document', 'doc-h', 'Step 2 of 4');
	return { ctx, page, w };
}

// Waits for the reader's answer to an upload and returns the server's JSON.
async function awaitUpload(page, trigger) {
	const [resp] = await Promise.all([
		page.waitForResponse((r) => r.url().startsWith(`${base}/hosted/api/`) && r.request().method() === 'POST', { timeout: WAIT }),
		trigger(),
	]);
	const json = await resp.json();
	// The capture step shows the feedback, or a decided verification goes
	// straight to the status page.
	await page.locator('#capture-after:not([hidden]), #step-status:not([hidden])').first().waitFor({ timeout: WAIT });
	return { status: resp.status(), json };
}

async function main() {
	fs.mkdirSync(ARTIFACTS, { recursive: true });
	const ta = cli(['tenant', 'create', 'web-a']);
	const tb = cli(['tenant', 'create', 'web-b']);
	const reviewerPw = 'reviewer-password-a1';
	const viewerPw = 'viewer-password-a1';
	cli(['operator', 'create', ta.tenant_id, 'rita', '--role', 'reviewer', '--password-stdin'], `${reviewerPw}\n`);
	cli(['operator', 'create', ta.tenant_id, 'vic', '--role', 'viewer', '--password-stdin'], `${viewerPw}\n`);
	const other = cli(['operator', 'create', tb.tenant_id, 'otto', '--role', 'admin']);
	const arabicPw = 'arabic-viewer-password-a1';
	cli(['operator', 'create', ta.tenant_id, 'amira', '--role', 'viewer', '--password-stdin'], `${arabicPw}\n`);
	const docs = specimens();
	await startServer();

	const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROME_FLAGS });
	const camBrowser = await chromium.launch({
		executablePath: CHROMIUM,
		args: [...CHROME_FLAGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
			`--use-file-for-fake-video-capture=${await cameraFile(browser, docs[1].file)}`],
	});
	const selfie = await faceSelfie(browser);
	const tokens = [];
	let fileFlow = null; // the file-upload verification, decided in the console later
	let statusPage = null;
	let statusWatch = null;

	await test('headers: strict CSP and friends on every web response', async () => {
		const f = await newVerification(ta.api_key, 'L1', { first_name: 'Head' });
		tokens.push(f.link.token);
		for (const p of [`/?id=${f.link.token}`, '/console', '/static/hosted.js', '/static/style.css', '/hosted/api/state']) {
			const r = await fetch(base + p, { headers: { Authorization: `Bearer ${f.link.token}` } });
			const csp = r.headers.get('content-security-policy') || '';
			check(/default-src 'none'/.test(csp) && /script-src 'self'/.test(csp) && /frame-ancestors 'none'/.test(csp), `CSP on ${p}: ${csp}`);
			check(!/unsafe-inline|unsafe-eval/.test(csp), `no unsafe sources on ${p}`);
			eq(r.headers.get('x-content-type-options'), 'nosniff', `nosniff on ${p}`);
			eq(r.headers.get('referrer-policy'), 'no-referrer', `referrer policy on ${p}`);
		}
		// No inline script or style in the pages at all.
		for (const p of ['/', '/console']) {
			const html = await (await fetch(base + p)).text();
			check(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), `no inline <script> in ${p}`);
			check(!/<style|\sstyle=/i.test(html), `no inline style in ${p}`);
			check(!/https?:\/\//.test(html.replace(/<!doctype[^>]*>/i, '')), `no absolute URLs in ${p}`);
		}
	});

	await test('budget: all JS and CSS together under 100 KB', async () => {
		let total = 0;
		for (const n of ['i18n.js', 'lang.js', 'capture.js', 'hosted.js', 'console-i18n.js', 'console.js', 'style.css']) {
			const r = await fetch(`${base}/static/${n}`);
			eq(r.status, 200, n);
			total += (await r.arrayBuffer()).byteLength;
		}
		check(total > 10000 && total < 100 * 1024, `total ${total} bytes`);
		eq((await fetch(`${base}/static/../kycd.db`)).status, 404, 'no path escapes');
		eq((await fetch(`${base}/static/hosted.html`)).status, 404, 'pages only at their routes');
	});

	await test('hosted flow by file upload: reader feedback, selfie, name corrected, status', async () => {
		fileFlow = await newVerification(ta.api_key, 'L1', { first_name: 'Ana', last_name: 'Upload', external_ref: 'web-file-1' });
		fileFlow.doc = docs[0];
		tokens.push(fileFlow.link.token);
		const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 390, height: 844 } });
		const page = await ctx.newPage();
		const w = watch(page);
		await startFlow(page, fileFlow.link, 'file');
		eq(await page.locator('html').getAttribute('dir'), 'ltr', 'English is left to right');
		await screenshot(page, 'capture-front-file');
		const up = await awaitUpload(page, () => page.locator('#file-input').setInputFiles(docs[0].file));
		eq(up.status, 200, `upload accepted (${JSON.stringify(up.json)})`);
		check(up.json.document.mrz_found && up.json.document.mrz_verified, 'the reader read and verified the MRZ');
		eq(up.json.document.fields.surname.value, docs[0].fields.surname, 'surname read');
		const fb = page.locator('#capture-feedback .notice');
		eq(await fb.getAttribute('class'), 'notice ok', 'positive feedback shown');
		check((await fb.textContent()).includes('check digits are valid'), 'the feedback says the MRZ is valid');
		check(await page.locator('#btn-capture-next').isVisible(), 'continue offered');
		await screenshot(page, 'front-read-file');
		await page.locator('#btn-capture-next').click();
		await page.locator('#capture-h').filter({ hasText: 'face' }).waitFor({ timeout: WAIT });
		eq(await page.locator('#progress').textContent(), 'Step 4 of 5', 'the selfie level counts five steps');
		const sup = await awaitUpload(page, () => page.locator('#file-input').setInputFiles(selfie));
		eq(sup.status, 200, 'selfie accepted');
		check(!sup.json.verification.retry, `the face engine took the selfie (${JSON.stringify(sup.json.verification.retry)})`);
		await screenshot(page, 'selfie-file');
		await page.locator('#btn-capture-next').click();
		await page.locator('#step-review').waitFor({ state: 'visible', timeout: WAIT });
		const given = docs[0].fields.given_names;
		eq(await page.locator('#name-first').inputValue(), given, 'given names as read');
		eq(await page.locator('#name-last').inputValue(), docs[0].fields.surname, 'surname as read');
		check(!(await page.locator('#review-fields').textContent()).includes(docs[0].fields.document_number), 'the document number is masked');
		eq(await page.locator('#progress').textContent(), 'Step 5 of 5', 'the review is the last of five');
		// A name read cannot be emptied: the error is tied to its field and takes the focus.
		await page.locator('#name-last').fill('');
		await page.locator('#review-submit').click();
		await page.locator('#name-last-error').waitFor({ state: 'visible', timeout: WAIT });
		eq(await page.locator('#name-last').getAttribute('aria-invalid'), 'true', 'the field is marked invalid');
		eq(await page.locator('#name-last').getAttribute('aria-describedby'), 'name-last-error', 'the field is described by its error');
		eq(await page.evaluate(() => document.activeElement.id), 'name-last', 'the focus is on the field');
		check((await page.locator('#name-last-error').textContent()).includes('Latin letters'), 'the error says what to do');
		await screenshot(page, 'review-error-file');
		await page.locator('#name-last').fill(docs[0].fields.surname);
		await page.locator('#name-first').fill(`${given} Corrected`);
		await screenshot(page, 'review-file');
		const [names] = await Promise.all([
			page.waitForResponse((r) => r.url() === `${base}/hosted/api/names`, { timeout: WAIT }),
			page.locator('#review-submit').click(),
		]);
		eq(names.status(), 200, 'names accepted');
		await page.locator('#step-status').waitFor({ state: 'visible', timeout: WAIT });
		eq(await page.locator('#status-text').getAttribute('data-status'), 'pending_review', 'the verification waits for review');
		await screenshot(page, 'status-pending-file');
		// The correction reached the record, with the reading kept.
		const v = await apiJson('GET', `/v1/verifications/${fileFlow.verification.id}`, ta.api_key);
		eq(v.json.corrections.first_name, `${given} Corrected`, 'correction stored');
		eq(v.json.corrections.original.given_names, given, 'reading kept');
		eq(v.json.status, 'pending_review', 'status');
		clean(w);
		statusPage = page; // stays open: it must change when the reviewer decides
		statusWatch = w;
	});

	await test('hosted flow by camera (Arabic, right to left): capture, feedback, selfie, submit', async () => {
		const f = await newVerification(ta.api_key, 'L1', { first_name: 'Cam', last_name: 'Era' });
		tokens.push(f.link.token);
		const ctx = await camBrowser.newContext({ locale: 'ar', extraHTTPHeaders: { 'Accept-Language': 'ar-EG,ar;q=0.9,en;q=0.5' }, viewport: { width: 390, height: 844 } });
		const page = await ctx.newPage();
		const w = watch(page);
		await startFlow(page, f.link, 'camera');
		eq(await page.locator('html').getAttribute('dir'), 'rtl', 'Arabic is right to left');
		eq(await page.locator('html').getAttribute('lang'), 'ar', 'lang');
		eq((await page.locator('#capture-h').textContent()).trim(), 'صورة الوجه الأمامي', 'Arabic heading');
		await page.locator('#btn-camera').click();
		await page.locator('#btn-shoot').waitFor({ state: 'visible', timeout: WAIT });
		await page.waitForFunction(() => document.getElementById('cam-video').videoWidth > 0, null, { timeout: WAIT });
		await screenshot(page, 'camera-front');
		const up = await awaitUpload(page, () => page.locator('#btn-shoot').click());
		eq(up.status, 200, `camera photo accepted (${JSON.stringify(up.json)})`);
		check(up.json.document.mrz_found, 'the reader found the MRZ in the camera frame');
		eq(up.json.document.fields.surname.value, docs[1].fields.surname, 'surname read from the camera');
		eq(await page.locator('#capture-feedback .notice').getAttribute('class'), up.json.document.mrz_verified ? 'notice ok' : 'notice warn', 'feedback matches the reading');
		await screenshot(page, 'camera-front-read');
		await page.locator('#btn-capture-next').click();
		await page.locator('#capture-h').filter({ hasText: 'صورة لوجهك' }).waitFor({ timeout: WAIT });
		await screenshot(page, 'camera-selfie-ar');
		await page.locator('#btn-camera').click();
		await page.locator('#btn-shoot').waitFor({ state: 'visible', timeout: WAIT });
		await page.waitForFunction(() => document.getElementById('cam-video').videoWidth > 0, null, { timeout: WAIT });
		// L1 asks for liveness: the camera takes the selfie with the head-turn
		// challenge, three frames, each prompted in the live region. The camera
		// still shows the document: its portrait is a face that never turns (a
		// photo held up), which the challenge fails (docs/face.md#liveness).
		await page.locator('#capture-feedback .notice').filter({ hasText: 'انظر مباشرة' }).waitFor({ timeout: WAIT });
		await page.locator('#btn-shoot').click();
		await page.locator('#capture-feedback .notice').filter({ hasText: 'أدر رأسك' }).waitFor({ timeout: WAIT });
		eq(await page.evaluate(() => document.activeElement.id), 'btn-shoot', 'the focus stays on the shutter');
		await screenshot(page, 'camera-liveness-turn');
		await page.locator('#btn-shoot').click();
		const sup = await awaitUpload(page, () => page.locator('#btn-shoot').click());
		eq(sup.status, 200, 'camera selfie accepted');
		const lv = await apiJson('GET', `/v1/verifications/${f.verification.id}`, ta.api_key);
		const live = (lv.json.checks || []).find((c) => c.name === 'liveness');
		check(!live || live.result !== 'pass', 'a photo held up never passes the challenge');
		if (lv.json.face && lv.json.face.selfie_file_id) {
			eq(live && live.result, 'fail', 'a face that never turns fails the challenge');
			eq(lv.json.face.liveness, 'failed', 'the face result says so');
		}
		await page.locator('#btn-capture-next').click();
		await page.locator('#step-review').waitFor({ state: 'visible', timeout: WAIT });
		if (ALPHA2[docs[1].fields.nationality])
			eq(await reviewValue(page, 'الجنسية'), await countryName(page, docs[1].fields.nationality, 'ar'), 'nationality named in Arabic');
		check(/^الخطوة \d من 5$/.test(await page.locator('#progress').textContent()), 'the counter in Arabic');
		await screenshot(page, 'camera-review');
		await page.locator('#review-submit').click();
		await page.locator('#step-status').waitFor({ state: 'visible', timeout: WAIT });
		eq((await page.locator('#status-text').textContent()).trim(), 'وثائقك قيد المراجعة. تتحدّث هذه الصفحة تلقائيًا.', 'Arabic status');
		await screenshot(page, 'camera-status-ar');
		// The switcher turns the page to English and left to right.
		await page.locator('[data-lang="en"]').click();
		eq(await page.locator('html').getAttribute('dir'), 'ltr', 'switched to left to right');
		check((await page.locator('#status-text').textContent()).includes('being reviewed'), 'English status');
		await screenshot(page, 'camera-status-switched');
		const v = await apiJson('GET', `/v1/verifications/${f.verification.id}`, ta.api_key);
		eq(v.json.status, 'pending_review', 'camera verification waits for review');
		eq(v.json.corrections.changed, false, 'names confirmed unchanged');
		clean(w);
		await ctx.close();
	});

	// The keyboard-only run, in each language, with a specimen of its own (an
	// approved document is a duplicate for the next applicant).
	const KEYBOARD = [
		{ lang: 'en', step: (n) => `Step ${n} of 4`, read: 'This is what we read', file: 'Choose a photo', surname: 'Surname', nationality: 'Nationality', issuer: 'Issuing country' },
		{ lang: 'ar', step: (n) => `الخطوة ${n} من 4`, read: 'هذا ما قرأناه', file: 'اختر صورة', surname: 'اسم العائلة', nationality: 'الجنسية', issuer: 'بلد الإصدار' },
	];
	const realCountry = docs.filter((d, i) => i >= 4 && ALPHA2[d.fields.nationality] && ALPHA2[d.fields.issuing_country]);
	for (const [k, K] of KEYBOARD.entries()) await test(`hosted, keyboard alone at 320 px (${K.lang}): every step, focus on headings without a ring, the reading confirmed on the basic level`, async () => {
		// The basic level asks for the document only and decides at once; the
		// page still shows what was read before the outcome.
		const doc = realCountry[k];
		check(doc, 'a specimen of a real country');
		const f = await newVerification(ta.api_key, 'basic', { external_ref: `web-keyboard-${K.lang}` });
		tokens.push(f.link.token);
		const ctx = await browser.newContext({ locale: K.lang, extraHTTPHeaders: { 'Accept-Language': K.lang }, viewport: { width: 320, height: 640 } });
		const page = await ctx.newPage();
		// Playwright turns file-chooser interception on without waiting for the
		// browser's answer, so a listener made in the same tick as the key
		// press can miss the chooser (CI saw it once). Turn it on now.
		page.on('filechooser', () => {});
		const w = watch(page);
		await page.goto(f.link.url);
		await stepShown(page, 'step-consent', 'consent-h', K.step(1));
		eq(await page.locator('html').getAttribute('lang'), K.lang, 'the language');
		await noSideScroll(page, 'consent at 320 px');
		await screenshot(page, `keyboard-consent-320-${K.lang}`);
		await tabTo(page, '#consent-box');
		await page.keyboard.press('Space');
		await tabTo(page, '#consent-next');
		await page.keyboard.press('Enter');
		await stepShown(page, 'step-document', 'doc-h', K.step(2));
		await tabTo(page, '#doc-type');
		for (let i = 0; i < 6 && (await page.locator('#doc-type').inputValue()) !== 'passport'; i++) await page.keyboard.press('ArrowDown');
		eq(await page.locator('#doc-type').inputValue(), 'passport', 'type chosen with the arrows');
		await tabTo(page, '#doc-country');
		const issuer = await countryName(page, doc.fields.issuing_country, K.lang);
		if (K.lang === 'en') { // the select's type-ahead takes Latin key presses
			await page.keyboard.type(issuer);
			eq(await page.locator('#doc-country').inputValue(), doc.fields.issuing_country === 'D' ? 'DEU' : doc.fields.issuing_country, `country chosen by typing ${issuer}`);
		}
		await noSideScroll(page, 'document at 320 px');
		await screenshot(page, `keyboard-document-320-${K.lang}`);
		await tabTo(page, '#doc-next');
		await page.keyboard.press('Enter');
		await stepShown(page, 'step-capture', 'capture-h', K.step(3));
		// The file alternative to the camera: labelled, and its label shows the focus.
		await tabTo(page, '#file-input');
		eq(await page.locator('#file-input').evaluate((i) => i.labels[0].textContent), K.file, 'the file input is labelled');
		check(await page.locator('#file-label').evaluate((l) => getComputedStyle(l).outlineStyle !== 'none'), 'the focused file input rings its label');
		await noSideScroll(page, 'capture at 320 px');
		await screenshot(page, `keyboard-capture-320-${K.lang}`);
		const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: WAIT }), page.keyboard.press('Space')]);
		const [resp] = await Promise.all([
			page.waitForResponse((r) => r.url() === `${base}/hosted/api/documents`, { timeout: WAIT }),
			chooser.setFiles(doc.file),
		]);
		eq(resp.status(), 200, 'upload accepted');
		eq((await resp.json()).verification.status, 'approved', 'the basic level decides at once');
		await stepShown(page, 'step-review', 'review-h', K.step(4));
		eq(await page.locator('#review-h').textContent(), K.read, 'the reading is confirmed, not edited, once decided');
		check(await page.locator('#review-names').isHidden(), 'no name fields once decided');
		eq(await reviewValue(page, K.surname), doc.fields.surname, 'the surname read');
		eq(await reviewValue(page, K.nationality), await countryName(page, doc.fields.nationality, K.lang), 'nationality by name');
		eq(await reviewValue(page, K.issuer), issuer, 'issuing country by name');
		await noSideScroll(page, 'review at 320 px');
		await screenshot(page, `keyboard-review-320-${K.lang}`);
		await tabTo(page, '#review-submit');
		await page.keyboard.press('Enter');
		await page.locator('#step-status').waitFor({ state: 'visible', timeout: WAIT });
		await headingFocused(page, 'status-h', 'status');
		eq(await page.locator('#status-text').getAttribute('data-status'), 'approved', 'the outcome');
		await screenshot(page, `keyboard-status-320-${K.lang}`);
		// Nothing at all in the browser's console, not even an expected 4xx.
		eq(w.errors.length, 0, `console errors (${w.errors.join(' | ')})`);
		clean(w);
		await ctx.close();
	});

	// The keyboard alone through a level with a selfie and the names to
	// confirm, on a 1366 px desktop at 200% zoom (a 683 px page).
	const spare = docs.filter((d, i) => i >= 4 && !realCountry.slice(0, 2).includes(d));
	await test('hosted, keyboard alone at 200% zoom on the selfie level: front, selfie, names corrected, submitted', async () => {
		const doc = docs[2];
		const f = await newVerification(ta.api_key, 'L1', { external_ref: 'web-keyboard-selfie' });
		tokens.push(f.link.token);
		const ctx = await browser.newContext({ locale: 'en', viewport: { width: 683, height: 450 }, deviceScaleFactor: 2 });
		const page = await ctx.newPage();
		page.on('filechooser', () => {}); // see the 320 px run
		const w = watch(page);
		// Chooses a file for the capture step with the keyboard alone and
		// waits for the reader's answer.
		const keyedUpload = async (file, route) => {
			await tabTo(page, '#file-input');
			const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: WAIT }), page.keyboard.press('Space')]);
			const [resp] = await Promise.all([
				page.waitForResponse((r) => r.url() === `${base}/hosted/api/${route}`, { timeout: WAIT }),
				chooser.setFiles(file),
			]);
			await page.locator('#capture-after').waitFor({ state: 'visible', timeout: WAIT });
			return resp;
		};
		await page.goto(f.link.url);
		await stepShown(page, 'step-consent', 'consent-h', 'Step 1 of 5');
		await noSideScroll(page, 'consent at 200%');
		await tabTo(page, '#consent-box');
		await page.keyboard.press('Space');
		await tabTo(page, '#consent-next');
		await page.keyboard.press('Enter');
		await stepShown(page, 'step-document', 'doc-h', 'Step 2 of 5');
		await tabTo(page, '#doc-type');
		for (let i = 0; i < 6 && (await page.locator('#doc-type').inputValue()) !== 'passport'; i++) await page.keyboard.press('ArrowDown');
		eq(await page.locator('#doc-type').inputValue(), 'passport', 'type chosen with the arrows');
		await noSideScroll(page, 'document at 200%');
		await tabTo(page, '#doc-next');
		await page.keyboard.press('Enter');
		await stepShown(page, 'step-capture', 'capture-h', 'Step 3 of 5');
		const front = await keyedUpload(doc.file, 'documents');
		eq(front.status(), 200, 'front accepted');
		check((await front.json()).document.mrz_found, 'the front read');
		await noSideScroll(page, 'the reader\'s answer at 200%');
		await screenshot(page, 'keyboard-front-200');
		await tabTo(page, '#btn-capture-next');
		await page.keyboard.press('Enter');
		await page.locator('#capture-h').filter({ hasText: 'face' }).waitFor({ timeout: WAIT });
		await stepShown(page, 'step-capture', 'capture-h', 'Step 4 of 5');
		const face = await keyedUpload(selfie, 'selfie');
		eq(face.status(), 200, 'selfie accepted');
		check(!(await face.json()).verification.retry, 'the face engine took the selfie');
		await screenshot(page, 'keyboard-selfie-200');
		await tabTo(page, '#btn-capture-next');
		await page.keyboard.press('Enter');
		await stepShown(page, 'step-review', 'review-h', 'Step 5 of 5');
		eq(await page.locator('#name-first').inputValue(), doc.fields.given_names, 'given names as read');
		await noSideScroll(page, 'review at 200%');
		await tabTo(page, '#name-first');
		await page.keyboard.press('End');
		await page.keyboard.type(' Keyed');
		await screenshot(page, 'keyboard-review-200');
		await tabTo(page, '#review-submit');
		const [names] = await Promise.all([
			page.waitForResponse((r) => r.url() === `${base}/hosted/api/names`, { timeout: WAIT }),
			page.keyboard.press('Enter'),
		]);
		eq(names.status(), 200, 'names accepted');
		await page.locator('#step-status').waitFor({ state: 'visible', timeout: WAIT });
		await headingFocused(page, 'status-h', 'status');
		await noSideScroll(page, 'status at 200%');
		await screenshot(page, 'keyboard-status-200');
		const v = await apiJson('GET', `/v1/verifications/${f.verification.id}`, ta.api_key);
		eq(v.json.corrections.first_name, `${doc.fields.given_names} Keyed`, 'the name typed reached the record');
		eq(await page.locator('#status-text').getAttribute('data-status'), v.json.status, 'the page shows the record\'s status');
		eq(w.errors.length, 0, `console errors (${w.errors.join(' | ')})`);
		clean(w);
		await ctx.close();
	});

	// The level that asks for the names (seed 000's confirm): four steps,
	// counted one by one, in Arabic.
	await test('hosted: the names level counts 1 to 4 of 4, without a jump (ar)', async () => {
		const doc = spare[0];
		check(doc, 'a spare specimen');
		const f = await newVerification(ta.api_key, 'confirm', { external_ref: 'web-confirm-ar' });
		tokens.push(f.link.token);
		const ctx = await browser.newContext({ locale: 'ar', extraHTTPHeaders: { 'Accept-Language': 'ar' }, viewport: { width: 390, height: 844 } });
		const page = await ctx.newPage();
		const w = watch(page);
		const step = (n) => `الخطوة ${n} من 4`;
		await page.goto(f.link.url);
		await stepShown(page, 'step-consent', 'consent-h', step(1));
		await page.locator('#consent-box').check();
		await page.locator('#consent-next').click();
		await stepShown(page, 'step-document', 'doc-h', step(2));
		await page.locator('#doc-type').selectOption('passport');
		eq(await page.locator('#progress').textContent(), step(2), 'a passport has no back');
		await page.locator('#doc-next').click();
		await stepShown(page, 'step-capture', 'capture-h', step(3));
		const up = await awaitUpload(page, () => page.locator('#file-input').setInputFiles(doc.file));
		eq(up.status, 200, 'front accepted');
		check(up.json.verification.pending_steps.includes('confirmation'), `the names are asked for (${JSON.stringify(up.json.verification.pending_steps)})`);
		eq(await page.locator('#progress').textContent(), step(3), 'the counter after the reading');
		await screenshot(page, 'confirm-front-ar');
		await page.locator('#btn-capture-next').click();
		await stepShown(page, 'step-review', 'review-h', step(4));
		check(await page.locator('#review-names').isVisible(), 'the names can be corrected');
		await screenshot(page, 'confirm-review-ar');
		const [names] = await Promise.all([
			page.waitForResponse((r) => r.url() === `${base}/hosted/api/names`, { timeout: WAIT }),
			page.locator('#review-submit').click(),
		]);
		eq(names.status(), 200, 'names confirmed');
		await page.locator('#step-status').waitFor({ state: 'visible', timeout: WAIT });
		const v = await apiJson('GET', `/v1/verifications/${f.verification.id}`, ta.api_key);
		check(!v.json.pending_steps.includes('confirmation'), 'the confirmation is done');
		eq(await page.locator('#status-text').getAttribute('data-status'), v.json.status, 'the page shows the record\'s status');
		await screenshot(page, 'confirm-status-ar');
		clean(w);
		await ctx.close();
	});

	await test('hosted: an identity card, front without the lines then the back: the counter counts the back from the choice of the type', async () => {
		const dir = path.join(work, 'cards');
		fs.mkdirSync(dir, { recursive: true });
		// the front: seed 7's first nomrz photo is a card's face (kind card_front; seed 6's was part of a page)
		for (const [sub, extra] of [['back', ['--count', '8', '--seed', '20263']], ['front', ['--count', '1', '--seed', '7', '--class', 'nomrz']]]) {
			const r = spawnSync(KYCD, ['synth', '--out', path.join(dir, sub), '--format', 'TD1', '--level', '0', ...extra], { encoding: 'utf8' });
			check(r.status === 0, `kycd synth ${sub}: ${r.stderr}`);
		}
		const front = path.join(dir, 'front', '000001.jpg');
		const back = path.join(dir, 'back', '000001.jpg');
		const f = await newVerification(ta.api_key, 'basic', { external_ref: 'web-card' });
		tokens.push(f.link.token);
		const { ctx, page, w } = await basicToDocument(browser, f.link);
		await page.locator('#doc-type').selectOption('id_card');
		eq(await page.locator('#progress').textContent(), 'Step 2 of 5', 'a card has a back: one more step');
		await page.locator('#doc-next').click();
		await stepShown(page, 'step-capture', 'capture-h', 'Step 3 of 5');
		const up = await awaitUpload(page, () => page.locator('#file-input').setInputFiles(front));
		eq(up.status, 200, 'front accepted');
		check(!up.json.document.mrz_found && up.json.verification.pending_steps.includes('document_back'), `the back is asked for (${JSON.stringify(up.json.verification)})`);
		check((await page.locator('#capture-feedback').textContent()).includes('back of the document'), 'the page asks for the back');
		await page.locator('#btn-capture-next').click();
		await page.locator('#capture-h').filter({ hasText: 'back' }).waitFor({ timeout: WAIT });
		await stepShown(page, 'step-capture', 'capture-h', 'Step 4 of 5');
		await screenshot(page, 'card-back');
		const [bresp] = await Promise.all([
			page.waitForResponse((r) => r.url() === `${base}/hosted/api/documents`, { timeout: WAIT }),
			page.locator('#file-input').setInputFiles(back),
		]);
		eq(bresp.status(), 200, 'back accepted');
		check((await bresp.json()).document.mrz_found, 'the back read');
		// A decided verification goes straight to the reading; else Continue.
		await page.locator('#step-review:not([hidden]), #capture-after:not([hidden])').first().waitFor({ timeout: WAIT });
		if (await page.locator('#capture-after').isVisible()) await page.locator('#btn-capture-next').click();
		await stepShown(page, 'step-review', 'review-h', 'Step 5 of 5');
		await screenshot(page, 'card-review');
		clean(w);
		await ctx.close();
	});

	await test('hosted: Egypt offers its national ID; front and back read from the card face; Arabic values right to left, here and in the console', async () => {
		const dir = path.join(work, 'egnid');
		const r = spawnSync(KYCD, ['synth', '--kind', 'eg-nid', '--out', dir, '--count', '1', '--seed', '20264', '--level', '0'], { encoding: 'utf8' });
		check(r.status === 0, `kycd synth --kind eg-nid: ${r.stderr}`);
		const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.jsonl'), 'utf8').split('\n')[0]).fields;
		const f = await newVerification(ta.api_key, 'basic', { external_ref: 'web-egnid' });
		tokens.push(f.link.token);
		const { ctx, page, w } = await basicToDocument(browser, f.link);
		const label = () => page.locator('#doc-type option[value="id_card"]').textContent();
		eq(await label(), 'Identity card', 'an identity card before the country is chosen');
		await page.locator('#doc-country').selectOption('EGY');
		eq(await label(), 'National ID card', "Egypt's identity card is its national ID");
		await page.locator('#doc-type').selectOption('id_card');
		eq(await page.locator('#progress').textContent(), 'Step 2 of 5', 'front and back');
		await audit(page, 'the national ID chosen');
		await page.locator('#doc-next').click();
		await stepShown(page, 'step-capture', 'capture-h', 'Step 3 of 5');
		check(!(await page.locator('#capture-tip').textContent()).includes('<<<'), 'no MRZ lines asked of a card without them');
		const up = await awaitUpload(page, () => page.locator('#file-input').setInputFiles(path.join(dir, '000001_front.jpg')));
		eq(up.status, 200, 'front accepted');
		check(up.json.document.card_found && up.json.verification.pending_steps.includes('document_back'), `the card read, the back asked for (${JSON.stringify(up.json)})`);
		check((await page.locator('#capture-feedback').textContent()).includes('back of the document'), 'the page asks for the back');
		await page.locator('#btn-capture-next').click();
		await page.locator('#capture-h').filter({ hasText: 'back' }).waitFor({ timeout: WAIT });
		await stepShown(page, 'step-capture', 'capture-h', 'Step 4 of 5');
		const [bresp] = await Promise.all([
			page.waitForResponse((x) => x.url() === `${base}/hosted/api/documents`, { timeout: WAIT }),
			page.locator('#file-input').setInputFiles(path.join(dir, '000001_back.jpg')),
		]);
		eq(bresp.status(), 200, 'back accepted');
		check((await bresp.json()).document.card_found, 'the back read');
		// A decided verification goes straight to the reading; else Continue.
		await page.locator('#step-review:not([hidden]), #capture-after:not([hidden])').first().waitFor({ timeout: WAIT });
		if (await page.locator('#capture-after').isVisible()) await page.locator('#btn-capture-next').click();
		await stepShown(page, 'step-review', 'review-h', 'Step 5 of 5');
		eq(await reviewValue(page, 'Name'), `${truth.first_name} ${truth.rest_name}`, 'the Arabic name as printed');
		const nameDir = await page.evaluate(() => {
			const dt = [...document.querySelectorAll('#review-fields dt')].find((d) => d.textContent === 'Name');
			return getComputedStyle(dt.nextElementSibling.firstChild).direction;
		});
		eq(nameDir, 'rtl', 'the Arabic name runs right to left on an English page');
		const shown = await reviewValue(page, 'National number');
		check(shown && !shown.includes(truth.national_number.slice(0, 7)) && shown.endsWith(truth.national_number.slice(-3)), `the national number masked (${shown})`);
		await audit(page, 'the national ID read');
		await screenshot(page, 'egnid-review');
		clean(w);
		await ctx.close();

		// The console shows the card's Arabic values right to left.
		const cctx = await browser.newContext({ locale: 'en', viewport: { width: 1366, height: 900 } });
		const cp = await cctx.newPage();
		const cw = watch(cp);
		await consoleSignIn(cp, 'amira', arabicPw);
		await cp.goto(`${base}/console#v/${f.verification.id}`);
		await cp.locator('#view-verification').waitFor({ state: 'visible', timeout: WAIT });
		const cell = cp.locator('#v-fields td', { hasText: truth.first_name }).first();
		await cell.waitFor({ timeout: WAIT });
		eq(await cell.getAttribute('dir'), 'auto', 'the value takes its own direction');
		eq(await cell.evaluate((c) => getComputedStyle(c).direction), 'rtl', 'an Arabic value runs right to left');
		const num = cp.locator('#v-fields td', { hasText: truth.national_number }).first();
		eq(await num.evaluate((c) => getComputedStyle(c).direction), 'ltr', 'a number stays left to right');
		await audit(cp, 'the console with a national ID');
		await screenshot(cp, 'egnid-console');
		clean(cw);
		await cctx.close();
	});

	await test('reader feedback: a dark photo gets a specific retake hint', async () => {
		const f = await newVerification(ta.api_key, 'L1', { first_name: 'Dark' });
		// A 1366 px desktop at 200% zoom.
		const ctx = await browser.newContext({ locale: 'en', viewport: { width: 683, height: 450 }, deviceScaleFactor: 2 });
		const page = await ctx.newPage();
		const w = watch(page);
		await startFlow(page, f.link, 'dark');
		// A nearly black photo, made by the browser itself.
		const b64 = await page.evaluate(() => {
			const c = document.createElement('canvas');
			c.width = 1200;
			c.height = 900;
			const g = c.getContext('2d');
			g.fillStyle = '#060606';
			g.fillRect(0, 0, c.width, c.height);
			return c.toDataURL('image/jpeg', 0.9).split(',')[1];
		});
		const up = await awaitUpload(page, () => page.locator('#file-input').setInputFiles({ name: 'dark.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(b64, 'base64') }));
		eq(up.status, 200, 'upload processed');
		check(!up.json.document.mrz_found, 'nothing read');
		const code = (up.json.verification.retry && up.json.verification.retry.code) || up.json.document.reason;
		check(/dark/.test(code), `a darkness code (${code})`);
		const fb = page.locator('#capture-feedback .notice');
		eq(await fb.getAttribute('class'), 'notice bad', 'negative feedback');
		check((await fb.textContent()).includes('too dark'), 'the hint says the photo is too dark');
		check(await page.locator('#btn-retake').isVisible(), 'retake offered');
		eq(await page.locator('#capture-feedback').getAttribute('aria-live'), 'polite', 'the hint is announced');
		eq(await page.evaluate(() => document.activeElement.id), 'btn-retake', 'the focus goes to the retake');
		await noSideScroll(page, 'the capture at 200%');
		check(!(await page.locator('#btn-capture-next').isVisible()), 'no continue after a failed read');
		await screenshot(page, 'dark-feedback');
		clean(w);
		await ctx.close();
	});

	await test('console: reviewer logs in, finds the verification, approves; status page changes', async () => {
		check(fileFlow && statusPage, 'the file-upload flow ran');
		const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
		const page = await ctx.newPage();
		const w = watch(page);
		await page.goto(`${base}/console`);
		await page.locator('#view-login').waitFor({ state: 'visible', timeout: WAIT });
		eq(w.errors.length, 0, `no console error on load, the session probe included (${w.errors.join(' | ')})`);
		const field = await page.locator('#login-user').boundingBox();
		check(field.width <= 400, `a login field of ${field.width} px, not the page's width`);
		await page.locator('#login-user').fill('rita');
		await page.locator('#login-pass').fill('wrong-password-x');
		await page.locator('#login-submit').click();
		await page.locator('#login-error .notice').waitFor({ timeout: WAIT });
		await page.locator('#login-pass').fill(reviewerPw);
		await screenshot(page, 'console-login');
		await page.locator('#login-submit').click();
		await page.locator('#view-queue').waitFor({ state: 'visible', timeout: WAIT });
		await page.locator(`#queue-rows tr[data-id="${fileFlow.verification.id}"]`).waitFor({ timeout: WAIT });
		// Oldest first: the file-upload verification was submitted before the camera one.
		const ids = await page.locator('#queue-rows tr').evaluateAll((rs) => rs.map((r) => r.dataset.id));
		check(ids.length >= 2, 'two verifications pending');
		eq(ids[0], fileFlow.verification.id, 'the oldest first');
		await screenshot(page, 'console-queue');
		// The session cookie is HttpOnly and SameSite=Strict.
		const cookie = (await ctx.cookies()).find((c) => c.name === 'kycd_console');
		check(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', 'cookie flags');
		eq(await page.evaluate(() => document.cookie), '', 'the page cannot read the cookie');
		// Search by the document number and by the external reference.
		for (const q of [fileFlow.doc.fields.document_number, 'web-file-1']) {
			await page.locator('#search-q').fill(q);
			await page.locator('#search-form button').click();
			await page.locator('#queue-caption').filter({ hasText: 'result' }).waitFor({ timeout: WAIT });
			const found = await page.locator('#queue-rows tr').evaluateAll((rs) => rs.map((r) => r.dataset.id));
			check(found.includes(fileFlow.verification.id), `search ${q} finds it`);
		}
		await screenshot(page, 'console-search');
		await page.locator(`#queue-rows tr[data-id="${fileFlow.verification.id}"]`).click();
		await page.locator('#view-verification').waitFor({ state: 'visible', timeout: WAIT });
		await page.locator('#v-images img').first().waitFor({ timeout: WAIT });
		await page.waitForFunction(() => [...document.querySelectorAll('#v-images img')].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: WAIT });
		eq(await page.locator('#v-images img').count(), 2, 'document and selfie images');
		// The face: the document's portrait beside the selfie, with the score.
		const fv = (await apiJson('GET', `/v1/verifications/${fileFlow.verification.id}`, ta.api_key)).json;
		check(fv.face && fv.face.selfie_file_id, 'the verification has its face result');
		eq(await page.locator('#v-face-pair img').count(), fv.face.portrait_file_id ? 2 : 1, 'portrait beside the selfie');
		if (typeof fv.face.similarity === 'number')
			check((await page.locator('#v-face-score').textContent()).includes(fv.face.similarity.toFixed(3)), 'the similarity shown');
		// Failed checks first.
		const firstFailed = (fv.checks || []).some((c) => c.result === 'fail');
		if (firstFailed) check((await page.locator('#v-checks li').first().textContent()).startsWith('Failed'), 'a failed check heads the list');
		const fields = await page.locator('#v-fields').textContent();
		check(fields.includes(fileFlow.doc.fields.document_number), 'fields read shown to the reviewer');
		check(fields.includes('corrected by the applicant'), 'the correction is shown');
		// The declared values beside the values read, a difference marked.
		eq(await page.locator('#v-fields thead th').nth(2).textContent(), 'Declared', 'a column of declared values');
		const given = page.locator('#v-fields tbody tr', { has: page.locator('th', { hasText: /^Given names$/ }) });
		eq(await given.locator('td').nth(0).textContent(), fileFlow.doc.fields.given_names, 'the given names read');
		eq(await given.locator('td').nth(1).textContent(), 'Ana (differs)', 'the first name declared beside them, marked as different');
		const number = page.locator('#v-fields tbody tr', { has: page.locator('th', { hasText: /^Document number$/ }) });
		eq(await number.locator('td').nth(1).textContent(), '', 'nothing declared for the document number');
		check((await page.locator('#v-checks li').count()) >= 3, 'checks listed');
		const history = await page.locator('#v-history').textContent();
		check(history.includes('Consent given · by the applicant'), 'history has the consent, by the applicant');
		check(history.includes('Created') && /by API key \(administrator, created /.test(history), `the API key named by its role and date (${history})`);
		check(!/key:|operator:/.test(history), 'no raw actor ids');
		check((await page.locator('#v-checks').textContent()).includes('Passed Minimum age'), 'checks by name');
		await fitted(page, 'the document image');
		// Zoom and rotate the document image.
		const img = page.locator('#v-images img').first();
		await page.locator('#v-images figure').first().getByRole('button', { name: 'Rotate' }).click();
		await page.locator('#v-images figure').first().getByRole('button', { name: 'Zoom in' }).click();
		check(/rotate\(90deg\)/.test(await img.getAttribute('style')) && /scale\(1\.25\)/.test(await img.getAttribute('style')), 'zoom and rotate');
		await screenshot(page, 'console-verification');
		// Keyboard: "a" twice approves.
		await page.locator('#v-h').focus();
		await page.keyboard.press('a');
		const [dec] = await Promise.all([
			page.waitForResponse((r) => r.url().endsWith('/decision'), { timeout: WAIT }),
			page.keyboard.press('a'),
		]);
		eq(dec.status(), 200, 'decision accepted');
		await page.locator('#decide-state[data-status="approved"]').waitFor({ timeout: WAIT });
		const decided = await page.locator('#v-history li').last().textContent();
		check(/Approved \(Pending review → Approved\).* · by rita$/.test(decided), `the decision by the operator's name (${decided})`);
		await screenshot(page, 'console-approved');
		// The end user's status page follows by itself.
		await statusPage.locator('#status-text[data-status="approved"]').waitFor({ timeout: WAIT });
		check((await statusPage.locator('#status-text').textContent()).includes('has been verified'), 'the status page says verified');
		await screenshot(statusPage, 'status-approved-file');
		const v = await apiJson('GET', `/v1/verifications/${fileFlow.verification.id}`, ta.api_key);
		eq(v.json.status, 'approved', 'approved in the API');
		check(/^operator:/.test(v.json.decision.actor), 'decided by an operator');
		clean(w);
		clean(statusWatch);
		await ctx.close();
	});

	await test('console in Arabic, right to left: labels, actors by name, no console errors, 200% zoom', async () => {
		check(fileFlow, 'the file-upload flow ran');
		const ctx = await browser.newContext({ locale: 'ar', extraHTTPHeaders: { 'Accept-Language': 'ar,en;q=0.5' }, viewport: { width: 1366, height: 900 } });
		const page = await ctx.newPage();
		const w = watch(page);
		await page.goto(`${base}/console`);
		await page.locator('#view-login').waitFor({ state: 'visible', timeout: WAIT });
		eq(await page.locator('html').getAttribute('dir'), 'rtl', 'right to left');
		eq(await page.locator('html').getAttribute('lang'), 'ar', 'lang');
		eq(await page.locator('#login-h').textContent(), 'تسجيل الدخول', 'Arabic login');
		const probe = await page.evaluate(async () => { const r = await fetch('/console/api/session'); return [r.status, await r.json()]; });
		eq(probe[0], 200, 'the probe before a login is not an error');
		eq(probe[1].operator, null, 'and says: nobody');
		await screenshot(page, 'console-login-ar');
		await page.locator('#login-user').fill('amira');
		await page.locator('#login-pass').fill(arabicPw);
		await page.keyboard.press('Enter');
		await page.locator('#view-queue').waitFor({ state: 'visible', timeout: WAIT });
		await page.locator('#queue-rows tr').first().waitFor({ timeout: WAIT });
		eq(await page.locator('#who-role').textContent(), 'مُطّلع', 'the role in Arabic');
		const cells = await page.locator('#queue-rows tr td:nth-child(5)').allTextContents();
		check(cells.length > 0 && cells.every((c) => c === 'بانتظار المراجعة'), `statuses in Arabic (${cells.join(', ')})`);
		await screenshot(page, 'console-queue-ar');
		await page.locator('#search-q').fill('web-file-1');
		await page.keyboard.press('Enter');
		await page.locator('#queue-caption').filter({ hasText: 'web-file-1' }).waitFor({ timeout: WAIT });
		await screenshot(page, 'console-search-ar');
		await page.locator(`#queue-rows tr[data-id="${fileFlow.verification.id}"]`).click();
		await page.locator('#view-verification').waitFor({ state: 'visible', timeout: WAIT });
		await page.waitForFunction(() => [...document.querySelectorAll('#v-images img')].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: WAIT });
		const history = await page.locator('#v-history').textContent();
		check(history.includes('بواسطة rita') && history.includes('بواسطة مفتاح API') && history.includes('أُعطيت الموافقة'), `history in Arabic with the actors named (${history})`);
		check(!/key:|operator:|auto_|pending_review/.test(history), 'no raw codes');
		check((await page.locator('#v-checks').textContent()).includes('الحد الأدنى للعمر'), 'checks in Arabic');
		eq(await page.locator('#decide-state').textContent(), 'الحالة: مقبولة', 'status in Arabic');
		await fitted(page, 'the document image (Arabic)');
		await screenshot(page, 'console-verification-ar');
		// Single-key shortcuts can be turned off (speech input types letters).
		await page.locator('#keys-on').uncheck();
		await page.locator('#v-h').focus();
		await page.keyboard.press('Escape');
		check(await page.locator('#view-verification').isVisible(), 'shortcuts off: Esc does not leave');
		await page.locator('#keys-on').check();
		// 1366 px at 200% zoom is a 683 px wide page.
		await page.setViewportSize({ width: 683, height: 450 });
		await noSideScroll(page, 'verification at 200%');
		await page.locator('#back').click();
		await page.locator('#view-queue').waitFor({ state: 'visible', timeout: WAIT });
		await noSideScroll(page, 'queue at 200%');
		await page.setViewportSize({ width: 390, height: 844 });
		await noSideScroll(page, 'queue on a phone');
		await screenshot(page, 'console-queue-ar-390');
		eq(w.errors.length, 0, `console errors (${w.errors.join(' | ')})`);
		clean(w);
		await ctx.close();
	});

	await test('console: a viewer cannot decide; CSRF token and same origin are required', async () => {
		const pending = await apiJson('GET', '/v1/verifications?status=pending_review', ta.api_key);
		const vid = pending.json.data[0].id;
		const ctx = await browser.newContext();
		const page = await ctx.newPage();
		await consoleSignIn(page, 'vic', viewerPw);
		await page.goto(`${base}/console#v/${vid}`);
		await page.locator('#view-verification').waitFor({ state: 'visible', timeout: WAIT });
		check(await page.locator('#decide-form').isHidden(), 'no decision form for a viewer');
		await screenshot(page, 'console-viewer');
		const res = await page.evaluate(async (id) => {
			const s = await (await fetch('/console/api/session')).json();
			const body = JSON.stringify({ decision: 'approve' });
			const post = (h) => fetch(`/console/api/verifications/${id}/decision`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...h }, body })
				.then(async (r) => ({ status: r.status, code: (await r.json()).code }));
			return { withToken: await post({ 'X-CSRF-Token': s.csrf_token }), noToken: await post({}), badToken: await post({ 'X-CSRF-Token': 'f'.repeat(64) }) };
		}, vid);
		eq(res.withToken.status, 403, 'viewer refused');
		eq(res.withToken.code, 'forbidden', 'viewer code');
		eq(res.noToken.status, 403, 'no CSRF token refused');
		eq(res.noToken.code, 'csrf_failed', 'no token code');
		eq(res.badToken.code, 'csrf_failed', 'wrong token refused');
		// A reviewer's session without the token is refused too (the form post of another site).
		const rita = await consoleLogin('rita', reviewerPw);
		const csrf = rita.csrf;
		const post = (h) => fetch(`${base}/console/api/verifications/${vid}/decision`, { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: rita.cookie, ...h }, body: JSON.stringify({ decision: 'reject', reason: 'other' }) });
		eq((await post({})).status, 403, 'reviewer without token');
		eq((await post({ 'X-CSRF-Token': csrf, Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' })).status, 403, 'cross-site with token');
		const cross = await fetch(`${base}/console/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' }, body: JSON.stringify({ username: 'rita', password: reviewerPw }) });
		eq(cross.status, 403, 'login from another site refused');
		eq((await apiJson('GET', `/v1/verifications/${vid}`, ta.api_key)).json.status, 'pending_review', 'nothing was decided');
		// Another tenant's operator sees nothing of tenant A.
		const otto = await consoleLogin('otto', other.password);
		const ov = await fetch(`${base}/console/api/verifications/${vid}`, { headers: { Cookie: otto.cookie } });
		eq(ov.status, 404, 'another tenant: not found');
		const oq = await (await fetch(`${base}/console/api/queue`, { headers: { Cookie: otto.cookie } })).json();
		eq(oq.data.length, 0, 'another tenant: empty queue');
		const os = await (await fetch(`${base}/console/api/search?q=web-file-1`, { headers: { Cookie: otto.cookie } })).json();
		eq(os.data.length, 0, 'another tenant: search finds nothing');
		await ctx.close();
	});

	await test('console: logins are throttled after repeated failures', async () => {
		const login = (pw) => fetch(`${base}/console/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'vic', password: pw }) });
		for (let i = 0; i < 5; i++) eq((await login('not-the-password')).status, 401, `failure ${i + 1}`);
		const locked = await login(viewerPw);
		eq(locked.status, 429, 'the right password waits too');
		check(Number(locked.headers.get('retry-after')) > 0, 'Retry-After');
		eq((await locked.json()).code, 'too_many_attempts', 'code');
	});

	await test('seed 002: the IDV id opens the hosted page; its consent and progress show in the IDV', async () => {
		const create = await apiJson('POST', '/v1/identity-verifications', ta.api_key, {
			externalReferenceId: 'web-002', setupId: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
			registration: { firstName: 'John', lastName: 'Johnson', dateOfBirth: '1980-01-14' },
		});
		check(create.status === 200 || create.status === 201, `IDV created (${create.status} ${JSON.stringify(create.json)})`);
		const id = create.json.id;
		tokens.push(id);
		const before = await apiJson('GET', `/v1/identity-verifications/${id}`, ta.api_key);
		eq(before.json.step.consent.isConsented, false, 'no consent yet');
		const ctx = await browser.newContext({ locale: 'en' });
		const page = await ctx.newPage();
		const w = watch(page);
		await startFlow(page, { url: `${base}/?id=${id}` }, 'seed002');
		const after = await apiJson('GET', `/v1/identity-verifications/${id}`, ta.api_key);
		eq(after.json.step.consent.isConsented, true, 'consent recorded where seed 002 reads it');
		check(/^\d{4}-\d\d-\d\dT/.test(after.json.step.consent.consentedUtc), 'consent time');
		const up = await awaitUpload(page, () => page.locator('#file-input').setInputFiles(docs[3].file));
		eq(up.status, 200, 'document accepted');
		check(up.json.document.mrz_found, 'read');
		const idv = await apiJson('GET', `/v1/identity-verifications/${id}`, ta.api_key);
		check(idv.json.status !== 'Created', `the IDV moved on (${idv.json.status})`);
		// The default level asks for the document only: decided at once, the
		// page shows the outcome, or the name review before waiting for a reviewer.
		const st = up.json.verification.status;
		if (['approved', 'rejected'].includes(st))
			await page.locator(`#status-text[data-status="${st}"]`).waitFor({ timeout: WAIT });
		else if (st === 'pending_review') {
			await page.locator('#btn-capture-next').click();
			await page.locator('#step-review').waitFor({ state: 'visible', timeout: WAIT });
		}
		await screenshot(page, 'seed002-read');
		clean(w);
		await ctx.close();
	});

	await test('hosted: another verification\'s token reaches only its own verification', async () => {
		const a = await newVerification(ta.api_key, 'L1', { first_name: 'Own' });
		const b = await newVerification(tb.api_key, 'L1', { first_name: 'Other' });
		const post = (tok) => {
			const fd = new FormData();
			fd.append('type', 'passport');
			fd.append('side', 'front');
			fd.append('image', new Blob([fs.readFileSync(docs[0].file)], { type: 'image/jpeg' }), 'p.jpg');
			return fetch(`${base}/hosted/api/documents`, { method: 'POST', headers: { Authorization: `Bearer ${tok}` }, body: fd });
		};
		eq((await post(b.link.token)).status, 200, 'B uploads with its token');
		const va = await apiJson('GET', `/v1/verifications/${a.verification.id}`, ta.api_key);
		const vb = await apiJson('GET', `/v1/verifications/${b.verification.id}`, tb.api_key);
		eq(va.json.documents.length, 0, 'A untouched');
		eq(vb.json.documents.length, 1, 'B got the document');
		// The page opened with B's token shows B, not A.
		const ctx = await browser.newContext();
		const page = await ctx.newPage();
		await page.goto(a.link.url);
		await page.locator('#step-consent').waitFor({ state: 'visible', timeout: WAIT });
		await page.goto(b.link.url);
		await page.locator('#step-consent').waitFor({ state: 'visible', timeout: WAIT });
		// A made-up token and no token are refused.
		for (const bad of ['00000000-0000-0000-0000-000000000000', a.verification.id]) {
			const r = await fetch(`${base}/hosted/api/state`, { headers: { Authorization: `Bearer ${bad}` } });
			eq(r.status, 401, `token ${bad}`);
		}
		eq((await fetch(`${base}/hosted/api/state`)).status, 401, 'no token');
		await page.goto(`${base}/?id=00000000-0000-0000-0000-000000000000`);
		await page.locator('#step-error').waitFor({ state: 'visible', timeout: WAIT });
		check((await page.locator('#error-text').textContent()).includes('not valid'), 'the page says the link is not valid');
		await screenshot(page, 'hosted-bad-token');
		// A token from API keys' world is not a hosted token, and vice versa.
		eq((await apiJson('GET', '/v1/verifications', a.link.token)).status, 401, 'hosted token is not an API key');
		await ctx.close();
	});

	await test('hosted: an expired link is refused', async () => {
		const f = await newVerification(ta.api_key, 'L1', { first_name: 'Late' });
		const short = await apiJson('POST', `/v1/verifications/${f.verification.id}/hosted-link`, ta.api_key, { expires_in: 60 });
		eq(short.status, 201, 'short link');
		const ok = await fetch(`${base}/hosted/api/state`, { headers: { Authorization: `Bearer ${short.json.token}` } });
		eq(ok.status, 200, 'works before expiry');
		fs.writeFileSync(path.join(work, 'clock'), '120'); // two minutes later
		const r = await fetch(`${base}/hosted/api/state`, { headers: { Authorization: `Bearer ${short.json.token}` } });
		eq(r.status, 401, 'refused after expiry');
		eq((await r.json()).code, 'invalid_token', 'code');
		// In Arabic: the error page is audited in the second language too.
		const ctx = await browser.newContext({ locale: 'ar', extraHTTPHeaders: { 'Accept-Language': 'ar' } });
		const page = await ctx.newPage();
		await page.goto(short.json.url);
		await page.locator('#step-error').waitFor({ state: 'visible', timeout: WAIT });
		check((await page.locator('#error-text').textContent()).includes('هذا الرابط غير صالح'), 'the Arabic message');
		await screenshot(page, 'hosted-expired-ar');
		await ctx.close();
		fs.writeFileSync(path.join(work, 'clock'), '0');
	});

	// A failed face check as the reviewer reads it: a passport with the
	// selfie's own face as its portrait, but a holder born decades away from
	// the age the engine reads on that face, so age_consistency fails.
	await test('console: a failed face check reads as words, in both languages, not as its code', async () => {
		const det = spawnSync(KYCD, ['face', 'detect', selfie], { encoding: 'utf8' });
		eq(det.status, 0, `kycd face detect: ${det.stderr}`);
		const est = JSON.parse(det.stdout).faces[0].age;
		const dir = path.join(work, 'synth-age');
		const r = spawnSync(KYCD, ['synth', '--out', dir, '--count', '12', '--seed', '20265', '--format', 'TD3', '--level', '0', '--portrait', selfie], { encoding: 'utf8' });
		eq(r.status, 0, `kycd synth --portrait: ${r.stderr}`);
		const years = (b) => (Date.now() - Date.parse(b)) / (365.25 * 86400000);
		const soon = new Date(Date.now() + 365 * 86400000).toISOString().slice(0, 10);
		const far = fs.readFileSync(path.join(dir, 'truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
			.find((t) => t.fields.expiry_date > soon && Math.abs(years(t.fields.birth_date) - est) > 30);
		check(far, `a passport whose holder is 30 years from the face's ${est}`);
		const f = await newVerification(ta.api_key, 'L1', { external_ref: 'web-age-gap' });
		const vid = f.verification.id;
		const post = async (what, file, fields) => {
			const fd = new FormData();
			for (const [k, v] of Object.entries(fields)) fd.append(k, v);
			fd.append('image', new Blob([fs.readFileSync(file)], { type: 'image/jpeg' }), path.basename(file));
			const res = await fetch(`${base}/v1/verifications/${vid}/${what}`, { method: 'POST', headers: { Authorization: `Bearer ${ta.api_key}` }, body: fd });
			eq(res.status, 201, `${what} accepted`);
			return (await res.json());
		};
		await post('documents', path.join(dir, far.file), { type: 'passport', side: 'front' });
		const sv = await post('selfie', selfie, {});
		const v = sv.verification || sv;
		eq(v.status, 'pending_review', 'a person decides');
		const gap = (v.checks || []).find((c) => c.name === 'age_consistency');
		eq(gap && `${gap.result} ${gap.reason}`, 'fail age_gap', 'age_consistency failed in the API');
		const ctx = await browser.newContext({ locale: 'en', viewport: { width: 1366, height: 900 } });
		const page = await ctx.newPage();
		const w = watch(page);
		await consoleSignIn(page, 'rita', reviewerPw);
		await page.goto(`${base}/console#v/${vid}`);
		const first = page.locator('#v-checks li').first();
		await first.filter({ hasText: 'Failed' }).waitFor({ timeout: WAIT });
		eq(await first.textContent(), 'Failed Apparent age fits the date of birth — apparent age far from the date of birth', 'the failed check heads the list, in words');
		const all = await page.locator('#v-checks').textContent();
		check(!/age_gap|age_consistency|not_performed|_/.test(all), `no code shown to the reviewer (${all})`);
		await screenshot(page, 'console-age-gap');
		await page.locator('[data-lang="ar"]').click();
		await first.filter({ hasText: 'فاشل' }).waitFor({ timeout: WAIT });
		eq(await first.textContent(), 'فاشل العمر الظاهر يوافق تاريخ الميلاد — العمر الظاهر بعيد عن تاريخ الميلاد', 'and in Arabic');
		eq(w.errors.length, 0, `console errors (${w.errors.join(' | ')})`);
		clean(w);
		await ctx.close();
	});

	await test('console: every code the API gives has a label in both languages; a rejection by its reason; 320 px', async () => {
		// Reject the keyboard run's verification with a reason.
		const a = await apiJson('GET', '/v1/applicants?external_ref=web-keyboard-selfie', ta.api_key);
		const vs = await apiJson('GET', `/v1/verifications?applicant_id=${a.json.data[0].id}`, ta.api_key);
		const vid = vs.json.data[0].id;
		const dec = await apiJson('POST', `/v1/verifications/${vid}/decision`, ta.api_key, { decision: 'reject', reason: 'poor_image_quality' });
		eq(dec.status, 200, 'rejected');
		// The codes kycd said for this tenant's verifications so far.
		const want = new Set();
		const all = await apiJson('GET', '/v1/verifications?limit=100', ta.api_key);
		for (const s of all.json.data) {
			const v = (await apiJson('GET', `/v1/verifications/${s.id}`, ta.api_key)).json;
			want.add(`status_${v.status}`);
			if (v.decision && v.decision.reason) want.add(`reason_${v.decision.reason}`);
			if (v.retry_code) want.add(`reason_${v.retry_code}`);
			for (const c of v.checks || []) {
				want.add(`check_${c.name}`);
				want.add(`result_${c.result}`);
				if (c.reason) want.add(`reason_${c.reason}`);
			}
			const hist = (await apiJson('GET', `/v1/verifications/${s.id}/history`, ta.api_key)).json;
			for (const h of hist.data || hist) {
				want.add(`action_${h.action}`);
				if (h.reason) want.add(`reason_${h.reason}`);
				for (const st of [h.from_status, h.to_status]) if (st) want.add(`status_${st}`);
			}
		}
		check(want.size > 20, `codes gathered (${want.size})`);
		const ctx = await browser.newContext({ locale: 'en', viewport: { width: 320, height: 640 } });
		const page = await ctx.newPage();
		const w = watch(page);
		await page.goto(`${base}/console`);
		await page.locator('#view-login').waitFor({ state: 'visible', timeout: WAIT });
		const cat = await page.evaluate(() => window.KYC_CONSOLE_I18N);
		// One key set: an Arabic console never falls back to English.
		eq(Object.keys(cat.en).filter((k) => !(k in cat.ar)).join(', '), '', 'English labels without an Arabic one');
		for (const lang of ['en', 'ar']) {
			const missing = [...want].filter((k) => typeof cat[lang][k] !== 'string' || !cat[lang][k]);
			eq(missing.join(', '), '', `codes without a ${lang} label`);
		}
		await noSideScroll(page, 'login at 320 px');
		await screenshot(page, 'console-login-320');
		await page.locator('#login-user').fill('rita');
		await page.locator('#login-pass').fill(reviewerPw);
		await page.locator('#login-submit').click();
		await page.locator('#view-queue').waitFor({ state: 'visible', timeout: WAIT });
		await noSideScroll(page, 'queue at 320 px');
		await page.goto(`${base}/console#v/${vid}`);
		await page.locator('#decide-state').filter({ hasText: cat.en.reason_poor_image_quality }).waitFor({ timeout: WAIT });
		eq(await page.locator('#decide-state').textContent(), `Status: ${cat.en.status_rejected} (${cat.en.reason_poor_image_quality})`, 'status and reason by label');
		await noSideScroll(page, 'verification at 320 px');
		await screenshot(page, 'console-rejected-320');
		await page.locator('[data-lang="ar"]').click();
		eq(await page.locator('html').getAttribute('dir'), 'rtl', 'switched to right to left');
		await page.locator('#decide-state').filter({ hasText: cat.ar.reason_poor_image_quality }).waitFor({ timeout: WAIT });
		const history = await page.locator('#v-history').textContent();
		check(history.includes(cat.ar.reason_poor_image_quality) && history.includes('بواسطة مفتاح API'), `the rejection in the Arabic history, by the key (${history})`);
		await noSideScroll(page, 'verification at 320 px (ar)');
		await screenshot(page, 'console-rejected-320-ar');
		eq(w.errors.length, 0, `console errors (${w.errors.join(' | ')})`);
		clean(w);
		await ctx.close();
	});
	await browser.close();
	await camBrowser.close();

	await test('logs: no token and no session cookie in kycd\'s log; clean exit', async () => {
		const code = await stopServer();
		eq(code, 0, 'kycd exit status (sanitizers clean)');
		const log = fs.readFileSync(logPath, 'utf8');
		check(log.includes('/hosted/api/documents'), 'the log has the hosted routes');
		for (const t of tokens) check(!log.includes(t), 'token not logged');
		check(!/kycd_console=|[0-9a-f]{64}/.test(log), 'no session secret logged');
	});
}

let fatal = null;
try {
	await main();
} catch (e) {
	fatal = e;
	console.log(`not ok setup\n  ${(e && e.stack) || e}`);
}
if (server) await stopServer();
const failed = results.filter((r) => r[1]).length + (fatal ? 1 : 0);
const passed = results.length - results.filter((r) => r[1]).length;
if (failed && fs.existsSync(logPath)) console.log(`kycd log: ${logPath}`);
else fs.rmSync(work, { recursive: true, force: true });
console.log(`[web] ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
