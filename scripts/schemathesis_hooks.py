"""Schemathesis hooks for `make test` (scripts/e2e.sh).

docs/openapi.yaml states every value the API takes, exactly (shared/api/tests/api/schema.rs
proves it against the parsers), so the run checks both ways: whatever the schema admits is
accepted (`positive_data_acceptance`) and whatever it refuses is refused
(`negative_data_rejection`). A few rules join two values, which JSON Schema cannot say; they are
written in the document's descriptions and in docs/api.md, and the hooks below make the
generated *valid* requests keep them, so that a 400 for a valid request is always a finding:

- `next` and `link` are tokens only the API makes: a valid request has none.
- A period import gives `from` and `to` together, `from` not after `to`, every item of the
  request inside the period; `exchange`, `part` and `parts` all three or none, `part` at most
  `parts`; an exchange keeps the period and count of parts of its first part (so each valid
  case gets an exchange of its own). A parameter of spaces is the same as one not given.
- A read's `from` (`created_at_from`) is not after its `to` (`created_at_to`), months of
  receipts included; nor is an exchange's opening's `from` after its `to`.
- A share written as a fraction is at most 1 (numerator not over denominator).
- A payee's INN has its check digits right, its accounts their control keys against its BIC,
  and its name leaves the QR code's mandatory requisites within 300 bytes: the hooks give it
  real bank details and names of at most 24 characters.
- A receipt's amounts, as JSON numbers, have at most two decimal places.
- An act's line amounts, as JSON numbers, have at most two decimal places (a double cannot say
  it), and the lines do not sum to less than zero; its count number has at most 1,002 bytes.

The generator itself does not always keep a schema's `not` (it sent the all-zero GUID, which
`Guid` refuses, in braces as a "valid" id): a "valid" case is checked against the document with
the same validator as shared/api/tests/api/schema.rs, and dropped if it does not fit, or if it
names one field twice in two spellings (`id` and `ID`: the API matches names in any case).

One more rule is about the machine, not the API: generated request bodies whose bytes are not
UTF-8 are not sent. Locally the API runs under cargo lambda's emulator, which answers such a body
with a textual Content-Type (every body the OpenAPI document describes is application/json) with
a bare 500 of its own, before any function of ours runs. In AWS, API Gateway hands such bodies to
the function base64-encoded; that path is covered in process (shared/api/tests/api/imports.rs:
windows-1251, UTF-16, bytes that are not their declared charset; never_panics.rs: arbitrary bytes
in any charset).
"""

import functools
import pathlib
import re
import uuid
from decimal import Decimal, InvalidOperation

import jsonschema_rs
import schemathesis
import yaml

DOCUMENT = yaml.safe_load(
    (pathlib.Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml").read_text()
)

# Unicode's White_Space, what the API trims around every value (Rust's str::trim).
SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
MAX_PARTS = 1000
PERIOD_IMPORTS = {
    "/api/counter/import": "counters",
    "/api/balance/import": "balances",
    "/api/transaction/import": "transactions",
    "/api/receipt/import": "receipts",
}
READ_RANGES = {
    "/api/accounts/{id}/balances": ("from", "to"),
    "/api/accounts/{id}/transactions": ("from", "to"),
    "/api/counters/{id}/readings": ("from", "to"),
    "/api/counters/{id}/submissions": ("from", "to"),
    "/v1/billing/acts": ("created_at_from", "created_at_to"),
    "/v1/billing/acts/{page}": ("created_at_from", "created_at_to"),
    "/v1/billing/acts/{page}/{limit}": ("created_at_from", "created_at_to"),
    "/api/journal": ("from", "to"),
    "/api/transaction/reconciliation": ("from", "to"),
    "/api/balance/reconciliation": ("from", "to"),
    "/api/counter/reconciliation": ("from", "to"),
}
ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?")
RU = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})(?: ([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?")
GROUPING = " \u00a0\u202f\u2009'"


@schemathesis.hook
def filter_body(ctx, body):
    if isinstance(body, (bytes, bytearray)):
        try:
            bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


@functools.cache
def validator(pointer):
    """A validator of the schema at `pointer` in the document, references resolved in it."""
    schema = DOCUMENT
    for key in pointer:
        schema = schema[key]
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": DOCUMENT["components"], **schema}
    return jsonschema_rs.validator_for(root)


def declared_parameters(path, method):
    operation = DOCUMENT["paths"][path][method]
    for index, parameter in enumerate(operation.get("parameters", [])):
        pointer = ("paths", path, method, "parameters", index)
        if "$ref" in parameter:
            pointer = tuple(parameter["$ref"].lstrip("#/").split("/"))
            parameter = DOCUMENT
            for key in pointer:
                parameter = parameter[key]
        yield parameter, pointer + ("schema",)


@schemathesis.hook
def filter_case(ctx, case):
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return True
    path, method = case.operation.path, case.operation.method.lower()
    given = {"path": case.path_parameters or {}, "query": case.query or {}}
    for parameter, pointer in declared_parameters(path, method):
        values = given.get(parameter["in"], {})
        if parameter["name"] in values and not validator(pointer).is_valid(values[parameter["name"]]):
            return False
    if isinstance(case.body, (dict, list)):
        pointer = ("paths", path, method, "requestBody", "content", "application/json", "schema")
        return validator(pointer).is_valid(case.body) and not twin_keys(case.body)
    return True


def twin_keys(node):
    """Whether an object has two keys the API reads as one: it matches names trimmed and in any
    case (the spec writes "email "), so {"id": …, "ID": …} is one field given twice."""
    if isinstance(node, list):
        return any(twin_keys(item) for item in node)
    if isinstance(node, dict):
        names = [key.strip(SPACE).lower() for key in node]
        return len(set(names)) < len(names) or any(twin_keys(v) for v in node.values())
    return False


@schemathesis.hook
def map_case(ctx, case):
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return case
    path = case.operation.path
    if isinstance(case.query, dict):
        case.query.pop("next", None)
        case.query.pop("link", None)
        if path in PERIOD_IMPORTS:
            keep_the_period_rules(case.query, items(case.body, PERIOD_IMPORTS[path]))
        if path in READ_RANGES:
            in_order(case.query, *READ_RANGES[path])
        if path == "/api/accounts/{id}/receipts":
            months_in_order(case.query)
    if path == "/api/exchanges" and isinstance(case.body, dict):
        # An exchange's period, as a period import's: `from` not after `to`.
        in_order(case.body, "from", "to")
    if path == "/api/directory/importaccounts":
        for account in items(case.body, "accounts"):
            if isinstance(account, dict) and isinstance(account.get("ownership"), str):
                account["ownership"] = proper_fraction(account["ownership"])
    if path == "/api/directory/importorganizations":
        for payee in items(case.body, "organizations"):
            if isinstance(payee, dict):
                keep_the_bank_rules(payee)
    if path == "/api/receipt/import":
        for receipt in items(case.body, "receipts"):
            if isinstance(receipt, dict):
                keep_the_receipt_rules(receipt)
    if path == "/v1/billing/acts/import":
        for act in items(case.body, "acts"):
            if isinstance(act, dict) and isinstance(act.get("services"), list):
                keep_the_act_rules(act["services"])
            if isinstance(act, dict) and isinstance(act.get("count_number"), str):
                # A storage key is made of it: at most 1,002 bytes.
                act["count_number"] = act["count_number"].encode()[:1000].decode(errors="ignore")
    return case


def given(value):
    return value is not None and str(value).strip(SPACE) != ""


def items(body, collection):
    if isinstance(body, dict) and isinstance(body.get(collection), list):
        return body[collection]
    return []


def keep_the_period_rules(query, records):
    names = ["from", "to", "exchange", "part", "parts"]
    if not any(given(query.get(name)) for name in names):
        return
    if any(isinstance(r, dict) and (given(r.get("date")) or given(r.get("period"))) for r in records):
        # Every item inside the period: the widest one the parameters admit.
        query["from"], query["to"] = "0000-01-01", "9999-12-31"
    else:
        query.setdefault("from", "2020-01-01")
        query.setdefault("to", "2020-01-01")
        if not given(query["from"]):
            query["from"] = query["to"] if given(query["to"]) else "2020-01-01"
        if not given(query["to"]):
            query["to"] = query["from"]
        in_order(query, "from", "to")
    if any(given(query.get(name)) for name in ["exchange", "part", "parts"]):
        # An exchange is one 1C upload: its GUID is new, in whatever form was generated (a
        # reused one with another period or count of parts is refused, as it should be).
        if given(query.get("exchange")):
            fresh = iter(uuid.uuid4().hex * 2)
            query["exchange"] = re.sub("[0-9A-Fa-f]", lambda _: next(fresh), query["exchange"])
        else:
            query["exchange"] = str(uuid.uuid4())
        part = min(whole(query.get("part")) or 1, MAX_PARTS)
        parts = min(whole(query.get("parts")) or 1, MAX_PARTS)
        query["part"], query["parts"] = str(min(part, parts)), str(max(part, parts))


# A payee's bank details that pass a bank's checks (the INN's check digits, the accounts'
# control keys against the BIC), which no pattern can say.
VALID_BANK = {"inn": "7723012346", "bic": "044525225", "bank_account": "40703810303800000123",
              "correspondent_account": "30101810400000000225"}


def keep_the_bank_rules(payee):
    """Check digits and control keys right, and the mandatory requisites within the standard's
    300 bytes (a name short enough to fit beside any bank's name)."""
    for field, value in VALID_BANK.items():
        # An optional correspondent account stays absent (or none) as generated.
        if field != "correspondent_account" or given(payee.get(field)):
            payee[field] = value
    # Four UTF-8 bytes a character at most: 24 of each leave the 300 bytes unreached.
    for field in ("name", "bank_name"):
        if isinstance(payee.get(field), str):
            payee[field] = payee[field].strip(SPACE)[:24] or "ТСЖ"


RECEIPT_AMOUNTS = ("debt_start", "charged", "recalculation", "penalty", "paid", "to_pay")


def keep_the_receipt_rules(receipt):
    """Amounts as JSON numbers have at most two decimal places (a double cannot say it)."""
    def kopecks(holder, fields):
        for field in fields:
            if isinstance(holder.get(field), float):
                holder[field] = round(holder[field], 2)
    kopecks(receipt, RECEIPT_AMOUNTS)
    if isinstance(receipt.get("lines"), list):
        for line in receipt["lines"]:
            if isinstance(line, dict):
                kopecks(line, ("charged", "recalculation", "to_pay"))


def whole(value):
    text = str(value).strip(SPACE) if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() else None


def moment(text, end):
    """A 1C date or date and time as a tuple that orders; a bare date is its whole day."""
    text = str(text).strip(SPACE)
    iso, ru = ISO.match(text), RU.match(text)
    if iso:
        y, mo, d, h, mi, s = iso.groups()
    elif ru:
        d, mo, y, h, mi, s = ru.groups()
    else:
        return None
    if h is None:
        h, mi, s = ("23", "59", "59") if end else ("00", "00", "00")
    return (int(y), int(mo), int(d), int(h), int(mi), int(s or 0))


def in_order(query, first, last):
    if given(query.get(first)) and given(query.get(last)):
        start, end = moment(query[first], False), moment(query[last], True)
        if start and end and start > end:
            query[first], query[last] = query[last], query[first]


def months_in_order(query):
    """A receipts' read: its `from` month (YYYY-MM) not after its `to`."""
    first, last = (str(query.get(k, "")).strip(SPACE) for k in ("from", "to"))
    if first and last and first > last:
        query["from"], query["to"] = query["to"], query["from"]


def proper_fraction(share):
    if "/" not in share:
        return share
    numerator, denominator = share.split("/", 1)
    n, d = whole(numerator), whole(denominator)
    if n is not None and d is not None and n > d:
        return f"{d}/{n}" if d > 0 else f"0/{n}"
    return share


def amount(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip(SPACE).replace("\u2212", "-")
        for separator in GROUPING:
            text = text.replace(separator, "")
        try:
            return Decimal(text.replace(",", "."))
        except InvalidOperation:
            return None
    return None


def keep_the_act_rules(lines):
    for line in lines:
        if isinstance(line, dict) and isinstance(line.get("amount"), float):
            line["amount"] = round(line["amount"], 2)
    total = sum((amount(line.get("amount")) or 0) for line in lines if isinstance(line, dict))
    if total < 0:
        for line in lines:
            if not isinstance(line, dict):
                continue
            value = line.get("amount")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                line["amount"] = abs(value)
            elif isinstance(value, str):
                line["amount"] = value.replace("-", "", 1).replace("\u2212", "", 1)
