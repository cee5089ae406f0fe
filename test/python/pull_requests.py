"""Pull requests and discussions with the real huggingface_hub client against a local Hub.

Run by test/hub-pull-requests.spec.ts with each virtualenv's python. Every check is an assert that names what went
wrong; the last stdout line is a JSON summary the spec checks too. Arguments come from the environment:
TVHUB_HUB (endpoint), TVHUB_OWNER / TVHUB_OWNER_TOKEN (writes the repo), TVHUB_READER / TVHUB_READER_TOKEN (does
not), TVHUB_REPO (a fresh repo id to create).
"""

import json
import os
import tempfile

from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi, hf_hub_download
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

endpoint = os.environ["TVHUB_HUB"]
repo = os.environ["TVHUB_REPO"]
owner = HfApi(endpoint=endpoint, token=os.environ["TVHUB_OWNER_TOKEN"])
reader = HfApi(endpoint=endpoint, token=os.environ["TVHUB_READER_TOKEN"])
reader_name = os.environ["TVHUB_READER"]
cache = tempfile.mkdtemp(prefix="tvhub-pr-cache-")


def status_of(call):
    try:
        call()
    except HfHubHTTPError as error:
        return error.response.status_code
    raise AssertionError("the call was expected to be refused")


owner.create_repo(repo)
owner.upload_file(path_or_fileobj=b"one\n", path_in_repo="a.txt", repo_id=repo)
owner.upload_file(path_or_fileobj=b"gone\n", path_in_repo="old.txt", repo_id=repo)

# A reader opens a pull request with a commit; nothing changes on main until it is merged.
opened = reader.create_commit(
    repo,
    [CommitOperationAdd("b.txt", b"from the reader\n"), CommitOperationDelete("old.txt")],
    commit_message="Add b, drop old",
    commit_description="Please review.",
    create_pr=True,
)
assert opened.pr_num == 1 and opened.pr_revision == "refs/pr/1", opened
assert opened.pr_url == f"{endpoint}/{repo}/discussions/1", opened.pr_url
assert "b.txt" not in owner.list_repo_files(repo)
assert sorted(owner.list_repo_files(repo, revision="refs/pr/1")) == [".gitattributes", "a.txt", "b.txt"]
path = hf_hub_download(repo, "b.txt", revision="refs/pr/1", endpoint=endpoint, cache_dir=cache, token=False)
assert open(path, "rb").read() == b"from the reader\n"
assert owner.model_info(repo, revision="refs/pr/1").sha == opened.oid

# Its author adds a commit to refs/pr/1.
second = reader.create_commit(repo, [CommitOperationAdd("c.txt", b"more\n")], commit_message="Add c", revision="refs/pr/1")
assert owner.model_info(repo, revision="refs/pr/1").sha == second.oid

# A discussion next to it, and the filters the client sends.
talk = reader.create_discussion(repo, "A question", description="Which license?")
assert talk.num == 2 and not talk.is_pull_request and talk.status == "open"
everything = list(owner.get_repo_discussions(repo))
assert [(d.num, d.is_pull_request, d.author) for d in everything] == [(2, False, reader_name), (1, True, reader_name)], everything
assert [d.num for d in owner.get_repo_discussions(repo, discussion_type="pull_request")] == [1]
assert [d.num for d in owner.get_repo_discussions(repo, discussion_type="discussion", discussion_status="open")] == [2]
assert [d.num for d in owner.get_repo_discussions(repo, author=reader_name)] == [2, 1]

comment = owner.comment_discussion(repo, 1, "Looks good.")
assert comment.content == "Looks good." and comment.author != reader_name
renamed = reader.rename_discussion(repo, 1, "Add b and c")
assert (renamed.old_title, renamed.new_title) == ("Add b, drop old", "Add b and c")

details = owner.get_discussion_details(repo, 1)
assert details.is_pull_request and details.status == "open" and details.target_branch == "refs/heads/main"
assert details.conflicting_files == [] and details.merge_commit_oid is None
kinds = [event.type for event in details.events]
assert kinds == ["comment", "commit", "commit", "comment", "title-change"], kinds
assert details.events[0].content == "Please review."
assert [event.oid for event in details.events if event.type == "commit"] == [opened.oid, second.oid]

refs = owner.list_repo_refs(repo, include_pull_requests=True)
assert [(r.name, r.ref, r.target_commit) for r in refs.pull_requests] == [("1", "refs/pr/1", second.oid)], refs

# Refusals: a reader may not merge or close, a closed pull request does not merge, a missing repo has no PRs.
refused = {
    "reader_merge": status_of(lambda: reader.merge_pull_request(repo, 1)),
    "reader_close": status_of(lambda: reader.change_discussion_status(repo, 1, "closed")),
    "not_a_pr": status_of(lambda: owner.merge_pull_request(repo, 2)),
}
try:
    reader.create_commit(f"{repo}-missing", [CommitOperationAdd("x.txt", b"x")], commit_message="x", create_pr=True)
    raise AssertionError("a pull request on a missing repo was accepted")
except RepositoryNotFoundError:
    refused["missing_repo"] = 404

# The owner merges: main gets the pull request's files, and the record says so.
owner.merge_pull_request(repo, 1, comment="Thanks!")
merged = owner.get_discussion_details(repo, 1)
assert merged.status == "merged" and merged.merge_commit_oid == owner.model_info(repo).sha, merged
assert sorted(owner.list_repo_files(repo)) == [".gitattributes", "a.txt", "b.txt", "c.txt"]
path = hf_hub_download(repo, "c.txt", endpoint=endpoint, cache_dir=cache, token=False)
assert open(path, "rb").read() == b"more\n"
refused["merge_twice"] = status_of(lambda: owner.merge_pull_request(repo, 1))
refused["commit_to_merged"] = status_of(
    lambda: reader.create_commit(repo, [CommitOperationAdd("d.txt", b"d")], commit_message="late", revision="refs/pr/1")
)

# An empty pull request is a draft; closed, it does not merge; reopened, the status change is recorded.
draft = owner.create_pull_request(repo, "Nothing yet")
assert draft.num == 3 and draft.status == "draft", draft
closing = owner.change_discussion_status(repo, 3, "closed", comment="Not needed.")
assert closing.new_status == "closed"
refused["merge_closed"] = status_of(lambda: owner.merge_pull_request(repo, 3))
assert owner.change_discussion_status(repo, 3, "open").new_status == "open"
assert [d.num for d in owner.get_repo_discussions(repo, discussion_status="closed")] == [1]

# Two pull requests that change the same file: the second conflicts once the first is merged.
left = owner.create_commit(repo, [CommitOperationAdd("a.txt", b"left\n")], commit_message="Left", create_pr=True)
right = owner.create_commit(repo, [CommitOperationAdd("a.txt", b"right\n")], commit_message="Right", create_pr=True)
owner.merge_pull_request(repo, left.pr_num)
assert owner.get_discussion_details(repo, right.pr_num).conflicting_files == ["a.txt"]
refused["merge_conflict"] = status_of(lambda: owner.merge_pull_request(repo, right.pr_num))

print(json.dumps({"pr": opened.pr_num, "merged": merged.merge_commit_oid, "refused": refused}))
