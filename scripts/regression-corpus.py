#!/usr/bin/env python3
"""Generates member-months for the regression corpus (Tests/PROSRulesTests/Fixtures/regression*.ndjson):
valid and invalid months of every kind the rules know, spaced (json.dumps default) or compact (COMPACT=1).

    python3 scripts/regression-corpus.py SEED COUNT > months.ndjson

The pinned corpus is seed 11 (50 spaced) followed by seed 12 (50 compact), answered by
`pros-pricer price --batch` at commit 11d756a, before the decoder and encoder were rewritten for speed.
Regenerate the expected answers only for a deliberate change of behaviour, and say so in the commit.
"""
import json, random, sys, os
COMPACT = os.environ.get("COMPACT") == "1"
random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
comps = ["CRS","IR","ORS","CT"]; fmts = ["individual","collateral","group"]
def month():
    y, mo = random.choice([(2025,4),(2025,6),(2025,12),(2026,2),(2025,5),(2025,9),(2025,3)])
    def day(): return "%04d-%02d-%02d" % (y, mo, random.randint(1, 28))
    status = random.choice(["admitted","admitted","admitted","preadmission"])
    m = {"memberId": "M-%d" % random.randint(1, 99999), "month": "%04d-%02d" % (y, mo)}
    if random.random() < 0.8: m["rateSchedule"] = random.choice(["example-provider-a", "nope", None])
    mem = {"status": status}
    if status == "admitted" or random.random() < 0.3:
        mem["admissionDate"] = random.choice([day(), "2024-11-04", "%04d-%02d-01" % (y, mo)])
    if random.random() < 0.2: mem["dischargeDate"] = day()
    if random.random() < 0.6: mem["rreCodes"] = random.choice([["84"], [], ["12"], ["84", "10"]])
    if random.random() < 0.5: mem["medicationManagement"] = random.random() < 0.5
    if random.random() < 0.4: mem["lastPrescriberContact"] = random.choice(["2025-01-10", "2025-05-10", "2024-06-01", day()])
    m["member"] = mem
    if status == "preadmission" and random.random() < 0.5:
        pm = [(y, mo - 1 if mo > 1 else 12), (y, mo - 2 if mo > 2 else 11)]
        m["priorPreadmissionMonths"] = ["%04d-%02d" % p for p in pm[:random.randint(0, 2)]]
    svcs = []
    for i in range(random.randint(0, 25)):
        s = {"date": day(), "component": random.choice(comps), "format": random.choice(fmts),
             "minutes": random.choice([5, 15, 29, 30, 45, 60, 90, 120, 200]), "location": random.choice(["onsite", "onsite", "offsite"])}
        if random.random() < 0.7: s["id"] = random.choice(["v%d" % i, "visit-%d" % i, "é-%d" % i, "q\"%d" % i, "s%d" % random.randint(0, 3)] if random.random() < 0.05 else ["v%d" % i, "visit-%d" % i, "é-%d" % i, "q\"%d" % i])
        if random.random() < 0.7: s["startTime"] = "%02d:%s" % (random.randint(8, 16), random.choice(["00", "15", "30", "45"]))
        if random.random() < 0.3: s["telehealth"] = random.choice(["none", "audio-video", "audio-only"])
        if random.random() < 0.1: s["employmentSetting"] = True
        if random.random() < 0.2: s["prescriberContact"] = random.random() < 0.5
        if random.random() < 0.003: s["minutes"] = random.choice([0, -3, 2000, "30", 1.5])
        if random.random() < 0.003: s["component"] = "XX"
        if random.random() < 0.003: del s["date"]
        svcs.append(s)
    m["services"] = svcs
    if random.random() < 0.02: del m["memberId"]
    if random.random() < 0.02: m["month"] = "2025-13"
    return m
for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 2000):
    print(json.dumps(m := month(), ensure_ascii=random.random() < 0.5, separators=(",", ":") if COMPACT else None))
