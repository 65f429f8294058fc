#!/usr/bin/env python3
"""Runs every `curl` and `pros-pricer` command of the README's shell blocks, as written, from the repository
root, against a live release server: each must succeed (exit 0, or the code its line's comment names with
`# exit N`). The server listens on a free port; `localhost:8080` in a command is pointed at it, nothing else
is changed. A README example that stops working fails the tests.

    python3 scripts/readme-check.py
"""
import os, re, socket, subprocess, sys, time, urllib.request

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
binary = os.environ.get("BIN", ".build/release/pros-pricer")
if "BIN" not in os.environ:
    subprocess.run(["swift", "build", "-c", "release", "--product", "pros-pricer"], check=True,
                   stdout=subprocess.DEVNULL)

readme = open("README.md", encoding="utf-8").read()
commands = []
for block in re.findall(r"```sh\n(.*?)```", readme, re.S):
    lines = block.replace("\\\n", " ").split("\n")
    for line in lines:
        text = line.strip()
        if re.match(r"^(curl |\.build/release/pros-pricer |pros-pricer )", text):
            commands.append(text)
if len(commands) < 5:
    sys.exit(f"readme-check: found only {len(commands)} commands in README.md")

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
env = dict(os.environ, PROS_PRICER_ACCESS_LOG="false", PORT=str(port))
server = subprocess.Popen([binary, "serve", "--host", "127.0.0.1", "--port", str(port)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
try:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    failures = 0
    for command in commands:
        expected = 0
        m = re.search(r"#\s*exit (\d+)", command)
        if m:
            expected = int(m.group(1))
        run = command.replace("localhost:8080", f"localhost:{port}")
        run = re.sub(r"^(\.build/release/pros-pricer|pros-pricer) ", binary + " ", run)
        p = subprocess.run(["bash", "-o", "pipefail", "-c", run], capture_output=True, env=env, timeout=120)
        ok = p.returncode == expected and (p.stdout.strip() or "--help" in run or expected != 0 or "-o " in run)
        print(("ok  " if ok else "FAIL"), f"exit {p.returncode}", command[:110])
        if not ok:
            failures += 1
            sys.stderr.write(p.stderr.decode(errors="replace")[-800:] + "\n")
    if failures:
        sys.exit(f"readme-check: {failures} of {len(commands)} README commands failed")
    print(f"readme-check: {len(commands)} README commands ran as written")
finally:
    server.terminate()
    server.wait(timeout=20)
