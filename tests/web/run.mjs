// Browser tests of the hosted verification page and the review console:
// the real kycd binary ($KYCD_BIN) on a free loopback port with a fresh data
// directory, document photos from `kycd synth`, and Debian's Chromium driven
// headless by playwright-core. Screenshots of each step go to
// tests/artifacts/web/. Prints "[web] N passed, N failed" like the C suites.
// The tests are in tests/web/hosted.mjs and tests/web/console.mjs; the
// harness in tests/web/harness.mjs.
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROME_FLAGS, ARTIFACTS, cli, specimens, startServer, stopServer, cameraFile, faceSelfie, test, check, eq, results, server, logPath, work } from './harness.mjs';
import { hostedTests } from './hosted.mjs';
import { consoleTests } from './console.mjs';

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
	// fileFlow: the file-upload verification, decided in the console later;
	// statusPage/statusWatch: its status page, watched while the console decides.
	const s = { ta, tb, reviewerPw, viewerPw, other, arabicPw, docs, browser, camBrowser, selfie, tokens,
		fileFlow: null, statusPage: null, statusWatch: null };
	await hostedTests(s);
	await consoleTests(s);
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
