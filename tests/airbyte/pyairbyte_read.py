"""Run the connector as a local Airbyte source through PyAirbyte into its
DuckDB cache, and write what landed as JSON for the Rust test to check.

Usage: pyairbyte_read.py EXECUTABLE CONFIG_JSON CACHE_DIR OUT_JSON [STREAM,...]

With streams named, only those are read (incrementally, from the cache's
state); otherwise every stream is. The cache keeps the state between runs,
as a PyAirbyte user's would.
"""

import json
import os
import sys

# No connector registry, no telemetry: these machines reach package
# registries only, and the source is a local executable anyway.
os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")

import airbyte as ab  # noqa: E402


def main() -> None:
    executable, config_path, cache_dir, out_path = sys.argv[1:5]
    streams = sys.argv[5].split(",") if len(sys.argv) > 5 else None
    with open(config_path, encoding="utf-8") as f:
        config = json.load(f)
    source = ab.get_source(
        "source-anthropic-admin-compliance",
        config=config,
        local_executable=executable,
        streams=streams or "*",
    )
    source.check()
    cache = ab.new_local_cache(cache_name="anthropic", cache_dir=cache_dir)
    result = source.read(cache=cache)
    landed = {}
    for name in source.get_selected_streams():
        frame = cache[name].to_pandas()
        landed[name] = json.loads(frame.to_json(orient="records", date_format="iso"))
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(
            {"processed_records": result.processed_records, "streams": landed}, f
        )


if __name__ == "__main__":
    main()
