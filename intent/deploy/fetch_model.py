"""Fill a pod's model repository before its server starts: the fetch-model init container runs
this file (from the ConfigMap <workload>-fetch) in the plain Python image; standard library only.

Environment:
  MODEL_PATH    what the server reads, a file or a directory under MODEL_ROOT
  MODEL_ROOT    the pod's model repository volume (default /models)
  MODEL_SOURCE  the http(s) (or file) URL of either a .tar, .tar.gz or .tgz archive whose entries are
                paths under MODEL_ROOT and include MODEL_PATH, or of the single file MODEL_PATH
  MODEL_FORMAT  what MODEL_PATH holds, said when MODEL_SOURCE is unset

Exits 0 once MODEL_PATH is there (already, or fetched). While MODEL_SOURCE is unset, or when what
it names does not provide MODEL_PATH, exits 1 saying what to set: the pod stops at this step
(Init:Error, in the container's log) instead of starting a server on an empty repository.
"""

from __future__ import annotations

import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ARCHIVES = (".tar", ".tar.gz", ".tgz")


def fail(message: str) -> int:
    print(f"fetch-model: {message}", file=sys.stderr)
    return 1


def is_archive(source: str) -> bool:
    return urllib.parse.urlparse(source).path.endswith(ARCHIVES)


def download(source: str, directory: Path) -> Path:
    """The URL's content in a temporary file of ``directory`` (the volume itself: models are large)."""
    handle, name = tempfile.mkstemp(dir=directory, prefix=".fetch-")
    with urllib.request.urlopen(source) as response, os.fdopen(handle, "wb") as out:
        shutil.copyfileobj(response, out, 1 << 20)
    return Path(name)


def extract(archive: Path, root: Path) -> None:
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):  # no absolute paths, links or devices out of the archive
            tar.extractall(root, filter="data")
        else:
            tar.extractall(root)


def fetch(source: str, root: Path, target: Path) -> None:
    fetched = download(source, root)
    try:
        if is_archive(source):
            extract(fetched, root)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            fetched.replace(target)
    finally:
        fetched.unlink(missing_ok=True)


#: Written once a fetch is whole: an extraction cut off halfway leaves files but no marker, and
#: the next start of the init container (the volume outlives it) fetches again.
DONE = ".fetch-complete"


def main(env=os.environ) -> int:
    root = Path(env.get("MODEL_ROOT", "/models"))
    target = Path(env["MODEL_PATH"])
    source = env.get("MODEL_SOURCE", "").strip()
    if target.exists() and (root / DONE).exists():
        print(f"fetch-model: {target} is there")
        return 0
    wanted = (f"the http(s) URL of a .tar.gz whose entries start at {root} and include "
              f"{target.relative_to(root)}, or of that file itself ({env.get('MODEL_FORMAT', 'the model')})")
    if not source:
        return fail(f"{target} is missing and MODEL_SOURCE is not set: set MODEL_SOURCE in the env of this "
                    f"fetch-model init container to {wanted}")
    try:
        fetch(source, root, target)
    except (OSError, urllib.error.URLError, tarfile.TarError, ValueError) as exc:
        return fail(f"fetching MODEL_SOURCE={source} failed: {exc}")
    if not target.exists():
        found = ", ".join(sorted(p.name for p in root.iterdir() if not p.name.startswith("."))) or "nothing"
        return fail(f"MODEL_SOURCE={source} did not provide {target} ({root} holds {found}): it must be {wanted}")
    (root / DONE).write_text(source + "\n", encoding="utf-8")
    print(f"fetch-model: {target} fetched from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
