"""Prints, as JSON, the reference implementation's verdict on each .safetensors file in a folder.

A file is accepted when huggingface/safetensors' safe_open reads its header (keys and metadata), as every loader
that uses it would; the verdict is the exception's text otherwise. Run by scripts/record-safetensors-verdicts.mjs.
"""
import json
import os
import sys

import safetensors
from safetensors import safe_open


def verdict(path):
    try:
        with safe_open(path, framework="numpy") as f:
            list(f.keys())
            f.metadata()
        return None
    except Exception as error:  # the reference raises SafetensorError, and OSError for what mmap refuses
        return f"{type(error).__name__}: {error}"[:200]


def main():
    folder = sys.argv[1]
    names = sorted(name for name in os.listdir(folder) if name.endswith(".safetensors"))
    result = {name: verdict(os.path.join(folder, name)) for name in names}
    json.dump({"safetensors": safetensors.__version__, "verdicts": result}, sys.stdout)


main()
