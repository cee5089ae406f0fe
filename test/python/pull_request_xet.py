"""A reader's pull request of an LFS-sized file through Xet (the 2.x client's default path), pushed to and merged.

Environment: TVHUB_HUB, TVHUB_REPO (to create), TVHUB_OWNER_TOKEN, TVHUB_READER_TOKEN.
"""

import json
import os
import tempfile

from huggingface_hub import CommitOperationAdd, HfApi, hf_hub_download

endpoint, repo = os.environ["TVHUB_HUB"], os.environ["TVHUB_REPO"]
owner = HfApi(endpoint=endpoint, token=os.environ["TVHUB_OWNER_TOKEN"])
reader = HfApi(endpoint=endpoint, token=os.environ["TVHUB_READER_TOKEN"])
cache = tempfile.mkdtemp(prefix="tvhub-pr-xet-")
big = bytes(range(256)) * (11 * 4096)  # 11 MiB: over the LFS threshold, so it goes through Xet

owner.create_repo(repo)
opened = reader.create_commit(repo, [CommitOperationAdd("big.bin", big)], commit_message="Add big", create_pr=True)
assert opened.pr_revision == "refs/pr/1", opened
path = hf_hub_download(repo, "big.bin", revision="refs/pr/1", endpoint=endpoint, cache_dir=cache, token=False)
assert open(path, "rb").read() == big
reader.create_commit(repo, [CommitOperationAdd("big2.bin", big[::-1])], commit_message="Add big2", revision="refs/pr/1")
owner.merge_pull_request(repo, 1)
files = sorted(owner.list_repo_files(repo))
assert files == [".gitattributes", "big.bin", "big2.bin"], files
lfs = {entry.path: entry.lfs is not None for entry in owner.list_repo_tree(repo)}
assert lfs["big.bin"] and lfs["big2.bin"], lfs
print(json.dumps({"files": files}))
