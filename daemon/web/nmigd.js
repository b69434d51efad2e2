/*
 * nmigd's web view: draws status.json (the document of "nmigd-ctl --json
 * status") and the selected domain's history.json every few seconds.
 *
 * Every name, location and record comes from configuration files,
 * resolvers and DNS servers: it is put in the page only as text
 * (textContent, setAttribute), never parsed as HTML.  The server's
 * Content-Security-Policy would refuse an injected script anyway.
 */
'use strict';

(function () {
	const REFRESH_MS = 5000;
	const MAX_ROWS = 500;	/* domains listed at once; the filter finds the rest */
	/* MESSAGE_IDs of systemd/nmigd.catalog. */
	const SWITCHED = 'e9df83999fd24289a5c3555f27a3633c';
	const REGRESSED = 'e02b123b73e54a8ab3871547185b88ef';
	const STATES = ['pending', 'new', 'old', 'mixed', 'other', 'nodata',
	    'nxdomain', 'error', 'unreachable', 'propagating', 'complete'];
	const SVGNS = 'http://www.w3.org/2000/svg';

	let doc = null;		/* the last status.json?summary: the list */
	let detail = null;	/* the selected domain's status.json?domain= */
	let history = null;	/* the last history.json of historyFor */
	let historyFor = null;
	let historyProblem = null;	/* why the last history did not come */
	let updated = null;	/* when doc arrived */
	let unchanged = 0;	/* refreshes that brought the same doc */

	function $(id) {
		return document.getElementById(id);
	}

	function el(tag, cls, text) {
		const e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text !== undefined && text !== null)
			e.textContent = String(text);
		return e;
	}

	function svg(tag, attrs, text) {
		const e = document.createElementNS(SVGNS, tag);
		for (const k of Object.keys(attrs))
			e.setAttribute(k, String(attrs[k]));
		if (text !== undefined)
			e.textContent = String(text);
		return e;
	}

	function str(v, dflt) {
		return typeof v === 'string' ? v : dflt;
	}

	function int(v) {
		return Number.isInteger(v) ? v : 0;
	}

	function arr(v) {
		return Array.isArray(v) ? v : [];
	}

	/* The objects of an array; anything else in it is skipped. */
	function objs(v) {
		return arr(v).filter(x => x !== null && typeof x === 'object' &&
		    !Array.isArray(x));
	}

	function parseTime(s) {
		const t = typeof s === 'string' ? Date.parse(s) : NaN;
		return Number.isNaN(t) ? null : t;
	}

	/* "2026-12-01 12:34Z": the document's times are UTC, and so are
	 * those of journalctl --utc, which operators compare with. */
	function fmtTime(ms, seconds) {
		if (ms === null)
			return '-';
		return new Date(ms).toISOString().slice(0, seconds ? 19 : 16)
		    .replace('T', ' ') + 'Z';
	}

	function fmtDuration(s) {
		if (s >= 86400)
			return Math.floor(s / 86400) + 'd' +
			    Math.floor(s % 86400 / 3600) + 'h';
		if (s >= 3600)
			return Math.floor(s / 3600) + 'h' +
			    Math.floor(s % 3600 / 60) + 'm';
		if (s >= 60)
			return Math.floor(s / 60) + 'm' + s % 60 + 's';
		return s + 's';
	}

	/* A state as a coloured cell; a state the page does not know is
	 * shown as text with no colour, never as a class of its choosing. */
	function stateCell(state, extra) {
		const s = str(state, '?');
		const span = el('span', 'cell', extra ? s + ' ' + extra : s);
		if (STATES.includes(s))
			span.classList.add('st-' + s);
		span.setAttribute('data-state', s);
		return span;
	}

	function showProblem(text) {
		const p = $('problem');
		p.textContent = text;
		p.hidden = text === null;
	}

	/* The selected domain: #domain=NAME, as the document names it. */
	function selectedName() {
		const m = /^#domain=(.*)$/.exec(location.hash);
		if (m === null)
			return null;
		try {
			return decodeURIComponent(m[1]);
		} catch (e) {
			return null;
		}
	}

	function domainOf(name) {
		return objs(doc && doc.domains).find(d => d.domain === name ||
		    d.domain_unicode === name) || null;
	}

	/* Without a choice: the first domain still propagating, or the
	 * first. */
	function defaultDomain() {
		const ds = objs(doc && doc.domains);
		const d = ds.find(d => d.state !== 'complete') || ds[0];
		return d ? d.domain : null;
	}

	function currentDomain() {
		return domainOf(selectedName()) || domainOf(defaultDomain());
	}

	/* The domain list. */

	function expected(d) {
		if (d.state === 'complete')
			return fmtTime(parseTime(d.complete_at));
		return fmtTime(parseTime(d.expected_complete_at));
	}

	function domainRow(d, current) {
		const tr = el('tr');
		const name = str(d.domain_unicode, str(d.domain, '?'));
		tr.setAttribute('data-domain', str(d.domain, ''));
		if (current)
			tr.classList.add('selected');
		tr.appendChild(el('td', null, name));
		const st = el('td');
		st.appendChild(stateCell(d.state));
		tr.appendChild(st);
		tr.appendChild(el('td', 'num', int(d.resolvers_new) + '/' +
		    int(d.resolvers_total)));
		const parent = el('td');
		if (d.parent && typeof d.parent === 'object')
			parent.appendChild(stateCell(d.parent.state));
		else
			parent.textContent = '-';
		tr.appendChild(parent);
		tr.appendChild(el('td', null, expected(d)));
		tr.appendChild(el('td', null, fmtTime(parseTime(d.since))));
		tr.addEventListener('click', () => {
			location.hash = 'domain=' +
			    encodeURIComponent(str(d.domain, ''));
		});
		return tr;
	}

	function drawDomains(current) {
		const tbody = $('domains').tBodies[0];
		const want = $('filter').value.trim().toLowerCase();
		const all = objs(doc.domains);
		const match = all.filter(d => want === '' ||
		    str(d.domain, '').includes(want) ||
		    str(d.domain_unicode, '').toLowerCase().includes(want) ||
		    str(d.state, '') === want);
		const rows = match.slice(0, MAX_ROWS).map(d =>
		    domainRow(d, current !== null && d.domain === current.domain));
		tbody.replaceChildren(...rows);
		$('shown').textContent = match.length > MAX_ROWS ?
		    'first ' + MAX_ROWS + ' of ' + match.length + ' shown' :
		    match.length + ' of ' + all.length;
	}

	/* The selected domain's resolver grid. */

	function ownerRelative(owner, domain) {
		const o = str(owner, '').replace(/\.$/, '');
		const d = str(domain, '').replace(/\.$/, '');
		if (o.toLowerCase() === d.toLowerCase())
			return '@';
		const suffix = '.' + d.toLowerCase();
		if (o.toLowerCase().endsWith(suffix))
			return o.slice(0, o.length - suffix.length);
		return o;
	}

	/* The records watched, in the order the resolvers list them. */
	function columns(d) {
		const cols = [];
		const seen = new Set();
		for (const r of objs(d.resolvers))
			for (const rec of objs(r.records)) {
				const key = str(rec.owner, '') + ' ' +
				    str(rec.type, '');
				if (seen.has(key))
					continue;
				seen.add(key);
				cols.push({ key: key, owner: rec.owner,
				    type: rec.type });
			}
		return cols;
	}

	/* Seconds of TTL left on an answer as of the document's time. */
	function ttlLeft(rec, now) {
		const at = parseTime(rec.answered_at);
		if (!Number.isInteger(rec.ttl) || at === null || now === null)
			return null;
		return Math.max(0, rec.ttl - Math.floor((now - at) / 1000));
	}

	function recordCell(rec, now) {
		const td = el('td');
		if (!rec) {
			td.textContent = '-';
			return td;
		}
		const left = rec.state === 'old' ? ttlLeft(rec, now) : null;
		const cell = stateCell(rec.state,
		    left === null ? null : fmtDuration(left));
		const rdata = arr(rec.rdata).map(x => str(x, '')).join('\n');
		cell.title = str(rec.rcode, '') + (rdata ? '\n' + rdata : '');
		if (left !== null)
			cell.setAttribute('data-ttl-left', left);
		td.appendChild(cell);
		return td;
	}

	function drawGrid(d) {
		const now = parseTime(detail.generated_at);
		const cols = columns(d);
		const head = el('tr');
		for (const h of ['resolver', 'location', 'state'])
			head.appendChild(el('th', null, h));
		for (const c of cols)
			head.appendChild(el('th', null,
			    ownerRelative(c.owner, d.domain) + ' ' +
			    str(c.type, '?')));
		$('grid').tHead.replaceChildren(head);
		const rows = objs(d.resolvers).map(r => {
			const tr = el('tr');
			tr.setAttribute('data-resolver', str(r.name, ''));
			tr.setAttribute('data-state', str(r.state, ''));
			tr.appendChild(el('td', null, str(r.name, '?')));
			const loc = el('td', 'location', str(r.location, ''));
			loc.title = str(r.location, '');
			tr.appendChild(loc);
			const st = el('td');
			st.appendChild(stateCell(r.state));
			tr.appendChild(st);
			const recs = new Map(objs(r.records).map(rec =>
			    [str(rec.owner, '') + ' ' + str(rec.type, ''), rec]));
			for (const c of cols)
				tr.appendChild(recordCell(recs.get(c.key), now));
			return tr;
		});
		if (rows.length === 0) {
			const td = el('td', null, 'no resolvers in the list');
			td.colSpan = 3 + cols.length;
			rows.push(el('tr'));
			rows[0].appendChild(td);
		}
		$('grid').tBodies[0].replaceChildren(...rows);
	}

	/* The propagation plot. */

	/* Resolvers switched to the new records over time (confirmed, as
	 * they count towards completion, unreachable ones included).  Each
	 * resolver's switched flag now is walked back through its own
	 * switch and regression events: before a switch it had not switched,
	 * before a regression it had.  Events from before the migration was
	 * last (re)started, of resolvers no longer listed, or newer than the
	 * status document (the history is read later) are left out. */
	function curve(d, hist, now) {
		const flags = new Map();
		for (const r of objs(d.resolvers))
			flags.set(str(r.name, ''), r.switched === true);
		const since = parseTime(d.watched_since);
		const ev = objs(hist && hist.history)
		    .filter(e => e.kind === 'event' &&
		    (e.message_id === SWITCHED || e.message_id === REGRESSED) &&
		    flags.has(str(e.resolver, '')))
		    .map(e => ({ t: parseTime(e.time), name: e.resolver,
		    up: e.message_id === SWITCHED }))
		    .filter(e => e.t !== null && e.t <= now &&
		    (since === null || e.t >= since))
		    .sort((a, b) => a.t - b.t);
		const count = () => [...flags.values()].filter(f => f).length;
		const pts = [{ t: now, n: count(), now: true }];
		for (let i = ev.length - 1; i >= 0; i--) {
			const before = count();
			flags.set(ev[i].name, !ev[i].up);
			if (count() !== before)
				pts.push({ t: ev[i].t, n: before });
		}
		/* A history cut short starts at its first event kept, not
		 * with a flat line back to the start it no longer covers. */
		const truncated = hist && hist.truncated === true;
		let start = truncated && ev.length > 0 ? ev[0].t : since;
		if (start === null)
			start = ev.length > 0 ? ev[0].t : now;
		pts.push({ t: Math.min(start, pts[pts.length - 1].t), n: count(),
		    start: true });
		return pts.reverse();
	}

	/* The plot's frame: time from the first point (or a marker) to now,
	 * at least a minute; 0 to every resolver. */
	function plotFrame(d, pts, marks, now) {
		const f = { W: 760, H: 240, L: 40, R: 20, T: 24, B: 28 };
		f.total = Math.max(1, objs(d.resolvers).length);
		f.t0 = Math.min(pts[0].t, ...marks.map(m => m.t));
		f.t1 = Math.max(now, ...marks.map(m => m.t));
		if (f.t1 - f.t0 < 60000)
			f.t0 = f.t1 - 60000;
		f.x = t => f.L + (t - f.t0) / (f.t1 - f.t0) * (f.W - f.L - f.R);
		f.y = n => f.H - f.B - n / f.total * (f.H - f.T - f.B);
		f.secs = f.t1 - f.t0 < 3600000;
		return f;
	}

	function plotAxes(s, f, required) {
		s.appendChild(svg('line', { class: 'axis', x1: f.L, y1: f.H - f.B,
		    x2: f.W - f.R, y2: f.H - f.B }));
		s.appendChild(svg('line', { class: 'axis', x1: f.L, y1: f.T,
		    x2: f.L, y2: f.H - f.B }));
		/* 0, the total, and the number required if it does not sit
		 * on the total's label. */
		const ticks = [0, f.total];
		if (required > 0 && required < f.total &&
		    f.y(required) - f.y(f.total) >= 12)
			ticks.push(required);
		for (const n of ticks)
			s.appendChild(svg('text', { x: f.L - 6, y: f.y(n) + 4,
			    'text-anchor': 'end' }, n));
		if (required > 0)
			s.appendChild(svg('line', { class: 'required', x1: f.L,
			    y1: f.y(required), x2: f.W - f.R, y2: f.y(required) }));
		s.appendChild(svg('text', { x: f.L, y: f.H - 8 },
		    fmtTime(f.t0, f.secs)));
		s.appendChild(svg('text', { x: f.W - f.R, y: f.H - 8,
		    'text-anchor': 'end' }, fmtTime(f.t1, f.secs)));
	}

	/* A dashed line at each marked moment, its label on the side with
	 * room, the two labels at two heights above the plot. */
	function plotMarkers(s, f, marks) {
		marks.forEach((m, i) => {
			const mx = f.x(m.t), left = mx > (f.L + f.W - f.R) / 2;
			s.appendChild(svg('line', { class: 'marker ' + m.cls,
			    x1: mx, y1: f.T, x2: mx, y2: f.H - f.B,
			    'data-time': fmtTime(m.t, true) }));
			s.appendChild(svg('text', { class: m.cls,
			    x: left ? mx - 4 : mx + 4, y: i === 0 ? 10 : 21,
			    'text-anchor': left ? 'end' : 'start' },
			    m.label + ' ' + fmtTime(m.t, f.secs)));
		});
	}

	/* The step curve, and a point at each change and at now. */
	function plotCurve(s, f, pts, total) {
		let path = 'M' + f.x(pts[0].t) + ' ' + f.y(pts[0].n);
		for (let i = 1; i < pts.length; i++)
			path += ' H' + f.x(pts[i].t) + ' V' + f.y(pts[i].n);
		s.appendChild(svg('path', { class: 'curve', d: path }));
		let npoints = 0;
		for (const p of pts) {
			if (p.start)
				continue;
			const c = svg('circle', { class: 'point', cx: f.x(p.t),
			    cy: f.y(p.n), r: 3, 'data-count': p.n });
			c.appendChild(svg('title', {}, fmtTime(p.t, true) + ': ' +
			    p.n + ' of ' + total + ' switched'));
			s.appendChild(c);
			npoints++;
		}
		s.setAttribute('data-points', npoints);
	}

	function drawPlot(d) {
		const now = parseTime(detail.generated_at) || Date.now();
		const pts = curve(d, historyFor === d.domain ? history : null, now);
		const marks = [
			{ t: parseTime(d.parent && d.parent.switched_at),
			  cls: 'registry', label: 'registry switch' },
			{ t: parseTime(d.complete_at), cls: 'complete',
			  label: 'complete' },
		].filter(m => m.t !== null);
		const f = plotFrame(d, pts, marks, now);
		const s = svg('svg', { id: 'plot',
		    viewBox: '0 0 ' + f.W + ' ' + f.H, width: '100%',
		    role: 'img', 'aria-label':
		    'resolvers switched to the new records over time' });
		s.style.maxWidth = f.W + 'px';
		plotAxes(s, f, int(d.resolvers_required));
		plotMarkers(s, f, marks);
		plotCurve(s, f, pts, objs(d.resolvers).length);
		$('plot-box').replaceChildren(s);
	}

	function drawDetail(d) {
		$('detail').hidden = d === null;
		if (d === null)
			return;
		$('detail-name').textContent = str(d.domain_unicode,
		    str(d.domain, '?'));
		let text = str(d.state, '?') + ': ' + int(d.resolvers_new) +
		    ' of ' + int(d.resolvers_total) + ' resolvers switched ' +
		    'to the new records, ' + int(d.resolvers_required) +
		    ' required';
		if (d.parent && typeof d.parent === 'object')
			text += '; parent ' + str(d.parent.state, '?');
		if (d.state === 'complete')
			text += '; complete since ' +
			    fmtTime(parseTime(d.complete_at));
		else if (parseTime(d.expected_complete_at) !== null)
			text += '; expected complete ' +
			    fmtTime(parseTime(d.expected_complete_at));
		if (history && historyFor === d.domain && history.truncated)
			text += ' (history cut to its newest entries)';
		if (historyProblem !== null)
			text += ' (history not read: ' + historyProblem +
			    '; the plot may lack points)';
		$('detail-summary').textContent = text;
		drawPlot(d);
		drawGrid(d);
	}

	/* The selected domain's full object, if it has come. */
	function detailDomain(name) {
		return objs(detail && detail.domains).find(d =>
		    d.domain === name) || null;
	}

	function draw() {
		if (doc === null)
			return;
		const d = currentDomain();
		drawDomains(d);
		drawDetail(d === null ? null : detailDomain(d.domain));
		const asked = selectedName();
		$('notice').textContent = asked !== null && d !== null &&
		    domainOf(asked) === null ? 'nmigd does not watch ' + asked +
		    '; showing ' + str(d.domain_unicode, d.domain) + '.' : '';
		$('updated').textContent = 'status of ' +
		    fmtTime(parseTime(doc.generated_at), true) + ', read every ' +
		    REFRESH_MS / 1000 + ' s';
	}

	/* Fetching. */

	async function getJSON(url) {
		const r = await fetch(url, { cache: 'no-store' });
		if (!r.ok)
			throw new Error(url.replace(/\?.*/, '') + ': HTTP ' +
			    r.status);
		return r.json();
	}

	function statusDocument(v, what) {
		if (!v || typeof v !== 'object' || !Array.isArray(v.domains))
			throw new Error(what + ': not a status document');
		return v;
	}

	/* The selected domain's document and history.  The history may
	 * be refused (503) when clients ask too often: the last one is
	 * kept. */
	async function fetchDetail(name) {
		const q = '?domain=' + encodeURIComponent(name);
		detail = statusDocument(await getJSON('status.json' + q),
		    'status.json');
		try {
			history = await getJSON('history.json' + q);
			historyFor = name;
			historyProblem = null;
		} catch (e) {
			historyProblem = e.message;
			if (historyFor !== name) {
				history = null;
				historyFor = null;
			}
		}
	}

	/* A page left open for weeks must survive anything: a daemon
	 * that is down, a document it cannot draw.  It says so and keeps
	 * trying. */
	function safeDraw() {
		try {
			draw();
		} catch (e) {
			showProblem('Cannot draw nmigd\'s status: ' + e.message);
		}
	}

	async function refresh() {
		try {
			const next = statusDocument(
			    await getJSON('status.json?summary'), 'status.json');
			/* A daemon too busy to build a new document serves
			 * its last one: say so rather than look live. */
			unchanged = doc !== null &&
			    next.generated_at === doc.generated_at ?
			    unchanged + 1 : 0;
			doc = next;
			updated = Date.now();
			const d = currentDomain();
			if (d !== null)
				await fetchDetail(d.domain);
			showProblem(unchanged < 3 ? null : 'nmigd has served the ' +
			    'same status since ' +
			    fmtTime(parseTime(doc.generated_at), true) +
			    ': it may be overloaded.');
		} catch (e) {
			showProblem('Cannot read nmigd\'s status (' + e.message +
			    ')' + (updated ? '; showing what was read at ' +
			    fmtTime(updated, true) : '') + '; trying again every ' +
			    REFRESH_MS / 1000 + ' s.');
		} finally {
			setTimeout(refresh, REFRESH_MS);
		}
		safeDraw();
	}

	window.addEventListener('hashchange', async () => {
		const d = currentDomain();
		safeDraw();
		if (d === null)
			return;
		try {
			await fetchDetail(d.domain);
		} catch (e) {
			showProblem('Cannot read the status of ' + d.domain +
			    ' (' + e.message + ')');
		}
		safeDraw();
	});
	document.addEventListener('DOMContentLoaded', () => {
		$('filter').addEventListener('input', safeDraw);
		refresh();
	});
}());
