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
	/* alpha-3 then alpha-2 of ISO 3166-1: names come from the browser (Intl). */
	var COUNTRIES = 'ANDAD AREAE AFGAF ATGAG AIAAI ALBAL ARMAM AGOAO ATAAQ ARGAR ASMAS AUTAT AUSAU ABWAW ALAAX AZEAZ BIHBA BRBBB BGDBD BELBE BFABF BGRBG BHRBH BDIBI BENBJ BLMBL BMUBM BRNBN BOLBO BESBQ BRABR BHSBS BTNBT BVTBV BWABW BLRBY BLZBZ CANCA CCKCC CODCD CAFCF COGCG CHECH CIVCI COKCK CHLCL CMRCM CHNCN COLCO CRICR CUBCU CPVCV CUWCW CXRCX CYPCY CZECZ DEUDE DJIDJ DNKDK DMADM DOMDO DZADZ ECUEC ESTEE EGYEG ESHEH ERIER ESPES ETHET FINFI FJIFJ FLKFK FSMFM FROFO FRAFR GABGA GBRGB GRDGD GEOGE GUFGF GGYGG GHAGH GIBGI GRLGL GMBGM GINGN GLPGP GNQGQ GRCGR SGSGS GTMGT GUMGU GNBGW GUYGY HKGHK HMDHM HNDHN HRVHR HTIHT HUNHU IDNID IRLIE ISRIL IMNIM INDIN IOTIO IRQIQ IRNIR ISLIS ITAIT JEYJE JAMJM JORJO JPNJP KENKE KGZKG KHMKH KIRKI COMKM KNAKN PRKKP KORKR KWTKW CYMKY KAZKZ LAOLA LBNLB LCALC LIELI LKALK LBRLR LSOLS LTULT LUXLU LVALV LBYLY MARMA MCOMC MDAMD MNEME MAFMF MDGMG MHLMH MKDMK MLIML MMRMM MNGMN MACMO MNPMP MTQMQ MRTMR MSRMS MLTMT MUSMU MDVMV MWIMW MEXMX MYSMY MOZMZ NAMNA NCLNC NERNE NFKNF NGANG NICNI NLDNL NORNO NPLNP NRUNR NIUNU NZLNZ OMNOM PANPA PERPE PYFPF PNGPG PHLPH PAKPK POLPL SPMPM PCNPN PRIPR PSEPS PRTPT PLWPW PRYPY QATQA REURE ROURO SRBRS RUSRU RWARW SAUSA SLBSB SYCSC SDNSD SWESE SGPSG SHNSH SVNSI SJMSJ SVKSK SLESL SMRSM SENSN SOMSO SURSR SSDSS STPST SLVSV SXMSX SYRSY SWZSZ TCATC TCDTD ATFTF TGOTG THATH TJKTJ TKLTK TLSTL TKMTM TUNTN TONTO TURTR TTOTT TUVTV TWNTW TZATZ UKRUA UGAUG UMIUM USAUS URYUY UZBUZ VATVA VCTVC VENVE VGBVG VIRVI VNMVN VUTVU WLFWF WSMWS YEMYE MYTYT ZAFZA ZMBZM ZWEZW';
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
		poll: null
	};

	function $(id) { return document.getElementById(id); }

	function t(key, vars) {
		var cat = window.KYC_I18N || {};
		var s = (cat[S.lang] && cat[S.lang][key]) || (cat.en && cat.en[key]) || key;
		if (vars) Object.keys(vars).forEach(function (k) { s = s.replace('{' + k + '}', vars[k]); });
		return s;
	}

	function applyLang(lang) {
		S.lang = lang === 'ar' ? 'ar' : 'en';
		var html = document.documentElement;
		html.lang = S.lang;
		html.dir = S.lang === 'ar' ? 'rtl' : 'ltr';
		document.title = t('title');
		document.querySelectorAll('[data-i18n]').forEach(function (el) { el.textContent = t(el.getAttribute('data-i18n')); });
		document.querySelectorAll('[data-i18n-label]').forEach(function (el) { el.setAttribute('aria-label', t(el.getAttribute('data-i18n-label'))); });
		document.querySelectorAll('[data-lang]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === S.lang)); });
		fillSelects();
		render();
	}

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

	function route() {
		var st = S.st, v = st.verification, p = v.pending_steps || [];
		var doc = st.document;
		if (FINAL.indexOf(v.status) >= 0 || v.status === 'processing') return show('status');
		if (v.status === 'pending_review')
			return show(!v.names_confirmed && doc && doc.mrz_found ? 'review' : 'status');
		if (!st.consent) return show('consent');
		if (has(p, 'document') || !doc || v.status === 'incomplete') {
			if (!S.type) return show('document');
			return capture('front');
		}
		if (has(p, 'document_back')) return capture('back');
		if (has(p, 'selfie')) return capture('selfie');
		if (!v.names_confirmed && doc && doc.mrz_found) return show('review');
		return show('status');
	}

	var STEPS = ['consent', 'document', 'front', 'back', 'selfie', 'review'];

	function progress() {
		var key = S.step === 'capture' ? S.side : S.step;
		var i = STEPS.indexOf(key);
		$('progress').textContent = i < 0 ? '' : t('step_of', { n: i + 1, total: STEPS.length });
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
		if (h) h.focus();
		if (step === 'status') schedulePoll();
	}

	function capture(side) {
		S.side = side;
		S.blob = null;
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

	function fillSelects() {
		var types = (S.st && S.st.verification.document_types) || [];
		var sel = $('doc-type');
		var cur = S.type || sel.value || types[0] || '';
		sel.textContent = '';
		types.forEach(function (ty) { sel.add(new Option(t('type_' + ty), ty, false, ty === cur)); });
		var cs = $('doc-country');
		var curc = S.country || cs.value;
		var names = null;
		try { names = new Intl.DisplayNames([S.lang], { type: 'region' }); } catch (e) { names = null; }
		var list = COUNTRIES.split(' ').map(function (p) {
			var a3 = p.slice(0, 3), a2 = p.slice(3);
			var n = a3;
			try { n = names ? names.of(a2) || a3 : a3; } catch (e) { n = a3; }
			return [a3, n];
		});
		list.sort(function (a, b) { return a[1].localeCompare(b[1], S.lang); });
		cs.textContent = '';
		cs.add(new Option(t('doc_country_any'), '', false, !curc));
		list.forEach(function (c) { cs.add(new Option(c[1], c[0], false, c[0] === curc)); });
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
			$('capture-tip').textContent = t(k + '_tip');
		} else if (S.step === 'review') {
			renderReview();
		} else if (S.step === 'status') {
			renderStatus();
		}
	}

	var REVIEW_FIELDS = ['document_number', 'birth_date', 'expiry_date', 'nationality', 'sex', 'issuing_country'];

	function renderReview() {
		var st = S.st, doc = st.document || {}, f = doc.fields || {};
		var locked = !!st.verification.names_confirmed;
		var first = $('name-first'), last = $('name-last');
		if (!first.dataset.filled) {
			first.value = (st.names && st.names.first_name) || '';
			last.value = (st.names && st.names.last_name) || '';
			first.dataset.filled = '1';
		}
		first.readOnly = last.readOnly = locked;
		$('names-locked').hidden = !locked;
		var dl = $('review-fields');
		dl.textContent = '';
		REVIEW_FIELDS.forEach(function (k) {
			if (!f[k] || f[k].value === null || f[k].value === '') return;
			var dt = document.createElement('dt'), dd = document.createElement('dd'), flag = document.createElement('span');
			dt.textContent = t(k);
			var val = document.createElement('span');
			val.dir = 'ltr';
			val.textContent = f[k].value;
			dd.appendChild(val);
			flag.className = 'flag ' + (f[k].accepted ? 'yes' : 'no');
			flag.textContent = t(f[k].accepted ? 'confirmed' : 'not_confirmed');
			dd.appendChild(flag);
			dl.appendChild(dt);
			dl.appendChild(dd);
		});
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

	function upload(blob) {
		S.blob = blob;
		var prev = $('capture-preview');
		if (prev.src) URL.revokeObjectURL(prev.src);
		prev.src = URL.createObjectURL(blob);
		prev.hidden = false;
		$('cam').hidden = true;
		var fd = new FormData();
		var name = blob.type === 'image/png' ? 'photo.png' : 'photo.jpg';
		fd.append('image', blob, name);
		var path = 'selfie';
		if (S.side !== 'selfie') {
			path = 'documents';
			fd.append('type', S.type);
			fd.append('side', S.side);
			if (S.country) fd.append('issuing_country', S.country);
		}
		busy(true);
		return api('POST', path, fd).then(function (res) {
			busy(false);
			S.st.verification = res.verification;
			if (res.document) S.st.document = res.document.mrz_found || !S.st.document ? res.document : S.st.document;
			var v = res.verification, doc = res.document, p = v.pending_steps || [];
			if (FINAL.indexOf(v.status) >= 0) return refresh().then(route);
			if (S.side === 'selfie') return afterUpload(true, 'ok', t('selfie_ok'));
			if (v.status === 'incomplete' || (doc && !doc.mrz_found && !has(p, 'document_back')))
				return afterUpload(false, 'bad', hint(doc, v));
			if (doc && !doc.mrz_found) return afterUpload(true, 'ok', t('back_needed'));
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
		document.querySelectorAll('[data-lang]').forEach(function (b) {
			b.addEventListener('click', function () {
				try { localStorage.setItem('kycd_lang', b.getAttribute('data-lang')); } catch (e) { /* private mode */ }
				applyLang(b.getAttribute('data-lang'));
			});
		});
		$('consent-box').addEventListener('change', function () { $('consent-next').disabled = !this.checked; });
		$('consent-next').addEventListener('click', function () {
			this.disabled = true;
			api('POST', 'consent', {}).then(refresh).then(route, fail);
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
				$('capture-choose').hidden = true;
				$('capture-shoot').hidden = false;
				$('btn-shoot').focus();
			}, function () {
				$('cam').hidden = true;
				notice($('capture-feedback'), 'warn', t('camera_denied'));
				$('file-label').focus();
			});
		});
		$('btn-shoot').addEventListener('click', function () {
			KycCapture.shoot($('cam-video')).then(upload, function () { notice($('capture-feedback'), 'bad', t('error_generic')); });
		});
		$('btn-cam-cancel').addEventListener('click', function () { KycCapture.stop(); capture(S.side); });
		$('file-input').addEventListener('change', function () {
			var f = this.files && this.files[0];
			if (f) KycCapture.fromFile(f).then(upload);
		});
		$('btn-retake').addEventListener('click', function () { capture(S.side); });
		$('btn-capture-next').addEventListener('click', function () { refresh().then(route, fail); });
		$('review-submit').addEventListener('click', function () {
			var btn = this, v = S.st.verification, names = {};
			if (!v.names_confirmed) {
				var orig = S.st.names || {};
				var first = $('name-first').value.trim(), last = $('name-last').value.trim();
				if (first && first !== orig.first_name) names.first_name = first;
				if (last && last !== orig.last_name) names.last_name = last;
			}
			btn.disabled = true;
			var done = v.names_confirmed ? Promise.resolve() : api('POST', 'names', names);
			done.then(refresh).then(function () { btn.disabled = false; show('status'); }, function (e) {
				btn.disabled = false;
				if (e.status === 409) return refresh().then(function () { show('status'); }, fail);
				if (e.status === 422) return notice($('review-feedback'), 'bad', t('error_generic'));
				fail(e);
			});
		});
		$('btn-try-again').addEventListener('click', function () { S.type = ''; refresh().then(route, fail); });
	}

	function init() {
		var saved = null;
		try { saved = localStorage.getItem('kycd_lang'); } catch (e) { saved = null; }
		wire();
		applyLang(saved || document.documentElement.lang);
		if (!/^[0-9a-fA-F-]{36}$/.test(S.token)) return show('error', t('link_invalid'));
		refresh().then(function () { fillSelects(); route(); }, fail);
	}

	if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
	else init();
})();
