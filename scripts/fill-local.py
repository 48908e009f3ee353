#!/usr/bin/env python3
"""Loads unrelated data into a running `make run` through the import API, as an office would:
a tenant's services, accounts and meters, then readings, balances and transactions, in requests
of 5,000 items. For measuring that the tests' cost does not grow with what the local database
holds (docs/BENCHMARKS.md).

    KEY=$(make -s key TENANT=filler | tail -n 1)
    scripts/fill-local.py --key "$KEY" --items 300000 [--url http://127.0.0.1:9000]
"""

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid

CHUNK = 5000


def guid(kind: str, n: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"fill-local/{kind}/{n}"))


def post(url: str, key: str, path: str, collection: str, items: list) -> None:
    for start in range(0, len(items), CHUNK):
        body = json.dumps({collection: items[start : start + CHUNK]}).encode()
        request = urllib.request.Request(
            url + path,
            data=body,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=600) as answer:
                answer.read()
        except urllib.error.HTTPError as error:
            sys.exit(f"{path}: {error.code} {error.read().decode()[:500]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:9000")
    parser.add_argument("--key", required=True)
    parser.add_argument("--items", type=int, default=300_000)
    args = parser.parse_args()

    accounts = max(1, args.items // 300)
    services = [{"id": guid("service", s), "name": f"Услуга {s}"} for s in range(10)]
    directory = [
        ("/api/directory/importservices", "services", services),
        (
            "/api/directory/importaccounts",
            "accounts",
            [{"id": guid("account", a), "name": f"ЛС-{a:06}"} for a in range(accounts)],
        ),
        (
            "/api/directory/importcounters",
            "counters",
            [
                {"id": guid("counter", a), "account": guid("account", a), "service": guid("service", 0),
                 "name": f"Счётчик {a}", "type": "ХВС"}
                for a in range(accounts)
            ],
        ),
    ]
    per_kind = (args.items - len(services) - 2 * accounts) // 3
    day = lambda n: f"20{10 + n // 336 % 15:02}-{1 + n // 28 % 12:02}-{1 + n % 28:02}T12:00:00"
    figures = [
        (
            "/api/counter/import",
            "counters",
            [{"counter": guid("counter", n % accounts), "date": day(n // accounts),
              "current_data1": n} for n in range(per_kind)],
        ),
        (
            "/api/balance/import",
            "balances",
            [{"account": guid("account", n % accounts), "service": guid("service", n // accounts % 10),
              "date": day(n // accounts // 10), "amount": f"{n % 9973}.{n % 100:02}"}
             for n in range(per_kind)],
        ),
        (
            "/api/transaction/import",
            "transactions",
            [{"account": guid("account", n % accounts), "service": guid("service", n % 10),
              "date": day(n // accounts), "amount": f"-{n % 7919}.{n % 100:02}"}
             for n in range(per_kind)],
        ),
    ]
    started = time.monotonic()
    total = 0
    for path, collection, items in directory + figures:
        post(args.url, args.key, path, collection, items)
        total += len(items)
        print(f"{path}: {len(items)} items", flush=True)
    print(f"{total} items in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
