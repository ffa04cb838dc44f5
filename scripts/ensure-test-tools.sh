#!/usr/bin/env bash
# Runs before `npm test` (the pretest script): makes sure the tools some tests drive for real are
# installed — Debian's chromium for the browser page test, jupyter and the tslab kernel for the
# notebook test, the Chrome DevTools trace engine for the trace export test — installing them when
# this machine can (root with apt-get and npm). It never
# fails: a test whose tool is still missing fails itself, loudly, saying how to install it.
set -uo pipefail
can_install() { [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = "0" ]; then apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 || echo "ensure-test-tools: could not install $* (the tests that need it will say so)"
}
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1 && can_install; then
  echo "ensure-test-tools: installing Debian's chromium for test/browser (once)"
  apt_install chromium
fi
if [ -f test/notebooks/notebook.test.ts ]; then
  if ! command -v jupyter >/dev/null 2>&1 && can_install; then
    echo "ensure-test-tools: installing jupyter for test/notebooks (once)"
    apt_install jupyter-nbconvert python3-ipykernel jupyter-client
  fi
  if ! (command -v tslab >/dev/null 2>&1 && jupyter kernelspec list 2>/dev/null | grep -q tslab) && [ "$(id -u)" = "0" ] && command -v npm >/dev/null 2>&1; then
    echo "ensure-test-tools: installing the tslab kernel for test/notebooks (once)"
    (npm install -g tslab >/dev/null 2>&1 && tslab install --python=/usr/bin/python3 >/dev/null 2>&1) || echo "ensure-test-tools: could not install tslab (test/notebooks will say so)"
  fi
fi
# The Chrome DevTools Performance panel's trace engine (the parser of the Trace Event Format that
# Chrome ships, published on npm), for test/render/chrome-trace.test.ts: Perfetto's own
# trace_processor is neither a Debian nor an npm package.
trace_engine_version=0.0.65
if [ -f test/render/chrome-trace.test.ts ] && command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  trace_engine_dir="$(npm root -g 2>/dev/null)/@paulirish/trace_engine"
  if ! grep -q "\"version\": \"$trace_engine_version\"" "$trace_engine_dir/package.json" 2>/dev/null; then
    echo "ensure-test-tools: installing @paulirish/trace_engine@$trace_engine_version for test/render (once)"
    npm install -g "@paulirish/trace_engine@$trace_engine_version" >/dev/null 2>&1 || echo "ensure-test-tools: could not install @paulirish/trace_engine (test/render/chrome-trace.test.ts will say so)"
  fi
fi
exit 0
