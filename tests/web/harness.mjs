// The browser suite's harness (tests/web/run.mjs runs the suite): the test
// helpers, the real kycd binary on a free loopback port with a fresh data
// directory, specimen photos from `kycd synth`, and the page helpers shared
// by tests/web/hosted.mjs and tests/web/console.mjs.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..');
export const KYCD = path.resolve(root, process.env.KYCD_BIN || 'build/asan/kycd');
export const CHROMIUM = process.env.KYCD_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = path.join(root, 'tests', 'artifacts', 'web');
export const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// The WCAG 2.0, 2.1 and 2.2 A and AA rules of axe-core.
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
export const WAIT = 60000; // generous: a loaded machine is slow, never wrong
export const CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync'];

// ---- a tiny harness ----
export const results = [];
export async function test(name, fn) {
	try {
		await fn();
		results.push([name, null]);
		console.log(`ok ${name}`);
	} catch (e) {
		results.push([name, e]);
		console.log(`not ok ${name}\n  ${(e && e.stack) || e}`);
	}
}
export function check(cond, what) {
	if (!cond) throw new Error(`check failed: ${what}`);
}
export function eq(got, want, what) {
	if (got !== want) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

// ---- kycd ----
export const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kycd-web-'));
export const data = path.join(work, 'data');
fs.mkdirSync(data);
export const logPath = path.join(work, 'kycd.log');
export let server = null;
export let base = '';

export function cli(args, input) {
	const r = spawnSync(KYCD, [...args, '--data', data], { input, encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`kycd ${args.join(' ')}: ${r.status} ${r.stderr}`);
	return JSON.parse(r.stdout.trim().split('\n').pop());
}

export function freePort() {
	return new Promise((ok, fail) => {
		const s = net.createServer();
		s.on('error', fail);
		s.listen(0, '127.0.0.1', () => {
			const p = s.address().port;
			s.close(() => ok(p));
		});
	});
}

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

export async function startServer() {
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

export async function stopServer() {
	if (!server) return null;
	const child = server;
	server = null;
	const done = new Promise((ok) => child.on('exit', (code, sig) => ok(sig ? -1 : code)));
	child.kill('SIGTERM');
	return done;
}

export async function apiJson(method, p, key, body) {
	const headers = { Authorization: `Bearer ${key}` };
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const r = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	const j = await r.json().catch(() => null);
	return { status: r.status, json: j, headers: r.headers };
}

// A console login without a browser: the session cookie value and the CSRF token.
export async function consoleLogin(username, password) {
	const r = await fetch(`${base}/console/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
	eq(r.status, 200, `login of ${username}`);
	const sid = /kycd_console=([0-9a-f]{64})/.exec(r.headers.get('set-cookie'))[1];
	return { cookie: `kycd_console=${sid}`, csrf: (await r.json()).csrf_token };
}

// Signs in on the console's own page as a person does (login form, then the
// queue), for the tests about what a signed-in operator sees.
export async function consoleSignIn(page, username, password) {
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
export function specimens() {
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
export async function cameraFile(browser, jpegPath) {
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
export async function faceSelfie(browser) {
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
export let shot = 0;
export async function screenshot(page, name) {
	shot++;
	const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	await audit(page, name);
}

// axe-core, injected through the DevTools protocol (the pages' CSP allows no
// inline script), audits what the page shows now. Violations of impact
// serious or critical fail; every audit is listed in tests/artifacts/web/axe.json.
export const audits = [];
export async function audit(page, what) {
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
export function watch(page) {
	const w = { foreign: [], errors: [] };
	page.on('request', (req) => {
		const u = req.url();
		if (!u.startsWith(base) && !u.startsWith('blob:') && !u.startsWith('data:')) w.foreign.push(u);
	});
	page.on('console', (m) => { if (m.type() === 'error') w.errors.push(m.text()); });
	page.on('pageerror', (e) => w.errors.push(String(e)));
	return w;
}
export function clean(w) {
	eq(w.foreign.length, 0, `requests to other origins (${w.foreign.join(', ')})`);
	// A failed API call is logged by Chromium as "Failed to load resource" with
	// its status; the negative tests expect those, nothing else.
	const bad = w.errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|403|409|422)/.test(e));
	eq(bad.length, 0, `console errors (${bad.join(' | ')})`);
}

// The specimen generator's real countries (src/document/synth_id.c) by their
// alpha-2 code, for the names the browser itself gives them.
export const ALPHA2 = { AUT: 'AT', BEL: 'BE', BRA: 'BR', CAN: 'CA', CHE: 'CH', CZE: 'CZ', DNK: 'DK', ESP: 'ES', EST: 'EE', FIN: 'FI',
	FRA: 'FR', GBR: 'GB', GRC: 'GR', HUN: 'HU', IRL: 'IE', ISL: 'IS', ITA: 'IT', JPN: 'JP', KEN: 'KE', LTU: 'LT', LVA: 'LV',
	MEX: 'MX', NLD: 'NL', NOR: 'NO', NZL: 'NZ', POL: 'PL', PRT: 'PT', ROU: 'RO', SWE: 'SE', SVN: 'SI', TUR: 'TR', UKR: 'UA',
	USA: 'US', ZAF: 'ZA', IND: 'IN', AUS: 'AU', ARG: 'AR', CHL: 'CL', EGY: 'EG', NGA: 'NG', D: 'DE' };
export async function countryName(page, alpha3, lang) {
	return page.evaluate(([a2, l]) => new Intl.DisplayNames([l], { type: 'region' }).of(a2), [ALPHA2[alpha3], lang]);
}
// The review's value for a field label (dt), as shown.
export async function reviewValue(page, label) {
	return page.evaluate((l) => {
		const dt = [...document.querySelectorAll('#review-fields dt')].find((d) => d.textContent === l);
		return dt ? dt.nextElementSibling.firstChild.textContent : null;
	}, label);
}

// Reflow (WCAG 1.4.10): nothing wider than the viewport, so no sideways scrolling.
export async function noSideScroll(page, what) {
	const [wide, view] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
	check(wide <= view, `${what}: ${wide} px of content in a ${view} px viewport`);
}

// A new step takes focus on its heading (a screen reader starts there) and
// draws no focus ring around it.
export async function headingFocused(page, id, what) {
	const [active, outline] = await page.evaluate(() => [document.activeElement && document.activeElement.id,
		getComputedStyle(document.activeElement).outlineStyle]);
	eq(active, id, `${what}: focus on the step's heading`);
	eq(outline, 'none', `${what}: no ring around the heading`);
}

// The image is whole on the screen: its top and bottom inside the viewport.
export async function fitted(page, what) {
	await page.evaluate(() => window.scrollTo(0, 0));
	const [top, bottom, height, view] = await page.locator('#v-images img').first()
		.evaluate((i) => { const r = i.getBoundingClientRect(); return [r.top, r.bottom, r.height, window.innerHeight]; });
	check(top >= 0 && bottom <= view && height > 150, `${what}: from ${top} to ${bottom} px in ${view} px`);
}

// A step of the hosted page has come: shown, its heading focused, its counter.
export async function stepShown(page, section, heading, counter) {
	await page.locator(`#${section}`).waitFor({ state: 'visible', timeout: WAIT });
	await headingFocused(page, heading, section);
	eq(await page.locator('#progress').textContent(), counter, `the counter on ${section}`);
	eq(await page.locator(`#${heading}`).getAttribute('aria-describedby'), 'progress', `a screen reader hears the counter with the heading of ${section}`);
}

// Moves the focus with Tab alone until it is on selector.
export async function tabTo(page, selector) {
	for (let i = 0; i < 30; i++) {
		await page.keyboard.press('Tab');
		if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
	}
	throw new Error(`${selector} cannot be reached with Tab`);
}

export async function newVerification(key, level, applicant) {
	const a = await apiJson('POST', '/v1/applicants', key, applicant);
	eq(a.status, 201, 'applicant created');
	const v = await apiJson('POST', '/v1/verifications', key, { applicant_id: a.json.id, level });
	eq(v.status, 201, 'verification created');
	const l = await apiJson('POST', `/v1/verifications/${v.json.id}/hosted-link`, key, {});
	eq(l.status, 201, 'hosted link created');
	return { applicant: a.json, verification: v.json, link: l.json };
}

// The hosted flow up to the capture of the front.
export async function startFlow(page, link, type) {
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
export async function basicToDocument(browser, link) {
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
export async function awaitUpload(page, trigger) {
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
