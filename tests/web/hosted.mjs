// Browser tests of the hosted verification page: headers, budget, the flows by
// file upload, camera and keyboard, identity cards and Egypt's national ID,
// and the reader's feedback. Run by tests/web/run.mjs in this order.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
	here, root, KYCD, CHROMIUM, ARTIFACTS, AXE, AXE_TAGS, WAIT, CHROME_FLAGS, results, test, check, eq, work, data, logPath, server, base, cli, freePort, sleep, startServer, stopServer, apiJson, consoleLogin, consoleSignIn, specimens, cameraFile, faceSelfie, shot, screenshot, audits, audit, watch, clean, ALPHA2, countryName, reviewValue, noSideScroll, headingFocused, fitted, stepShown, tabTo, newVerification, startFlow, basicToDocument, awaitUpload,
} from './harness.mjs';

// s: the suite's shared state (tenants, browsers, specimens; run.mjs makes it).
export async function hostedTests(s) {
	const { ta, tb, reviewerPw, viewerPw, other, arabicPw, docs, browser, camBrowser, selfie, tokens } = s;

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
		s.fileFlow = await newVerification(ta.api_key, 'L1', { first_name: 'Ana', last_name: 'Upload', external_ref: 'web-file-1' });
		s.fileFlow.doc = docs[0];
		tokens.push(s.fileFlow.link.token);
		const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 390, height: 844 } });
		const page = await ctx.newPage();
		const w = watch(page);
		await startFlow(page, s.fileFlow.link, 'file');
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
		const v = await apiJson('GET', `/v1/verifications/${s.fileFlow.verification.id}`, ta.api_key);
		eq(v.json.corrections.first_name, `${given} Corrected`, 'correction stored');
		eq(v.json.corrections.original.given_names, given, 'reading kept');
		eq(v.json.status, 'pending_review', 'status');
		clean(w);
		s.statusPage = page; // stays open: it must change when the reviewer decides
		s.statusWatch = w;
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

}
