/* The hosted verification page: consent, document type and country, the
   front (and back) of the document with the reader's feedback at once, a
   selfie, a review of the data read with the names editable once, and a
   status page that follows the verification until a decision.

   The page holds one credential, the token of its link (?id=), and sends it
   as "Authorization: Bearer" to /hosted/api/ only. Which step to show is
   worked out from the verification's state on the server, so a reload, a
   second device or a retry lands on the right step. */
'use strict';
(function () {
	var FINAL = ['approved', 'rejected', 'expired', 'cancelled'];
	var POLL_MS = 3000;

	var S = {
		token: new URLSearchParams(location.search).get('id') || '',
		lang: 'en',
		st: null,       /* GET /hosted/api/state */
		step: 'loading',
		type: '',
		country: '',
		side: 'front',  /* front | back | selfie */
		blob: null,
		poll: null,
		reviewed: false, /* the reading was shown (once per visit) */
		live: null      /* the head-turn challenge: {moves, frames} */
	};

	function $(id) { return document.getElementById(id); }

	var t = KycLang.t;

	/* ---- talking to kycd ---- */

	function api(method, path, body) {
		var headers = { Authorization: 'Bearer ' + S.token };
		if (body && !(body instanceof FormData)) {
			headers['Content-Type'] = 'application/json';
			body = JSON.stringify(body);
		}
		return fetch('/hosted/api/' + path, {
			method: method, headers: headers, body: body, cache: 'no-store',
			credentials: 'omit', referrerPolicy: 'no-referrer'
		}).then(function (r) {
			return r.json().catch(function () { return null; }).then(function (j) {
				if (r.ok) return j;
				var e = new Error((j && j.code) || ('http_' + r.status));
				e.status = r.status;
				e.code = (j && j.code) || '';
				e.field = (j && j.field) || '';
				throw e;
			});
		}, function () {
			var e = new Error('network');
			e.code = 'network';
			throw e;
		});
	}

	function refresh() {
		return api('GET', 'state').then(function (st) { S.st = st; return st; });
	}

	function fail(e) {
		if (e && e.status === 401) return show('error', t('link_invalid'));
		if (e && e.code === 'network') return show('error', t('error_network'));
		show('error', t('error_generic'));
	}

	/* ---- which step ---- */

	function has(list, x) { return (list || []).indexOf(x) >= 0; }

	/* The names can still be corrected (once, before a decision). */
	function editable() {
		var v = S.st.verification, doc = S.st.document;
		return !!(doc && doc.mrz_found) && !v.names_confirmed && FINAL.indexOf(v.status) < 0 && v.status !== 'processing';
	}

	/* Something was read from the document: its MRZ, or the printed face
	   of a card that has none (the Egyptian national ID). */
	function wasRead(doc) { return !!(doc && (doc.mrz_found || doc.card_found)); }

	/* After the last photo the reading is shown on every level: to correct
	   the names where the level allows it, else to confirm what was read. */
	function reviewOrStatus() {
		return show(editable() || (wasRead(S.st.document) && !S.reviewed) ? 'review' : 'status');
	}

	/* Egypt's identity card is its national ID: no MRZ, read from its
	   printed front and back. */
	function nationalId() {
		var doc = S.st && S.st.document;
		return (S.type || (doc && doc.type)) === 'id_card' && S.country === 'EGY';
	}

	function route() {
		var st = S.st, v = st.verification, p = v.pending_steps || [];
		var doc = st.document;
		if (FINAL.indexOf(v.status) >= 0 || v.status === 'processing' || v.status === 'pending_review')
			return reviewOrStatus();
		if (!st.consent) return show('consent');
		/* The workflow asks for the back while the document step is still
		   open, so the back comes first; a failed attempt starts over. */
		if (has(p, 'document_back') && doc && v.status !== 'incomplete') return capture('back');
		if (has(p, 'document') || !doc || v.status === 'incomplete') {
			if (!S.type) return show('document');
			return capture('front');
		}
		if (has(p, 'selfie')) return capture('selfie');
		return reviewOrStatus();
	}

	/* The steps of this verification, numbered the same from the first to
	   the last: the back when the workflow asks for it or it was read, and
	   ahead of time for a two-sided type until its front is read without it
	   (then the total drops by one, no number is skipped); the selfie when
	   the level has it; the review on every level. */
	function steps() {
		var st = S.st, v = st && st.verification, p = (v && v.pending_steps) || [], doc = st && st.document;
		var type = S.type || (doc && doc.type) || '';
		var list = ['consent', 'document', 'front'];
		if (has(p, 'document_back') || S.side === 'back' || (doc && doc.side === 'back') ||
			((type === 'id_card' || type === 'residence_permit') && !(doc && doc.mrz_found))) list.push('back');
		if (has(p, 'selfie') || (st && st.selfie) || S.side === 'selfie') list.push('selfie');
		list.push('review');
		return list;
	}

	function progress() {
		var key = S.step === 'capture' ? S.side : S.step, list = steps();
		var i = list.indexOf(key);
		$('progress').textContent = i < 0 ? '' : t('step_of', { n: i + 1, total: list.length });
	}

	function show(step, message) {
		if (S.step === 'capture' && step !== 'capture') KycCapture.stop();
		S.step = step;
		['loading', 'consent', 'document', 'capture', 'review', 'status', 'error'].forEach(function (s) {
			$('step-' + s).hidden = s !== step;
		});
		if (step === 'error') $('error-text').textContent = message || t('error_generic');
		render();
		var h = document.querySelector('#step-' + step + ' h1');
		if (h) {
			/* Read with the counter: "Your document, Step 2 of 4". */
			if (step !== 'error' && step !== 'status') h.setAttribute('aria-describedby', 'progress');
			h.focus();
		}
		if (step === 'status') schedulePoll();
	}

	function capture(side) {
		S.side = side;
		S.blob = null;
		S.live = null;
		$('capture-feedback').innerHTML = '';
		$('capture-preview').hidden = true;
		$('cam').hidden = true;
		$('capture-choose').hidden = false;
		$('capture-shoot').hidden = true;
		$('capture-after').hidden = true;
		$('file-input').value = '';
		show('capture');
	}

	/* ---- drawing the current step in the current language ---- */

	/* Egypt's identity card is named as Egyptians know it. */
	function typeLabel(ty) {
		return ty === 'id_card' && (S.country || $('doc-country').value) === 'EGY' ? t('type_id_card_EGY') : t('type_' + ty);
	}

	function fillSelects() {
		var types = (S.st && S.st.verification.document_types) || [];
		var sel = $('doc-type');
		var cur = S.type || sel.value || types[0] || '';
		sel.textContent = '';
		types.forEach(function (ty) { sel.add(new Option(typeLabel(ty), ty, false, ty === cur)); });
		var cs = $('doc-country');
		var curc = S.country || cs.value;
		cs.textContent = '';
		cs.add(new Option(t('doc_country_any'), '', false, !curc));
		KycLang.countries().forEach(function (c) { cs.add(new Option(c[1], c[0], false, c[0] === curc)); });
	}

	function notice(el, kind, text) {
		el.innerHTML = '';
		if (!text) return;
		var p = document.createElement('p');
		p.className = 'notice ' + kind;
		p.textContent = text;
		el.appendChild(p);
	}

	function render() {
		progress();
		if (S.step === 'capture') {
			var k = S.side === 'selfie' ? 'selfie' : S.side;
			$('capture-h').textContent = t(k + '_h');
			$('capture-tip').textContent = t(k + '_tip' + (k !== 'selfie' && nationalId() ? '_nid' : ''));
		} else if (S.step === 'review') {
			renderReview();
		} else if (S.step === 'status') {
			renderStatus();
		}
	}

	var REVIEW_FIELDS = ['full_name', 'national_number', 'document_number', 'birth_date', 'expiry_date', 'nationality', 'sex', 'issuing_country'];

	/* A field as a person reads it: country names, dates and sex in the
	   page's language; the masked number as is. */
	function readable(k, value) {
		if (k === 'nationality' || k === 'issuing_country') return KycLang.country(value);
		if (k === 'birth_date' || k === 'expiry_date') return KycLang.date(value);
		if (k === 'sex') return KycLang.label('sex_', value);
		return value;
	}

	function fieldRow(dl, label, value, accepted, ltr) {
		var dt = document.createElement('dt'), dd = document.createElement('dd'), val = document.createElement('span');
		dt.textContent = label;
		/* Arabic values (a card's names) run right to left in either language. */
		val.dir = ltr ? 'ltr' : 'auto';
		val.textContent = value;
		dd.appendChild(val);
		if (accepted !== undefined) {
			var flag = document.createElement('span');
			flag.className = 'flag ' + (accepted ? 'yes' : 'no');
			flag.textContent = t(accepted ? 'confirmed' : 'not_confirmed');
			dd.appendChild(flag);
		}
		dl.appendChild(dt);
		dl.appendChild(dd);
	}

	function renderReview() {
		var st = S.st, doc = st.document || {}, f = doc.fields || {};
		var edit = editable(), names = st.names || {};
		var first = $('name-first'), last = $('name-last');
		if (!first.dataset.filled) {
			first.value = names.first_name || '';
			last.value = names.last_name || '';
			first.dataset.filled = '1';
		}
		$('review-h').textContent = t(edit ? 'review_h' : 'read_h');
		$('review-p').textContent = t(edit ? 'review_p' : 'read_p');
		$('review-names').hidden = !edit;
		$('names-locked').hidden = !st.verification.names_confirmed;
		$('review-submit').textContent = t(edit ? 'submit' : 'continue');
		var dl = $('review-fields');
		dl.textContent = '';
		if (!edit) {
			if (names.first_name) fieldRow(dl, t('first_name'), names.first_name, undefined, true);
			if (names.last_name) fieldRow(dl, t('last_name'), names.last_name, undefined, true);
		}
		REVIEW_FIELDS.forEach(function (k) {
			if (!f[k] || f[k].value === null || f[k].value === '') return;
			fieldRow(dl, t(k), readable(k, f[k].value), f[k].accepted, k === 'document_number' || k === 'national_number');
		});
	}

	/* A form error tied to its field: described by the message, marked
	   invalid, focused (so a screen reader reads both). */
	function fieldError(id, text) {
		var input = $(id), msg = $(id + '-error');
		input.setAttribute('aria-invalid', text ? 'true' : 'false');
		msg.textContent = text || '';
		msg.hidden = !text;
		if (text) input.focus();
	}

	function renderStatus() {
		var v = S.st ? S.st.verification : null;
		if (!v) return;
		$('status-text').textContent = t('status_' + v.status);
		$('status-text').dataset.status = v.status;
		$('status-retry').hidden = !(v.status === 'incomplete' || v.status === 'awaiting_input');
	}

	/* ---- the status page follows the verification ---- */

	function schedulePoll() {
		clearTimeout(S.poll);
		var v = S.st && S.st.verification;
		if (!v || FINAL.indexOf(v.status) >= 0) return;
		S.poll = setTimeout(function () {
			if (S.step !== 'status') return;
			refresh().then(function () {
				if (S.st.verification.status === 'incomplete' || S.st.verification.status === 'awaiting_input') return route();
				renderStatus();
				schedulePoll();
			}, function (e) { if (e.status === 401) fail(e); else schedulePoll(); });
		}, POLL_MS);
	}

	/* ---- uploads and their feedback ---- */

	function hint(doc, v) {
		var code = (v && v.retry && v.retry.code) || (doc && doc.reason) || '';
		var msg = code ? t('r_' + code) : '';
		return msg && msg !== 'r_' + code ? msg : ((v && v.retry && v.retry.message) || t('error_generic'));
	}

	function busy(on) {
		['btn-camera', 'btn-shoot', 'btn-retake', 'btn-capture-next', 'file-input'].forEach(function (id) { $(id).disabled = on; });
		var fb = $('capture-feedback');
		if (on) notice(fb, 'busy', t('uploading'));
	}

	function afterUpload(ok, kind, text) {
		notice($('capture-feedback'), kind, text);
		$('capture-choose').hidden = true;
		$('capture-shoot').hidden = true;
		$('capture-after').hidden = false;
		$('btn-capture-next').hidden = !ok;
		(ok ? $('btn-capture-next') : $('btn-retake')).focus();
	}

	/* The level asks for liveness: the camera path takes the selfie with
	   the head-turn challenge (docs/face.md#liveness). A chosen file is a
	   plain selfie, which a person then reviews. */
	function wantsLiveness() {
		return S.side === 'selfie' && has(S.st && S.st.verification.pending_steps, 'liveness');
	}

	/* What to do for the next frame, said in the live region. */
	function livePrompt() {
		var i = S.live.frames.length;
		notice($('capture-feedback'), 'prompt', t(i === 0 ? 'live_front' : 'live_' + S.live.moves[i - 1]));
		$('btn-shoot').focus();
	}

	function liveShot(blob) {
		S.live.frames.push(blob);
		if (S.live.frames.length <= S.live.moves.length) return livePrompt();
		KycCapture.stop();
		upload(S.live.frames[0], S.live.frames.slice(1));
	}

	function upload(blob, turns) {
		S.blob = blob;
		var prev = $('capture-preview');
		if (prev.src) URL.revokeObjectURL(prev.src);
		prev.src = URL.createObjectURL(blob);
		prev.hidden = false;
		$('cam').hidden = true;
		var fd = new FormData();
		var name = blob.type === 'image/png' ? 'photo.png' : 'photo.jpg';
		fd.append('image', blob, name);
		(turns || []).forEach(function (b, i) { fd.append('turn_' + (i + 1), b, 'turn.jpg'); });
		var path = 'selfie';
		if (S.side !== 'selfie') {
			path = 'documents';
			fd.append('type', S.type || (S.st.document && S.st.document.type) || '');
			fd.append('side', S.side);
			if (S.country) fd.append('issuing_country', S.country);
		}
		busy(true);
		return api('POST', path, fd).then(function (res) {
			busy(false);
			S.st.verification = res.verification;
			if (res.document) S.st.document = wasRead(res.document) || !S.st.document ? res.document : S.st.document;
			var v = res.verification, doc = res.document, p = v.pending_steps || [];
			if (FINAL.indexOf(v.status) >= 0) return refresh().then(route);
			/* an unusable selfie is a failed attempt with a selfie_* code */
			if (S.side === 'selfie')
				return v.status === 'incomplete' ? afterUpload(false, 'bad', hint(null, v)) : afterUpload(true, 'ok', t('selfie_ok'));
			if (v.status === 'incomplete' || (doc && !wasRead(doc) && !has(p, 'document_back')))
				return afterUpload(false, 'bad', hint(doc, v));
			if (doc && !wasRead(doc)) return afterUpload(true, 'ok', t('back_needed'));
			if (doc && doc.card_found && has(p, 'document_back')) return afterUpload(true, 'ok', t('back_needed'));
			if (doc && doc.card_found) return afterUpload(true, 'ok', t('card_read'));
			if (doc && doc.mrz_found && !doc.mrz_verified) return afterUpload(true, 'warn', t('read_partial'));
			afterUpload(true, 'ok', t('read_ok'));
		}, function (e) {
			busy(false);
			if (e.status === 401 || e.code === 'network') return fail(e);
			if (e.status === 409) return refresh().then(route, fail);
			afterUpload(false, 'bad', t('r_' + e.code) !== 'r_' + e.code ? t('r_' + e.code) : t('error_generic'));
		});
	}

	/* ---- wiring ---- */

	function wire() {
		$('consent-box').addEventListener('change', function () { $('consent-next').disabled = !this.checked; });
		$('consent-next').addEventListener('click', function () {
			this.disabled = true;
			api('POST', 'consent', {}).then(refresh).then(route, fail);
		});
		/* A two-sided type adds the back to the count at once. */
		$('doc-type').addEventListener('change', function () { S.type = this.value; progress(); });
		$('doc-country').addEventListener('change', function () {
			S.country = this.value;
			Array.prototype.forEach.call($('doc-type').options, function (o) { o.text = typeLabel(o.value); });
		});
		$('doc-next').addEventListener('click', function () {
			S.type = $('doc-type').value;
			S.country = $('doc-country').value;
			capture('front');
		});
		$('btn-camera').addEventListener('click', function () {
			var video = $('cam-video');
			$('cam').hidden = false;
			$('capture-preview').hidden = true;
			$('capture-feedback').innerHTML = '';
			KycCapture.start(video, S.side === 'selfie' ? 'user' : 'environment').then(function () {
				if (wantsLiveness())
					return api('POST', 'liveness/challenge', {}).then(function (ch) {
						S.live = { moves: ch.moves, frames: [] };
						$('capture-choose').hidden = true;
						$('capture-shoot').hidden = false;
						livePrompt();
					});
				$('capture-choose').hidden = true;
				$('capture-shoot').hidden = false;
				$('btn-shoot').focus();
			}).catch(function () {
				$('cam').hidden = true;
				notice($('capture-feedback'), 'warn', t('camera_denied'));
				$('file-input').focus();
			});
		});
		$('btn-shoot').addEventListener('click', function () {
			KycCapture.shoot($('cam-video'), !!S.live).then(S.live ? liveShot : upload, function () { notice($('capture-feedback'), 'bad', t('error_generic')); });
		});
		$('btn-cam-cancel').addEventListener('click', function () { KycCapture.stop(); capture(S.side); });
		$('file-input').addEventListener('change', function () {
			var f = this.files && this.files[0];
			if (f) KycCapture.fromFile(f).then(upload);
		});
		$('btn-retake').addEventListener('click', function () { capture(S.side); });
		$('btn-capture-next').addEventListener('click', function () { refresh().then(route, fail); });
		$('review-submit').addEventListener('click', function () {
			var btn = this, names = {};
			if (!editable()) {
				S.reviewed = true;
				return show('status');
			}
			var orig = S.st.names || {};
			var fields = [['name-first', 'first_name'], ['name-last', 'last_name']], missing = null;
			fields.forEach(function (p) {
				var val = $(p[0]).value.trim();
				fieldError(p[0], '');
				if (!val && orig[p[1]] && !missing) missing = p[0];
				else if (val && val !== orig[p[1]]) names[p[1]] = val;
			});
			if (missing) return fieldError(missing, t('name_required'));
			btn.disabled = true;
			api('POST', 'names', names).then(refresh).then(function () {
				btn.disabled = false;
				S.reviewed = true;
				show('status');
			}, function (e) {
				btn.disabled = false;
				if (e.status === 409) return refresh().then(function () { S.reviewed = true; show('status'); }, fail);
				if (e.status === 422 && (e.field === 'first_name' || e.field === 'last_name'))
					return fieldError(e.field === 'first_name' ? 'name-first' : 'name-last', t('name_invalid'));
				if (e.status === 422) return notice($('review-feedback'), 'bad', t('error_generic'));
				fail(e);
			});
		});
		$('btn-try-again').addEventListener('click', function () { S.type = ''; refresh().then(route, fail); });
	}

	function init() {
		wire();
		KycLang.start(window.KYC_I18N, function () { fillSelects(); render(); });
		if (!/^[0-9a-fA-F-]{36}$/.test(S.token)) return show('error', t('link_invalid'));
		refresh().then(function (st) {
			/* Coming back to a decided verification, or to names already
			   confirmed, goes to the status without the reading again. */
			var v = st.verification;
			S.reviewed = FINAL.indexOf(v.status) >= 0 || !!v.names_confirmed;
			fillSelects();
			route();
		}, fail);
	}

	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
	else init();
})();
