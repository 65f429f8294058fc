// pros-pricer's page for people who check claims: prices a member-month (or a file of them) through the
// public API of the server that served this file, and explains the answer. No framework, no build step,
// nothing loaded from elsewhere; data is only ever put into the page as text (never as HTML).
'use strict';

(() => {
  const DAILY_CAP = 5;  // the shipped rule set's daily cap (OMH PROS Billing and Claiming Manual, 2025)
  const MAX_BATCH_ROWS = 2000;  // rows listed for a batch (a page of 100,000 rows would not be usable)
  const SVG_NS = 'http://www.w3.org/2000/svg';  // a namespace name, not a request
  const COMPONENTS = ['CRS', 'IR', 'ORS', 'CT'];
  const COMPONENT_NAMES = {
    CRS: 'Community Rehabilitation and Support', IR: 'Intensive Rehabilitation',
    ORS: 'Ongoing Rehabilitation and Support', CT: 'Clinical Treatment',
  };
  const STATUS_WORDS = {
    400: 'The server could not read it', 401: 'The server needs an API key', 404: 'Not found',
    405: 'Not allowed', 408: 'The upload was too slow', 411: 'The upload had no length',
    413: 'Too large for the server', 415: 'The server does not take this kind of file',
    422: 'Refused: the member-month is not valid', 503: 'The server is busy or shutting down',
  };

  const $ = (id) => document.getElementById(id);
  const state = {
    file: null,         // the chosen File, priced instead of the text while set
    catalogue: null,    // code -> catalogue entry, once GET /v1/findings answered (or {} without one)
    catalogueNote: '',
    items: [],          // what was priced last: [{label, line, rows, memberId, month, request, result, error}]
    shown: null,        // the item on screen
    source: '',         // the text last sent, for locating a syntax error
    sourceIsTextarea: false,
    runs: 0,            // pricing runs finished (tests wait on it)
    openIndex: null,    // the batch row on screen, if any
  };

  // ---------- small helpers ----------

  /** Makes an element: `attrs` are attributes (`text` sets the text), children are nodes or strings. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') node.textContent = String(v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === 'text') node.textContent = String(v);
      else node.setAttribute(k, String(v));
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  /** Gives each body cell its column's name (`data-label`), shown above it where a table turns into cards. */
  function labelCells(table) {
    const names = [...table.tHead.rows[0].cells].map((th) => th.textContent.trim());
    for (const row of table.tBodies[0].rows) {
      [...row.cells].forEach((cell, i) => { if (names[i]) cell.dataset.label = names[i]; });
    }
  }

  function plural(n, one, many) { return `${n} ${n === 1 ? one : (many || one + 's')}`; }

  /** "1187.21" -> "$1,187.21"; decimal strings stay strings (no binary floating point). */
  function money(text) {
    if (text === null || text === undefined) return null;
    const m = /^(-?)(\d+)(\.\d+)?$/.exec(String(text));
    if (!m) return String(text);
    return `${m[1]}$${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] || ''}`;
  }

  function monthName(month) {
    const m = /^(\d{4})-(\d{2})$/.exec(month || '');
    if (!m) return month || '';
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, 1));
    return d.toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  }

  function humanCode(code) {
    const s = String(code || '').toLowerCase().replace(/_/g, ' ');
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function catalogueEntry(code) { return (state.catalogue && state.catalogue[code]) || null; }

  function titleOf(code) {
    const e = catalogueEntry(code);
    return (e && e.title) || humanCode(code);
  }

  function sourceText(source) {
    if (!source) return '';
    if (typeof source === 'string') return source;
    if (Array.isArray(source)) return source.map(sourceText).filter(Boolean).join('; ');
    if (typeof source === 'object') return [source.name, source.title, source.where].filter(Boolean).join(', ');
    return String(source);
  }

  // ---------- reading what to price ----------

  /** Decides how to send `text`: one member-month, an NDJSON or JSON-array batch, or a CSV export. */
  function classify(text, name, type) {
    const lower = (name || '').toLowerCase();
    const body = text.replace(/^\uFEFF/, '');
    const trimmed = body.trim();
    if (lower.endsWith('.csv') || type === 'text/csv') return 'csv';
    if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
    if (trimmed.startsWith('[')) return 'array';
    if (trimmed.startsWith('{')) {
      try { JSON.parse(trimmed); return 'single'; } catch (_) { /* maybe one member-month a line */ }
      const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() !== '');
      if (lines.length > 1 && lines.every((l) => l.trim().startsWith('{'))) return 'ndjson';
      return 'single';
    }
    const firstLine = trimmed.split(/\r?\n/, 1)[0] || '';
    if (/(^|,)\s*"?memberid"?\s*(,|$)/i.test(firstLine)) return 'csv';
    return 'single';
  }

  /** RFC 4180 records (quotes, doubled quotes, CRLF or LF); a BOM is skipped. */
  function parseCSV(text) {
    const rows = [];
    let row = [];
    let cell = '';
    let quoted = false;
    let i = text.charCodeAt(0) === 0xFEFF ? 1 : 0;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
        } else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') { row.push(cell); cell = ''; }
      else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        row.push(cell); rows.push(row); row = []; cell = '';
      } else cell += c;
    }
    if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
    return rows;
  }

  /** For a CSV export: row number (the header is row 1) -> a service as a request would carry it. */
  function csvServices(text) {
    const records = parseCSV(text);
    const header = (records[0] || []).map((h) => h.trim().toLowerCase());
    const col = (name) => header.indexOf(name.toLowerCase());
    const pick = (r, name) => { const i = col(name); return i >= 0 && r[i] !== undefined ? r[i].trim() : ''; };
    const byRow = new Map();
    records.forEach((r, index) => {
      if (index === 0) return;
      const rowNumber = index + 1;
      byRow.set(rowNumber, {
        id: pick(r, 'id') || String(rowNumber), date: pick(r, 'date'), startTime: pick(r, 'startTime') || undefined,
        component: pick(r, 'component'), format: pick(r, 'format'), minutes: Number(pick(r, 'minutes')),
        location: pick(r, 'location'), telehealth: pick(r, 'telehealth') || 'none',
      });
    });
    return byRow;
  }

  // ---------- talking to the server ----------

  function headers(contentType) {
    const h = {};
    if (contentType) h['Content-Type'] = contentType;
    const key = $('api-key').value.trim();
    if (key) h.Authorization = `Bearer ${key}`;
    return h;
  }

  async function readProblem(response) {
    const text = await response.text();
    try {
      const p = JSON.parse(text);
      if (p && typeof p === 'object') return p;
    } catch (_) { /* not JSON */ }
    return { status: response.status, title: response.statusText, detail: text.slice(0, 300) };
  }

  /** Loads the findings catalogue once; without one (404), findings show their own sentences. */
  async function loadCatalogue() {
    if (state.catalogue) return;
    try {
      const r = await fetch('/v1/findings', { headers: headers(), cache: 'no-store' });
      if (r.status === 404) {
        state.catalogue = {};
        state.catalogueNote = 'This server has no findings catalogue; each finding shows its own sentence.';
        return;
      }
      if (!r.ok) return;  // 401 and the like: try again next time
      const doc = await r.json();
      let list = [];
      if (Array.isArray(doc)) list = doc;
      else if (doc && typeof doc === 'object') {
        list = doc.findings || doc.codes || doc.entries || doc.items
          || Object.entries(doc).map(([code, e]) => Object.assign({ code }, e));
        if (Array.isArray(doc.hints)) list = list.concat(doc.hints);
      }
      const map = {};
      for (const e of Array.isArray(list) ? list : []) if (e && e.code) map[e.code] = e;
      state.catalogue = map;
      state.catalogueNote = '';
    } catch (_) { /* leave it for next time */ }
  }

  async function price(event) {
    if (event) event.preventDefault();
    try { await priceInput(); } finally { state.runs += 1; }
  }

  async function priceInput() {
    const button = $('price');
    let text;
    let name = '';
    let type = '';
    if (state.file) {
      name = state.file.name;
      type = state.file.type;
      try { text = await state.file.text(); } catch (e) {
        showProblem({ title: 'The file could not be read', detail: String(e && e.message || e) }, null);
        return;
      }
      state.sourceIsTextarea = false;
    } else {
      text = $('input').value;
      state.sourceIsTextarea = true;
    }
    if (text.trim() === '') {
      setStatus('');
      showProblem({ title: 'Nothing to price', detail: 'Paste a member-month in the box, or choose a file.' }, null);
      $('input').focus();
      return;
    }
    state.source = text;
    const kind = classify(text, name, type);
    button.disabled = true;
    setStatus(kind === 'single' ? 'Pricing…' : 'Pricing the batch…');
    try {
      await loadCatalogue();
      if (kind === 'single') await priceOne(text);
      else await priceBatch(text, kind, name);
    } catch (e) {
      setStatus('');
      showProblem({ title: 'The server could not be reached',
                    detail: `Check that pros-pricer is running, then price again. (${e && e.message || e})` }, null);
    } finally {
      button.disabled = false;
    }
  }

  async function priceOne(text) {
    let request = null;
    try { request = JSON.parse(text.replace(/^\uFEFF/, '')); } catch (_) { /* the server says where */ }
    const r = await fetch('/v1/claims/price', { method: 'POST', headers: headers('application/json'), body: text });
    const label = request && request.memberId ? `${request.memberId} ${request.month || ''}` : 'member-month';
    if (r.ok) {
      const result = await r.json();
      state.items = [{ label, request, result, memberId: result.memberId, month: result.month }];
      hideBatch();
      setStatus(`Priced ${result.memberId}, ${monthName(result.month)}.`);
      showItem(state.items[0], true);
    } else {
      const problem = await readProblem(r);
      state.items = [{ label, request, error: problem,
                       memberId: request && request.memberId, month: request && request.month }];
      hideBatch();
      setStatus('');
      showProblem(problem, request, true);
    }
    $('download').disabled = false;
  }

  async function priceBatch(text, kind, name) {
    const types = { csv: 'text/csv', ndjson: 'application/x-ndjson', array: 'application/json' };
    const r = await fetch('/v1/claims/price/batch', { method: 'POST', headers: headers(types[kind]), body: text });
    if (!r.ok) {
      const problem = await readProblem(r);
      if (r.status === 415 && kind === 'csv') {
        problem.detail = 'This server does not take CSV billing exports yet. Save the export as NDJSON or as a '
          + `JSON array of member-months, or use a newer pros-pricer. (${problem.detail || 'HTTP 415'})`;
      }
      state.items = [];
      $('download').disabled = true;
      hideBatch();
      setStatus('');
      showProblem(problem, null, true);
      return;
    }
    const answer = await r.text();
    let entries = [];
    if (kind === 'array') {
      try { entries = JSON.parse(answer); } catch (_) { entries = []; }
    } else {
      for (const line of answer.split('\n')) {
        if (line.trim() === '') continue;
        try { entries.push(JSON.parse(line)); } catch (_) { /* a cut-off line */ }
      }
    }
    entries = entries.filter((e) => e && (e.result || e.error));
    // The requests, so the page can lay services on their days.
    let requestFor = () => null;
    if (kind === 'ndjson') {
      const lines = text.split('\n');
      requestFor = (e) => {
        try { return JSON.parse(lines[e.line - 1].replace(/^\uFEFF/, '')); } catch (_) { return null; }
      };
    } else if (kind === 'array') {
      let all = [];
      try { all = JSON.parse(text.replace(/^\uFEFF/, '')); } catch (_) { all = []; }
      requestFor = (e) => (Array.isArray(all) && all[e.line - 1]) || null;
    } else {
      const byRow = csvServices(text);
      requestFor = (e) => (Array.isArray(e.rows) ? {
        memberId: e.memberId, month: e.month, services: e.rows.map((n) => byRow.get(n)).filter(Boolean),
      } : null);
    }
    state.items = entries.map((e) => {
      let request;  // read from the upload when first needed: a large file is not parsed twice up front
      const requestOf = () => (request === undefined ? (request = requestFor(e)) : request);
      const result = e.result || null;
      const named = (key) => (result && result[key]) || e[key] || (requestOf() || {})[key] || '';
      const memberId = named('memberId');
      const month = named('month');
      const item = { line: e.line, rows: e.rows, memberId, month, result, error: e.error || null,
                     label: `${memberId || 'line ' + e.line} ${month}`.trim() };
      Object.defineProperty(item, 'request', { get: requestOf });
      return item;
    });
    showBatch(name || 'the pasted text');
    hideProblem();
    $('result').hidden = true;
    const refused = state.items.filter((i) => i.error).length;
    setStatus(`Priced ${plural(state.items.length - refused, 'member-month')}` +
              (refused ? `, ${refused} refused.` : '.') + ' Open one to see it.');
    $('download').disabled = state.items.length === 0;
    if (state.items.length === 1) openItem(0);
  }

  function setStatus(text) { $('status').textContent = text; }

  // ---------- problems ----------

  function hideProblem() { $('problem').hidden = true; clear($('errors')); }

  /** Resolves an RFC 6901 JSON pointer in `doc`; `found` is false when it names nothing there. */
  function resolvePointer(doc, pointer) {
    if (typeof pointer !== 'string' || (pointer !== '' && !pointer.startsWith('/'))) return { found: false };
    let v = doc;
    for (const raw of pointer.split('/').slice(1)) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, key)) v = v[key];
      else return { found: false };
    }
    return { found: true, value: v };
  }

  function whereWords(request, pointer) {
    const m = /^\/services\/(\d+)/.exec(pointer || '');
    if (!m || !request || !Array.isArray(request.services)) return '';
    const s = request.services[+m[1]];
    if (!s || typeof s !== 'object') return `service ${+m[1] + 1}`;
    const bits = [s.id !== undefined ? `id ${s.id}` : null, s.date].filter(Boolean);
    return `service ${+m[1] + 1}${bits.length ? ' (' + bits.join(', ') + ')' : ''}`;
  }

  /** Where a byte offset falls in the text sent: line and column (1-based) and the UTF-16 index. */
  function locateByte(text, offset) {
    const bytes = new TextEncoder().encode(text);
    const before = new TextDecoder().decode(bytes.slice(0, Math.min(offset, bytes.length)));
    const lines = before.split('\n');
    return { index: before.length, line: lines.length, column: lines[lines.length - 1].length + 1 };
  }

  function showProblem(problem, request, focus, label) {
    const section = $('problem');
    const list = $('errors');
    clear(list);
    const status = problem.status;
    $('problem-heading').textContent = (label ? `${label}: ` : '') + (problem.title && !STATUS_WORDS[status]
      ? problem.title : (STATUS_WORDS[status] || problem.title || 'Not priced'));
    const detail = $('problem-detail');
    clear(detail);
    detail.append(problem.detail || '');
    if (status === 401) detail.append(' Enter the key in “API key” and price again.');
    const at = /at byte (\d+)/.exec(problem.detail || '');
    if (status === 400 && at && state.source) {
      const where = locateByte(state.source, +at[1]);
      detail.append(` That is line ${where.line}, column ${where.column}` +
                    (state.sourceIsTextarea ? ' of the text.' : ' of the file.'));
      if (state.sourceIsTextarea) {
        const go = el('button', { type: 'button', class: 'secondary inline', text: 'Show me where' });
        go.addEventListener('click', () => {
          const box = $('input');
          box.focus();
          box.setSelectionRange(where.index, Math.min(where.index + 1, box.value.length));
        });
        detail.append(' ', go);
      }
    }
    for (const e of Array.isArray(problem.errors) ? problem.errors : []) {
      let pointer = e.pointer;
      if (pointer === undefined && (e.row !== undefined || e.column !== undefined)) {
        pointer = `row ${e.row}${e.column ? ', column ' + e.column : ''}`;
      }
      const item = el('li', { 'data-pointer': pointer === undefined ? '' : pointer },
        el('code', { class: 'pointer', text: pointer === '' ? '(the whole member-month)' : (pointer || '—') }));
      item.append(el('span', { class: 'detail', text: e.detail || e.message || '' }));
      const where = whereWords(request, e.pointer);
      if (where) item.append(el('span', { class: 'where', text: where }));
      if (request && typeof e.pointer === 'string') {
        const sent = resolvePointer(request, e.pointer);
        let words = 'not sent';
        if (sent.found) {
          const json = JSON.stringify(sent.value);
          words = 'sent: ' + (json === undefined ? String(sent.value) :
            (json.length > 80 ? json.slice(0, 77) + '…' : json));
        }
        item.append(el('span', { class: 'sent', text: words }));
      }
      list.append(item);
    }
    section.hidden = false;
    $('result').hidden = true;
    if (focus) section.focus();
  }

  // ---------- the batch list ----------

  function hideBatch() {
    $('batch').hidden = true;
    clear($('batch-table').tBodies[0]);
    showBack(null);
  }

  function showBatch(name) {
    const body = $('batch-table').tBodies[0];
    clear(body);
    showBack(null);
    const refused = state.items.filter((i) => i.error).length;
    // The amounts billed, summed in cents (exact: no binary floating point).
    let cents = 0n;
    let unrated = 0;
    for (const item of state.items) {
      if (!item.result) continue;
      const m = /^(\d+)\.(\d{2})$/.exec(item.result.total || '');
      if (m) cents += BigInt(m[1]) * 100n + BigInt(m[2]);
      else if ((item.result.lines || []).length) unrated += 1;
    }
    const sum = `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
    $('batch-summary').textContent = `${plural(state.items.length, 'member-month')} from ${name}: ` +
      `${state.items.length - refused} priced, ${refused} refused; billed ${money(sum)}` +
      (unrated ? ` and ${plural(unrated, 'month')} with lines that have no rate.` : '.');
    const shown = state.items.slice(0, MAX_BATCH_ROWS);
    if (shown.length < state.items.length) {
      $('batch-summary').append(` The list shows the first ${shown.length}; the CSV download has them all.`);
    }
    shown.forEach((item, index) => {
      const where = item.rows && item.rows.length
        ? `rows ${Math.min(...item.rows)}–${Math.max(...item.rows)}` : (item.line ? `line ${item.line}` : '');
      let words;
      let total = '';
      let codes = '';
      if (item.error) {
        words = `Refused: ${item.error.detail || item.error.title || 'not valid'}`;
      } else {
        const lines = item.result.lines || [];
        words = lines.length ? 'Priced' : 'Nothing billable';
        codes = lines.map((l) => l.rateCode).join(' ');
        total = item.result.total === null ? 'no rate' : money(item.result.total);
      }
      const open = el('button', { type: 'button', class: 'secondary', 'data-testid': 'open', text: 'Open',
                                  'aria-label': `Open ${item.label || where}` });
      open.addEventListener('click', () => openItem(index));
      body.append(el('tr', { 'data-index': index, class: item.error ? 'refused' : null },
        el('td', { text: where }), el('td', { text: item.memberId || '—' }), el('td', { text: item.month || '—' }),
        el('td', { text: words }), el('td', { text: codes }), el('td', { class: 'num', text: total }),
        el('td', { class: 'open' }, open)));
    });
    labelCells($('batch-table'));
    $('batch').hidden = false;
  }

  /** Shows the "Back to the list" buttons while the month on screen came from a batch's list. */
  function showBack(index) {
    state.openIndex = index;
    for (const b of document.querySelectorAll('button.back')) b.hidden = index === null;
  }

  function backToList() {
    const row = [...$('batch-table').tBodies[0].rows].find((tr) => +tr.dataset.index === state.openIndex);
    const button = row && row.querySelector('button');
    if (button) { row.scrollIntoView({ block: 'center' }); button.focus(); }
  }

  function openItem(index) {
    const item = state.items[index];
    showBack(state.items.length > 1 ? index : null);
    for (const tr of $('batch-table').tBodies[0].rows) {
      if (+tr.dataset.index === index) tr.setAttribute('aria-current', 'true');
      else tr.removeAttribute('aria-current');
    }
    if (item.error) showProblem(item.error, item.request, true, item.label);
    else { hideProblem(); showItem(item, true); }
  }

  // ---------- one priced month ----------

  function showItem(item, focus) {
    state.shown = item;
    hideProblem();
    const res = item.result;
    const section = $('result');
    $('result-heading').textContent = `Claim for ${res.memberId}, ${monthName(res.month)}`;
    showFacts(res);
    showSummary(res);
    showLines(res);
    showUnits(res);
    drawChart(item);
    showFindings(res);
    showHints(res);
    showServices(res, item.request);
    section.hidden = false;
    if (focus) section.focus();
  }

  function showFacts(res) {
    const facts = $('facts');
    clear(facts);
    const add = (term, value) => {
      if (value === undefined) return;
      facts.append(el('div', {}, el('dt', { text: term }), el('dd', { text: value === null ? 'none' : value })));
    };
    add('Member', res.memberId);
    add('Month', res.month);
    add('Rule set', res.ruleSet);
    add('Rate schedule', res.rateSchedule);
    if ('payer' in res) add('Payer', res.payer === null ? 'none (the rule set’s defaults)' : res.payer);
    add('Date of service', res.dateOfService);
  }

  function showSummary(res) {
    const p = $('summary');
    if (typeof res.summary === 'string' && res.summary) {
      p.textContent = res.summary;
      p.classList.remove('derived');
      return;
    }
    const lines = res.lines || [];
    p.classList.add('derived');
    p.textContent = lines.length === 0 ? 'Nothing is billable this month.' :
      `Billed: ${lines.map((l) => l.rateCode).join(' and ')}` +
      (res.total === null ? ', without amounts (no rate configured).' : `, total ${money(res.total)}.`);
  }

  function lineName(line) {
    if (line.kind === 'base') return `Base rate, tier ${line.tier}`;
    if (line.kind === 'preadmission') return 'Pre-admission';
    if (line.kind === 'addOn') return `Add-on: ${COMPONENT_NAMES[line.component] || line.component}`;
    return line.kind || '';
  }

  function showLines(res) {
    const body = $('lines').tBodies[0];
    clear(body);
    const lines = res.lines || [];
    for (const line of lines) {
      const amount = line.amount === null ? el('span', { class: 'muted', text: 'no rate' }) : money(line.amount);
      body.append(el('tr', { 'data-rate-code': line.rateCode, 'data-kind': line.kind },
        el('td', { text: lineName(line) }), el('td', {}, el('strong', { text: line.rateCode })),
        el('td', { text: line.procedureCode }), el('td', { text: (line.modifiers || []).join(' ') }),
        el('td', { class: 'num', text: line.units }), el('td', { text: line.dateOfService }),
        el('td', { class: 'num' }, amount)));
    }
    labelCells($('lines'));
    $('no-lines').hidden = lines.length !== 0;
    const total = $('total');
    total.dataset.value = res.total === null ? '' : res.total;
    total.textContent = res.total === null ? 'no rate configured' : money(res.total);
  }

  function showUnits(res) {
    const t = $('units');
    clear(t);
    const u = res.units || {};
    const head = el('tr', {}, el('th', { scope: 'col', text: 'Units' }),
      ...COMPONENTS.map((c) => el('th', { scope: 'col', class: 'num', text: c })),
      el('th', { scope: 'col', class: 'num', text: 'All' }));
    t.append(el('thead', {}, head));
    const body = el('tbody');
    const row = (name, by, all) => body.append(el('tr', {}, el('th', { scope: 'row', text: name }),
      ...COMPONENTS.map((c) => el('td', { class: 'num', text: by && by[c] !== undefined ? by[c] : '' })),
      el('td', { class: 'num', text: all === undefined ? '' : all })));
    if (u.providedByComponent) {
      const all = COMPONENTS.reduce((n, c) => n + (u.providedByComponent[c] || 0), 0);
      row('Provided (before the daily cap; add-ons count these)', u.providedByComponent, all);
    }
    row('Accrued (after the daily cap)', u.byComponent, u.accrued);
    row('Tier units (off-site counted twice)', null, u.tier);
    t.append(body);
  }

  // ---------- the chart ----------

  /** The month's days with each day's services, in accrual order (by start time, then as sent). */
  function layDays(item) {
    const res = item.result;
    const m = /^(\d{4})-(\d{2})$/.exec(res.month || '');
    if (!m) return null;
    const year = +m[1];
    const month = +m[2];
    const count = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const days = [];
    for (let d = 1; d <= count; d++) {
      const date = `${m[1]}-${m[2]}-${String(d).padStart(2, '0')}`;
      const weekday = new Date(Date.UTC(year, month - 1, d)).getUTCDay();
      days.push({ day: d, date, weekday, services: [] });
    }
    const sent = (item.request && Array.isArray(item.request.services)) ? item.request.services : null;
    const answered = Array.isArray(res.services) ? res.services : [];
    if (!sent) return { days, known: false };
    answered.forEach((a, i) => {
      const s = sent[i];
      if (!s || typeof s.date !== 'string') return;
      const day = days[+s.date.slice(8, 10) - 1];
      if (!day || s.date.slice(0, 7) !== res.month) return;
      day.services.push({ index: i, sent: s, answer: a });
    });
    for (const day of days) {
      day.services.sort((x, y) => {
        const a = x.sent.startTime;
        const b = y.sent.startTime;
        if (a && b && a !== b) return a < b ? -1 : 1;
        if (a && !b) return -1;
        if (b && !a) return 1;
        return x.index - y.index;
      });
      let accrued = 0; let tier = 0; let provided = 0; let capped = 0; let excluded = 0;
      for (const s of day.services) {
        const a = s.answer;
        provided += a.units || 0;
        accrued += a.accrued || 0;
        tier += a.tierUnits || 0;
        if (a.excludedBy) excluded += 1;
        else capped += Math.max(0, (a.units || 0) - (a.accrued || 0));
      }
      Object.assign(day, { accrued, tier, provided, capped, excluded });
    }
    return { days, known: true };
  }

  function drawChart(item) {
    const box = $('chart');
    clear(box);
    const laid = layDays(item);
    const help = $('chart-help');
    const legend = $('legend');
    clear(legend);
    const table = $('days');
    clear(table);
    if (!laid) { help.textContent = 'The month could not be read, so there is no chart.'; return; }
    const { days, known } = laid;
    const name = monthName(item.result.month);
    const capDays = days.filter((d) => d.capped > 0).map((d) => d.day);
    help.textContent = known
      ? `Accrued units on each day of ${name} (weekends shaded) against the daily cap of ${DAILY_CAP}. ` +
        (capDays.length ? `The cap was reached with units left over on ${plural(capDays.length, 'day')}: ` +
          `${capDays.join(', ')}.` : 'No day went over the cap.') +
        (days.some((d) => d.tier > d.accrued) ? ' Hatched: off-site units counted a second time toward the tier;' +
          ' they are not accrued units and do not count against the cap.' : '')
      : `The services’ dates are not known for this member-month, so the bars of ${name} are empty.`;

    const width = Math.max(300, Math.floor(box.clientWidth || 800));
    const narrow = width < 560;
    const height = narrow ? 220 : 260;
    const margin = { left: 30, right: 8, top: 18, bottom: 34 };
    const plotW = width - margin.left - margin.right;
    const plotH = height - margin.top - margin.bottom;
    const top = Math.max(2 * DAILY_CAP, ...days.map((d) => d.tier + d.capped));
    const step = top > 20 ? 10 : 5;
    const yMax = Math.ceil(top / step) * step;
    const y = (v) => margin.top + plotH - (v / yMax) * plotH;
    const slot = plotW / days.length;
    const barW = Math.max(4, Math.min(28, slot * 0.7));
    const labelled = (d) => slot >= 22 || d.day === 1 || d.day % 5 === 0;

    const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
                               'aria-labelledby': 'chart-heading chart-help', class: 'chart-svg' });
    const defs = svg('defs');
    for (const c of COMPONENTS) {
      defs.append(svg('pattern', { id: `hatch-${c}`, width: 6, height: 6, patternUnits: 'userSpaceOnUse',
                                   patternTransform: 'rotate(45)' },
        svg('rect', { width: 6, height: 6, class: `hatch-bg c-${c}` }),
        svg('rect', { width: 3, height: 6, class: `seg c-${c}` })));
    }
    chart.append(defs);
    const grid = svg('g', { class: 'grid' });
    for (let v = 0; v <= yMax; v += step) {
      grid.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: y(v), y2: y(v) }));
      grid.append(svg('text', { x: margin.left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end', text: v }));
    }
    chart.append(grid);

    const bars = svg('g', { class: 'days' });
    days.forEach((d, i) => {
      const x = margin.left + i * slot + (slot - barW) / 2;
      const g = svg('g', { class: `day${d.weekday === 0 || d.weekday === 6 ? ' weekend' : ''}`, 'data-day': d.date,
                           'data-accrued': d.accrued || 0, 'data-tier': d.tier || 0, 'data-capped': d.capped || 0,
                           'data-excluded': d.excluded || 0 });
      g.append(svg('title', { text: dayWords(d) }));
      g.append(svg('rect', { class: 'slot', x: margin.left + i * slot, y: margin.top, width: slot, height: plotH }));
      let level = 0;
      const block = (units, cls) => {
        if (!units) return;
        const r = svg('rect', { x, width: barW, y: y(level + units), height: y(level) - y(level + units), class: cls });
        level += units;
        g.append(r);
      };
      const served = d.services || [];
      for (const s of served) block(s.answer.accrued, `seg c-${s.sent.component}`);
      for (const s of served) {
        block((s.answer.tierUnits || 0) - (s.answer.accrued || 0), `double c-${s.sent.component}`);
      }
      for (const s of served) {
        if (!s.answer.excludedBy) block(Math.max(0, (s.answer.units || 0) - (s.answer.accrued || 0)), 'capped');
      }
      g.append(svg('rect', { class: 'bar', x, width: barW, y: y(level), height: Math.max(0, y(0) - y(level)),
                             'data-units': level }));
      if (d.excluded) {
        g.append(svg('text', { x: x + barW / 2, y: y(0) + 14, class: 'excluded-mark', 'text-anchor': 'middle',
                               text: d.excluded > 1 ? `×${d.excluded}` : '×' }));
      }
      if (labelled(d)) {
        g.append(svg('text', { x: x + barW / 2, y: height - 6, class: 'axis', 'text-anchor': 'middle', text: d.day }));
      }
      bars.append(g);
    });
    chart.append(bars);
    chart.append(svg('line', { class: 'cap', x1: margin.left, x2: width - margin.right,
                               y1: y(DAILY_CAP), y2: y(DAILY_CAP) }));
    chart.append(svg('text', { class: 'cap-label', x: width - margin.right - 2, y: y(DAILY_CAP) - 4,
                               'text-anchor': 'end', text: `daily cap ${DAILY_CAP}` }));
    chart.append(svg('text', { class: 'axis', x: 2, y: margin.top - 6, text: 'units' }));
    box.append(chart);

    const seen = new Set(days.flatMap((d) => (d.services || []).map((s) => s.sent.component)));
    const key = (mark, text) => legend.append(el('span', { class: 'key' }, mark, text));
    const swatch = (cls, text) => key(el('span', { class: `swatch ${cls}` }), text);
    for (const c of COMPONENTS) if (seen.has(c)) swatch(`c-${c}`, `${c} accrued`);
    if (days.some((d) => d.tier > d.accrued)) swatch('double', 'off-site: counted twice toward the tier');
    if (capDays.length) swatch('capped', 'over the daily cap: not accrued');
    if (days.some((d) => d.excluded)) {
      key(el('span', { class: 'mark', text: '×' }), 'a service excluded (see Services)');
    }
    swatch('cap-key', `daily cap (${DAILY_CAP})`);

    table.append(el('thead', {}, el('tr', {}, ...['Date', 'Services', 'Provided', 'Accrued', 'Tier units',
      'Over the cap', 'Excluded'].map((h, i) => el('th', { scope: 'col', class: i > 1 ? 'num' : null, text: h })))));
    const body = el('tbody');
    for (const d of days.filter((x) => x.services && x.services.length)) {
      body.append(el('tr', { 'data-day': d.date }, el('th', { scope: 'row', text: d.date }),
        el('td', { text: d.services.map((s) => s.answer.id).join(', ') }),
        ...[d.provided, d.accrued, d.tier, d.capped, d.excluded].map((v) => el('td', { class: 'num', text: v }))));
    }
    table.append(body);
  }

  function dayWords(d) {
    const date = new Date(`${d.date}T00:00:00Z`).toLocaleDateString('en-US',
      { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' });
    if (!d.services || !d.services.length) return `${date}: no services`;
    const parts = [`${date}: ${d.accrued} accrued of ${d.provided} provided (cap ${DAILY_CAP}), ${d.tier} tier units`];
    for (const s of d.services) {
      const a = s.answer;
      parts.push(`${a.id} ${s.sent.component} ${s.sent.location || ''}: ${a.units} provided, ${a.accrued} accrued` +
                 (a.excludedBy ? `, excluded (${titleOf(a.excludedBy)})` : ''));
    }
    return parts.join('\n');
  }

  window.addEventListener('resize', (() => {
    let timer = 0;
    return () => {
      clearTimeout(timer);
      timer = setTimeout(() => { if (state.shown && !$('result').hidden) drawChart(state.shown); }, 150);
    };
  })());

  // ---------- findings, hints, services ----------

  function serviceLink(id, indexById) {
    const index = indexById.get(id);
    if (index === undefined) return el('code', { text: id });
    const a = el('a', { href: `#svc-${index}`, text: id });
    a.addEventListener('click', (e) => {
      e.preventDefault();
      const row = $(`svc-${index}`);
      if (row) { row.scrollIntoView({ block: 'center' }); row.focus(); }
    });
    return a;
  }

  /** A finding's title, linked to its card in Findings. */
  function findingLink(code) {
    const a = el('a', { href: `#finding-${code}`, title: code, text: titleOf(code) });
    a.addEventListener('click', (e) => {
      const card = $(`finding-${code}`);
      if (!card) return;
      e.preventDefault();
      card.scrollIntoView({ block: 'center' });
      card.focus();
    });
    return a;
  }

  function entryBlock(node, code) {
    const e = catalogueEntry(code);
    if (!e) return;
    if (e.meaning) node.append(el('p', {}, el('b', { text: 'What it means: ' }), e.meaning));
    if (e.action) node.append(el('p', {}, el('b', { text: 'What to do: ' }), e.action));
    const source = sourceText(e.source);
    if (source) node.append(el('p', { class: 'source' }, el('b', { text: 'Source: ' }), source));
  }

  function showFindings(res) {
    const box = $('findings');
    clear(box);
    const findings = Array.isArray(res.findings) ? res.findings : [];
    const indexById = new Map((res.services || []).map((s, i) => [s.id, i]));
    if (state.catalogueNote) box.append(el('p', { class: 'note', text: state.catalogueNote }));
    if (!findings.length) {
      box.append(el('p', { class: 'note', text: 'No findings: every service counted in full.' }));
      return;
    }
    const list = el('ul', { class: 'cards' });
    for (const f of findings) {
      const severity = f.severity || (catalogueEntry(f.code) || {}).severity || 'info';
      const card = el('li', { class: `card sev-${severity}`, 'data-code': f.code, id: `finding-${f.code}`,
                              tabindex: -1 },
        el('p', { class: 'card-head' }, el('span', { class: 'badge', text: severity }),
          el('strong', { text: titleOf(f.code) }), ' ', el('code', { text: f.code })),
        el('p', { class: 'message', text: f.message || '' }));
      entryBlock(card, f.code);
      const ids = Array.isArray(f.serviceIds) ? f.serviceIds : [];
      if (ids.length) {
        const names = el('p', { class: 'names' }, el('b', { text: ids.length === 1 ? 'Service: ' : 'Services: ' }));
        ids.forEach((id, i) => { if (i) names.append(', '); names.append(serviceLink(id, indexById)); });
        card.append(names);
      }
      list.append(card);
    }
    box.append(list);
  }

  function showHints(res) {
    const box = $('hints');
    clear(box);
    const heading = $('hints-heading');
    if (!Array.isArray(res.hints)) { box.hidden = true; heading.hidden = true; return; }
    box.hidden = false;
    heading.hidden = false;
    if (!res.hints.length) {
      box.append(el('p', { class: 'note', text: 'Nothing more this month would change the claim.' }));
      return;
    }
    const list = el('ul', { class: 'cards' });
    for (const h of res.hints) {
      const card = el('li', { class: 'card hint', 'data-code': h.code },
        el('p', { class: 'card-head' }, el('span', { class: 'badge', text: `needs ${h.needed}` }),
          el('strong', { text: titleOf(h.code) }), ' ', el('code', { text: h.code })),
        el('p', { class: 'message', text: h.message || '' }));
      entryBlock(card, h.code);
      list.append(card);
    }
    box.append(list);
  }

  function showServices(res, request) {
    const body = $('services').tBodies[0];
    clear(body);
    const sent = request && Array.isArray(request.services) ? request.services : [];
    (res.services || []).forEach((a, i) => {
      const s = sent[i] || {};
      const capped = !a.excludedBy && (a.units || 0) > (a.accrued || 0);
      let counted = a.countedAs || s.location || '';
      if (a.countedAs && s.location && a.countedAs !== s.location) counted = `${s.location} → ${a.countedAs}`;
      if (s.telehealth && s.telehealth !== 'none') counted += ` (${s.telehealth})`;
      const findings = el('td', { class: 'codes' });
      const told = (code) => code === a.excludedBy || (capped && code === 'DAILY_CAP_APPLIED');  // in Outcome
      (a.findings || []).filter((code) => !told(code)).forEach((code, k) => {
        if (k) findings.append(el('br'));
        findings.append(findingLink(code));
      });
      let outcome = 'counted';
      if (a.excludedBy) outcome = `excluded: ${titleOf(a.excludedBy)}`;
      else if (capped) outcome = `daily cap: ${a.accrued} of ${a.units} accrued`;
      else if (!a.units) outcome = 'no units';
      body.append(el('tr', { id: `svc-${i}`, tabindex: -1, 'data-service-id': a.id,
                             class: a.excludedBy ? 'excluded' : (capped ? 'capped-row' : null) },
        el('th', { scope: 'row', text: a.id }), el('td', { text: s.date || '' }), el('td', { text: s.startTime || '' }),
        el('td', { text: s.component || '' }), el('td', { text: s.format || '' }),
        el('td', { class: 'num', text: s.minutes === undefined ? '' : s.minutes }), el('td', { text: counted }),
        el('td', { class: 'num', text: a.units }), el('td', { class: 'num', text: a.accrued }),
        el('td', { class: 'num', text: a.tierUnits }),
        el('td', { class: 'outcome', 'data-excluded-by': a.excludedBy || null, text: outcome }),
        findings));
    });
    labelCells($('services'));
  }

  // ---------- results as CSV ----------

  /** One cell: quoted when needed (RFC 4180); a leading = + - @ tab or CR gets a ' (formula injection). */
  function cell(value) {
    let s = value === null || value === undefined ? '' : String(value);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }

  function resultsCSV(items) {
    const out = [['memberId', 'month', 'dateOfService', 'kind', 'rateCode', 'procedureCode', 'modifiers', 'units',
      'amount', 'findings']];
    for (const item of items) {
      if (item.error) {
        const errs = (item.error.errors || [])
          .map((e) => `${e.pointer || `row ${e.row} ${e.column || ''}`} ${e.detail}`);
        out.push([item.memberId, item.month, '', 'error', '', '', '', '', '',
          [item.error.detail, ...errs].filter(Boolean).join('; ')]);
        continue;
      }
      const r = item.result;
      const codes = (r.findings || []).map((f) => f.code).join(' ');
      if (!r.lines || !r.lines.length) {
        out.push([r.memberId, r.month, r.dateOfService, 'none', '', '', '', '', '', codes]);
      }
      for (const l of r.lines || []) {
        out.push([r.memberId, r.month, l.dateOfService, l.kind, l.rateCode, l.procedureCode,
          (l.modifiers || []).join(' '), l.units, l.amount, codes]);
      }
    }
    return out.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
  }

  function download() {
    if (!state.items.length) return;
    const blob = new Blob([resultsCSV(state.items)], { type: 'text/csv' });
    const url = URL.createObjectURL(blob);
    const single = state.items.length === 1 && state.items[0].memberId;
    const name = single ? `pros-pricer-${state.items[0].memberId}-${state.items[0].month}.csv`
      : 'pros-pricer-results.csv';
    const a = el('a', { href: url, download: name.replace(/[^A-Za-z0-9._-]/g, '_') });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    setStatus(`Saved ${plural(state.items.length, 'member-month')} as ${a.download}.`);
  }

  // ---------- an example to start from ----------

  function example() {
    const s = (id, date, startTime, component, format, minutes, location, extra) =>
      Object.assign({ id, date, startTime, component, format, minutes, location }, extra || {});
    const services = [];
    for (const day of ['03', '05', '10', '12', '17', '19', '24', '26']) {
      services.push(s(`group-${day}a`, `2025-06-${day}`, '09:30', 'CRS', 'group', 60, 'onsite'));
      services.push(s(`group-${day}b`, `2025-06-${day}`, '10:30', 'CRS', 'group', 60, 'onsite'));
    }
    services.push(s('long-day', '2025-06-10', '13:00', 'CRS', 'group', 90, 'onsite'));
    services.push(s('ir-1', '2025-06-04', '14:00', 'IR', 'individual', 30, 'offsite'));
    services.push(s('ir-2', '2025-06-18', '14:00', 'IR', 'individual', 30, 'offsite'));
    services.push(s('work-group', '2025-06-20', '12:00', 'CRS', 'group', 60, 'offsite', { employmentSetting: true }));
    services.push(s('check-in', '2025-06-25', '16:00', 'CRS', 'individual', 10, 'onsite',
                    { telehealth: 'audio-video' }));
    const month = {
      memberId: 'EXAMPLE-1', month: '2025-06', rateSchedule: 'example-provider-a',
      member: { status: 'admitted', admissionDate: '2025-01-06', rreCodes: ['84'] }, services,
    };
    forgetFile();
    const box = $('input');
    box.value = JSON.stringify(month, null, 2);
    setStatus('An example month is in the box: press Price.');
    box.focus();
    box.setSelectionRange(0, 0);
    box.scrollTop = 0;
  }

  // ---------- wiring ----------

  function forgetFile() {
    state.file = null;
    $('file').value = '';
    $('file-status').textContent = '';
    $('clear-file').hidden = true;
  }

  function init() {
    $('price-form').addEventListener('submit', price);
    $('download').addEventListener('click', download);
    for (const b of document.querySelectorAll('button.back')) b.addEventListener('click', backToList);
    $('example').addEventListener('click', example);
    $('clear-file').addEventListener('click', () => {
      forgetFile();
      setStatus('Price will send the text in the box.');
    });
    $('file').addEventListener('change', () => {
      const f = $('file').files[0];
      if (!f) { forgetFile(); return; }
      state.file = f;
      const size = f.size < 10240 ? `${f.size} bytes` : `${Math.round(f.size / 1024)} KB`;
      $('file-status').textContent = `Price will send ${f.name} (${size}) instead of the text in the box.`;
      $('clear-file').hidden = false;
    });
    $('input').addEventListener('input', () => {
      if (state.file) { forgetFile(); setStatus('Price will send the text in the box.'); }
    });
    $('input').addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); price(); }
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
  // For tests and the console.
  window.prosPricer = { runs: () => state.runs, resultsCSV: () => resultsCSV(state.items) };
})();
