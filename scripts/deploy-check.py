#!/usr/bin/env python3
"""The Kubernetes manifests (deploy/*.yaml) checked as a cluster would use them, without a cluster:

1. The pod meets the "restricted" Pod Security Standard (Kubernetes documentation, "Pod Security
   Standards"), field by field, plus a read-only root filesystem; the objects fit together (selectors,
   the HPA's and PDB's targets, the ServiceAccount, the NetworkPolicy's port, probes on the image's port,
   a grace period longer than the preStop sleep and the drain).
2. The pod is started as the kubelet would start it: the ConfigMap laid out as a ConfigMap volume (the
   files in a hidden timestamped folder, `..data` pointing at it, the items' names through `..data`), the
   Secret the same way with a test key, the container's env (and the service links Kubernetes would add
   unless `enableServiceLinks: false`), the image's ENTRYPOINT with the container's args, as runAsUser
   when this runs as root. Its probes must answer 200, /v1/ must want the key, the ConfigMap's config
   must be the config folder's (the same digest) and price a member-month, and SIGTERM must end it with
   exit 0. Only the port is changed (to a free one; the manifest's must equal the containerPort).
"""
import json, os, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.error, urllib.request

import yaml

repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(repo)
BIN = os.path.abspath(os.environ.get("BIN", ".build/debug/pros-pricer"))

docs = [d for f in sorted(os.listdir("deploy")) if f.endswith(".yaml")
        for d in yaml.safe_load_all(open("deploy/" + f)) if d]
objects = {(d["kind"], d["metadata"]["name"]): d for d in docs}
kinds = {k for k, _ in objects}
want = {"Namespace", "ConfigMap", "ServiceAccount", "Deployment", "Service", "HorizontalPodAutoscaler",
        "PodDisruptionBudget", "NetworkPolicy"}
assert want <= kinds, f"missing: {want - kinds}"
namespace = next(d for d in docs if d["kind"] == "Namespace")["metadata"]
assert namespace["labels"].get("pod-security.kubernetes.io/enforce") == "restricted", "the namespace: restricted"
for d in docs:
    if d["kind"] != "Namespace":
        assert d["metadata"].get("namespace") == namespace["name"], f"{d['kind']} outside the namespace"

deployment = objects[("Deployment", "pros-pricer")]
pod = deployment["spec"]["template"]["spec"]
labels = deployment["spec"]["template"]["metadata"]["labels"]
(container,) = pod["containers"]
psc, csc = pod.get("securityContext", {}), container.get("securityContext", {})

# 1. The restricted profile (which includes the baseline one).
for host in ("hostNetwork", "hostPID", "hostIPC", "hostUsers"):
    assert pod.get(host, host == "hostUsers") is (host == "hostUsers"), f"{host} must stay unset"
assert not csc.get("privileged", False), "privileged"
assert all("hostPort" not in p for p in container["ports"]), "hostPort"
allowed = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
for v in pod.get("volumes", []):
    kind = (set(v) - {"name"}).pop()
    assert kind in allowed, f"volume {v['name']}: {kind} is not allowed by the restricted profile"
assert csc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation: false"
assert psc.get("runAsNonRoot") is True or csc.get("runAsNonRoot") is True, "runAsNonRoot: true"
uid = csc.get("runAsUser", psc.get("runAsUser"))
gid = csc.get("runAsGroup", psc.get("runAsGroup", uid))
assert uid and uid != 0, "runAsUser must not be 0"
seccomp = (csc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
assert seccomp in ("RuntimeDefault", "Localhost"), "seccompProfile RuntimeDefault"
caps = csc.get("capabilities", {})
assert "ALL" in caps.get("drop", []) and set(caps.get("add", [])) <= {"NET_BIND_SERVICE"}, "capabilities: drop ALL"
assert csc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem: true"
print("[deploy] the pod meets the restricted Pod Security Standard, with a read-only root filesystem")

# The Dockerfile's runtime stage: what the image brings.
image = {"env": {}, "user": None, "expose": None, "entrypoint": None}
stage = 0
for line in open("Dockerfile").read().replace("\\\n", " ").splitlines():
    op, _, rest = line.strip().partition(" ")
    if op == "FROM": stage += 1
    elif stage == 2 and op == "ENV": k, _, v = rest.partition("="); image["env"][k.strip()] = v.strip()
    elif stage == 2 and op == "USER": image["user"] = rest.strip()
    elif stage == 2 and op == "EXPOSE": image["expose"] = int(rest)
    elif stage == 2 and op == "ENTRYPOINT": image["entrypoint"] = json.loads(rest)
assert str(uid) == image["user"].split(":")[0], "runAsUser is the image's USER"
ports = {p["name"]: p["containerPort"] for p in container["ports"]}
assert ports["http"] == image["expose"], "the container port is the image's EXPOSE"
env = {e["name"]: e["value"] for e in container.get("env", [])}
assert int(env.get("PROS_PRICER_PORT", env.get("PORT", image["expose"]))) == ports["http"], "the service listens on it"
assert "REGISTRY/" in container["image"] or "@sha256:" in container["image"], "an image reference to replace"
for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
    assert container[probe]["httpGet"] == {"path": path, "port": "http"}, probe
sleep = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
grace_ms = json.load(open("config/server.json")).get("shutdownGraceMs", 10000)
assert pod["terminationGracePeriodSeconds"] * 1000 > sleep * 1000 + grace_ms, "grace > preStop sleep + drain"
sa = objects[("ServiceAccount", pod["serviceAccountName"])]
assert sa.get("automountServiceAccountToken") is False and pod.get("automountServiceAccountToken") is False
for kind in ("Service", "PodDisruptionBudget", "NetworkPolicy"):
    spec = objects[(kind, "pros-pricer")]["spec"]
    selector = spec.get("selector") or spec.get("podSelector")
    selector = selector.get("matchLabels", selector)
    assert selector.items() <= labels.items(), f"the {kind} selects the pods"
assert objects[("HorizontalPodAutoscaler", "pros-pricer")]["spec"]["scaleTargetRef"]["name"] == "pros-pricer"
pdb = objects[("PodDisruptionBudget", "pros-pricer")]["spec"]
hpa = objects[("HorizontalPodAutoscaler", "pros-pricer")]["spec"]
assert pdb.get("maxUnavailable") == 1 and hpa["minReplicas"] >= 2, "one pod at a time goes, one always answers"
netpol = objects[("NetworkPolicy", "pros-pricer")]["spec"]
assert [p["port"] for r in netpol["ingress"] for p in r["ports"]] == ["http"] and not netpol.get("egress")
res = container["resources"]
assert all(res[k].get(r) for k in ("requests", "limits") for r in ("cpu", "memory")), "requests and limits"
print("[deploy] Deployment, Service, HPA, PDB, NetworkPolicy and ServiceAccount fit together and fit the image")

# 2. Start the pod as the kubelet would.
work = tempfile.mkdtemp(prefix="pros-deploy-")
root = os.path.join(work, "root")


def volume_dir(path, files, mode):
    """A ConfigMap or Secret volume as the kubelet writes it (its atomic writer), files owned by fsGroup."""
    os.makedirs(path)
    stamp = "..2025_10_01_00_00_00.000000001"
    for rel, content in files.items():
        full = os.path.join(path, stamp, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        open(full, "w").write(content)
        os.chmod(full, mode)
        if os.getuid() == 0 and psc.get("fsGroup") is not None: os.chown(full, 0, psc["fsGroup"])
    os.symlink(stamp, os.path.join(path, "..data"))
    for top in sorted({rel.split("/")[0] for rel in files}):
        os.symlink(os.path.join("..data", top), os.path.join(path, top))


test_key = "deploy-check-" + os.urandom(8).hex()
mounts = {m["name"]: m for m in container["volumeMounts"]}
for v in pod["volumes"]:
    mount = mounts[v["name"]]
    assert mount.get("readOnly") is True, f"{v['name']} is mounted read-only"
    if "configMap" in v:
        data = objects[("ConfigMap", v["configMap"]["name"])]["data"]
        items = v["configMap"].get("items") or [{"key": k, "path": k} for k in data]
        assert sorted(i["key"] for i in items) == sorted(data), "the volume items cover the ConfigMap's keys"
        files, mode = {i["path"]: data[i["key"]] for i in items}, v["configMap"].get("defaultMode", 0o644)
    else:
        items = v["secret"].get("items") or [{"key": "keys", "path": "keys"}]
        files, mode = {i["path"]: test_key + "\n" for i in items}, v["secret"].get("defaultMode", 0o644)
    volume_dir(root + mount["mountPath"], files, mode)

# The image's ENV, then what the kubelet sets: the service links, then the container's env (which wins).
run_env = {"PATH": os.environ["PATH"], **image["env"]}
if pod.get("enableServiceLinks", True):  # what Kubernetes adds for each Service in the namespace
    for (kind, name), d in objects.items():
        if kind == "Service":
            n, p = name.upper().replace("-", "_"), d["spec"]["ports"][0]["port"]
            run_env.update({f"{n}_SERVICE_HOST": "10.96.0.10", f"{n}_SERVICE_PORT": str(p),
                            f"{n}_PORT": f"tcp://10.96.0.10:{p}", f"{n}_PORT_{p}_TCP": f"tcp://10.96.0.10:{p}"})
run_env.update(env)
for k, v in run_env.items():
    if any(v.startswith(m["mountPath"]) for m in mounts.values()):
        run_env[k] = root + v
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
run_env["PROS_PRICER_PORT" if "PROS_PRICER_PORT" in env else "PORT"] = str(port)
preexec = None
if os.getuid() == 0:
    os.chmod(work, 0o755)
    groups = [psc["fsGroup"]] if psc.get("fsGroup") is not None else []
    preexec = lambda: (os.setgroups(groups), os.setgid(int(gid)), os.setuid(int(uid)))
log_path = os.path.join(work, "pod.log")
proc = subprocess.Popen([BIN] + image["entrypoint"][1:] + container.get("args", []), env=run_env,
                        preexec_fn=preexec, stderr=open(log_path, "w"))


def get(path, key=None, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body)
    if key: req.add_header("Authorization", "Bearer " + key)
    if body: req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r: return r.status, r.read()
    except urllib.error.HTTPError as e: return e.code, e.read()
    except OSError: return None, b""


try:
    for _ in range(100):
        if proc.poll() is not None:
            raise SystemExit(f"the pod's container exited with {proc.returncode}: {open(log_path).read()[-400:]}")
        if get("/readyz")[0] == 200: break
        time.sleep(0.1)
    else:
        raise SystemExit("the readiness probe never passed")
    for probe in ("readinessProbe", "livenessProbe"):
        assert get(container[probe]["httpGet"]["path"])[0] == 200, probe
    assert get("/v1/rule-sets")[0] == 401, "/v1/ must want the Secret's key"
    status, body = get("/v1/rule-sets", test_key)
    assert status == 200, status
    local = subprocess.run([BIN, "check-config", "config"], capture_output=True, text=True).stdout
    digest = json.loads(body)["digest"]
    assert digest in local, f"the ConfigMap's config is not config/'s: {digest} vs {local}"
    month = json.dumps(json.load(open("Tests/PROSRulesTests/Fixtures/seed-ashley.json"))["request"]).encode()
    status, body = get("/v1/claims/price", test_key, month)
    assert status == 200 and json.loads(body)["total"] == "1187.21", (status, body[:200])
    print(f"[deploy] the pod started as the kubelet would start it (user {uid if preexec else os.getuid()}):"
          f" probes 200, /v1/ wants the key, the ConfigMap's config (digest {digest}) prices")
finally:
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=pod["terminationGracePeriodSeconds"])
    except subprocess.TimeoutExpired:
        proc.kill(); rc = "killed after the grace period"
    logged = open(log_path).read()
    shutil.rmtree(work, ignore_errors=True)
assert rc == 0, f"SIGTERM must end the pod with exit 0, got {rc}"
assert test_key not in logged, "the API key reached the logs"
print("[deploy] SIGTERM: exit 0")
