#!/usr/bin/env bash
# Installs everything the tests need, skipping what is already there:
#   - Debian's chromium, a headless Java runtime and npm (apt-get; as root, or through sudo),
#   - the npm packages pinned in package-lock.json (vnu-jar, axe-core) into node_modules/,
#   - the virtual environment .venv with briefgen and its test extras.
# The end-to-end tests (pytest marker e2e) drive that chromium with Playwright, run
# node_modules/vnu-jar's vnu.jar with Java and inject node_modules/axe-core into pages.
# Nothing here downloads a browser or a Java runtime of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-test-deps: installing ${missing[*]} with apt-get"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# npm ci again only when package-lock.json changed since the last install. No install
# scripts: vnu-jar's would fetch a Java runtime, and Debian's is the one we use.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --ignore-scripts --no-audit --no-fund
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# briefgen's own byte-code, written here once. An editable install leaves its modules as source,
# and where PYTHONDONTWRITEBYTECODE is set (as on the machines CI runs on) Python never writes it:
# each of the hundreds of briefgen processes the tests start would compile every module again
# (0.2 s of CPU each, a third of its start-up).
.venv/bin/python -m compileall -q src
