"""Drives the real huggingface_hub client against a local Hub and reports what it saw, one JSON object per scenario.

Usage: python hub_client_scenarios.py CONFIG_JSON SCENARIO...
CONFIG_JSON: {"endpoint", "prefix", "work", "alice", "bob"} (tokens). HF_ENDPOINT, HF_HOME and HF_HUB_CACHE must
already point at the local Hub and a scratch folder (the test sets them, so nothing else is ever contacted).
The last stdout line is {"version": ..., "results": {scenario: observations | {"error": "..."}}}; the test
asserts on it. Observations are plain values (no judgement here), so a failing assertion shows what happened.
"""

import hashlib
import json
import os
import struct
import sys
import traceback
import warnings

import huggingface_hub
from huggingface_hub import (
    CommitOperationAdd,
    CommitOperationCopy,
    CommitOperationDelete,
    HfApi,
    get_safetensors_metadata,
    hf_hub_download,
    snapshot_download,
)
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

config = json.loads(sys.argv[1])
ep = config["endpoint"]
p = config["prefix"]
work = config["work"]
alice = HfApi(token=config["alice"])
bob = HfApi(token=config["bob"])
anon = HfApi(token=False)


def failure(fn):
    """The exception class name and HTTP status of a call that must fail (None when it did not fail)."""
    try:
        fn()
    except Exception as error:  # noqa: BLE001 - the class is the observation
        response = getattr(error, "response", None)
        return {"type": type(error).__name__, "status": getattr(response, "status_code", None), "message": str(error)[:400]}
    return None


def names(error):
    return None if error is None else error["type"]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def safetensors_bytes(tensors):
    """A safetensors file as the safetensors library writes it: u64 LE header length, JSON header, raw data."""
    header, data, offset = {"__metadata__": {"format": "pt"}}, b"", 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def scenario_repos():
    repo = f"alice/{p}-repos"
    url = str(alice.create_repo(repo))
    again = str(alice.create_repo(repo, exist_ok=True))
    conflict = failure(lambda: alice.create_repo(repo))
    dataset = alice.create_repo(f"alice/{p}-data", repo_type="dataset", exist_ok=True)
    org = str(alice.create_repo(f"lab/{p}-org"))
    bob_in_org = failure(lambda: bob.create_repo(f"lab/{p}-bob"))
    alice.create_repo(f"alice/{p}-tomove")
    alice.move_repo(f"alice/{p}-tomove", f"lab/{p}-moved")
    alice.create_repo(f"alice/{p}-gone")
    alice.delete_repo(f"alice/{p}-gone")
    return {
        "url": url,
        "exist_ok_url": again,
        "conflict": conflict and conflict["status"],
        "dataset_url": str(dataset),
        "dataset_exists": alice.repo_exists(f"alice/{p}-data", repo_type="dataset"),
        "org_url": org,
        "bob_in_org": bob_in_org and bob_in_org["status"],
        "moved_from_exists": alice.repo_exists(f"alice/{p}-tomove"),
        "moved_to_exists": alice.repo_exists(f"lab/{p}-moved"),
        "deleted_exists": alice.repo_exists(f"alice/{p}-gone"),
        "delete_missing_ok": failure(lambda: alice.delete_repo(f"alice/{p}-gone", missing_ok=True)),
        "delete_missing": names(failure(lambda: alice.delete_repo(f"alice/{p}-gone"))),
    }


def scenario_private():
    repo = f"alice/{p}-private"
    alice.create_repo(repo, private=True)
    alice.upload_file(path_or_fileobj=b"secret\n", path_in_repo="secret.txt", repo_id=repo)
    public = f"alice/{p}-public"
    alice.create_repo(public)
    alice.update_repo_settings(public, private=True)
    return {
        "alice_private": alice.model_info(repo).private,
        "bob_info": names(failure(lambda: bob.model_info(repo))),
        "anon_info": names(failure(lambda: anon.model_info(repo))),
        "bob_download": names(failure(lambda: hf_hub_download(repo, "secret.txt", token=config["bob"], cache_dir=f"{work}/bob-cache"))),
        "bob_exists": bob.repo_exists(repo),
        "bob_write": names(failure(lambda: bob.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id=repo))),
        "settings_private": alice.model_info(public).private,
        "bob_after_settings": names(failure(lambda: bob.model_info(public))),
        "gated": failure(lambda: alice.update_repo_settings(public, gated="auto")),
    }


def scenario_cards():
    repo = f"alice/{p}-cards"
    alice.create_repo(repo)
    card = "---\nlicense: mit\ntags: [task-vector, demo]\nbase_model: alice/base\nlibrary_name: safetensors\n---\n# Card\n"
    alice.upload_file(path_or_fileobj=card.encode(), path_in_repo="README.md", repo_id=repo)
    info = alice.model_info(repo)
    bad_yaml = failure(lambda: alice.upload_file(path_or_fileobj=b"---\nlicense: [mit\n---\n", path_in_repo="README.md", repo_id=repo))
    local_base = failure(
        lambda: alice.upload_file(path_or_fileobj=b"---\nbase_model: /workspace/ckpt\n---\n", path_in_repo="README.md", repo_id=repo)
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        alice.upload_file(path_or_fileobj=b"# no metadata\n", path_in_repo="README.md", repo_id=repo)
    return {
        "card_license": info.card_data.get("license") if info.card_data else None,
        "tags": info.tags,
        "bad_yaml": bad_yaml,
        "local_base_model": local_base,
        "no_metadata_warnings": [str(w.message) for w in caught if "metadata" in str(w.message)],
        "readme_now": open(hf_hub_download(repo, "README.md", cache_dir=f"{work}/cards-cache")).read(),
    }


def scenario_uploads():
    repo = f"alice/{p}-uploads"
    alice.create_repo(repo)
    folder = f"{work}/{p}-folder"
    write(f"{folder}/README.md", "---\nlicense: apache-2.0\n---\n# Folder\n")
    write(f"{folder}/config.json", '{"hidden_size": 4}\n')
    write(f"{folder}/sub/deeper/notes.txt", "notes\n")
    write(f"{folder}/sub/skip.log", "not uploaded\n")
    folder_commit = alice.upload_folder(folder_path=folder, repo_id=repo, ignore_patterns=["*.log"], commit_message="folder")
    one = alice.upload_file(path_or_fileobj=b"one\n", path_in_repo="one.txt", repo_id=repo)
    commits_before = len(alice.list_repo_commits(repo))
    alice.upload_file(path_or_fileobj=b"one\n", path_in_repo="one.txt", repo_id=repo)
    commits_unchanged = len(alice.list_repo_commits(repo))
    ops = [
        CommitOperationAdd(path_in_repo="two.txt", path_or_fileobj=b"two\n"),
        CommitOperationCopy(src_path_in_repo="one.txt", path_in_repo="copies/one.txt"),
        CommitOperationDelete(path_in_repo="config.json"),
    ]
    mixed = alice.create_commit(repo, operations=ops, commit_message="mixed ops", commit_description="add, copy, delete")
    stale = failure(
        lambda: alice.create_commit(
            repo, operations=[CommitOperationAdd(path_in_repo="late.txt", path_or_fileobj=b"late\n")], commit_message="late", parent_commit=one.oid
        )
    )
    short_parent = alice.create_commit(
        repo, operations=[CommitOperationAdd(path_in_repo="three.txt", path_or_fileobj=b"3\n")], commit_message="three", parent_commit=mixed.oid[:7]
    )
    alice.delete_file("two.txt", repo_id=repo)
    missing_delete = failure(lambda: alice.delete_file("nope.txt", repo_id=repo))
    alice.delete_folder("sub/deeper", repo_id=repo)
    return {
        "folder_commit_url": folder_commit.commit_url,
        "folder_oid": folder_commit.oid,
        "commits_before": commits_before,
        "commits_after_unchanged_upload": commits_unchanged,
        "mixed_url": mixed.commit_url,
        "stale_parent": stale and stale["status"],
        "short_parent_ok": short_parent.oid != mixed.oid,
        "missing_delete": missing_delete and {"type": missing_delete["type"], "status": missing_delete["status"]},
        "files": sorted(alice.list_repo_files(repo)),
        "copy_content": open(hf_hub_download(repo, "copies/one.txt", cache_dir=f"{work}/uploads-cache")).read(),
        "titles": [c.title for c in alice.list_repo_commits(repo)],
    }


def scenario_listing():
    repo = f"alice/{p}-listing"
    alice.create_repo(repo)
    card = f"---\nlicense: mit\ntags: [listing-{p}]\npipeline_tag: text-classification\n---\n"
    alice.create_commit(
        repo,
        operations=[
            CommitOperationAdd(path_in_repo="README.md", path_or_fileobj=card.encode()),
            CommitOperationAdd(path_in_repo="a/b/c.txt", path_or_fileobj=b"c\n"),
            CommitOperationAdd(path_in_repo="top.txt", path_or_fileobj=b"top\n"),
        ],
        commit_message="listing files",
    )
    paths = alice.get_paths_info(repo, ["top.txt", "a", "missing.txt"], expand=True)
    tree = list(alice.list_repo_tree(repo, expand=True, recursive=True))
    sub = [e.path for e in alice.list_repo_tree(repo, path_in_repo="a/b")]
    info = alice.model_info(repo, files_metadata=True)
    top = next(s for s in info.siblings if s.rfilename == "top.txt")
    head = info.sha

    def entry(e):
        out = {"path": e.path, "class": type(e).__name__}
        if hasattr(e, "blob_id"):
            out.update(size=e.size, blob_id=e.blob_id, lfs=e.lfs is not None)
            out["security"] = None if e.security is None else {"safe": e.security.safe, "status": e.security.status}
        out["last_commit"] = None if e.last_commit is None else {"oid": e.last_commit.oid, "title": e.last_commit.title}
        return out

    def ids(**kwargs):
        return sorted(m.id for m in alice.list_models(**kwargs))

    full = list(alice.list_models(author="alice", search=f"{p}-listing", full=True, cardData=True))
    # More entries than one page of the tree (1000): the client follows the absolute Link header.
    paged = f"alice/{p}-paged"
    alice.create_repo(paged)
    many = [CommitOperationAdd(path_in_repo=f"many/{i:04d}.txt", path_or_fileobj=f"{i}\n".encode()) for i in range(1100)]
    alice.create_commit(paged, operations=many, commit_message="many files")
    return {
        "head": head,
        "paths_info": [entry(e) for e in paths],
        "tree": [entry(e) for e in tree],
        "subfolder": sub,
        "top_sibling": {"size": top.size, "blob_id": top.blob_id, "lfs": top.lfs},
        "tags": info.tags,
        "pipeline_tag": info.pipeline_tag,
        "by_author": f"alice/{p}-listing" in ids(author="alice"),
        "by_search": ids(search=f"{p}-listing"),
        "by_filter": ids(filter=f"listing-{p}"),
        "by_tag_and_missing": ids(filter=[f"listing-{p}", "no-such-tag"]),
        "sorted_limited": len(list(alice.list_models(author="alice", sort="created_at", limit=2))),
        "full_card": full[0].card_data.get("license") if full and full[0].card_data else None,
        "full_siblings": sorted(s.rfilename for s in full[0].siblings) if full and full[0].siblings else None,
        "datasets": [d.id for d in alice.list_datasets(author="alice", search=f"{p}-data")],
        "paged_files": len(alice.list_repo_files(paged)),
        "paged_tree": len(list(alice.list_repo_tree(paged, path_in_repo="many", expand=True))),
    }


def scenario_downloads():
    repo = f"alice/{p}-downloads"
    alice.create_repo(repo)
    commit = alice.create_commit(
        repo,
        operations=[
            CommitOperationAdd(path_in_repo="config.json", path_or_fileobj=b'{"a": 1}\n'),
            CommitOperationAdd(path_in_repo="docs/guide.md", path_or_fileobj=b"# guide\n"),
            CommitOperationAdd(path_in_repo="docs/extra.txt", path_or_fileobj=b"extra\n"),
        ],
        commit_message="download files",
    )
    cache = f"{work}/{p}-download-cache"
    path = hf_hub_download(repo, "config.json", cache_dir=cache)
    folder = os.path.join(cache, f"models--alice--{p}-downloads")
    local = f"{work}/{p}-local"
    local_path = hf_hub_download(repo, "docs/guide.md", local_dir=local)
    snap = snapshot_download(repo, cache_dir=f"{cache}-snapshot", allow_patterns=["docs/*.md"])
    snap_files = sorted(os.path.relpath(os.path.join(d, f), snap) for d, _, fs in os.walk(snap) for f in fs)
    ds = f"alice/{p}-data"
    alice.create_repo(ds, repo_type="dataset", exist_ok=True)
    alice.upload_file(path_or_fileobj=b"x,y\n1,2\n", path_in_repo="data/train.csv", repo_id=ds, repo_type="dataset")
    ds_path = hf_hub_download(ds, "data/train.csv", repo_type="dataset", cache_dir=cache)
    ds_info = alice.dataset_info(ds, files_metadata=True)
    return {
        "commit": commit.oid,
        "content": open(path).read(),
        "snapshot_dir": os.path.relpath(os.path.dirname(path), folder),
        "blob_is_symlink_target": os.path.basename(os.path.realpath(path)),
        "refs_main": open(os.path.join(folder, "refs", "main")).read(),
        "local_path": os.path.relpath(local_path, local),
        "local_metadata": os.path.exists(os.path.join(local, ".cache", "huggingface", "download", "docs", "guide.md.metadata")),
        "snapshot_files": snap_files,
        "missing_file": names(failure(lambda: hf_hub_download(repo, "nope.txt", cache_dir=cache))),
        # The 404 names the commit, so the client remembers the file's absence for it.
        "no_exist_cached": os.path.exists(os.path.join(folder, ".no_exist", commit.oid, "nope.txt")),
        "missing_revision": names(failure(lambda: hf_hub_download(repo, "config.json", revision="no-such-branch", cache_dir=cache))),
        "missing_repo": names(failure(lambda: hf_hub_download(f"alice/{p}-nothing", "x", cache_dir=cache))),
        "file_exists": [alice.file_exists(repo, "config.json"), alice.file_exists(repo, "nope.txt")],
        "dataset_content": open(ds_path).read(),
        "dataset_siblings": sorted((s.rfilename, s.size) for s in ds_info.siblings),
    }


def scenario_datasets():
    """A dataset repo through the same calls as a model: card, folder upload, tags, tree, snapshot, delete."""
    repo = f"alice/{p}-dataset"
    alice.create_repo(repo, repo_type="dataset")
    folder = f"{work}/{p}-dataset-folder"
    write(f"{folder}/README.md", f"---\nlicense: cc-by-4.0\ntags: [ds-{p}]\nlanguage: [en]\ntask_categories: [text-classification]\n---\n# Data\n")
    write(f"{folder}/data/train.csv", "text,label\nhello,1\n")
    write(f"{folder}/data/test.csv", "text,label\nbye,0\n")
    alice.upload_folder(folder_path=folder, repo_id=repo, repo_type="dataset")
    alice.create_tag(repo, tag="v1", repo_type="dataset")
    alice.upload_file(path_or_fileobj=b"text,label\nlater,1\n", path_in_repo="data/train.csv", repo_id=repo, repo_type="dataset")
    info = alice.dataset_info(repo)
    snap = snapshot_download(repo, repo_type="dataset", revision="v1", cache_dir=f"{work}/{p}-dataset-cache", allow_patterns=["data/*"])
    found = [d.id for d in alice.list_datasets(filter=f"ds-{p}")]
    refs = alice.list_repo_refs(repo, repo_type="dataset")
    tree = [e.path for e in alice.list_repo_tree(repo, repo_type="dataset", path_in_repo="data")]
    alice.delete_repo(repo, repo_type="dataset")
    return {
        "card_license": info.card_data.get("license") if info.card_data else None,
        "tags": info.tags,
        "at_tag": open(os.path.join(snap, "data", "train.csv")).read(),
        "snapshot_folder": os.path.relpath(snap, f"{work}/{p}-dataset-cache").split(os.sep)[0],
        "found": found,
        "tags_refs": [t.name for t in refs.tags],
        "tree": tree,
        "exists_after_delete": alice.repo_exists(repo, repo_type="dataset"),
    }


def scenario_large_folder():
    """1.x only (removed in 2.0): upload_large_folder's workers, create_repo(exist_ok=True) first."""
    repo = f"alice/{p}-large"
    folder = f"{work}/{p}-large-folder"
    for i in range(3):
        write(f"{folder}/part{i}/notes.txt", f"part {i}\n")
    write(f"{folder}/weights.bin", bytes(range(256)) * 64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alice.upload_large_folder(repo_id=repo, folder_path=folder, repo_type="model", print_report=False)
    return {
        "files": sorted(alice.list_repo_files(repo)),
        "weights_sha256": sha256(open(hf_hub_download(repo, "weights.bin", cache_dir=f"{work}/{p}-large-cache"), "rb").read()),
        "expected_sha256": sha256(bytes(range(256)) * 64),
    }


def scenario_extras():
    """Calls the other scenarios leave out: upload_folder into a pull request (with Xet, 2.x's pipelined upload opens
    the discussion first and commits to refs/pr/N), copies from another repo, model_info(expand=...),
    list_models(pipeline_tag=...), and HfFileSystem (ls, info, read, write)."""
    from huggingface_hub import HfFileSystem

    repo = f"alice/{p}-extras"
    alice.create_repo(repo)
    card = f"---\nlicense: mit\npipeline_tag: fill-mask\ntags: [extras-{p}]\n---\n# extras\n"
    alice.upload_file(path_or_fileobj=card.encode(), path_in_repo="README.md", repo_id=repo)
    folder = f"{work}/{p}-pr-folder"
    write(f"{folder}/a.txt", "a\n")
    write(f"{folder}/w.bin", bytes(range(256)) * 16)
    pr = alice.upload_folder(folder_path=folder, repo_id=repo, create_pr=True, commit_message="folder for review")
    main_before = sorted(alice.list_repo_files(repo))
    pr_files = sorted(alice.list_repo_files(repo, revision=pr.pr_revision))
    discussions = [[d.num, d.is_pull_request, d.title, d.status] for d in alice.get_repo_discussions(repo)]
    alice.merge_pull_request(repo, pr.pr_num)
    main_after = sorted(alice.list_repo_files(repo))

    src = f"alice/{p}-extras-src"
    alice.create_repo(src)
    alice.create_commit(
        src,
        operations=[
            CommitOperationAdd(path_in_repo="src.txt", path_or_fileobj=b"from src\n"),
            CommitOperationAdd(path_in_repo="src.bin", path_or_fileobj=bytes(range(256))),
        ],
        commit_message="sources",
    )
    alice.create_commit(
        repo,
        operations=[CommitOperationCopy(src_path_in_repo="src.txt", path_in_repo="copied.txt", src_repo_id=src, src_repo_type="model")],
        commit_message="copy from another repo",
    )
    lfs_cross_copy = failure(
        lambda: alice.create_commit(
            repo,
            operations=[CommitOperationCopy(src_path_in_repo="src.bin", path_in_repo="copied.bin", src_repo_id=src, src_repo_type="model")],
            commit_message="lfs copy from another repo",
        )
    )
    head = alice.model_info(repo).sha
    expanded = alice.model_info(repo, expand=["cardData", "tags", "sha", "siblings", "pipeline_tag", "private", "createdAt", "lastModified"])
    secured = alice.model_info(repo, securityStatus=True)

    fs = HfFileSystem(token=config["alice"])
    listed = sorted(e["name"] for e in fs.ls(repo, detail=True))
    info = fs.info(f"{repo}/w.bin")
    with fs.open(f"{repo}/w.bin", "rb") as f:
        f.seek(250)
        ranged = list(f.read(10))
    with fs.open(f"{repo}/fs-written.txt", "wb") as f:
        f.write(b"through fsspec\n")
    return {
        "pr_num": pr.pr_num,
        "pr_revision": pr.pr_revision,
        "pr_url": pr.pr_url,
        "main_before": main_before,
        "pr_files": pr_files,
        "discussions": discussions,
        "main_after": main_after,
        "copied": open(hf_hub_download(repo, "copied.txt", cache_dir=f"{work}/{p}-extras-cache")).read(),
        "lfs_cross_copy": lfs_cross_copy and {"type": lfs_cross_copy["type"], "message": lfs_cross_copy["message"][:300]},
        "expanded": {
            "sha": expanded.sha == head,
            "license": expanded.card_data.get("license") if expanded.card_data else None,
            "pipeline_tag": expanded.pipeline_tag,
            "has_tag": f"extras-{p}" in (expanded.tags or []),
            "private": expanded.private,
            "dates": [expanded.created_at is not None, expanded.last_modified is not None],
            "siblings": sorted(s.rfilename for s in expanded.siblings or []),
        },
        "secured_sha": secured.sha == expanded.sha,
        "other_pipeline_tag": [m.id for m in alice.list_models(pipeline_tag="text-classification", search=f"{p}-extras")],
        "by_pipeline_tag": sorted(m.id for m in alice.list_models(pipeline_tag="fill-mask", search=f"{p}-extras")),
        "fs_ls": listed,
        "fs_info": {"type": info["type"], "size": info["size"], "lfs": info.get("lfs") is not None},
        "fs_range": ranged,
        "fs_written": open(hf_hub_download(repo, "fs-written.txt", cache_dir=f"{work}/{p}-extras-cache")).read(),
    }


def scenario_refs():
    repo = f"alice/{p}-refs"
    alice.create_repo(repo)
    first = alice.upload_file(path_or_fileobj=b"v1\n", path_in_repo="version.txt", repo_id=repo)
    alice.create_tag(repo, tag="v1.0", tag_message="first release")
    alice.create_branch(repo, branch="dev")
    dev = alice.upload_file(path_or_fileobj=b"dev\n", path_in_repo="version.txt", repo_id=repo, revision="dev")
    alice.create_tag(repo, tag="dev-snapshot", revision="dev")
    alice.upload_file(path_or_fileobj=b"v2\n", path_in_repo="version.txt", repo_id=repo)
    refs = alice.list_repo_refs(repo)
    tag_again = failure(lambda: alice.create_tag(repo, tag="v1.0"))
    tag_exist_ok = failure(lambda: alice.create_tag(repo, tag="v1.0", exist_ok=True))
    cache = f"{work}/{p}-refs-cache"
    at_tag = open(hf_hub_download(repo, "version.txt", revision="v1.0", cache_dir=cache)).read()
    at_dev_tag = open(hf_hub_download(repo, "version.txt", revision="dev-snapshot", cache_dir=cache)).read()
    tag_sha = alice.model_info(repo, revision="v1.0").sha
    tree_at_tag = [e.path for e in alice.list_repo_tree(repo, revision="v1.0")]
    commits_at_tag = len(alice.list_repo_commits(repo, revision="v1.0"))
    snap = snapshot_download(repo, revision="v1.0", cache_dir=cache)
    alice.delete_tag(repo, tag="dev-snapshot")
    alice.delete_branch(repo, branch="dev")
    after = alice.list_repo_refs(repo)
    return {
        "first": first.oid,
        "dev": dev.oid,
        "branches": sorted((b.name, b.ref, b.target_commit) for b in refs.branches),
        "tags": sorted((t.name, t.ref, t.target_commit) for t in refs.tags),
        "tag_again": tag_again and tag_again["status"],
        "tag_exist_ok": tag_exist_ok,
        "at_tag": at_tag,
        "at_dev_tag": at_dev_tag,
        "tag_sha": tag_sha,
        "tree_at_tag": tree_at_tag,
        "commits_at_tag": commits_at_tag,
        "snapshot_at_tag": os.path.basename(snap),
        "refs_file": open(os.path.join(cache, f"models--alice--{p}-refs", "refs", "v1.0")).read(),
        "after_branches": sorted(b.name for b in after.branches),
        "after_tags": sorted(t.name for t in after.tags),
        "delete_missing_tag": names(failure(lambda: alice.delete_tag(repo, tag="dev-snapshot"))),
        "revision_exists": [alice.revision_exists(repo, "v1.0"), alice.revision_exists(repo, "dev")],
    }


def scenario_history():
    repo = f"alice/{p}-history"
    alice.create_repo(repo)
    for i in range(3):
        alice.upload_file(path_or_fileobj=f"{i}\n".encode(), path_in_repo=f"f{i}.txt", repo_id=repo, commit_message=f"add f{i}")
    commits = alice.list_repo_commits(repo)
    alice.super_squash_history(repo, commit_message="squashed")
    squashed = alice.list_repo_commits(repo)
    return {
        "titles": [c.title for c in commits],
        "authors": sorted({a for c in commits for a in c.authors}),
        "squashed": [(c.title, c.commit_id == alice.model_info(repo).sha) for c in squashed],
        "files_after": sorted(alice.list_repo_files(repo)),
    }


def scenario_lfs():
    """LFS-sized files: a real safetensors file (binary, so LFS) and a file over the 10 MB threshold."""
    repo = f"alice/{p}-lfs"
    alice.create_repo(repo)
    tensors = {
        "encoder.weight": ("F32", [4, 8], struct.pack("<32f", *[i / 8 for i in range(32)])),
        "encoder.bias": ("F16", [8], struct.pack("<8e", *[i / 2 for i in range(8)])),
    }
    weights = safetensors_bytes(tensors)
    big = bytes(range(256)) * (41 * 1024 + 7)  # 10.5 MB: over the threshold, not a multiple of anything
    commit = alice.create_commit(
        repo,
        operations=[
            CommitOperationAdd(path_in_repo="model.safetensors", path_or_fileobj=weights),
            CommitOperationAdd(path_in_repo="big.bin", path_or_fileobj=big),
        ],
        commit_message="weights",
    )
    copy = alice.create_commit(
        repo, operations=[CommitOperationCopy(src_path_in_repo="model.safetensors", path_in_repo="copy/model.safetensors")], commit_message="copy"
    )
    info = alice.model_info(repo, files_metadata=True)
    siblings = {s.rfilename: s for s in info.siblings}
    tree = {e.path: e for e in alice.list_repo_tree(repo, recursive=True, expand=True) if hasattr(e, "lfs")}
    paths = {e.path: e for e in alice.get_paths_info(repo, ["model.safetensors"])}
    cache = f"{work}/{p}-lfs-cache"
    path = hf_hub_download(repo, "model.safetensors", cache_dir=cache)
    big_path = hf_hub_download(repo, "big.bin", local_dir=f"{work}/{p}-lfs-local")
    copy_path = hf_hub_download(repo, "copy/model.safetensors", cache_dir=cache)
    meta = get_safetensors_metadata(repo)
    # A sharded checkpoint as transformers writes it: the client reads the index, then each shard's header.
    sharded = f"alice/{p}-sharded"
    alice.create_repo(sharded)
    shards = {
        "model-00001-of-00002.safetensors": safetensors_bytes({"a.weight": ("F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4))}),
        "model-00002-of-00002.safetensors": safetensors_bytes({"b.weight": ("BF16", [3], b"\x80\x3f" * 3)}),
    }
    index = {"metadata": {"total_size": 22}, "weight_map": {"a.weight": "model-00001-of-00002.safetensors", "b.weight": "model-00002-of-00002.safetensors"}}
    shard_ops = [CommitOperationAdd(path_in_repo=name, path_or_fileobj=data) for name, data in shards.items()]
    shard_ops.append(CommitOperationAdd(path_in_repo="model.safetensors.index.json", path_or_fileobj=json.dumps(index).encode()))
    alice.create_commit(sharded, operations=shard_ops, commit_message="shards")
    sharded_meta = get_safetensors_metadata(sharded)
    return {
        "commit": commit.oid,
        "copy_commit": copy.oid,
        "weights_sha256": sha256(weights),
        "big_sha256": sha256(big),
        "big_size": len(big),
        "sibling_lfs": {k: None if s.lfs is None else {"sha256": s.lfs.sha256, "size": s.lfs.size} for k, s in siblings.items() if s.lfs},
        "tree_lfs": {k: None if e.lfs is None else {"sha256": e.lfs.sha256, "size": e.lfs.size, "pointer": e.lfs.pointer_size} for k, e in tree.items()},
        "paths_info_lfs": paths["model.safetensors"].lfs.sha256 if paths["model.safetensors"].lfs else None,
        "download_sha256": sha256(open(path, "rb").read()),
        "blob_name": os.path.basename(os.path.realpath(path)),
        "big_download_sha256": sha256(open(big_path, "rb").read()),
        "copy_sha256": sha256(open(copy_path, "rb").read()),
        "safetensors": {
            name: {"dtype": t.dtype, "shape": t.shape}
            for name, t in meta.files_metadata["model.safetensors"].tensors.items()
        },
        "safetensors_params": meta.parameter_count,
        "sharded": {
            "sharded": sharded_meta.sharded,
            "weight_map": sharded_meta.weight_map,
            "params": sharded_meta.parameter_count,
            "shapes": {f: {n: t.shape for n, t in m.tensors.items()} for f, m in sharded_meta.files_metadata.items()},
        },
    }


def main():
    results = {}
    for name in sys.argv[2:]:
        try:
            results[name] = globals()[f"scenario_{name}"]()
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails with it
            results[name] = {"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()[-3000:]}
    print(json.dumps({"version": huggingface_hub.__version__, "results": results}))


main()
