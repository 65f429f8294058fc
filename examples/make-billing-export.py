#!/usr/bin/env python3
"""Writes examples/billing-export.csv: one small PROS program's June 2025 services as an EHR exports
them (one row per service, columns in the EHR's order, names in its case), with the May (and April)
rows of members still in pre-admission, and a few rows a billing manager would have to fix.
Deterministic: the same file every run. Member ids are made up; there are no names."""
import calendar
import csv
import random
import sys

rng = random.Random(2025_06)
out = sys.argv[1] if len(sys.argv) > 1 else "examples/billing-export.csv"
header = ["Id", "MemberId", "Date", "StartTime", "Minutes", "Component", "Format", "Location", "Telehealth",
          "Service", "Staff", "Status", "AdmissionDate", "RreCodes", "MedicationManagement",
          "LastPrescriberContact", "PrescriberContact", "RateSchedule"]
rows = []
serial = 0


def weekdays(year, month):
    return [d for d in range(1, calendar.monthrange(year, month)[1] + 1) if calendar.weekday(year, month, d) < 5]


def row(member, day, start, minutes, component, fmt, location="onsite", telehealth="none", service="", staff="",
        status="", admission="", rre="", med="", last="", prescriber="", schedule="example-provider-a"):
    global serial
    serial += 1
    rows.append([f"S{serial:05d}", member, day, start, minutes, component, fmt, location, telehealth, service,
                 staff, status, admission, rre, med, last, prescriber, schedule])


services = {"CRS": "psychosocial rehabilitation", "IR": "integrated dual disorder treatment",
            "ORS": "ongoing rehabilitation and supports", "CT": "clinical treatment"}
staff = ["J. Rivera", "K. Osei", "M. Chen", "P. Walsh", "R. Haddad"]
june = weekdays(2025, 6)

# 33 admitted members: groups on two to four days a week, some IR or ORS, CT for a few with RRE 84.
for n in range(33):
    member = f"M-{104200 + n * 7}"
    admission = f"2024-{1 + n % 12:02d}-{1 + n % 27:02d}"
    days = rng.sample(june, rng.randint(5, 12))
    days.sort()
    first = True
    for d in days:
        date = f"2025-06-{d:02d}"
        for k in range(rng.randint(1, 2)):
            component = rng.choice(["CRS", "CRS", "CRS", "IR", "ORS"] if n % 3 else ["CRS", "CRS", "IR"])
            fmt = rng.choice(["group", "group", "individual", "collateral"] if component != "ORS" else ["individual"])
            minutes = rng.choice([30, 45, 60, 60, 90]) if fmt == "group" else rng.choice([15, 30, 45, 60])
            location = "offsite" if rng.random() < 0.12 else "onsite"
            tele = "none"
            if n % 5 == 0 and rng.random() < 0.5:
                tele = rng.choice(["audio-video", "audio-only"])
                location = "offsite"
            row(member, date, f"{9 + k * 2}:{rng.choice(['00', '30'])}" if n % 3 else f"{9 + k * 2:02d}:{rng.choice(['00', '30'])}", minutes, component, fmt, location, tele,
                services[component], rng.choice(staff),
                # The member-month columns: on the first row only for some members, on every row for others.
                status="admitted" if first or n % 2 else "", admission=admission if first or n % 2 else "",
                rre="84" if n % 4 == 0 and (first or n % 2) else "")
            first = False
    if n % 4 == 0:  # clinical treatment with a psychiatric prescriber contact
        d = rng.choice(june)
        row(member, f"2025-06-{d:02d}", "15:00", 30, "CT", "individual", service=services["CT"],
            staff="Dr. A. Novak", status="admitted", admission=admission, rre="84", med="yes", last="2025-05-20",
            prescriber="yes")

# Four members in pre-admission (OMH PROS Billing and Claiming Manual (2025): at most two consecutive
# months billed at 4510).
pre = {"M-300101": ["2025-05", "2025-06"], "M-300102": ["2025-05", "2025-06"],
       "M-300103": ["2025-04", "2025-05", "2025-06"], "M-300104": ["2025-06"]}
for member, months in pre.items():
    for m in months:
        year, month = map(int, m.split("-"))
        for i, d in enumerate(rng.sample(weekdays(year, month), 3)):
            row(member, f"{m}-{d:02d}", "10:00", 60, "CRS", "individual" if i == 0 else "group",
                service="engagement and assessment", staff=rng.choice(staff), status="preadmission")

# Two more admitted members whose rows need fixing: a typed-in minutes value, and a date that does
# not exist; and a third whose rows disagree on the status.
row("M-400001", "2025-06-03", "09:00", 60, "CRS", "group", status="admitted", admission="2025-01-15")
row("M-400001", "2025-06-05", "09:00", "90m", "CRS", "group")
row("M-400002", "2025-06-31", "09:00", 60, "CRS", "group", status="admitted", admission="2025-02-10")
row("M-400002", "2025-06-10", "11:00", 45, "IR", "group")
row("M-400003", "2025-06-04", "13:00", 60, "CRS", "individual", status="admitted", admission="2025-03-03")
row("M-400003", "2025-06-11", "13:00", 60, "CRS", "individual", status="preadmission")

rng.shuffle(rows)  # an EHR exports in its own order; grouping does not care
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
print(f"{out}: {len(rows)} rows", file=sys.stderr)
