"""The yardstick of the sync benchmark: the `activities` job done by a plain
script, as a data engineer would write it without the connector.

Python's standard library only: one keep-alive `http.client` connection, the
feed paged with `after_id`, the actor flattened into columns as the connector
does, and one `sqlite3` transaction per page (upsert by `id`, the record kept
as JSON). Prints one JSON line: rows, requests, bytes read, seconds and the
process's peak resident memory.

    python3 plain_activities.py BASE_URL COMPLIANCE_KEY DB_PATH [PAGE_SIZE]
"""

import http.client
import json
import resource
import sqlite3
import sys
import time
import urllib.parse
from datetime import datetime, timezone

ACTOR_COLUMNS = [
    ("actor_type", ["type"]),
    ("actor_user_id", ["user_id"]),
    ("actor_email_address", ["email_address", "unauthenticated_email_address"]),
    ("actor_api_key_id", ["api_key_id", "admin_api_key_id"]),
    ("actor_ip_address", ["ip_address"]),
    ("actor_user_agent", ["user_agent"]),
]
COLUMNS = ["id", "created_at", "type", "organization_id", "organization_uuid", "actor"] + [
    name for name, _ in ACTOR_COLUMNS
]


def flatten(activity):
    actor = activity.get("actor") or {}
    for name, sources in ACTOR_COLUMNS:
        activity[name] = next(
            (actor[s] for s in sources if actor.get(s) is not None), None
        )
    return activity


def main():
    base_url, key, db_path = sys.argv[1:4]
    page_size = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
    url = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port or 80)
    headers = {"x-api-key": key, "anthropic-version": "2023-06-01"}
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS activities ("
        + ", ".join(f'"{c}"' for c in COLUMNS)
        + ', "_raw" TEXT, "_synced_at" TEXT, PRIMARY KEY ("id"))'
    )
    placeholders = ", ".join("?" for _ in range(len(COLUMNS) + 2))
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in COLUMNS[1:] + ["_raw", "_synced_at"])
    upsert = (
        f"INSERT INTO activities ({', '.join(chr(34) + c + chr(34) for c in COLUMNS)}, "
        f'"_raw", "_synced_at") VALUES ({placeholders}) '
        f'ON CONFLICT ("id") DO UPDATE SET {updates}'
    )

    started = time.monotonic()
    rows = requests = received = 0
    after_id = None
    while True:
        query = {"limit": page_size, "created_at.lt": now}
        if after_id:
            query["after_id"] = after_id
        connection.request(
            "GET", "/v1/compliance/activities?" + urllib.parse.urlencode(query), headers=headers
        )
        response = connection.getresponse()
        body = response.read()
        requests += 1
        received += len(body)
        if response.status != 200:
            sys.exit(f"HTTP {response.status}: {body[:200]!r}")
        page = json.loads(body)
        synced_at = datetime.now(timezone.utc).isoformat()
        with db:
            for activity in page["data"]:
                activity = flatten(activity)
                values = [
                    json.dumps(activity[c]) if isinstance(activity.get(c), (dict, list)) else activity.get(c)
                    for c in COLUMNS
                ]
                db.execute(upsert, values + [json.dumps(activity), synced_at])
        rows += len(page["data"])
        if not page.get("has_more"):
            break
        after_id = page["last_id"]
    seconds = time.monotonic() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "rows": rows,
                "requests": requests,
                "bytes": received,
                "seconds": seconds,
                "peak_rss_bytes": peak_kib * 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
