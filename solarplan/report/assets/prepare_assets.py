"""Prepare the JavaScript and CSS that offline maps inline (run by hand; never during tests).

    python -m solarplan.report.assets.prepare_assets

Downloads pinned npm tarballs from registry.npmjs.org, checks each against the
sha512 integrity the registry published for that version, extracts the files
below, turns the images Leaflet's CSS refers to into data: URIs (so an inlined
stylesheet makes no request), and writes them beside this file with
``MANIFEST.json`` (version, source URL, sha256 of every file). The files are
committed, so installing solarplan installs them; rerunning this script must
reproduce the same sha256 values.

Licences: Leaflet BSD-2-Clause, Leaflet.markercluster MIT (their texts are saved
beside the files).
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import tarfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
PACKAGES = {
    "leaflet": ("1.9.3", "sha512-iB2cR9vAkDOu5l3HAay2obcUHZ7xwUBBjph8+PGtmW/2lYhbLizWtG7nTeYht36WfOslixQF9D/uSIzhZgGMfQ==",
                {"dist/leaflet.js": "leaflet.js", "dist/leaflet.css": "leaflet.css", "LICENSE": "LICENSE.leaflet"}),
    "leaflet.markercluster": ("1.5.3", None,
                              {"dist/leaflet.markercluster.js": "leaflet.markercluster.js",
                               "dist/MarkerCluster.css": "MarkerCluster.css",
                               "dist/MarkerCluster.Default.css": "MarkerCluster.Default.css",
                               "MIT-LICENCE.txt": "LICENSE.markercluster"}),
}


def _fetch(name: str, version: str, integrity: str | None) -> bytes:
    meta = json.load(urllib.request.urlopen(f"https://registry.npmjs.org/{name}/{version}", timeout=30))
    want = integrity or meta["dist"]["integrity"]
    data = urllib.request.urlopen(meta["dist"]["tarball"], timeout=60).read()
    got = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != want:
        raise SystemExit(f"{name}@{version}: integrity mismatch ({got} != {want})")
    return data


def _inline_images(css: bytes, tar, members, base: str) -> bytes:
    """Replace url(images/x.png) by a data: URI of the image from the same tarball."""
    def repl(m):
        key = f"{base}/{m.group(1).decode()}"
        if key not in members:
            return m.group(0)
        img = tar.extractfile(members[key]).read()
        return b"url(data:image/png;base64," + base64.b64encode(img) + b")"
    return re.sub(rb"url\((images/[^)]+\.png)\)", repl, css)


def main() -> None:
    manifest = {}
    for name, (version, integrity, files) in PACKAGES.items():
        tar = tarfile.open(fileobj=io.BytesIO(_fetch(name, version, integrity)), mode="r:gz")
        members = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if m.isfile()}
        for src, dst in files.items():
            text = tar.extractfile(members[src]).read()
            if dst.endswith(".css"):
                text = _inline_images(text, tar, members, str(Path(src).parent))
            (HERE / dst).write_bytes(text)
            manifest[dst] = {"package": f"{name}@{version}", "source": f"https://registry.npmjs.org/{name}/-/"
                             f"{name.split('/')[-1]}-{version}.tgz#{src}", "sha256": hashlib.sha256(text).hexdigest()}
    (HERE / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print("\n".join(f"{k}: {v['sha256'][:16]}..." for k, v in manifest.items()))


if __name__ == "__main__":
    main()
