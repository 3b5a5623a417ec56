/* The language of a page, shared by the hosted page and the console: English
   or Arabic (right to left), first as kycd chose it from Accept-Language
   (<html lang>), then as the reader picks it with the switcher (kept in the
   browser's local storage). Text comes from a catalogue {en: {...}, ar:
   {...}}; a key missing in one language falls back to English. Country
   names and dates are the browser's own (Intl), in the page's language. */
'use strict';
window.KycLang = (function () {
	/* ISO 3166-1 alpha-3 then alpha-2: Intl names regions by alpha-2. */
	var COUNTRIES = 'ANDAD AREAE AFGAF ATGAG AIAAI ALBAL ARMAM AGOAO ATAAQ ARGAR ASMAS AUTAT AUSAU ABWAW ALAAX AZEAZ BIHBA BRBBB BGDBD BELBE BFABF BGRBG BHRBH BDIBI BENBJ BLMBL BMUBM BRNBN BOLBO BESBQ BRABR BHSBS BTNBT BVTBV BWABW BLRBY BLZBZ CANCA CCKCC CODCD CAFCF COGCG CHECH CIVCI COKCK CHLCL CMRCM CHNCN COLCO CRICR CUBCU CPVCV CUWCW CXRCX CYPCY CZECZ DEUDE DJIDJ DNKDK DMADM DOMDO DZADZ ECUEC ESTEE EGYEG ESHEH ERIER ESPES ETHET FINFI FJIFJ FLKFK FSMFM FROFO FRAFR GABGA GBRGB GRDGD GEOGE GUFGF GGYGG GHAGH GIBGI GRLGL GMBGM GINGN GLPGP GNQGQ GRCGR SGSGS GTMGT GUMGU GNBGW GUYGY HKGHK HMDHM HNDHN HRVHR HTIHT HUNHU IDNID IRLIE ISRIL IMNIM INDIN IOTIO IRQIQ IRNIR ISLIS ITAIT JEYJE JAMJM JORJO JPNJP KENKE KGZKG KHMKH KIRKI COMKM KNAKN PRKKP KORKR KWTKW CYMKY KAZKZ LAOLA LBNLB LCALC LIELI LKALK LBRLR LSOLS LTULT LUXLU LVALV LBYLY MARMA MCOMC MDAMD MNEME MAFMF MDGMG MHLMH MKDMK MLIML MMRMM MNGMN MACMO MNPMP MTQMQ MRTMR MSRMS MLTMT MUSMU MDVMV MWIMW MEXMX MYSMY MOZMZ NAMNA NCLNC NERNE NFKNF NGANG NICNI NLDNL NORNO NPLNP NRUNR NIUNU NZLNZ OMNOM PANPA PERPE PYFPF PNGPG PHLPH PAKPK POLPL SPMPM PCNPN PRIPR PSEPS PRTPT PLWPW PRYPY QATQA REURE ROURO SRBRS RUSRU RWARW SAUSA SLBSB SYCSC SDNSD SWESE SGPSG SHNSH SVNSI SJMSJ SVKSK SLESL SMRSM SENSN SOMSO SURSR SSDSS STPST SLVSV SXMSX SYRSY SWZSZ TCATC TCDTD ATFTF TGOTG THATH TJKTJ TKLTK TLSTL TKMTM TUNTN TONTO TURTR TTOTT TUVTV TWNTW TZATZ UKRUA UGAUG UMIUM USAUS URYUY UZBUZ VATVA VCTVC VENVE VGBVG VIRVI VNMVN VUTVU WLFWF WSMWS YEMYE MYTYT ZAFZA ZMBZM ZWEZW';
	var A2 = {};
	COUNTRIES.split(' ').forEach(function (p) { A2[p.slice(0, 3)] = p.slice(3); });
	A2.D = 'DE'; /* ICAO 9303 writes Germany as D */

	var cat = {}, lang = 'en', onchange = null;

	function t(key, vars) {
		var s = (cat[lang] && cat[lang][key]) || (cat.en && cat.en[key]);
		if (s === undefined) return key;
		if (vars) Object.keys(vars).forEach(function (k) { s = s.replace('{' + k + '}', vars[k]); });
		return s;
	}

	/* The catalogue's text for prefix+code, else the code made readable
	   ("document_expired" -> "document expired"): codes from newer servers
	   still read. */
	function label(prefix, code) {
		if (code === null || code === undefined || code === '') return '';
		var s = t(prefix + code);
		return s === prefix + code ? String(code).replace(/_/g, ' ') : s;
	}

	function apply(l) {
		lang = l === 'ar' ? 'ar' : 'en';
		var html = document.documentElement;
		html.lang = lang;
		html.dir = lang === 'ar' ? 'rtl' : 'ltr';
		document.title = t('title');
		document.querySelectorAll('[data-i18n]').forEach(function (el) { el.textContent = t(el.getAttribute('data-i18n')); });
		document.querySelectorAll('[data-i18n-label]').forEach(function (el) { el.setAttribute('aria-label', t(el.getAttribute('data-i18n-label'))); });
		document.querySelectorAll('[data-i18n-placeholder]').forEach(function (el) { el.placeholder = t(el.getAttribute('data-i18n-placeholder')); });
		document.querySelectorAll('[data-lang]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === lang)); });
		if (onchange) onchange(lang);
	}

	/* Wires the switcher and applies the saved or the server's language. */
	function start(catalogue, changed) {
		var saved = null;
		cat = catalogue || {};
		onchange = changed;
		try { saved = localStorage.getItem('kycd_lang'); } catch (e) { saved = null; }
		document.querySelectorAll('[data-lang]').forEach(function (b) {
			b.addEventListener('click', function () {
				try { localStorage.setItem('kycd_lang', b.getAttribute('data-lang')); } catch (e) { /* private mode */ }
				apply(b.getAttribute('data-lang'));
			});
		});
		apply(saved || document.documentElement.lang);
	}

	/* The reader's own variant of the page's language (en-GB dates for a
	   British browser), else the language. */
	function locale() {
		var own = (navigator.languages || []).filter(function (l) { return l.split('-')[0] === lang; })[0];
		return own ? [own, lang] : [lang];
	}

	function regionNames() {
		try { return new Intl.DisplayNames(locale(), { type: 'region' }); } catch (e) { return null; }
	}

	/* A country's name from its alpha-3 (or ICAO) code; the code when unknown. */
	function country(code) {
		var a2 = A2[String(code || '').replace(/<+$/, '')], names = a2 && regionNames();
		try { return (names && names.of(a2)) || code; } catch (e) { return code; }
	}

	/* Every country as [alpha-3, name], sorted by name in the page's language. */
	function countries() {
		var list = Object.keys(A2).filter(function (c) { return c.length === 3; }).map(function (c) { return [c, country(c)]; });
		return list.sort(function (a, b) { return a[1].localeCompare(b[1], lang); });
	}

	/* "1990-01-14" (or a full RFC 3339 time) in the page's language. */
	function date(iso, withTime) {
		var d = new Date(/T/.test(iso) ? iso : iso + 'T00:00:00Z');
		if (isNaN(d.getTime())) return iso;
		var o = withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'long', timeZone: 'UTC' };
		try { return new Intl.DateTimeFormat(locale(), o).format(d); } catch (e) { return iso; }
	}

	return { t: t, label: label, start: start, apply: apply, lang: function () { return lang; }, country: country, countries: countries, date: date };
})();
