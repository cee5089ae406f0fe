#!/usr/bin/env bash
# Creates the virtualenvs the Python tests use, from test/python/requirements-NAME.txt: .venv/hf2 (huggingface_hub
# 2.x), .venv/hf1 (1.x), .venv/peft (PyTorch, PEFT, Transformers) and .venv/safetensors (the format's reference). Idempotent: a venv whose requirements did not change is kept.
# Tests that need Python skip with a message when python3 is absent; .ci/run runs this first so CI runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v python3 >/dev/null; then
  echo "setup-python: python3 not found; the Python-client tests will be skipped" >&2
  exit 0
fi
for name in hf2 hf1 peft safetensors; do
  req="test/python/requirements-$name.txt"
  venv=".venv/$name"
  stamp="$venv/.requirements"
  if [ -f "$stamp" ] && cmp -s "$req" "$stamp"; then continue; fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  # --retries 0: an index that cannot be reached is skipped at once instead of after minutes of backoff.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --retries 0 -r "$req" 2>&1 | grep -v -E "Retrying|is ignored" || true
  # Fail here, not in a test, when the install did not work.
  case "$name" in
    peft) "$venv/bin/python" -c "import torch, peft, safetensors" ;;
    safetensors) "$venv/bin/python" -c "import safetensors, numpy" ;;
    *) "$venv/bin/python" -c "import huggingface_hub, hf_xet" ;;
  esac
  cp "$req" "$stamp"
done
