/* The review console: log in, the queue of verifications pending review
   (oldest first) with filters and search, one verification with its images
   (zoom, rotate), the fields read, the checks, the history, and the
   decision. The session is an HttpOnly cookie; every change sends the
   session's CSRF token in X-CSRF-Token. */
'use strict';
(function () {
	var S = { op: null, csrf: '', rows: [], sel: -1, cursor: null, filter: {}, current: null, armed: false };

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
		$('who-role').textContent = S.op.role;
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

	function when(ts) { return ts ? ts.replace('T', ' ').slice(0, 16) : ''; }

	function name(a) {
		if (!a) return '';
		return [a.first_name, a.last_name].filter(Boolean).join(' ');
	}

	function drawRows(append) {
		var body = $('queue-rows');
		if (!append) body.textContent = '';
		S.rows.slice(append ? body.children.length : 0).forEach(function (v, i0) {
			var i = (append ? body.children.length : 0) + i0;
			var tr = el('tr');
			tr.dataset.id = v.id;
			tr.tabIndex = -1;
			tr.setAttribute('aria-selected', 'false');
			[when(v.submitted_at || v.created_at), name(v.applicant), v.applicant && v.applicant.external_ref,
				v.level, v.status, v.attempts].forEach(function (c) { tr.appendChild(el('td', c === undefined ? '' : c)); });
			tr.addEventListener('click', function () { select(i); open(v.id); });
			body.appendChild(tr);
		});
		$('queue-caption').textContent = S.rows.length ? S.rows.length + ' verification(s)' : 'Nothing to show.';
		if (S.sel >= S.rows.length) S.sel = S.rows.length - 1;
		if (S.sel < 0 && S.rows.length) S.sel = 0;
		select(S.sel);
	}

	function select(i) {
		var trs = $('queue-rows').children;
		for (var k = 0; k < trs.length; k++) trs[k].setAttribute('aria-selected', String(k === i));
		S.sel = i;
		if (trs[i] && S.view === 'queue') trs[i].focus();
	}

	function loadQueue(more) {
		var q = 'queue?status=' + encodeURIComponent(S.filter.status || 'pending_review');
		if (S.filter.level) q += '&level=' + encodeURIComponent(S.filter.level);
		if (more && S.cursor) q += '&cursor=' + encodeURIComponent(S.cursor);
		return api('GET', q).then(function (res) {
			S.rows = more ? S.rows.concat(res.data) : res.data;
			S.cursor = res.next_cursor;
			$('queue-more').hidden = !S.cursor;
			drawRows(more);
		});
	}

	function search(q) {
		return api('GET', 'search?q=' + encodeURIComponent(q)).then(function (res) {
			S.rows = res.data;
			S.cursor = null;
			$('queue-more').hidden = true;
			drawRows(false);
			$('queue-caption').textContent = res.data.length + ' result(s) for “' + q + '”';
		});
	}

	/* ---- one verification ---- */

	function image(fileId, label) {
		var box = el('figure');
		var cap = el('figcaption', label);
		var frame = el('div', null, 'imgbox');
		var img = el('img');
		img.alt = label;
		img.src = '/console/api/files/' + encodeURIComponent(fileId);
		var zoom = 1, rot = 0;
		function apply() { img.style.transform = 'scale(' + zoom + ') rotate(' + rot + 'deg)'; }
		var tools = el('div', null, 'tools');
		[['Zoom in', function () { zoom = Math.min(4, zoom * 1.25); }],
			['Zoom out', function () { zoom = Math.max(0.5, zoom / 1.25); }],
			['Rotate', function () { rot = (rot + 90) % 360; }],
			['Reset', function () { zoom = 1; rot = 0; }]].forEach(function (t) {
			var b = el('button', t[0], 'btn');
			b.type = 'button';
			b.addEventListener('click', function () { t[1](); apply(); });
			tools.appendChild(b);
		});
		frame.appendChild(img);
		box.appendChild(cap);
		box.appendChild(tools);
		box.appendChild(frame);
		return box;
	}

	function drawVerification(res) {
		var v = res.verification, a = res.applicant;
		S.current = res;
		S.armed = false;
		$('v-h').textContent = 'Verification ' + v.id;
		$('v-summary').textContent = [name(a), a.external_ref ? 'ref ' + a.external_ref : '', 'level ' + (v.level || '-'),
			'status ' + v.status, 'attempts ' + (v.attempts || 0)].filter(Boolean).join(' · ');
		var imgs = $('v-images');
		imgs.textContent = '';
		var fields = null;
		res.documents.forEach(function (d) {
			var label = d.type === 'selfie' ? 'Selfie' : d.type + ' — ' + d.side + ' (' + d.status + ')';
			if (d.file_id) imgs.appendChild(image(d.file_id, label));
			if (d.id === v.document_id || (!fields && d.extraction && d.extraction.mrz_found)) fields = d.extraction;
		});
		var tb = $('v-fields').tBodies[0];
		tb.textContent = '';
		var f = (fields && fields.fields) || {};
		var corr = v.corrections || {};
		Object.keys(f).forEach(function (k) {
			var tr = el('tr');
			tr.appendChild(el('th', k)).scope = 'row';
			tr.appendChild(el('td', f[k].value));
			tr.appendChild(el('td', f[k].accepted ? 'yes' : 'no', f[k].accepted ? 'result-pass' : 'result-fail'));
			tb.appendChild(tr);
		});
		if (corr.changed) {
			[['first_name', 'given_names'], ['last_name', 'surname']].forEach(function (p) {
				var tr = el('tr');
				tr.appendChild(el('th', p[0] + ' (corrected by applicant)')).scope = 'row';
				tr.appendChild(el('td', corr[p[0]]));
				tr.appendChild(el('td', 'read: ' + ((corr.original || {})[p[1]] || ''), 'result-other'));
				tb.appendChild(tr);
			});
		}
		var ul = $('v-checks');
		ul.textContent = '';
		(v.checks || []).forEach(function (c) {
			var li = el('li');
			var r = c.result || '';
			li.appendChild(el('span', r, r === 'pass' ? 'result-pass' : r === 'fail' ? 'result-fail' : 'result-other'));
			li.appendChild(document.createTextNode(' ' + c.name + (c.reason ? ' — ' + c.reason : '')));
			ul.appendChild(li);
		});
		if (!ul.children.length) ul.appendChild(el('li', 'No checks have run.'));
		var dl = $('v-applicant');
		dl.textContent = '';
		['first_name', 'last_name', 'birth_date', 'nationality', 'country', 'email', 'external_ref'].forEach(function (k) {
			if (!a[k]) return;
			dl.appendChild(el('dt', k));
			dl.appendChild(el('dd', a[k]));
		});
		var ol = $('v-history');
		ol.textContent = '';
		res.history.forEach(function (h) {
			var t = when(h.created_at) + ' ' + h.actor + ': ' + h.action;
			if (h.from_status !== h.to_status && h.to_status) t += ' (' + (h.from_status || '-') + ' → ' + h.to_status + ')';
			if (h.reason) t += ' — ' + h.reason;
			ol.appendChild(el('li', t));
		});
		var pending = v.status === 'pending_review';
		$('decide-state').textContent = pending ? 'Pending review' : 'Status: ' + v.status +
			(v.decision && v.decision.reason ? ' (' + v.decision.reason + ')' : '');
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
			alertIn('decide-error', 'Choose a reason code to reject.');
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
		if (!S.op || ev.ctrlKey || ev.metaKey || ev.altKey) return;
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
				else { S.armed = true; $('decide-state').textContent = 'Press a again to approve'; }
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
					alertIn('login-error', e.status === 401 ? 'Wrong username or password.' : e.message);
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
		api('GET', 'session').then(signedIn, function () { showLogin(); });
	}

	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
	else init();
})();
