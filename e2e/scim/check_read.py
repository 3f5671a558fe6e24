"""An independent check of CIS's read-only SCIM endpoint (e2e/tests/scim.rs runs it).

scim2-tester (PyPI) runs its discovery and misc checks, which must all succeed, and its creation checks,
each of which must fail only because the server refuses writes (403, read-only). Then scim2-client (PyPI)
reads, with its response validation on: the User list, each User by id (and again with If-None-Match),
filters on userName, externalId, emails.value, active and meta.lastModified joined with `and`, paging,
`attributes`, and the Groups. Prints one JSON report; exits 1 on any error.

Usage: SCIM_TOKEN=... python3 check_read.py http://127.0.0.1:PORT/scim/v2
"""

import json
import os
import sys

import httpx2 as httpx
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import EnterpriseUser, Group, SearchRequest, User
from scim2_tester import Status, check_server

url = sys.argv[1]
token = os.environ["SCIM_TOKEN"]
http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
client = SyncSCIMClient(http)
client.discover()
report = {"errors": [], "checks": 0}


def error(what, detail):
    report["errors"].append({"check": what, "detail": str(detail)[:500]})


for result in check_server(client, include_tags={"discovery", "misc"}):
    report["checks"] += 1
    if result.status == Status.ERROR:
        error(result.title, result.reason)
writes_refused = 0
for result in check_server(client, include_tags={"crud:create"}):
    report["checks"] += 1
    # The discovery checks scim2-tester always runs succeed; a creation must fail as read-only, and
    # nothing else may fail.
    if result.status == Status.ERROR and "read-only" in (result.reason or ""):
        writes_refused += 1
    elif result.status == Status.ERROR:
        error(result.title, f"a write was not refused as read-only: {result.reason}")
report["writes_reported_unsupported"] = writes_refused
if writes_refused == 0:
    error("crud:create", "no write was attempted and refused")

UserModel = User[EnterpriseUser]


def read(what, fn):
    report["checks"] += 1
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
        error(what, f"{type(e).__name__}: {e}")
        return None


everyone = read("list users", lambda: client.query(UserModel, query_parameters=SearchRequest(count=1000)))
users = list(everyone.resources or []) if everyone else []
report["users"] = len(users)
if not users:
    error("list users", "no users listed")
for user in users[:5]:
    got = read(f"user {user.id}", lambda u=user: client.query(UserModel, u.id))
    if got is not None and got.id != user.id:
        error(f"user {user.id}", "another user came back")
    status = read(
        f"If-None-Match {user.id}",
        lambda u=user: http.get(f"/Users/{u.id}", headers={"If-None-Match": u.meta.version}).status_code,
    )
    if status != 304:
        error(f"If-None-Match {user.id}", f"answered {status}, not 304")

if users:
    sample = users[0]
    # Only what this token can see: a filter on a hidden attribute must match nobody.
    filters = {
        "userName eq": (f'userName eq "{sample.user_name}"', 1),
        "lastModified gt": ('meta.lastModified gt "2000-01-01T00:00:00Z"',
                            sum(1 for u in users if u.meta.last_modified)),
    }
    if sample.external_id:
        filters["externalId eq"] = (f'externalId eq "{sample.external_id}"', 1)
    if sample.emails:
        filters["emails.value eq"] = (f'emails.value eq "{sample.emails[0].value}"', 1)
    if sample.active is not None:
        filters["and"] = (f'userName eq "{sample.user_name}" and active eq {str(sample.active).lower()}', 1)
        filters["active eq"] = ("active eq true", sum(1 for u in users if u.active))
    for name, (expression, expected) in filters.items():
        found = read(name, lambda e=expression: client.query(UserModel, query_parameters=SearchRequest(filter=e)))
        if found is not None and found.total_results != expected:
            error(name, f"{expression}: {found.total_results} results, expected {expected}")
    page = read("paging", lambda: client.query(UserModel, query_parameters=SearchRequest(start_index=2, count=2)))
    if page is not None and [u.id for u in page.resources or []] != [u.id for u in users[1:3]]:
        error("paging", "startIndex=2&count=2 is not the 2nd and 3rd users")
    narrow = read(
        "attributes",
        lambda: client.query(UserModel, query_parameters=SearchRequest(attributes=["userName"], count=3)),
    )
    if narrow is not None and any(u.name is not None or u.emails for u in narrow.resources or []):
        error("attributes", "attributes=userName returned other attributes")

groups = read("list groups", lambda: client.query(Group, query_parameters=SearchRequest(count=1000)))
report["groups"] = len(groups.resources or []) if groups else 0
for group in (groups.resources or [])[:3] if groups else []:
    one = read(f"group {group.id}", lambda g=group: client.query(Group, g.id))
    if one is not None and len(one.members or []) != len(group.members or []):
        error(f"group {group.id}", "its members differ from the list's")

print(json.dumps(report, indent=2))
sys.exit(1 if report["errors"] else 0)
