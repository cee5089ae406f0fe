"""Merges pull request TVHUB_PR of TVHUB_REPO on TVHUB_HUB with the real huggingface_hub client (a reviewer's step)."""

import json
import os

from huggingface_hub import HfApi

api = HfApi(endpoint=os.environ["TVHUB_HUB"], token=os.environ["TVHUB_TOKEN"])
repo, num = os.environ["TVHUB_REPO"], int(os.environ["TVHUB_PR"])
api.merge_pull_request(repo, num)
details = api.get_discussion_details(repo, num)
print(json.dumps({"status": details.status, "mergeCommit": details.merge_commit_oid}))
