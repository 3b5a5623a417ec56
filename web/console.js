/* The review console: log in, the queue of verifications pending review
   (oldest first) with filters and search, one verification with its images
   (zoom, rotate), the fields read, the checks, the history, and the
   decision. The session is an HttpOnly cookie; every change sends the
   session's CSRF token in X-CSRF-Token. */
'use strict';
(function () {
	var S = { op: null, csrf: '', rows: [], sel: -1, cursor: null, filter: {}, current: null, armed: false, query: '' };
	var t = KycLang.t, L = KycLang.label;

	function $(id) { return document.getElementById(id); }
	function el(tag, text, cls) {
		var e = document.createElement(tag);
		if (text !== undefined && text !== null) e.textContent = String(text);
		if (cls) e.className = cls;
		return e;
	}

	function api(method, path, body) {
		var h = { Accept: 'application/json' };
		if (method !== 'GET') h['X-CSRF-Token'] = S.csrf;
		if (body) { h['Content-Type'] = 'application/json'; body = JSON.stringify(body); }
		return fetch('/console/api/' + path, { method: method, headers: h, body: body, credentials: 'same-origin', cache: 'no-store' })
			.then(function (r) {
				return r.json().catch(function () { return null; }).then(function (j) {
					if (r.ok) return j;
					var e = new Error((j && j.detail) || ('HTTP ' + r.status));
					e.status = r.status;
					e.code = j && j.code;
					if (r.status === 401 && path !== 'login') showLogin();
					throw e;
				});
			});
	}

	function show(view) {
		['login', 'queue', 'verification'].forEach(function (v) { $('view-' + v).hidden = v !== view; });
		S.view = view;
		var h = document.querySelector('#view-' + view + ' h1');
		if (h) h.focus();
	}

	function alertIn(id, text) {
		var box = $(id);
		box.textContent = '';
		if (text) box.appendChild(el('p', text, 'notice bad'));
	}

	/* ---- session ---- */

	function signedIn(res) {
		S.op = res.operator;
		S.csrf = res.csrf_token;
		$('who').hidden = false;
		$('who-name').textContent = S.op.username;
		$('who-role').textContent = L('role_', S.op.role);
		route();
	}

	function showLogin() {
		S.op = null;
		S.csrf = '';
		$('who').hidden = true;
		show('login');
		$('login-user').focus();
	}

	/* ---- queue ---- */

	function when(ts) { return ts ? KycLang.date(ts, true) : ''; }

	/* Who did it, as a person reads it: the operator's name, the API key's
	   role and age (the server resolves both in "actors"), the applicant,
	   kycd itself, or a vendor route set. */
	function actor(a) {
		if (!a) return '';
		if (a === 'applicant' || a === 'system') return t('actor_' + a);
		var kind = a.split(':')[0], info = ((S.current && S.current.actors) || {})[a];
		if (kind === 'operator') return info && info.username ? t('actor_operator', { name: info.username }) : t('actor_operator_unknown');
		if (kind === 'key')
			return info && info.role ? t('actor_key', { role: L('role_', info.role), date: KycLang.date(String(info.created_at).slice(0, 10)) }) : t('actor_key_unknown');
		if (kind === 'compat') return t('actor_compat', { seed: a.slice(7) });
		return a;
	}

	/* A value read from the document: countries named, codes kept. */
	function value(k, v) {
		if (v === null || v === undefined) return '';
		if ((k === 'nationality' || k === 'issuing_country' || k === 'country') && KycLang.country(v) !== v)
			return KycLang.country(v) + ' (' + v + ')';
		return v;
	}

	/* The applicant's declared value beside the one read, so that a reviewer
	 * sees a difference without comparing two lists. */
	var DECLARED = { given_names: 'first_name', surname: 'last_name', birth_date: 'birth_date', nationality: 'nationality' };
	function norm(s) { return String(s).replace(/\s+/g, ' ').trim().toLowerCase(); }
	function declared(k, read, a) {
		var d = DECLARED[k] && a ? a[DECLARED[k]] : null;
		var td = el('td', d ? value(k, d) : '');
		td.dir = 'auto';
		if (d && read && norm(d) !== norm(read)) {
			td.appendChild(document.createTextNode(' '));
			td.appendChild(el('span', t('differs'), 'result-fail'));
		}
		return td;
	}

	function name(a) {
		if (!a) return '';
		return [a.first_name, a.last_name].filter(Boolean).join(' ');
	}

	function drawRows(append, quiet) {
		var body = $('queue-rows');
		if (!append) body.textContent = '';
		S.rows.slice(append ? body.children.length : 0).forEach(function (v, i0) {
			var i = (append ? body.children.length : 0) + i0;
			var tr = el('tr');
			tr.dataset.id = v.id;
			tr.tabIndex = -1;
			tr.setAttribute('aria-selected', 'false');
			[when(v.submitted_at || v.created_at), name(v.applicant), v.applicant && v.applicant.external_ref,
				v.level, L('status_', v.status), v.attempts].forEach(function (c) { tr.appendChild(el('td', c === undefined ? '' : c)); });
			tr.addEventListener('click', function () { select(i); open(v.id); });
			body.appendChild(tr);
		});
		$('queue-caption').textContent = !S.rows.length ? t('nothing') : S.query ? t('results', { n: S.rows.length, q: S.query }) : t('count', { n: S.rows.length });
		if (S.sel >= S.rows.length) S.sel = S.rows.length - 1;
		if (S.sel < 0 && S.rows.length) S.sel = 0;
		select(S.sel, !append && !quiet);
	}

	function select(i, focus) {
		var trs = $('queue-rows').children;
		/* One row in the Tab order, the selected one (Enter opens it). */
		for (var k = 0; k < trs.length; k++) {
			trs[k].setAttribute('aria-selected', String(k === i));
			trs[k].tabIndex = k === i ? 0 : -1;
		}
		S.sel = i;
		if (focus !== false && trs[i] && S.view === 'queue') trs[i].focus();
	}

	function loadQueue(more) {
		var q = 'queue?status=' + encodeURIComponent(S.filter.status || 'pending_review');
		if (S.filter.level) q += '&level=' + encodeURIComponent(S.filter.level);
		if (more && S.cursor) q += '&cursor=' + encodeURIComponent(S.cursor);
		return api('GET', q).then(function (res) {
			S.query = '';
			S.rows = more ? S.rows.concat(res.data) : res.data;
			S.cursor = res.next_cursor;
			$('queue-more').hidden = !S.cursor;
			drawRows(more);
		});
	}

	function search(q) {
		return api('GET', 'search?q=' + encodeURIComponent(q)).then(function (res) {
			S.rows = res.data;
			S.query = q;
			S.cursor = null;
			$('queue-more').hidden = true;
			drawRows(false);
		});
	}

	/* ---- one verification ---- */

	function image(fileId, label) {
		var box = el('figure');
		var cap = el('figcaption', label);
		var frame = el('div', null, 'imgbox');
		/* Scrollable when zoomed, so reachable by keyboard. */
		frame.tabIndex = 0;
		frame.setAttribute('role', 'group');
		frame.setAttribute('aria-label', t('image_box', { label: label }));
		var img = el('img');
		img.alt = label;
		img.src = '/console/api/files/' + encodeURIComponent(fileId);
		var zoom = 1, rot = 0;
		function apply() { img.style.transform = 'scale(' + zoom + ') rotate(' + rot + 'deg)'; }
		var tools = el('div', null, 'tools');
		[['zoom_in', function () { zoom = Math.min(4, zoom * 1.25); }],
			['zoom_out', function () { zoom = Math.max(0.5, zoom / 1.25); }],
			['rotate', function () { rot = (rot + 90) % 360; }],
			['reset', function () { zoom = 1; rot = 0; }]].forEach(function (tool) {
			var b = el('button', t(tool[0]), 'btn');
			b.type = 'button';
			b.addEventListener('click', function () { tool[1](); apply(); });
			tools.appendChild(b);
		});
		frame.appendChild(img);
		box.appendChild(cap);
		box.appendChild(frame);
		box.appendChild(tools);
		return box;
	}

	/* The document's portrait beside the selfie, with the face engine's score
	   (verification.face, docs/api.md). */
	function drawFace(f) {
		var box = $('v-face'), pair = $('v-face-pair'), score = $('v-face-score');
		pair.textContent = '';
		score.textContent = '';
		box.hidden = !f || (!f.portrait_file_id && !f.selfie_file_id);
		if (box.hidden) return;
		if (f.portrait_file_id) pair.appendChild(image(f.portrait_file_id, t('face_portrait')));
		if (f.selfie_file_id) pair.appendChild(image(f.selfie_file_id, t('selfie')));
		var parts = [];
		if (typeof f.similarity === 'number') {
			score.appendChild(el('span', t(f.match ? 'face_match_yes' : 'face_match_no'), f.match ? 'result-pass' : 'result-fail'));
			parts.push(t('face_score', { s: f.similarity.toFixed(3), d: f.distance.toFixed(3), th: f.threshold.toFixed(3) }));
		} else if (f.portrait_file_id && f.selfie_file_id) {
			// a face kept by the former network: not compared (face_match review)
			parts.push(t('face_not_compared'));
		} else {
			parts.push(t(f.portrait_file_id ? 'face_no_selfie' : 'face_no_portrait'));
		}
		if (typeof f.age === 'number') parts.push(t('face_estimate', { age: Math.round(f.age), gender: L('gender_', f.gender) }));
		parts.push(t(f.liveness === 'passed' || f.liveness === 'failed' ? 'face_liveness_' + f.liveness : 'face_liveness'));
		score.appendChild(document.createTextNode(' ' + parts.join(' · ')));
	}

	function drawVerification(res) {
		var v = res.verification, a = res.applicant;
		S.current = res;
		S.armed = false;
		$('v-h').textContent = name(a) ? t('verification_h', { name: name(a) }) : t('verification_id', { id: v.id });
		var sum = $('v-summary');
		sum.textContent = [a.external_ref ? t('summary_ref', { v: a.external_ref }) : '', t('summary_level', { v: v.level || '-' }),
			L('status_', v.status), t('summary_attempts', { v: v.attempts || 0 })].filter(Boolean).join(' · ') + ' · ';
		var vid = sum.appendChild(el('span', t('verification_label') + ' ', 'hint'));
		vid.appendChild(el('bdi', v.id));
		drawFace(v.face);
		var imgs = $('v-images');
		imgs.textContent = '';
		var fields = null;
		res.documents.forEach(function (d) {
			var label = d.type === 'selfie' ? t('selfie') : t('image_label', { type: L('type_', d.type), side: L('side_', d.side), status: L('doc_', d.status) });
			if (d.file_id) imgs.appendChild(image(d.file_id, label));
			if (d.id === v.document_id || (!fields && d.extraction && (d.extraction.mrz_found || d.extraction.card_found))) fields = d.extraction;
		});
		var tb = $('v-fields').tBodies[0];
		tb.textContent = '';
		var f = (fields && fields.fields) || {};
		var corr = v.corrections || {};
		Object.keys(f).forEach(function (k) {
			var tr = el('tr');
			tr.appendChild(el('th', L('field_', k))).scope = 'row';
			/* Arabic values (a card's names, address) run right to left. */
			tr.appendChild(el('td', value(k, f[k].value))).dir = 'auto';
			tr.appendChild(declared(k, f[k].value, a));
			tr.appendChild(el('td', t(f[k].accepted ? 'yes' : 'no'), f[k].accepted ? 'result-pass' : 'result-fail'));
			tb.appendChild(tr);
		});
		if (corr.changed) {
			[['first_name', 'given_names'], ['last_name', 'surname']].forEach(function (p) {
				var tr = el('tr');
				tr.appendChild(el('th', t('corrected', { field: L('field_', p[0]) }))).scope = 'row';
				tr.appendChild(el('td', corr[p[0]])).dir = 'auto';
				tr.appendChild(declared(p[1], corr[p[0]], a));
				tr.appendChild(el('td', t('read_as', { value: (corr.original || {})[p[1]] || '' }), 'result-other'));
				tb.appendChild(tr);
			});
		}
		var ul = $('v-checks');
		ul.textContent = '';
		/* Failed checks first, then those that ask for a person (review):
		 * they are what the reviewer is here for. */
		(v.checks || []).map(function (c, i) { return [c.result === 'fail' ? 0 : c.result === 'review' ? 1 : 2, i, c]; }).sort(function (x, y) {
			return x[0] - y[0] || x[1] - y[1];
		}).map(function (x) { return x[2]; }).forEach(function (c) {
			var li = el('li');
			var r = c.result || '';
			li.appendChild(el('span', L('result_', r), r === 'pass' ? 'result-pass' : r === 'fail' ? 'result-fail' : 'result-other'));
			li.appendChild(document.createTextNode(' ' + L('check_', c.name) + (c.reason ? ' — ' + L('reason_', c.reason) : '')));
			ul.appendChild(li);
		});
		if (!ul.children.length) ul.appendChild(el('li', t('no_checks')));
		var dl = $('v-applicant');
		dl.textContent = '';
		['first_name', 'last_name', 'birth_date', 'nationality', 'country', 'email', 'external_ref'].forEach(function (k) {
			if (!a[k]) return;
			dl.appendChild(el('dt', L('field_', k)));
			dl.appendChild(el('dd', value(k, a[k]))).dir = 'auto';
		});
		var ol = $('v-history');
		ol.textContent = '';
		res.history.forEach(function (h) {
			var line = when(h.created_at) + ' — ' + L('action_', h.action);
			if (h.from_status !== h.to_status && h.to_status) line += ' (' + (L('status_', h.from_status) || '-') + ' → ' + L('status_', h.to_status) + ')';
			if (h.reason) line += ' — ' + L('reason_', h.reason);
			line += ' · ' + t('by', { actor: actor(h.actor) });
			ol.appendChild(el('li', line));
		});
		var pending = v.status === 'pending_review';
		var reason = v.decision && v.decision.reason;
		$('decide-state').textContent = pending ? t('pending') : reason ? t('status_reason', { status: L('status_', v.status), reason: L('reason_', reason) }) : t('status_line', { status: L('status_', v.status) });
		$('decide-state').dataset.status = v.status;
		$('decide-form').hidden = !(pending && res.may_decide);
		alertIn('decide-error', '');
	}

	function open(id) {
		return api('GET', 'verifications/' + encodeURIComponent(id)).then(function (res) {
			drawVerification(res);
			show('verification');
			if (location.hash !== '#v/' + id) history.pushState(null, '', '#v/' + id);
		}, function (e) { alertIn('decide-error', e.message); });
	}

	function decide(decision) {
		var v = S.current && S.current.verification;
		if (!v) return;
		var reason = $('d-reason').value, note = $('d-note').value.trim();
		if (decision === 'reject' && !reason) {
			alertIn('decide-error', t('choose_reason'));
			$('d-reason').focus();
			return;
		}
		var body = { decision: decision };
		if (reason) body.reason = reason;
		if (note) body.note = note;
		$('btn-approve').disabled = $('btn-reject').disabled = true;
		api('POST', 'verifications/' + encodeURIComponent(v.id) + '/decision', body).then(function () {
			$('d-reason').value = '';
			$('d-note').value = '';
			return open(v.id);
		}, function (e) { alertIn('decide-error', e.message); })
			.then(function () { $('btn-approve').disabled = $('btn-reject').disabled = false; });
	}

	function next() {
		if (S.sel + 1 < S.rows.length) { select(S.sel + 1); open(S.rows[S.sel].id); }
		else { show('queue'); loadQueue(false); }
	}

	/* ---- navigation ---- */

	function route() {
		var m = /^#v\/([0-9a-fA-F-]{36})$/.exec(location.hash);
		if (m) return open(m[1]);
		show('queue');
		return loadQueue(false).catch(function (e) { $('queue-caption').textContent = e.message; });
	}

	function keys(ev) {
		/* Single-key shortcuts can be turned off (WCAG 2.1.4): speech
		   input types letters that must not act. */
		if (!S.op || ev.ctrlKey || ev.metaKey || ev.altKey || !$('keys-on').checked) return;
		var tag = (ev.target.tagName || '').toLowerCase();
		if (tag === 'input' || tag === 'textarea' || tag === 'select') {
			if (ev.key === 'Escape') ev.target.blur();
			return;
		}
		if (S.view === 'queue') {
			if (ev.key === 'j' || ev.key === 'ArrowDown') { select(Math.min(S.rows.length - 1, S.sel + 1)); ev.preventDefault(); }
			else if (ev.key === 'k' || ev.key === 'ArrowUp') { select(Math.max(0, S.sel - 1)); ev.preventDefault(); }
			else if (ev.key === 'Enter' && S.rows[S.sel]) open(S.rows[S.sel].id);
			else if (ev.key === '/') { $('search-q').focus(); ev.preventDefault(); }
		} else if (S.view === 'verification') {
			var can = !$('decide-form').hidden;
			if (ev.key === 'a' && can) {
				/* Twice, so that a stray key press never approves. */
				if (S.armed) { S.armed = false; decide('approve'); }
				else { S.armed = true; $('decide-state').textContent = t('press_a_again'); }
			} else if (ev.key === 'r' && can) { $('d-reason').focus(); ev.preventDefault(); }
			else if (ev.key === 'n') next();
			else if (ev.key === 'Escape') { history.pushState(null, '', '#'); show('queue'); loadQueue(false); }
			if (ev.key !== 'a' && S.armed) { S.armed = false; drawVerification(S.current); }
		}
	}

	function init() {
		$('login-form').addEventListener('submit', function (ev) {
			ev.preventDefault();
			alertIn('login-error', '');
			$('login-submit').disabled = true;
			api('POST', 'login', { username: $('login-user').value.trim(), password: $('login-pass').value })
				.then(function (res) { $('login-pass').value = ''; signedIn(res); }, function (e) {
					alertIn('login-error', e.status === 401 ? t('wrong_credentials') : e.status === 429 ? t('too_many') : e.message);
				}).then(function () { $('login-submit').disabled = false; });
		});
		$('logout').addEventListener('click', function () {
			api('POST', 'logout').then(showLogin, showLogin);
		});
		$('filter-form').addEventListener('submit', function (ev) {
			ev.preventDefault();
			S.filter = { status: $('f-status').value, level: $('f-level').value.trim() };
			S.sel = 0;
			loadQueue(false);
		});
		$('search-form').addEventListener('submit', function (ev) {
			ev.preventDefault();
			var q = $('search-q').value.trim();
			if (q) search(q).catch(function (e) { $('queue-caption').textContent = e.message; });
			else loadQueue(false);
		});
		$('queue-more').addEventListener('click', function () { loadQueue(true); });
		$('back').addEventListener('click', function () { history.pushState(null, '', '#'); show('queue'); loadQueue(false); });
		$('btn-approve').addEventListener('click', function () { decide('approve'); });
		$('btn-reject').addEventListener('click', function () { decide('reject'); });
		window.addEventListener('popstate', function () { if (S.op) route(); });
		document.addEventListener('keydown', keys);
		try { $('keys-on').checked = localStorage.getItem('kycd_keys') !== 'off'; } catch (e) { /* private mode */ }
		$('keys-on').addEventListener('change', function () {
			try { localStorage.setItem('kycd_keys', this.checked ? 'on' : 'off'); } catch (e) { /* private mode */ }
		});
		KycLang.start(window.KYC_CONSOLE_I18N, function () {
			if (S.rows.length) drawRows(false, true);
			if (S.view === 'verification' && S.current) drawVerification(S.current);
			if (S.op) $('who-role').textContent = L('role_', S.op.role);
		});
		/* Before a login the probe answers 200 with no operator: not being
		   logged in is not an error. */
		api('GET', 'session').then(function (res) { if (res && res.operator) signedIn(res); else showLogin(); }, function () { showLogin(); });
	}

	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
	else init();
})();
