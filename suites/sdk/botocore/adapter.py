#!/usr/bin/env python3
"""adapter.py: replays dmsconform wire fixtures through botocore.

Reads one JSON document from stdin (the protocol of suites/sdk/js/adapter.mjs):

    {"jobs": [{"key", "endpoint", "region",
               "credentials": {"accessKeyId", "secretAccessKey"},
               "operation", "input"}],
     "retries": {...}}          # optional, tests only: botocore's retries config

runs every job in order (one botocore client per job, the fixture route as
endpoint_url, exactly one HTTP attempt) and prints one JSON document to stdout:

    {"sdk": {"name", "package", "version"}, "python": "<version>",
     "results": [{"key", "output": <decoded output>} | {"key", "error": {...}}]}

One attempt: botocore's retries={'max_attempts': 1} means ONE RETRY (botocore
turns it into total_max_attempts 2, see botocore/args.py
_compute_retry_max_attempts), so the adapter sets total_max_attempts 1 and the
retry mode explicitly (standard: MaxAttemptsChecker stops at attempt 1), which also
overrides AWS_MAX_ATTEMPTS / AWS_RETRY_MODE and the config file.

The output is normalised into the SDK-neutral form the Go side compares
(suites/sdk/canon.go), walking botocore's own output shape:
  - ResponseMetadata (botocore's, not a model member) is removed;
  - a float NaN/inf as the strings "NaN"/"Infinity"/"-Infinity";
  - an int beyond 2^53 as its decimal string;
  - botocore's unknown union member {'SDK_UNKNOWN_MEMBER': {'name': tag}} as
    {"$unknown": tag};
  - a value whose Python type is not the one botocore documents for its member
    (a str for a double, an int for a string, a str where a dict belongs) as
    {"$wrongType": "<python type>", "value": <value>}, so a comparison shows it
    instead of letting the JSON rendering hide it (the str 'NaN' and the float
    nan both print as "NaN").
Errors: ClientError -> kind api with Error.Code/Error.Message, typed when botocore
raised one of its modeled exception classes (client.exceptions.X) rather than a
plain ClientError; ResponseParserError -> kind deserialization; anything else
raised while parsing the response -> kind other (a crash, not a botocore error);
connection errors -> kind transport. Nothing else is interpreted: comparing is Go's
job.

Usage: python3 adapter.py < jobs.json    (python3 adapter.py --version probes botocore)
"""

import base64
import datetime
import json
import math
import os
import sys
import traceback

SDK_NAME = "botocore"
PKG = "botocore"
SERVICE = "dms"
# The operation whose presence says this botocore is new enough (added to the public
# model on 2025-11-12).
REQUIRED_OPERATION = "CancelMetadataModelConversion"
ONE_ATTEMPT = {"total_max_attempts": 1, "mode": "standard"}
MAX_SAFE = 2**53


def fail(message, code=4):
    sys.stdout.write(json.dumps({"error": message}) + "\n")
    sys.exit(code)


try:
    import botocore
    import botocore.config
    import botocore.exceptions
    import botocore.parsers
    import botocore.session
except ImportError as e:  # pragma: no cover - exercised through the Go tests
    fail(f"botocore is not importable by {sys.executable} ({e}): install it with "
         f"'{os.path.basename(sys.executable) or 'python3'} -m pip install botocore' (or boto3)")


def python_version():
    return ".".join(str(p) for p in sys.version_info[:3])


def header(session):
    return {"sdk": {"name": SDK_NAME, "package": PKG, "version": botocore.__version__},
            "python": python_version()}


def check_model(session):
    model = session.get_service_model(SERVICE)
    if REQUIRED_OPERATION not in model.operation_names:
        fail(f"botocore {botocore.__version__} is too old: its {SERVICE} model has no "
             f"{REQUIRED_OPERATION} (added in November 2025): upgrade it with "
             f"'python3 -m pip install -U botocore'")
    return model


def wrong(value):
    return {"$wrongType": type(value).__name__, "value": generic(value)}


def number(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return str(v) if abs(v) > MAX_SAFE else v
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    return v


def generic(v):
    """Plain JSON for a value outside the model."""
    if v is None or isinstance(v, (str, bool)):
        return v
    if isinstance(v, (int, float)):
        return number(v)
    if isinstance(v, dict):
        return {str(k): generic(x) for k, x in v.items() if x is not None}
    if isinstance(v, (list, tuple)):
        return [generic(x) for x in v]
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode("ascii")
    return {"$wrongType": type(v).__name__, "value": repr(v)}


def canon(shape, v):
    """Canonical form of v, a value botocore decoded for shape (None: outside the model)."""
    if v is None:
        return None
    if shape is None:
        return generic(v)
    t = shape.type_name
    if t == "structure":
        if not isinstance(v, dict):
            return wrong(v)
        out = {}
        for k, x in v.items():
            if x is None:
                continue
            if getattr(shape, "is_tagged_union", False) and k == "SDK_UNKNOWN_MEMBER" \
                    and isinstance(x, dict) and set(x) == {"name"} and isinstance(x["name"], str):
                out["$unknown"] = x["name"]
                continue
            out[k] = canon(shape.members.get(k), x)
        return out
    if t == "list":
        if not isinstance(v, list):
            return wrong(v)
        return [canon(shape.member, x) for x in v]
    if t == "map":
        if not isinstance(v, dict):
            return wrong(v)
        return {str(k): canon(shape.value, x) for k, x in v.items() if x is not None}
    if t == "string":
        return v if isinstance(v, str) else wrong(v)
    if t == "boolean":
        return v if isinstance(v, bool) else wrong(v)
    if t in ("integer", "long", "short", "byte"):
        return number(v) if isinstance(v, int) and not isinstance(v, bool) else wrong(v)
    if t in ("double", "float"):
        # botocore documents float; an int (JSON 100) is the same number in Python.
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return number(v)
        return wrong(v)
    if t == "timestamp":
        return v.isoformat() if isinstance(v, datetime.datetime) else wrong(v)
    if t == "blob":
        return base64.b64encode(bytes(v)).decode("ascii") if isinstance(v, (bytes, bytearray)) else wrong(v)
    return generic(v)


def raised_in_parser(e):
    tb = e.__traceback__
    while tb is not None:
        f = tb.tb_frame.f_code.co_filename.replace("\\", "/")
        if f.endswith("/botocore/parsers.py"):
            return True
        tb = tb.tb_next
    return False


TRANSPORT = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.HTTPClientError,
)


def describe_error(e):
    cls = type(e)
    detail = f"{cls.__module__}.{cls.__qualname__}: {e}"
    if isinstance(e, botocore.exceptions.ClientError):
        err = e.response.get("Error", {}) or {}
        meta = e.response.get("ResponseMetadata", {}) or {}
        return {
            "kind": "api",
            "code": str(err.get("Code", "")),
            # A modeled exception class (client.exceptions.ResourceNotFoundFault ...)
            # rather than the plain ClientError botocore raises for unknown codes.
            "typed": cls is not botocore.exceptions.ClientError,
            "message": str(err.get("Message", "")),
            "httpStatus": meta.get("HTTPStatusCode"),
            "detail": f"client.exceptions.{cls.__name__}: {e}" if cls is not botocore.exceptions.ClientError else detail,
        }
    if isinstance(e, botocore.parsers.ResponseParserError):
        return {"kind": "deserialization", "message": str(e), "detail": detail}
    if isinstance(e, TRANSPORT):
        return {"kind": "transport", "message": str(e), "detail": detail}
    if raised_in_parser(e):
        return {"kind": "other",
                "message": f"{cls.__name__} raised inside botocore.parsers while parsing the response "
                           f"(not a botocore error: no ResponseParserError): {e}",
                "detail": detail + "\n" + "".join(traceback.format_tb(e.__traceback__)[-3:])}
    return {"kind": "other", "code": cls.__name__, "message": str(e), "detail": detail}


def run_job(session, model, job, retries):
    op = job.get("operation", "")
    if op not in model.operation_names:
        return {"key": job.get("key"), "error": {"kind": "harness", "message":
                f"botocore {botocore.__version__} has no operation {op}: upgrade botocore"}}
    creds = job.get("credentials") or {}
    client = session.create_client(
        SERVICE,
        region_name=job.get("region") or "us-east-1",
        endpoint_url=job["endpoint"],
        aws_access_key_id=creds.get("accessKeyId"),
        aws_secret_access_key=creds.get("secretAccessKey"),
        config=botocore.config.Config(retries=dict(retries), proxies={}, connect_timeout=10, read_timeout=30),
    )
    try:
        method = getattr(client, botocore.xform_name(op))
        out = method(**(job.get("input") or {}))
        out.pop("ResponseMetadata", None)
        return {"key": job.get("key"), "output": canon(model.operation_model(op).output_shape, out)}
    except Exception as e:  # every error is an observation
        return {"key": job.get("key"), "error": describe_error(e)}
    finally:
        client.close()


def new_session():
    # The jobs carry everything: no profile, config file or environment setting may
    # change the client (the Go side also clears AWS_* from the environment).
    session = botocore.session.get_session()
    return session


def main():
    session = new_session()
    model = check_model(session)
    if "--version" in sys.argv[1:]:
        sys.stdout.write(json.dumps(header(session)) + "\n")
        return
    req = json.load(sys.stdin)
    retries = req.get("retries") or ONE_ATTEMPT
    results = [run_job(session, model, job, retries) for job in req.get("jobs") or []]
    doc = header(session)
    doc["results"] = results
    sys.stdout.write(json.dumps(doc, allow_nan=False) + "\n")


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except BaseException:  # a crash of the adapter itself: the harness broke
        sys.stderr.write("adapter.py: " + traceback.format_exc())
        sys.exit(3)
