#!/usr/bin/env python3
"""The web page (GET /) in a real browser: headless Chromium driven by Selenium, against a live
`pros-pricer serve` on an ephemeral port.

Checks: each worked example (Tests/PROSRulesTests/Fixtures) pasted and priced shows its claim lines
and total, its findings (with the catalogue's text when GET /v1/findings exists), summary and hints; a
refused month shows each field error beside its pointer; a malformed body names its line and column;
the chart has one bar per day of the month, with off-site doubling, capped and excluded services
marked; an NDJSON file with
several member-months lists them and opens one; a CSV billing export does the same (the server takes
text/csv); results download as CSV; API keys; every control is labelled and
reachable by keyboard; no request leaves the origin (resource timing entries, the CSP header, and a
cross-origin fetch that the CSP must block); nothing sideways-scrolls at 390 px. Screenshots at 1280
and 390 px go to $WEB_SHOTS (default .build/web-check/).

Run by scripts/test.sh; alone: `python3 scripts/web-check.py` (BIN=.build/release/pros-pricer to test
a release build). Installs chromium, chromium-driver (Debian) and selenium (PyPI) when missing.
"""
import base64
import csv
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "PROSRulesTests", "Fixtures")
BIN = os.environ.get("BIN", os.path.join(ROOT, ".build", "debug", "pros-pricer"))
SHOTS = os.environ.get("WEB_SHOTS", os.path.join(ROOT, ".build", "web-check"))


def install():
    subprocess.run([os.path.join(ROOT, "scripts", "deps.sh"), "chromium", "chromium-driver"], check=True)
    try:
        import selenium  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "selenium"],
                       check=True)


install()
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, env=None):
        if not os.access(BIN, os.X_OK):
            subprocess.run(["swift", "build", "--product", "pros-pricer"], cwd=ROOT, check=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([BIN, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                                     env=dict(os.environ, **(env or {})), stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)


def fixture(name):
    with open(os.path.join(FIXTURES, f"seed-{name}.json")) as f:
        return json.load(f)


def http(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def browser(downloads):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--disable-extensions", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--metrics-recording-only", "--no-default-browser-check"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    driver.set_script_timeout(10)
    return driver


class Page:
    """The page under test, driven through its data-testid hooks as a person would use it."""

    def __init__(self, driver, base):
        self.d = driver
        self.base = base

    def open(self):
        self.d.get(self.base + "/")
        WebDriverWait(self.d, 10).until(lambda d: d.execute_script("return !!window.prosPricer"))

    def tid(self, name):
        return self.d.find_element(By.CSS_SELECTOR, f'[data-testid="{name}"]')

    def tids(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def paste(self, text):
        box = self.tid("input")
        box.clear()
        # send_keys types each character (slow for long text, and autoindents nothing): set the value
        # and fire the input event the page listens for, as a paste does.
        self.d.execute_script("arguments[0].value = arguments[1];"
                              "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", box, text)

    def runs(self):
        return self.d.execute_script("return window.prosPricer.runs()")

    def price(self, press=None):
        """Presses Price (or does `press`) and waits until the page has shown the answer."""
        before = self.runs()
        (press or self.tid("price").click)()
        WebDriverWait(self.d, 15).until(lambda d: self.runs() > before)

    def visible(self, section_id):
        return self.d.execute_script(f"return !document.getElementById('{section_id}').hidden")

    def lines(self):
        rows = self.tids('[data-testid="lines"] tbody tr')
        out = []
        for r in rows:
            cells = [c.text for c in r.find_elements(By.TAG_NAME, "td")]
            out.append({"rateCode": r.get_attribute("data-rate-code"), "code": cells[1], "procedureCode": cells[2],
                        "modifiers": cells[3].split(), "units": int(cells[4]), "amount": cells[6]})
        return out

    def total(self):
        t = self.tid("total")
        return t.get_attribute("data-value") or None, t.text

    def days(self):
        return self.d.execute_script("""
            return [...document.querySelectorAll('[data-testid="chart"] g.day')].map(g => ({
              date: g.dataset.day, accrued: +g.dataset.accrued, tier: +g.dataset.tier, capped: +g.dataset.capped,
              excluded: +g.dataset.excluded, bars: g.querySelectorAll('rect.bar').length,
              doubled: g.querySelectorAll('rect.double').length, cappedBoxes: g.querySelectorAll('rect.capped').length,
              marks: g.querySelectorAll('.excluded-mark').length,
              height: +g.querySelector('rect.bar').getAttribute('height')}))""")

    def errors(self):
        return [(li.get_attribute("data-pointer"), li.text) for li in self.tids('[data-testid="errors"] li')]

    def shot(self, name, width):
        """A full-page screenshot at this CSS width."""
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
        time.sleep(0.4)  # the chart redraws on resize (debounced)
        height = self.d.execute_script("return document.documentElement.scrollHeight")
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
        time.sleep(0.4)
        overflow = self.d.execute_script("return document.documentElement.scrollWidth")
        os.makedirs(SHOTS, exist_ok=True)
        path = os.path.join(SHOTS, name)
        self.d.save_screenshot(path)
        self.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        time.sleep(0.3)
        return path, overflow


def downloaded_csv(directory, name, timeout=10.0):
    """The rows of a finished download. Chromium may create the file before it has written it (and
    writes through `NAME.crdownload`), so wait until it exists, no partial file is left and its size
    has held still for a moment, rather than reading it the instant its name appears."""
    target = os.path.join(directory, name)
    deadline = time.time() + timeout
    last = -1
    while time.time() < deadline:
        partial = any(f.endswith(".crdownload") for f in os.listdir(directory))
        size = os.path.getsize(target) if os.path.exists(target) else -1
        if size > 0 and not partial and size == last:
            break
        last = size
        time.sleep(0.2)
    expect(os.path.exists(target) and os.path.getsize(target) > 0, f"no finished download in {os.listdir(directory)}")
    with open(target, newline="") as f:
        return list(csv.reader(f))


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def money(amount):
    if amount is None:
        return "no rate"
    whole, _, cents = amount.partition(".")
    return "$" + f"{int(whole):,}" + "." + cents


# ---------------------------------------------------------------- tests

def test_the_page_is_self_contained(page, server):
    status, headers, body = http("GET", server.base + "/")
    expect(status == 200, f"GET / -> {status}")
    expect(headers["Content-Type"].startswith("text/html"), headers["Content-Type"])
    csp = headers.get("Content-Security-Policy", "")
    for directive in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                      "object-src 'none'", "frame-ancestors 'none'"]:
        expect(directive in csp, f"CSP lacks {directive}: {csp}")
    expect("unsafe" not in csp and "*" not in csp and "http" not in csp, f"CSP allows too much: {csp}")
    html = body.decode()
    for name in ["/app.js", "/app.css", "/favicon.svg"]:
        s, h, b = http("GET", server.base + name)
        expect(s == 200 and h.get("Content-Security-Policy") == csp, f"{name}: {s}")
        text = b.decode()
        # The only absolute URL anywhere is the SVG namespace name, which is never fetched.
        others = text.replace("http://www.w3.org/2000/svg", "")
        expect("http://" not in others and "https://" not in others and "//" + "cdn" not in others,
               f"{name} names another origin")
    expect("http://" not in html and "https://" not in html, "index.html names another origin")
    expect(" style=" not in html and " onclick=" not in html and "<style" not in html, "inline style or handler")
    expect(html.count("<script") == html.count('<script src="/app.js"'), "an inline script")
    page.open()
    # Every control has a label a screen reader reads, and the testids of the contract are there.
    unlabelled = page.d.execute_script("""
        return [...document.querySelectorAll('input, textarea, select, button')].filter(e => {
          const named = (e.labels && e.labels.length) || e.getAttribute('aria-label') || e.textContent.trim();
          return !named; }).map(e => e.id || e.outerHTML.slice(0, 60))""")
    expect(unlabelled == [], f"controls without a label: {unlabelled}")
    for tid in ["input", "file", "price", "lines", "total", "errors", "services", "findings", "chart"]:
        expect(page.tids(f'[data-testid="{tid}"]'), f"no data-testid={tid}")


def test_a_pasted_worked_example_shows_its_lines_and_total(page, server):
    page.open()
    for name in ["ashley", "joe", "jorge", "mary"]:
        seed = fixture(name)
        page.paste(json.dumps(seed["request"], indent=1))
        page.price()
        expect(page.visible("result"), f"{name}: no result shown")
        got = page.lines()
        want = seed["expected"]["lines"]
        expect([l["rateCode"] for l in got] == [l["rateCode"] for l in want], f"{name}: {got} vs {want}")
        for g, w in zip(got, want):
            expect(g["code"] == w["rateCode"] and g["procedureCode"] == w["procedureCode"], f"{name}: {g}")
            expect(g["modifiers"] == w["modifiers"] and g["units"] == w["units"], f"{name}: {g} vs {w}")
            expect(g["amount"] == money(w["amount"]), f"{name}: amount {g['amount']} vs {w['amount']}")
        value, text = page.total()
        expect(value == seed["expected"]["total"], f"{name}: total {value} vs {seed['expected']['total']}")
        expect(text == (money(value) if value else "no rate configured"), f"{name}: total shown as {text}")
        services = page.tids('[data-testid="services"] tbody tr')
        expect(len(services) == len(seed["request"]["services"]), f"{name}: {len(services)} service rows")
        codes = {c.get_attribute("data-code") for c in page.tids('[data-testid="findings"] [data-code]')}
        expect(set(seed["expected"]["findings"]) <= codes, f"{name}: findings {codes}")
        heading = page.d.find_element(By.ID, "result-heading").text
        expect(seed["request"]["memberId"] in heading, heading)
        check_explanation(page, server, seed)


def catalogue(server):
    """The findings catalogue by code, or None while the server has none (404)."""
    status, _, body = http("GET", server.base + "/v1/findings")
    if status == 404:
        return None
    doc = json.loads(body)
    entries = doc if isinstance(doc, list) else doc.get("findings", []) + doc.get("hints", [])
    return {e["code"]: e for e in entries}


def check_explanation(page, server, seed):
    """Findings carry the catalogue's text (or, without a catalogue, their own sentence); v2's summary and
    hints are shown when the server sends them."""
    status, _, body = http("POST", server.base + "/v1/claims/price", json.dumps(seed["request"]).encode(),
                           {"Content-Type": "application/json"})
    answer = json.loads(body)
    entries = catalogue(server)
    for f in answer["findings"]:
        card = page.d.find_element(By.CSS_SELECTOR, f'[data-testid="findings"] [data-code="{f["code"]}"]').text
        expect(f["message"] in card, f"{f['code']}: the finding's own sentence is not shown")
        if entries and f["code"] in entries and entries[f["code"]].get("title"):
            expect(entries[f["code"]]["title"] in card, f"{f['code']}: no catalogue title in {card}")
    if entries is None and answer["findings"]:
        note = page.d.find_element(By.CSS_SELECTOR, '[data-testid="findings"] .note').text
        expect("no findings catalogue" in note, note)
    summary = page.d.find_element(By.ID, "summary").text
    if "summary" in answer:
        expect(summary == answer["summary"], f"summary shown: {summary}")
    else:
        expect(summary.startswith("Billed") or summary.startswith("Nothing"), f"derived summary: {summary}")
    hints = page.tids('[data-testid="hints"] [data-code]')
    expect([h.get_attribute("data-code") for h in hints] == [h["code"] for h in answer.get("hints", [])],
           "hints shown")


def test_the_chart_has_one_bar_per_day_with_doubling_cap_and_exclusions(page, server):
    page.open()
    ashley = fixture("ashley")["request"]  # May 2025: 31 days, an off-site IR session counted twice
    page.paste(json.dumps(ashley))
    page.price()
    days = page.days()
    expect(len(days) == 31 and all(d["bars"] == 1 for d in days), f"{len(days)} day groups for May")
    expect([d["date"] for d in days] == [f"2025-05-{i:02d}" for i in range(1, 32)], "days out of order")
    expect(sum(d["accrued"] for d in days) == 21 and sum(d["tier"] for d in days) == 24, "units per day")
    expect(any(d["doubled"] and d["tier"] > d["accrued"] for d in days), "off-site doubling not drawn")
    # A February, with a capped day (4 + 4 units on-site: 1 over... 3 over the cap of 5) and excluded services.
    month = {"memberId": "CHART-1", "month": "2026-02", "rateSchedule": "example-provider-a",
             "member": {"status": "admitted", "admissionDate": "2025-01-01", "rreCodes": ["84"]},
             "services": [
                 {"id": "a", "date": "2026-02-02", "startTime": "09:00", "component": "CRS", "format": "group",
                  "minutes": 120, "location": "onsite"},
                 {"id": "b", "date": "2026-02-02", "startTime": "11:00", "component": "CRS", "format": "group",
                  "minutes": 120, "location": "onsite"},
                 {"id": "c", "date": "2026-02-03", "startTime": "09:00", "component": "IR", "format": "individual",
                  "minutes": 30, "location": "offsite"},
                 {"id": "d", "date": "2026-02-04", "component": "CT", "format": "individual", "minutes": 10,
                  "location": "onsite"},
                 {"id": "e", "date": "2026-02-05", "component": "CRS", "format": "group", "minutes": 60,
                  "location": "onsite", "employmentSetting": True}]}
    page.paste(json.dumps(month))
    page.price()
    days = page.days()
    expect(len(days) == 28, f"{len(days)} bars for February 2026")
    by = {d["date"]: d for d in days}
    expect(by["2026-02-02"]["accrued"] == 5 and by["2026-02-02"]["capped"] == 3, f"capped day: {by['2026-02-02']}")
    expect(by["2026-02-02"]["cappedBoxes"] == 1, "units over the cap not drawn")
    expect(by["2026-02-03"]["tier"] == 4 and by["2026-02-03"]["doubled"] == 1, f"doubling: {by['2026-02-03']}")
    expect(by["2026-02-04"]["marks"] == 1 and by["2026-02-05"]["marks"] == 1, "excluded services not marked")
    expect(by["2026-02-10"]["height"] == 0 and by["2026-02-10"]["bars"] == 1, "an empty day has no zero bar")
    tall = by["2026-02-02"]["height"]
    expect(tall > by["2026-02-03"]["height"] > 0, "bar heights do not follow the units")
    row = page.d.find_element(By.CSS_SELECTOR, '[data-testid="services"] tr[data-service-id="e"]').text
    expect("excluded" in row.lower() or "employment" in row.lower(), f"excluded service row: {row}")


def test_a_refused_month_shows_each_error_beside_its_pointer(page, server):
    page.open()
    bad = {"memberId": "M-1", "month": "2025-05", "member": {"status": "retired"},
           "services": [{"id": "s1", "date": "2025-05-02", "component": "CRS", "format": "group", "minutes": 0,
                         "location": "onsite"}]}
    page.paste(json.dumps(bad))
    page.price()
    expect(page.visible("problem") and not page.visible("result"), "the refusal is not shown")
    errors = dict(page.errors())
    expect("/services/0/minutes" in errors and "/member/status" in errors, f"pointers: {list(errors)}")
    minutes = errors["/services/0/minutes"]
    expect("/services/0/minutes" in minutes and "between 1 and 1440" in minutes, minutes)
    expect("sent: 0" in minutes and "s1" in minutes, f"the value sent is not shown: {minutes}")
    expect('sent: "retired"' in errors["/member/status"], errors["/member/status"])
    expect(page.d.switch_to.active_element.get_attribute("id") == "problem", "focus did not move to the problem")
    # Malformed JSON: the byte offset becomes a line and column of the pasted text.
    page.paste('{\n  "memberId": "M-1",\n  "month": 2025-05\n}')
    page.price()
    detail = page.d.find_element(By.ID, "problem-detail").text
    expect("line 3, column" in detail, f"no line and column: {detail}")


def test_an_ndjson_file_lists_its_member_months_and_opens_one(page, server, tmp):
    path = os.path.join(tmp, "months.ndjson")
    seeds = [fixture(n) for n in ["ashley", "joe", "mary"]]
    lines = [json.dumps(seeds[0]["request"]), json.dumps(seeds[1]["request"]),
             json.dumps({"memberId": "BAD", "month": "2025-05", "member": {"status": "admitted"}, "services": []}),
             json.dumps(seeds[2]["request"])]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    page.open()
    page.tid("file").send_keys(path)
    expect("months.ndjson" in page.d.find_element(By.ID, "file-status").text, "the chosen file is not named")
    page.price()
    rows = page.tids('[data-testid="batch"] tbody tr')
    expect(len(rows) == 4, f"{len(rows)} batch rows")
    summary = page.d.find_element(By.ID, "batch-summary").text
    expect("3 priced, 1 refused" in summary and "$3,122.72" in summary, summary)  # 1187.21 + 1187.21 + 748.30
    expect("Refused" in rows[2].text and "admissionDate" not in rows[0].text, rows[2].text)
    rows[1].find_element(By.CSS_SELECTOR, "button").click()
    expect(page.visible("result"), "opening a priced month shows nothing")
    expect("SEED-JOE" in page.d.find_element(By.ID, "result-heading").text, "opened the wrong month")
    expect([l["rateCode"] for l in page.lines()] == [l["rateCode"] for l in seeds[1]["expected"]["lines"]],
           "joe's lines")
    expect(len(page.days()) == 31, "joe's chart")
    back = page.d.find_element(By.CSS_SELECTOR, "#result button.back")
    expect(back.is_displayed(), "no way back to the list")
    page.d.execute_script("arguments[0].focus()", back)
    page.d.switch_to.active_element.send_keys(Keys.ENTER)
    expect(page.d.switch_to.active_element.get_attribute("aria-label") == "Open SEED-JOE 2025-07",
           f"back to the list lands on {page.d.switch_to.active_element.get_attribute('outerHTML')[:80]}")
    # Keyboard: the third row's Open button, focused and pressed with Enter, shows that month's errors.
    button = page.tids('[data-testid="batch"] tbody tr')[2].find_element(By.CSS_SELECTOR, "button")
    page.d.execute_script("arguments[0].focus()", button)
    page.d.switch_to.active_element.send_keys(Keys.ENTER)
    expect(page.visible("problem"), "opening a refused month shows no errors")
    expect("/member/admissionDate" in dict(page.errors()), f"errors: {page.errors()}")
    # Download: the results of all four as the API's CSV.
    for old in os.listdir(tmp):
        if old.endswith(".csv"):
            os.remove(os.path.join(tmp, old))
    page.tid("download").click()
    table = downloaded_csv(tmp, "pros-pricer-results.csv")
    expect(table[0] == ["memberId", "month", "dateOfService", "kind", "rateCode", "procedureCode", "modifiers",
                        "units", "amount", "findings"], table[0])
    want = [(s["request"]["memberId"], l["rateCode"]) for s in seeds[:2] for l in s["expected"]["lines"]]
    want += [("BAD", "")] + [(seeds[2]["request"]["memberId"], l["rateCode"]) for l in seeds[2]["expected"]["lines"]]
    expect([(r[0], r[4]) for r in table[1:]] == want, f"CSV rows {table[1:]}")
    expect(table[1 + len(want) - len(seeds[2]["expected"]["lines"]) - 1][3] == "error", "no error row")


def test_a_pasted_json_array_and_a_large_file_are_priced_as_batches(page, server, tmp):
    page.open()
    months = [fixture("mary")["request"], fixture("jorge")["request"]]
    page.paste(json.dumps(months, indent=1))
    page.price()
    rows = page.tids('[data-testid="batch"] tbody tr')
    expect([r.find_elements(By.TAG_NAME, "td")[1].text for r in rows] == ["SEED-MARY", "SEED-JORGE"],
           f"array rows: {[r.text for r in rows]}")
    rows[1].find_element(By.CSS_SELECTOR, "button").click()
    expect([l["rateCode"] for l in page.lines()] == ["4526"] and page.total() == (None, "no rate configured"),
           "jorge from the array")
    expect(sum(d["accrued"] for d in page.days()) == 10, "jorge's chart from the array")
    # 2,500 member-months: all priced and downloadable, the first 2,000 listed.
    path = os.path.join(tmp, "large.ndjson")
    base = fixture("ashley")["request"]
    with open(path, "w") as f:
        for i in range(2500):
            f.write(json.dumps(dict(base, memberId=f"M-{i:05d}"), separators=(",", ":")) + "\n")
    page.open()
    page.tid("file").send_keys(path)
    started = time.monotonic()
    page.price()
    seconds = time.monotonic() - started
    rows = page.tids('[data-testid="batch"] tbody tr')
    summary = page.d.find_element(By.ID, "batch-summary").text
    expect(len(rows) == 2000 and "2500 member-months" in summary and "first 2000" in summary, summary)
    expect("$2,968,025.00" in summary, summary)  # 2,500 × 1,187.21
    lines = page.d.execute_script("return window.prosPricer.resultsCSV().trim().split('\\r\\n').length")
    expect(lines == 1 + 2500 * 2, f"{lines} CSV lines for 2,500 months")
    rows[1999].find_element(By.CSS_SELECTOR, "button").click()
    expect("M-01999" in page.d.find_element(By.ID, "result-heading").text, "the last listed month")
    print(f"  2,500 member-months priced and listed in {seconds:.1f} s")


def csv_export(names):
    """The worked examples as one billing export: a row a service. Optional service columns appear only
    when every service has them (an empty cell is left to mean nothing)."""
    months = [fixture(n)["request"] for n in names]
    services = [s for r in months for s in r["services"]]
    optional = [c for c in ["id", "startTime", "telehealth"] if all(c in s for s in services)]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["memberId", "month", "status", "admissionDate", "rateSchedule", "date", "component", "format",
                "minutes", "location"] + optional)
    for r in months:
        for s in r["services"]:
            w.writerow([r["memberId"], r["month"], r["member"]["status"], r["member"].get("admissionDate", ""),
                        r.get("rateSchedule", ""), s["date"], s["component"], s["format"], s["minutes"],
                        s["location"]] + [s[c] for c in optional])
    return out.getvalue()


def test_a_csv_export_lists_its_member_months_and_opens_one(page, server, tmp):
    text = csv_export(["joe", "jorge"])
    status, _, body = http("POST", server.base + "/v1/claims/price/batch", text.encode(), {"Content-Type": "text/csv"})
    expect(status == 200, f"POST text/csv answered {status}: {body[:200]!r}")
    path = os.path.join(tmp, "export.csv")
    with open(path, "w", newline="") as f:
        f.write(text)
    page.open()
    page.tid("file").send_keys(path)
    page.price()
    rows = page.tids('[data-testid="batch"] tbody tr')
    expect(len(rows) == 2, f"{len(rows)} member-months from the CSV: {[r.text for r in rows]}")
    jorge = [r for r in rows if "SEED-JORGE" in r.text]
    expect(jorge, "jorge is not listed")
    jorge[0].find_element(By.CSS_SELECTOR, "button").click()
    want = fixture("jorge")["expected"]
    expect([l["rateCode"] for l in page.lines()] == [l["rateCode"] for l in want["lines"]], "jorge's lines")
    days = page.days()
    expect(len(days) == 31 and sum(d["accrued"] for d in days) == want["accrued"], "jorge's chart from the CSV rows")


def test_an_api_key_is_sent_and_kept_only_in_memory(page, server, tmp):
    keyed = Server({"PROS_PRICER_API_KEYS": "s3cret-key"})
    try:
        p = Page(page.d, keyed.base)
        p.open()
        p.paste(json.dumps(fixture("ashley")["request"]))
        p.price()
        expect(p.visible("problem") and "API key" in p.d.find_element(By.ID, "problem").text, "no word on the key")
        key = p.d.find_element(By.ID, "api-key")
        expect(key.get_attribute("type") == "password", "the key is shown")
        key.send_keys("s3cret-key")
        p.price()
        expect(p.visible("result") and p.total()[0] == "1187.21", "not priced with the key")
        stored = p.d.execute_script("return JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"
                                    " + document.cookie")
        expect("s3cret" not in stored, "the key was stored")
    finally:
        keyed.stop()


def test_keyboard_alone_prices_a_month(page, server):
    page.open()
    page.paste(json.dumps(fixture("mary")["request"]))
    page.d.find_element(By.TAG_NAME, "h1").click()
    order = []
    for _ in range(12):
        ActionChains(page.d).send_keys(Keys.TAB).perform()  # keys to the page: a file input takes them as a path
        order.append(page.d.switch_to.active_element.get_attribute("id"))
        if order[-1] == "price":
            break
    expect(order[-1] == "price", f"tab order: {order}")
    expect(order.index("input") < order.index("file") < order.index("api-key") < order.index("price"), order)
    page.price(lambda: page.d.switch_to.active_element.send_keys(Keys.ENTER))
    expect(page.total()[0] == "748.30", "Enter on Price did not price")
    expect(page.d.switch_to.active_element.get_attribute("id") == "result", "focus did not move to the result")


def test_no_request_leaves_the_origin(page, server):
    page.open()
    page.paste(json.dumps(fixture("ashley")["request"]))
    page.price()
    origin = server.base
    names = page.d.execute_script("return performance.getEntries().map(e => e.name).filter(n => n.includes(':'))")
    outside = [n for n in names if not n.startswith(origin + "/") and n != origin]
    expect(not outside, f"requests outside the origin: {outside}")
    expect(any(n.endswith("/v1/claims/price") for n in names), f"no pricing request seen: {names}")
    # The policy is enforced: a fetch to another origin (still this machine) is refused by the browser.
    other = f"http://127.0.0.2:{server.port}/healthz"
    verdict = page.d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(() => done('sent'), e => done('blocked: ' + e));", other)
    expect(verdict.startswith("blocked"), f"a cross-origin fetch was {verdict}")
    logs = page.d.get_log("browser")
    violations = [l["message"] for l in logs
                  if "Content Security Policy" in l["message"] and "127.0.0.2" not in l["message"]]
    expect(not violations, f"the page itself breaks its CSP: {violations}")
    # Script errors; a 4xx the page asked for (a 404 catalogue, a 422 month) is logged too, and expected.
    errors = [l["message"] for l in logs if l["level"] == "SEVERE" and "127.0.0.2" not in l["message"]
              and "the server responded with a status of 4" not in l["message"]]
    expect(not errors, f"console errors: {errors}")


def test_screenshots_at_1280_and_390(page, server):
    page.open()
    page.d.find_element(By.ID, "example").click()
    page.price()
    expect(page.visible("result") and len(page.days()) == 30, "the example did not price")
    notes = []
    for width in (1280, 390):
        path, scroll_width = page.shot(f"web-page-{width}.png", width)
        expect(scroll_width <= width, f"the page scrolls sideways at {width} px ({scroll_width} px wide)")
        notes.append(path)
    # The picture for the README: the claim, its units and its month at 1280 px (down to the findings).
    page.d.set_window_size(1280, 900)
    clip = page.d.execute_script("""
        const top = document.getElementById('result').getBoundingClientRect().top + scrollY;
        const end = document.getElementById('findings-heading').getBoundingClientRect().top + scrollY;
        return {x: 0, y: top - 8, width: 1280, height: end - top, scale: 1};""")
    shot = page.d.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "clip": clip,
                                                            "captureBeyondViewport": True})
    with open(os.path.join(SHOTS, "web-page.png"), "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    notes.append(os.path.join(SHOTS, "web-page.png"))
    # The refusal, at phone width.
    page.paste(json.dumps({"memberId": "", "month": "2025-13", "member": {"status": "x"},
                           "services": [{"minutes": 0}]}))
    page.price()
    path, scroll_width = page.shot("web-page-refused-390.png", 390)
    expect(scroll_width <= 390, f"the refusal scrolls sideways ({scroll_width} px)")
    notes.append(path)
    print("  screenshots: " + ", ".join(os.path.relpath(p, ROOT) for p in notes))


TESTS = [test_the_page_is_self_contained, test_a_pasted_worked_example_shows_its_lines_and_total,
         test_the_chart_has_one_bar_per_day_with_doubling_cap_and_exclusions,
         test_a_refused_month_shows_each_error_beside_its_pointer,
         test_an_ndjson_file_lists_its_member_months_and_opens_one,
         test_a_pasted_json_array_and_a_large_file_are_priced_as_batches,
         test_a_csv_export_lists_its_member_months_and_opens_one,
         test_an_api_key_is_sent_and_kept_only_in_memory, test_keyboard_alone_prices_a_month,
         test_no_request_leaves_the_origin, test_screenshots_at_1280_and_390]


def main():
    only = sys.argv[1:]
    server = Server()
    tmp = tempfile.mkdtemp(prefix="web-check-")
    driver = browser(tmp)
    passed = failed = skipped = 0
    try:
        page = Page(driver, server.base)
        for test in TESTS:
            if only and not any(o in test.__name__ for o in only):
                continue
            args = [page, server] + ([tmp] if "tmp" in test.__code__.co_varnames[:test.__code__.co_argcount] else [])
            try:
                outcome = test(*args)
                if isinstance(outcome, str) and outcome.startswith("SKIPPED"):
                    skipped += 1
                    print(f"{test.__name__}: {outcome}")
                else:
                    passed += 1
                    print(f"{test.__name__}: ok")
            except Exception:
                failed += 1
                print(f"{test.__name__}: FAILED")
                traceback.print_exc()
    finally:
        driver.quit()
        server.stop()
    print(f"web-check: {passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
