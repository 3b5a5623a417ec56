// Browser tests of the review console (roles, CSRF, throttling, Arabic, labels)
// and of the hosted links' access rules, which use the console's decisions.
// Run by tests/web/run.mjs after tests/web/hosted.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
	here, root, KYCD, CHROMIUM, ARTIFACTS, AXE, AXE_TAGS, WAIT, CHROME_FLAGS, results, test, check, eq, work, data, logPath, server, base, cli, freePort, sleep, startServer, stopServer, apiJson, consoleLogin, consoleSignIn, specimens, cameraFile, faceSelfie, shot, screenshot, audits, audit, watch, clean, ALPHA2, countryName, reviewValue, noSideScroll, headingFocused, fitted, stepShown, tabTo, newVerification, startFlow, basicToDocument, awaitUpload,
} from './harness.mjs';

// s: the suite's shared state (tenants, browsers, specimens; run.mjs makes it).
export async function consoleTests(s) {
	const { ta, tb, reviewerPw, viewerPw, other, arabicPw, docs, browser, camBrowser, selfie, tokens } = s;

	await test('console: reviewer logs in, finds the verification, approves; status page changes', async () => {
		check(s.fileFlow && s.statusPage, 'the file-upload flow ran');
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
		await page.locator(`#queue-rows tr[data-id="${s.fileFlow.verification.id}"]`).waitFor({ timeout: WAIT });
		// Oldest first: the file-upload verification was submitted before the camera one.
		const ids = await page.locator('#queue-rows tr').evaluateAll((rs) => rs.map((r) => r.dataset.id));
		check(ids.length >= 2, 'two verifications pending');
		eq(ids[0], s.fileFlow.verification.id, 'the oldest first');
		await screenshot(page, 'console-queue');
		// The session cookie is HttpOnly and SameSite=Strict.
		const cookie = (await ctx.cookies()).find((c) => c.name === 'kycd_console');
		check(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', 'cookie flags');
		eq(await page.evaluate(() => document.cookie), '', 'the page cannot read the cookie');
		// Search by the document number and by the external reference.
		for (const q of [s.fileFlow.doc.fields.document_number, 'web-file-1']) {
			await page.locator('#search-q').fill(q);
			await page.locator('#search-form button').click();
			await page.locator('#queue-caption').filter({ hasText: 'result' }).waitFor({ timeout: WAIT });
			const found = await page.locator('#queue-rows tr').evaluateAll((rs) => rs.map((r) => r.dataset.id));
			check(found.includes(s.fileFlow.verification.id), `search ${q} finds it`);
		}
		await screenshot(page, 'console-search');
		await page.locator(`#queue-rows tr[data-id="${s.fileFlow.verification.id}"]`).click();
		await page.locator('#view-verification').waitFor({ state: 'visible', timeout: WAIT });
		await page.locator('#v-images img').first().waitFor({ timeout: WAIT });
		await page.waitForFunction(() => [...document.querySelectorAll('#v-images img')].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: WAIT });
		eq(await page.locator('#v-images img').count(), 2, 'document and selfie images');
		// The face: the document's portrait beside the selfie, with the score.
		const fv = (await apiJson('GET', `/v1/verifications/${s.fileFlow.verification.id}`, ta.api_key)).json;
		check(fv.face && fv.face.selfie_file_id, 'the verification has its face result');
		eq(await page.locator('#v-face-pair img').count(), fv.face.portrait_file_id ? 2 : 1, 'portrait beside the selfie');
		if (typeof fv.face.similarity === 'number')
			check((await page.locator('#v-face-score').textContent()).includes(fv.face.similarity.toFixed(3)), 'the similarity shown');
		// Failed checks first.
		const firstFailed = (fv.checks || []).some((c) => c.result === 'fail');
		if (firstFailed) check((await page.locator('#v-checks li').first().textContent()).startsWith('Failed'), 'a failed check heads the list');
		const fields = await page.locator('#v-fields').textContent();
		check(fields.includes(s.fileFlow.doc.fields.document_number), 'fields read shown to the reviewer');
		check(fields.includes('corrected by the applicant'), 'the correction is shown');
		// The declared values beside the values read, a difference marked.
		eq(await page.locator('#v-fields thead th').nth(2).textContent(), 'Declared', 'a column of declared values');
		const given = page.locator('#v-fields tbody tr', { has: page.locator('th', { hasText: /^Given names$/ }) });
		eq(await given.locator('td').nth(0).textContent(), s.fileFlow.doc.fields.given_names, 'the given names read');
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
		await s.statusPage.locator('#status-text[data-status="approved"]').waitFor({ timeout: WAIT });
		check((await s.statusPage.locator('#status-text').textContent()).includes('has been verified'), 'the status page says verified');
		await screenshot(s.statusPage, 'status-approved-file');
		const v = await apiJson('GET', `/v1/verifications/${s.fileFlow.verification.id}`, ta.api_key);
		eq(v.json.status, 'approved', 'approved in the API');
		check(/^operator:/.test(v.json.decision.actor), 'decided by an operator');
		clean(w);
		clean(s.statusWatch);
		await ctx.close();
	});

	await test('console in Arabic, right to left: labels, actors by name, no console errors, 200% zoom', async () => {
		check(s.fileFlow, 'the file-upload flow ran');
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
		await page.locator(`#queue-rows tr[data-id="${s.fileFlow.verification.id}"]`).click();
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
}
