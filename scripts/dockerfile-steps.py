#!/usr/bin/env python3
"""Runs the Dockerfile's build and start steps outside Docker (no Docker engine runs here).

Each stage gets a folder standing in for its filesystem root. The build stage's COPY and RUN steps run
as written, with the stage's absolute paths (/src, /out) mapped into that folder; apt-get steps are
checked, not run (scripts/deps.sh installs the same packages on this machine). The runtime stage's
COPY steps lay the binary and config into its root, its ENV is set, and ENTRYPOINT + CMD start the
service as the Dockerfile's USER when this runs as root. The port is set where an operator sets it, in
the image's server.json (not with a flag or PORT), so the HEALTHCHECK command must find it there and pass;
then a member-month must price, and the STOPSIGNAL must stop the service with exit code 0.
The Kubernetes manifests are checked by scripts/deploy-check.sh.
"""
import json, os, re, shlex, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(repo)

def instructions(path):
    text = open(path).read().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            op, _, rest = line.partition(" ")
            yield op.upper(), rest.strip()

def words(rest):
    return json.loads(rest) if rest.startswith("[") else shlex.split(rest)

stages, current = [], None
for op, rest in instructions("Dockerfile"):
    if op == "FROM":
        parts = rest.split()
        current = {"image": parts[0], "name": parts[2] if len(parts) > 2 else None, "steps": []}
        stages.append(current)
    else:
        current["steps"].append((op, rest))
assert len(stages) == 2, "expected a build stage and a runtime stage"
build, runtime = stages
assert build["image"].startswith("swift:6.3"), "build with the Swift 6.3 toolchain"
assert "slim" in runtime["image"], "a slim runtime image"

work = tempfile.mkdtemp(prefix="pros-dockerfile-")
roots = {build["name"]: os.path.join(work, "build"), None: os.path.join(work, "runtime")}
for r in roots.values(): os.makedirs(r)

def inside(root, path):
    return os.path.join(root, path.lstrip("/"))

def remap(root, command, absolute):
    for p in sorted(absolute, key=len, reverse=True):
        command = re.sub(r"(?<![\w./-])" + re.escape(p) + r"(?=/|\b|$)", inside(root, p), command)
    return command

def copy(src, dst):
    if os.path.isdir(src):
        shutil.copytree(src, dst, dirs_exist_ok=True)
    else:
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst if not dst.endswith("/") else os.path.join(dst, os.path.basename(src)))

# Build stage.
root, workdir = roots[build["name"]], "/"
absolute = set()
for op, rest in build["steps"]:
    if op == "WORKDIR":
        workdir = rest; absolute.add(rest); os.makedirs(inside(root, rest), exist_ok=True)
    elif op == "COPY":
        *srcs, dst = words(rest)
        target = dst if dst.startswith("/") else os.path.join(workdir, dst)
        for s in srcs:
            copy(s, inside(root, target) + ("/" if target.endswith("/") or dst in (".", "./") else ""))
    elif op == "RUN":
        cmd = rest
        if "apt-get" in cmd:
            pkgs = re.findall(r"install -y --no-install-recommends ([^&]+)", cmd)
            print(f"[build] apt step checked, not run: {pkgs}")
            continue
        absolute |= set(re.findall(r"(?<![\w.])/(?:out|src)\b", cmd))
        cmd = remap(root, cmd, absolute)
        print(f"[build] RUN {rest}")
        t = time.time()
        subprocess.run(["bash", "-ec", cmd], cwd=inside(root, workdir), check=True)
        print(f"[build] done in {time.time() - t:.0f} s")

# Runtime stage.
rroot, env, user, entry, cmd, health, stopsignal, expose = roots[None], dict(os.environ), None, [], [], None, "SIGTERM", None
for op, rest in runtime["steps"]:
    if op == "COPY":
        args = words(rest)
        src_root = repo
        if args[0].startswith("--from="):
            src_root = roots[args[0].split("=", 1)[1]]
            args = args[1:]
        *srcs, dst = args
        for s in srcs:
            copy(inside(src_root, s) if src_root != repo else s, inside(rroot, dst))
    elif op == "ENV":
        k, _, v = rest.partition("=")
        env[k.strip()] = inside(rroot, v.strip()) if v.strip().startswith("/") else v.strip()
    elif op == "USER": user = rest
    elif op == "ENTRYPOINT": entry = words(rest)
    elif op == "CMD": cmd = words(rest)
    elif op == "HEALTHCHECK": health = words(rest.split(" CMD ", 1)[1])
    elif op == "STOPSIGNAL": stopsignal = rest
    elif op == "EXPOSE": expose = int(rest)
    elif op == "RUN":
        print(f"[runtime] RUN checked, not run: {rest[:80]}...")
assert expose == 8080 and user and health and entry
uid, _, gid = user.partition(":")
assert uid.isdigit() and int(uid) != 0, f"USER must be a numeric non-root uid (Kubernetes runAsNonRoot): {user}"
gid = gid or uid
binary = inside(rroot, "/usr/local/bin/" + entry[0])
assert os.access(binary, os.X_OK), f"{binary} is not installed"
libs = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
assert "libswiftCore" not in libs, "the Swift standard library must be linked statically:\n" + libs
# The runtime stage installs nothing: every library must already be in debian:bookworm-slim (libc6, zlib1g,
# and libstdc++6 and libgcc-s1, which apt itself needs).
in_slim = ("linux-vdso", "ld-linux", "libc.so", "libm.so", "libdl.so", "libpthread.so", "librt.so", "libutil.so",
           "libz.so", "libstdc++.so", "libgcc_s.so")
needed = [l.split()[0] for l in libs.splitlines() if l.strip()]
assert all(n.split("/")[-1].startswith(in_slim) for n in needed), f"a library bookworm-slim lacks: {needed}"

# Start: ENTRYPOINT + CMD, on a free port instead of 8080 (this machine may use it), as USER when root.
# The port goes into the image's server.json, as an operator would set it.
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
for k in ("PORT", "PROS_PRICER_PORT", "PROS_PRICER_HOST"): env.pop(k, None)
server_json = os.path.join(env["PROS_PRICER_CONFIG"], "server.json")
settings = json.load(open(server_json))
settings.update(port=port, host="127.0.0.1")
json.dump(settings, open(server_json, "w"))
env["PATH"] = os.path.dirname(binary) + ":" + env["PATH"]
preexec = None
if os.getuid() == 0:
    os.chmod(work, 0o755)
    for d, _, fs in os.walk(rroot):
        os.chmod(d, 0o755)
        for f in fs: os.chmod(os.path.join(d, f), 0o755)
    preexec = lambda: (os.setgroups([]), os.setgid(int(gid)), os.setuid(int(uid)))
# Nothing listens on the port yet: a HEALTHCHECK passing now would be probing someone else (say :8080).
assert subprocess.run(health, env=env, stderr=subprocess.DEVNULL).returncode != 0, "HEALTHCHECK passed before the start"
log_path = os.path.join(work, "service.log")
log = open(log_path, "w")
proc = subprocess.Popen([binary] + entry[1:] + cmd, env=env, preexec_fn=preexec, stderr=log)
try:
    for _ in range(100):
        if subprocess.run(health, env=env, stderr=subprocess.DEVNULL).returncode == 0: break
        time.sleep(0.1)
    else:
        raise SystemExit("HEALTHCHECK never passed")
    who = user if preexec else os.getuid()
    print(f"[runtime] HEALTHCHECK {health} passed (port {port} from server.json, user {who})")
    body = json.dumps(json.load(open("Tests/PROSRulesTests/Fixtures/seed-ashley.json"))["request"]).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/claims/price", data=body, headers={"Content-Type": "application/json"})
    claim = json.load(urllib.request.urlopen(req, timeout=10))
    assert claim["total"] == "1187.21", claim["total"]
    print("[runtime] POST /v1/claims/price priced the seed example: total", claim["total"])
    # SIGHUP reloads the baked-in config from PROS_PRICER_CONFIG, and the service keeps answering.
    proc.send_signal(signal.SIGHUP)
    for _ in range(50):
        if "config reloaded" in open(log_path).read(): break
        time.sleep(0.1)
    else:
        raise SystemExit("SIGHUP did not reload the config")
    claim = json.load(urllib.request.urlopen(req, timeout=10))
    assert claim["total"] == "1187.21", claim["total"]
    print("[runtime] SIGHUP reloaded the config; pricing goes on")
finally:
    proc.send_signal(getattr(signal, stopsignal))
    rc = proc.wait(timeout=30)
    log.close()
    logged = open(log_path).read()
    shutil.rmtree(work, ignore_errors=True)
assert rc == 0, f"{stopsignal} must stop the service with exit 0, got {rc}"
print(f"[runtime] {stopsignal}: exit 0")
assert "SEED-ASHLEY" not in logged, "a member id reached the logs"
assert all(json.loads(line) for line in logged.splitlines()), "every log line is one JSON object"
print(f"[runtime] {len(logged.splitlines())} log lines, all JSON, no member id")
