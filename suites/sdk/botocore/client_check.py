#!/usr/bin/env python3
"""client_check.py: boto3 as a client of a DMS emulator with a control surface.

Drives both families (metadata model conversion and creation) through boto3 the way a
user would: start, describe with filters, the creations paginator, cancel, botocore's
own waiters, the second cancel, an unknown request, an unknown project, a denied
principal and a failed request's Error. Every fault must arrive as the right
client.exceptions.* class with HTTP 400 and a request id, and every output must fit
botocore's output shape for the operation (types, members, one member per union) and
the documented values (Status, ProgressStep, EndpointType).

Reads one JSON document from stdin:

    {"endpoint": "http://127.0.0.1:PORT", "control": "http://127.0.0.1:PORT/_dmsconform/v1/",
     "region": "us-east-1", "accessKeyId": "...", "secretAccessKey": "...",
     "deniedAccessKeyId": "...", "deniedSecretAccessKey": "...",
     "project": "dmsconform-project", "failingProject": "dmsconform-failing",
     "failMessage": "..."}

The emulator's clock must be virtual: the script moves it with POST clock/advance
(also from inside the waiters, before each of their polls), so nothing sleeps.

A JSON array of such documents checks several emulators one after another in one
process (the tests run every defect mode this way: Python and boto3 start once).

Prints one JSON document per emulator, one per line: {"boto3", "botocore", "python",
"checks": [{"name", "ok", "problems": [...]}]} and exits 0 when every check passed,
1 when one failed, 4 when boto3 is missing (then the document is {"error": "..."}),
3 when the script broke.
"""

import json
import sys
import traceback
import urllib.request
import uuid

try:
    import boto3
    import botocore
    import botocore.config
    import botocore.exceptions
except ImportError as e:
    sys.stdout.write(json.dumps({"error": f"boto3 is not importable by {sys.executable} ({e}): "
                                          f"install it with 'python3 -m pip install boto3'"}) + "\n")
    sys.exit(4)

# The documented values (the operation's reference page, dms-facts.md): open sets the
# model types as plain strings.
STATUSES = {"RECEIVED", "IN_PROGRESS", "SUCCESS", "FAILED", "CANCELING", "CANCELED"}
STEPS = {"IN_PROGRESS", "LOADING_METADATA", "COUNTING_OBJECTS", "ANALYZING", "CONVERTING", "APPLYING", "FINISHED"}
ENDPOINT_TYPES = {"SOURCE", "TARGET"}
ONE_ATTEMPT = {"total_max_attempts": 1, "mode": "standard"}

FAMILIES = {
    "conversion": {
        "start": "start_metadata_model_conversion",
        "describe": "describe_metadata_model_conversions",
        "describe_op": "DescribeMetadataModelConversions",
        "cancel": "cancel_metadata_model_conversion",
        "cancelled_waiter": "metadata_model_conversion_cancelled",
        "done_waiter": "metadata_model_converted",
    },
    "creation": {
        "start": "start_metadata_model_creation",
        "describe": "describe_metadata_model_creations",
        "describe_op": "DescribeMetadataModelCreations",
        "cancel": "cancel_metadata_model_creation",
        "cancelled_waiter": "metadata_model_creation_cancelled",
        "done_waiter": "metadata_model_created",
    },
}


class Problem(Exception):
    pass


class Checker:
    def __init__(self, cfg):
        self.cfg = cfg
        self.results = []
        self.info = self.control("GET", "info")
        step = self.info.get("stepDuration", "2s")
        self.step = step
        self.half_step = self._half(step)
        self.arns = {p["name"]: p["arn"] for p in self.info.get("projects", [])}
        session = boto3.session.Session(
            aws_access_key_id=cfg["accessKeyId"], aws_secret_access_key=cfg["secretAccessKey"],
            region_name=cfg.get("region") or "us-east-1")
        self.client = self._client(session)
        denied = boto3.session.Session(
            aws_access_key_id=cfg["deniedAccessKeyId"], aws_secret_access_key=cfg["deniedSecretAccessKey"],
            region_name=cfg.get("region") or "us-east-1")
        self.denied = self._client(denied)
        self.model = self.client.meta.service_model

    def _client(self, session):
        return session.client("dms", endpoint_url=self.cfg["endpoint"],
                              config=botocore.config.Config(retries=dict(ONE_ATTEMPT), proxies={},
                                                            connect_timeout=10, read_timeout=30))

    @staticmethod
    def _half(step):
        # Go durations such as "2s" or "500ms": half a step, in the same syntax.
        for unit, scale in (("ms", 1), ("s", 1000), ("m", 60000)):
            if step.endswith(unit) and step[: -len(unit)].replace(".", "", 1).isdigit():
                return "%dms" % max(1, int(float(step[: -len(unit)]) * scale / 2))
        return "1s"

    # --- the control surface -------------------------------------------------------
    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.cfg["control"] + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=10) as resp:
            raw = resp.read()
            return json.loads(raw) if raw else None

    def advance(self, duration=None):
        self.control("POST", "clock/advance", {"duration": duration or self.step})

    # --- checks ---------------------------------------------------------------------
    def check(self, name, fn):
        try:
            fn()
            self.results.append({"name": name, "ok": True, "problems": []})
        except Problem as p:
            self.results.append({"name": name, "ok": False, "problems": [str(p)]})
        except botocore.exceptions.ClientError as e:
            self.results.append({"name": name, "ok": False, "problems": [
                f"unexpected {type(e).__name__} (Error.Code {e.response.get('Error', {}).get('Code')!r}): {e}"]})
        except Exception as e:  # botocore's own errors (ResponseParserError, WaiterError ...) are findings too
            self.results.append({"name": name, "ok": False, "problems": [f"{type(e).__module__}.{type(e).__name__}: {e}"]})

    def call(self, client, method, **kwargs):
        out = getattr(client, method)(**kwargs)
        op = client.meta.method_to_api_mapping[method]
        problems = validate(self.model.operation_model(op).output_shape, out, "", top=True)
        rid = out.get("ResponseMetadata", {}).get("RequestId")
        if not rid:
            problems.append("no request id: ResponseMetadata.RequestId is empty (x-amzn-RequestId missing)")
        if problems:
            raise Problem(f"{op} output does not fit botocore's output shape or the documented values: " + "; ".join(problems))
        return out

    def expect_fault(self, what, fault, fn, client=None, unmodelled=None):
        """fn must raise client.exceptions.<fault> (of the client that made the call)
        with HTTP 400 and a request id; or, with unmodelled, a ClientError with that
        Error.Code, HTTP 400 and a message (a code the operation does not model, such as
        IAM's AccessDeniedException)."""
        cls = getattr((client or self.client).exceptions, fault)
        try:
            out = fn()
        except cls as e:
            meta = e.response.get("ResponseMetadata", {})
            problems = []
            if meta.get("HTTPStatusCode") != 400:
                problems.append(f"HTTP status {meta.get('HTTPStatusCode')}, want 400 (a client fault)")
            if e.response.get("Error", {}).get("Code") != fault:
                problems.append(f"Error.Code {e.response.get('Error', {}).get('Code')!r}, want {fault!r}")
            if not e.response.get("Error", {}).get("Message"):
                problems.append("no error message")
            if not meta.get("RequestId"):
                problems.append("no request id on the fault")
            if problems:
                raise Problem(f"{what}: client.exceptions.{fault} arrived, but: " + "; ".join(problems))
            return
        except botocore.exceptions.ClientError as e:
            err = e.response.get("Error", {})
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if unmodelled and err.get("Code") == unmodelled and status == 400 and err.get("Message"):
                return
            raise Problem(f"{what}: raised {type(e).__name__} (Error.Code {err.get('Code')!r}, HTTP {status}), "
                          f"not client.exceptions.{fault}")
        status = (out or {}).get("Request", {}).get("Status") if isinstance(out, dict) else None
        raise Problem(f"{what}: succeeded (Status {status!r}) instead of raising client.exceptions.{fault}")

    def describe_one(self, fam, project, rid):
        f = FAMILIES[fam]
        out = self.call(self.client, f["describe"], MigrationProjectIdentifier=project,
                        Filters=[{"Name": "request-id", "Values": [rid]}])
        reqs = out.get("Requests", [])
        ids = [r.get("RequestIdentifier") for r in reqs]
        if ids != [rid]:
            raise Problem(f"{f['describe_op']} with Filters request-id={rid} returned {len(reqs)} request(s) {ids}, want exactly that one")
        return reqs[0]

    def start(self, fam, project):
        f = FAMILIES[fam]
        kwargs = {"MigrationProjectIdentifier": project, "SelectionRules": '{"rules":[]}'}
        if fam == "creation":
            kwargs["MetadataModelName"] = "dmsconform_boto3_" + uuid.uuid4().hex[:8]
            kwargs["Properties"] = {"StatementProperties": {"Definition": "CREATE TABLE t (id int)"}}
        out = self.call(self.client, f["start"], **kwargs)
        rid = out.get("RequestIdentifier")
        if not isinstance(rid, str) or not rid:
            raise Problem(f"{f['start']} returned no RequestIdentifier: {strip(out)}")
        return rid

    def wait(self, fam, waiter_name, project, rid, advance=True):
        """botocore's own waiter, each poll preceded by half a step of virtual time."""
        f = FAMILIES[fam]
        event = f"before-call.database-migration-service.{f['describe_op']}"
        hook = lambda **_: self.advance(self.half_step)  # noqa: E731
        if advance:
            self.client.meta.events.register(event, hook)
        try:
            self.client.get_waiter(waiter_name).wait(
                MigrationProjectIdentifier=project, Filters=[{"Name": "request-id", "Values": [rid]}],
                WaiterConfig={"Delay": 0.001, "MaxAttempts": 40})
        except botocore.exceptions.WaiterError as e:
            if "terminal failure state" in str(e):
                raise
            # Say why it never got there, if the request itself tells.
            try:
                r = self.describe_one(fam, project, rid)
            except Problem as p:
                raise Problem(f"the waiter {waiter_name} failed ({e}) because {p}") from e
            raise Problem(f"the waiter {waiter_name} failed ({e}); the request is {r.get('Status')!r} after 40 polls, half a step apart") from e
        finally:
            if advance:
                self.client.meta.events.unregister(event, hook)

    def family(self, fam):
        cfg, f = self.cfg, FAMILIES[fam]
        project, failing = cfg["project"], cfg["failingProject"]
        arn = self.arns.get(project)
        state = {}

        def start_and_describe():
            rid = self.start(fam, project)
            state["rid"] = rid
            r = self.describe_one(fam, project, rid)
            if r.get("Status") not in ("RECEIVED", "IN_PROGRESS"):
                raise Problem(f"a request just started has Status {r.get('Status')!r}, want RECEIVED or IN_PROGRESS")
            if arn and r.get("MigrationProjectArn") != arn:
                raise Problem(f"MigrationProjectArn {r.get('MigrationProjectArn')!r}, want {arn!r}")
            self.advance()
            r = self.describe_one(fam, project, rid)
            if r.get("Status") != "IN_PROGRESS" or not r.get("Progress", {}).get("ProgressStep"):
                raise Problem(f"one step after the start: Status {r.get('Status')!r}, Progress {r.get('Progress')!r}; want IN_PROGRESS with a ProgressStep")
        self.check(f"{fam}: start, then describe with Filters request-id", start_and_describe)

        def denied():
            if "rid" not in state:
                raise Problem("blocked: no request was started")
            # IAM answers a denied caller with AccessDeniedException (DMS user guide);
            # the modelled AccessDeniedFault conforms too.
            self.expect_fault("cancel by the denied principal", "AccessDeniedFault",
                              lambda: self.denied_call(f["cancel"], project, state["rid"]), client=self.denied,
                              unmodelled="AccessDeniedException")
        self.check(f"{fam}: cancel by a principal denied the operation -> AccessDeniedFault", denied)

        def cancel():
            if "rid" not in state:
                raise Problem("blocked: no request was started")
            out = self.call(self.client, f["cancel"], MigrationProjectIdentifier=project, RequestIdentifier=state["rid"])
            r = out.get("Request")
            if not isinstance(r, dict):
                raise Problem(f"the cancel answered no Request: {strip(out)}")
            if r.get("RequestIdentifier") != state["rid"]:
                raise Problem(f"the cancel answered RequestIdentifier {r.get('RequestIdentifier')!r}, want the cancelled {state['rid']!r}")
            if r.get("Status") != "CANCELING":
                raise Problem(f"the cancel answered Status {r.get('Status')!r}, want CANCELING")
            if arn and r.get("MigrationProjectArn") != arn:
                raise Problem(f"the cancel answered MigrationProjectArn {r.get('MigrationProjectArn')!r}, want {arn!r}")
            state["canceled"] = True
        self.check(f"{fam}: cancel -> CANCELING", cancel)

        def waiter():
            if not state.get("canceled"):
                raise Problem("blocked: the cancel did not succeed")
            self.wait(fam, f["cancelled_waiter"], project, state["rid"])
            r = self.describe_one(fam, project, state["rid"])
            if r.get("Status") != "CANCELED":
                raise Problem(f"after the waiter {f['cancelled_waiter']}: Status {r.get('Status')!r}, want CANCELED")
        self.check(f"{fam}: waiter {f['cancelled_waiter']}", waiter)

        def second_cancel():
            if not state.get("canceled"):
                raise Problem("blocked: the cancel did not succeed")
            self.expect_fault("second cancel", "InvalidResourceStateFault",
                              lambda: self.client_call(f["cancel"], project, state["rid"]))
        self.check(f"{fam}: second cancel -> InvalidResourceStateFault", second_cancel)

        self.check(f"{fam}: cancel of an unknown request -> ResourceNotFoundFault",
                   lambda: self.expect_fault("cancel of an unknown request", "ResourceNotFoundFault",
                                             lambda: self.client_call(f["cancel"], project, str(uuid.uuid4()))))
        self.check(f"{fam}: cancel in an unknown project -> ResourceNotFoundFault",
                   lambda: self.expect_fault("cancel in an unknown project", "ResourceNotFoundFault",
                                             lambda: self.client_call(f["cancel"], "dmsconform-no-such-project-" + uuid.uuid4().hex[:6], str(uuid.uuid4()))))
        self.check(f"{fam}: describe in an unknown project -> ResourceNotFoundFault",
                   lambda: self.expect_fault("describe in an unknown project", "ResourceNotFoundFault",
                                             lambda: getattr(self.client, f["describe"])(MigrationProjectIdentifier="dmsconform-no-such-project")))

        def failed_error():
            rid = self.start(fam, failing)
            try:
                self.wait(fam, f["done_waiter"], failing, rid)
                raise Problem(f"the waiter {f['done_waiter']} succeeded for a request of {failing}, which ends FAILED")
            except botocore.exceptions.WaiterError:
                pass  # its failure state (anything else is a Problem raised by wait)
            r = self.describe_one(fam, failing, rid)
            if r.get("Status") != "FAILED":
                raise Problem(f"Status {r.get('Status')!r}, want FAILED")
            err = r.get("Error")
            want = {"defaultErrorDetails": {"Message": self.cfg.get("failMessage")}} if self.cfg.get("failMessage") else None
            if not isinstance(err, dict) or list(err) != ["defaultErrorDetails"] or not err["defaultErrorDetails"].get("Message"):
                raise Problem(f"Error of the FAILED request is {err!r}, want {{'defaultErrorDetails': {{'Message': ...}}}}")
            if want and err != want:
                raise Problem(f"Error of the FAILED request is {err!r}, want {want!r}")
        self.check(f"{fam}: waiter {f['done_waiter']} reaches its failure state; the FAILED request's Error", failed_error)

        def done():
            rid = self.start(fam, project)
            self.wait(fam, f["done_waiter"], project, rid)
            r = self.describe_one(fam, project, rid)
            # SUCCESS carries no Progress in the AWS CLI examples; FINISHED is documented.
            p = r.get("Progress")
            if r.get("Status") != "SUCCESS" or (p is not None and p.get("ProgressStep") != "FINISHED"):
                raise Problem(f"after the waiter {f['done_waiter']}: Status {r.get('Status')!r}, Progress {r.get('Progress')!r}; want SUCCESS (without Progress, or at FINISHED)")
        self.check(f"{fam}: waiter {f['done_waiter']} on a request that succeeds", done)

    def client_call(self, method, project, rid):
        return getattr(self.client, method)(MigrationProjectIdentifier=project, RequestIdentifier=rid)

    def denied_call(self, method, project, rid):
        return getattr(self.denied, method)(MigrationProjectIdentifier=project, RequestIdentifier=rid)

    def describe_filters(self):
        project = self.cfg["project"]

        def by_status():
            out = self.call(self.client, "describe_metadata_model_conversions", MigrationProjectIdentifier=project,
                            Filters=[{"Name": "status", "Values": ["CANCELED"]}])
            reqs = out.get("Requests", [])
            if not reqs:
                raise Problem("Filters status=CANCELED returned no request, though one was cancelled")
            bad = [r.get("Status") for r in reqs if r.get("Status") != "CANCELED"]
            if bad:
                raise Problem(f"Filters status=CANCELED returned requests with Status {bad}")
        self.check("conversion: describe with Filters status", by_status)

        def paginator():
            started = {self.start("creation", project) for _ in range(3)}
            pages, seen = 0, []
            for page in self.client.get_paginator("describe_metadata_model_creations").paginate(
                    MigrationProjectIdentifier=project, PaginationConfig={"PageSize": 2}):
                problems = validate(self.model.operation_model("DescribeMetadataModelCreations").output_shape, page, "", top=True)
                if problems:
                    raise Problem("a page does not fit botocore's output shape: " + "; ".join(problems))
                pages += 1
                if len(page.get("Requests", [])) > 2:
                    raise Problem(f"page {pages} holds {len(page['Requests'])} requests with MaxRecords 2")
                seen += [r.get("RequestIdentifier") for r in page.get("Requests", [])]
                if pages > 100:
                    raise Problem("the paginator did not stop after 100 pages (the Marker never ends)")
            if len(seen) != len(set(seen)):
                raise Problem(f"the paginator returned a request twice: {seen}")
            if not started <= set(seen):
                raise Problem(f"the paginator missed started requests: {sorted(started - set(seen))}")
            if pages < 2:
                raise Problem(f"{len(seen)} requests came in {pages} page(s) with PageSize 2")
        self.check("creation: the describe_metadata_model_creations paginator", paginator)

    def run(self):
        for fam in ("conversion", "creation"):
            self.family(fam)
        self.describe_filters()
        return self.results


def strip(out):
    if isinstance(out, dict):
        return {k: v for k, v in out.items() if k != "ResponseMetadata"}
    return out


def validate(shape, value, path, top=False):
    """Problems of value against botocore's output shape and the documented values."""
    problems = []
    if value is None:
        return problems
    where = path or "/"
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, want a dict ({shape.name})"]
        keys = [k for k in value if not (top and k == "ResponseMetadata")]
        for k in keys:
            if k == "SDK_UNKNOWN_MEMBER" and shape.is_tagged_union:
                problems.append(f"{where}: an unknown {shape.name} member {value[k].get('name')!r} (the model knows {', '.join(shape.members)})")
            elif k not in shape.members:
                problems.append(f"{where}/{k}: not a member of {shape.name}")
        if shape.is_tagged_union and len(keys) != 1:
            problems.append(f"{where}: a {shape.name} union with {len(keys)} members set, want exactly one")
        for k in keys:
            if k in shape.members:
                problems += validate(shape.members[k], value[k], f"{path}/{k}")
                if k == "Status" and value[k] not in STATUSES:
                    problems.append(f"{path}/Status: {value[k]!r} is not a documented Status ({', '.join(sorted(STATUSES))})")
                if k == "ProgressStep" and value[k] not in STEPS:
                    problems.append(f"{path}/ProgressStep: {value[k]!r} is not a documented ProgressStep")
                if k == "EndpointType" and value[k] not in ENDPOINT_TYPES:
                    problems.append(f"{path}/EndpointType: {value[k]!r} is not SOURCE or TARGET")
                if k == "ProgressPercent" and isinstance(value[k], (int, float)) and not 0 <= value[k] <= 100:
                    problems.append(f"{path}/ProgressPercent: {value[k]!r} is outside 0..100")
    elif t == "list":
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__}, want a list"]
        for i, item in enumerate(value):
            problems += validate(shape.member, item, f"{path}/{i}")
    elif t == "string":
        if not isinstance(value, str):
            problems.append(f"{where}: {type(value).__name__} {value!r}, want a str")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{where}: {type(value).__name__} {value!r}, want an int")
    elif t in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{where}: {type(value).__name__} {value!r}, want a float")
    elif t == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{where}: {type(value).__name__}, want a bool")
    return problems


def main():
    doc = json.load(sys.stdin)
    ok = True
    for cfg in doc if isinstance(doc, list) else [doc]:
        results = Checker(cfg).run()
        out = {"boto3": boto3.__version__, "botocore": botocore.__version__,
               "python": ".".join(str(p) for p in sys.version_info[:3]), "checks": results}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
        ok = ok and all(r["ok"] for r in results)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except BaseException:
        sys.stderr.write("client_check.py: " + traceback.format_exc())
        sys.exit(3)
