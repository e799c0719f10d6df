#!/usr/bin/env python3
"""Fills a registry with recipe images for the listing benchmark, over the Registry HTTP API
v2 only (no engine, so 2,000 tags take seconds): RECIPES repositories under PREFIX, each with
TAGS semver tags of one image whose config carries the nskit labels.

    populate_registry.py http://127.0.0.1:5050 bench 100 20
"""
import gzip
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def request(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req) as res:
        return res.status, res.headers


def upload_blob(base, repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    _, headers = request("POST", f"{base}/v2/{repo}/blobs/uploads/")
    location = headers["Location"]
    if location.startswith("/"):
        location = base + location
    sep = "&" if "?" in location else "?"
    request("PUT", f"{location}{sep}digest={digest}", data,
            {"Content-Type": "application/octet-stream"})
    return digest


def empty_layer():
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w"):
        pass
    return gzip.compress(raw.getvalue(), mtime=0)


def push_recipe(base, prefix, i, tags):
    name = f"recipe{i:03d}"
    repo = f"{prefix}/{name}"
    layer = empty_layer()
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Labels": {
            "nskit.recipe": "true",
            "nskit.recipe.name": name,
            "nskit.recipe.format": "template",
            "nskit.recipe.tags": "bench,synthetic",
            "org.opencontainers.image.description": f"Synthetic recipe {i} for the listing benchmark",
        }},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(gzip.decompress(layer)).hexdigest()]},
    }).encode()
    config_digest = upload_blob(base, repo, config)
    layer_digest = upload_blob(base, repo, layer)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "size": len(config), "digest": config_digest},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": len(layer), "digest": layer_digest}],
    }).encode()
    for t in range(tags):
        tag = f"1.{t // 5}.{t % 5}"
        request("PUT", f"{base}/v2/{repo}/manifests/{tag}", manifest,
                {"Content-Type": "application/vnd.docker.distribution.manifest.v2+json"})


def main():
    base, prefix, recipes, tags = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: push_recipe(base, prefix, i, tags), range(recipes)))
    print(f"{recipes} recipes x {tags} tags in {base}/{prefix}")


if __name__ == "__main__":
    main()
