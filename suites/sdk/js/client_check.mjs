// client_check.mjs: aws-sdk-js-v3 as a client of a DMS emulator with a control surface.
//
// The JS twin of suites/sdk/botocore/client_check.py: drives both families (metadata
// model conversion and creation) the way a user would: start, describe with filters,
// the creations paginator, cancel, the SDK's own waiters, the second cancel, an unknown
// request, an unknown project, a denied principal and a failed request's Error. Every
// fault must arrive as the modeled exception class (instanceof) with HTTP 400 and a
// request id. The JS SDK exposes no model at run time, so every output it decoded is
// also printed ("outputs") and the Go test checks it against spec/dms.openapi.yaml
// (types, members, one member per union, the documented values).
//
// Reads the same JSON document on stdin as client_check.py (or, like it, an array of
// them: several emulators checked one after another); prints, one line per emulator,
//   {"sdk": {"name", "version"}, "node", "checks": [{"name", "ok", "problems"}],
//    "outputs": [{"operation", "check", "output"}]}
// and exits 0 when every check passed, 1 when one failed, 4 when the client is not
// installed (then {"error": "..."}), 3 when the script broke.
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";

const PKG = "@aws-sdk/client-database-migration-service";
let dms;
try {
  dms = await import(PKG);
} catch (e) {
  process.stdout.write(JSON.stringify({ error: `${PKG} is not installed (${e.message}): run make js-setup (npm ci --prefix suites/sdk/js)` }) + "\n");
  process.exit(4);
}

class Problem extends Error {}

const MAX_POLLS = 40;

const FAMILIES = {
  conversion: {
    Start: "StartMetadataModelConversion",
    Describe: "DescribeMetadataModelConversions",
    Cancel: "CancelMetadataModelConversion",
    cancelled: ["waitUntilMetadataModelConversionCancelled", "MetadataModelConversionCancelled"],
    done: ["waitUntilMetadataModelConverted", "MetadataModelConverted"],
  },
  creation: {
    Start: "StartMetadataModelCreation",
    Describe: "DescribeMetadataModelCreations",
    Cancel: "CancelMetadataModelCreation",
    cancelled: ["waitUntilMetadataModelCreationCancelled", "MetadataModelCreationCancelled"],
    done: ["waitUntilMetadataModelCreated", "MetadataModelCreated"],
  },
};

// normalise: the canonical form of suites/sdk/canon.go ($metadata dropped, an unknown
// union member as {"$unknown": tag}, non-finite doubles and bigints as strings).
function normalise(v) {
  if (v === null || v === undefined) return v;
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (v === Infinity) return "Infinity";
    if (v === -Infinity) return "-Infinity";
    return v;
  }
  if (typeof v === "bigint") return v.toString();
  if (typeof v !== "object") return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(normalise);
  const out = {};
  for (const [k, val] of Object.entries(v)) {
    if (k === "$metadata" || val === undefined) continue;
    if (k === "$unknown") {
      out.$unknown = Array.isArray(val) ? val[0] : normalise(val);
      continue;
    }
    out[k] = normalise(val);
  }
  return out;
}

class Checker {
  constructor(cfg) {
    this.cfg = cfg;
    this.results = [];
    this.outputs = [];
    this.current = "";
    this.advancing = null; // the Describe command a waiter polls: move the clock before each poll
    const mk = (id, secret) => {
      const c = new dms.DatabaseMigrationServiceClient({
        endpoint: cfg.endpoint, region: cfg.region || "us-east-1",
        credentials: { accessKeyId: id, secretAccessKey: secret }, maxAttempts: 1,
      });
      c.middlewareStack.add((next, context) => async (args) => {
        if (this.advancing && context.commandName === this.advancing + "Command") {
          await this.advance(this.halfStep);
          // Bound the waiter by polls, as boto3's MaxAttempts does, not by wall time.
          if (++this.polls >= MAX_POLLS) this.abort?.abort();
        }
        return next(args);
      }, { step: "initialize", name: "dmsconformAdvanceClock" });
      return c;
    };
    this.client = mk(cfg.accessKeyId, cfg.secretAccessKey);
    this.denied = mk(cfg.deniedAccessKeyId, cfg.deniedSecretAccessKey);
  }

  async init() {
    this.info = await this.control("GET", "info");
    this.step = this.info.stepDuration || "2s";
    const m = /^([0-9.]+)(ms|s|m)$/.exec(this.step);
    const ms = m ? parseFloat(m[1]) * { ms: 1, s: 1000, m: 60000 }[m[2]] : 2000;
    this.halfStep = `${Math.max(1, Math.floor(ms / 2))}ms`;
    this.arns = Object.fromEntries((this.info.projects || []).map((p) => [p.name, p.arn]));
  }

  async control(method, path, body) {
    const resp = await fetch(this.cfg.control + path, {
      method, headers: { "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await resp.text();
    if (!resp.ok) throw new Error(`control ${method} ${path}: ${resp.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  advance(d) {
    return this.control("POST", "clock/advance", { duration: d || this.step });
  }

  async check(name, fn) {
    this.current = name;
    try {
      await fn();
      this.results.push({ name, ok: true, problems: [] });
    } catch (e) {
      const msg = e instanceof Problem ? e.message
        : e instanceof dms.DatabaseMigrationServiceServiceException ? `unexpected ${e.name} (HTTP ${e.$metadata?.httpStatusCode}): ${e.message}`
        : `${e?.constructor?.name}: ${e?.message}`;
      this.results.push({ name, ok: false, problems: [msg] });
    }
  }

  async call(client, op, input) {
    const Command = dms[`${op}Command`];
    const out = await client.send(new Command(input));
    if (!out.$metadata?.requestId) throw new Problem(`${op}: no request id ($metadata.requestId is empty: x-amzn-RequestId missing)`);
    this.outputs.push({ operation: op, check: this.current, output: normalise(out) });
    return out;
  }

  // expectFault: fn must throw the modelled fault; or, with unmodelled, a service
  // error of that name (a code the operation does not model, such as IAM's
  // AccessDeniedException) with HTTP 400 and a message.
  async expectFault(what, fault, fn, unmodelled) {
    const cls = dms[fault];
    let out;
    try {
      out = await fn();
    } catch (e) {
      if (e instanceof cls) {
        const p = [];
        if (e.$metadata?.httpStatusCode !== 400) p.push(`HTTP status ${e.$metadata?.httpStatusCode}, want 400 (a client fault)`);
        if (e.name !== fault) p.push(`name ${e.name}, want ${fault}`);
        if (!e.message) p.push("no error message");
        if (!e.$metadata?.requestId) p.push("no request id on the fault");
        if (p.length) throw new Problem(`${what}: ${fault} arrived, but: ${p.join("; ")}`);
        return;
      }
      if (unmodelled && e?.name === unmodelled && e.$metadata?.httpStatusCode === 400 && e.message) return;
      throw new Problem(`${what}: raised ${e?.constructor?.name} (name ${e?.name}, HTTP ${e?.$metadata?.httpStatusCode}), not an instance of ${fault}`);
    }
    throw new Problem(`${what}: succeeded (Status ${JSON.stringify(out?.Request?.Status)}) instead of raising ${fault}`);
  }

  async describeOne(fam, project, rid) {
    const f = FAMILIES[fam];
    const out = await this.call(this.client, f.Describe, { MigrationProjectIdentifier: project, Filters: [{ Name: "request-id", Values: [rid] }] });
    const ids = (out.Requests || []).map((r) => r.RequestIdentifier);
    if (ids.length !== 1 || ids[0] !== rid) {
      throw new Problem(`${f.Describe} with Filters request-id=${rid} returned ${ids.length} request(s) ${JSON.stringify(ids)}, want exactly that one`);
    }
    return out.Requests[0];
  }

  async start(fam, project) {
    const f = FAMILIES[fam];
    const input = { MigrationProjectIdentifier: project, SelectionRules: '{"rules":[]}' };
    if (fam === "creation") {
      input.MetadataModelName = "dmsconform_js_" + randomUUID().slice(0, 8);
      input.Properties = { StatementProperties: { Definition: "CREATE TABLE t (id int)" } };
    }
    const out = await this.call(this.client, f.Start, input);
    if (typeof out.RequestIdentifier !== "string" || !out.RequestIdentifier) {
      throw new Problem(`${f.Start} returned no RequestIdentifier: ${JSON.stringify(normalise(out))}`);
    }
    return out.RequestIdentifier;
  }

  // wait runs the SDK's own waiter; each of its polls moves the clock half a step.
  async wait(fam, which, project, rid) {
    const f = FAMILIES[fam];
    const [fn, name] = f[which];
    this.advancing = f.Describe;
    this.polls = 0;
    this.abort = new AbortController();
    try {
      await dms[fn]({ client: this.client, maxWaitTime: 60, minDelay: 0.001, maxDelay: 0.005, abortController: this.abort },
        { MigrationProjectIdentifier: project, Filters: [{ Name: "request-id", Values: [rid] }] });
    } catch (e) {
      if (e?.name === "AbortError" || e?.name === "TimeoutError") {
        this.advancing = null;
        let r;
        try {
          r = await this.describeOne(fam, project, rid);
        } catch (p) {
          if (p instanceof Problem) throw new Problem(`the waiter ${name} gave up after ${MAX_POLLS} polls because ${p.message}`);
          throw p;
        }
        throw new Problem(`the waiter ${name} gave up: the request is ${JSON.stringify(r.Status)} after ${MAX_POLLS} polls, half a step apart`);
      }
      throw e;
    } finally {
      this.advancing = null;
      this.abort = null;
    }
  }

  async family(fam) {
    const f = FAMILIES[fam];
    const { project, failingProject: failing } = this.cfg;
    const arn = this.arns[project];
    const state = {};
    const cancelInput = (p, rid) => ({ MigrationProjectIdentifier: p, RequestIdentifier: rid });

    await this.check(`${fam}: start, then describe with Filters request-id`, async () => {
      state.rid = await this.start(fam, project);
      let r = await this.describeOne(fam, project, state.rid);
      if (!["RECEIVED", "IN_PROGRESS"].includes(r.Status)) throw new Problem(`a request just started has Status ${JSON.stringify(r.Status)}, want RECEIVED or IN_PROGRESS`);
      if (arn && r.MigrationProjectArn !== arn) throw new Problem(`MigrationProjectArn ${JSON.stringify(r.MigrationProjectArn)}, want ${JSON.stringify(arn)}`);
      await this.advance();
      r = await this.describeOne(fam, project, state.rid);
      if (r.Status !== "IN_PROGRESS" || !r.Progress?.ProgressStep) throw new Problem(`one step after the start: Status ${JSON.stringify(r.Status)}, Progress ${JSON.stringify(r.Progress)}; want IN_PROGRESS with a ProgressStep`);
    });
    await this.check(`${fam}: cancel by a principal denied the operation -> AccessDeniedFault`, async () => {
      if (!state.rid) throw new Problem("blocked: no request was started");
      // IAM answers a denied caller with AccessDeniedException (DMS user guide); the
      // modelled AccessDeniedFault conforms too.
      await this.expectFault("cancel by the denied principal", "AccessDeniedFault", () => this.denied.send(new dms[`${f.Cancel}Command`](cancelInput(project, state.rid))), "AccessDeniedException");
    });
    await this.check(`${fam}: cancel -> CANCELING`, async () => {
      if (!state.rid) throw new Problem("blocked: no request was started");
      const out = await this.call(this.client, f.Cancel, cancelInput(project, state.rid));
      const r = out.Request;
      if (!r) throw new Problem(`the cancel answered no Request: ${JSON.stringify(normalise(out))}`);
      if (r.RequestIdentifier !== state.rid) throw new Problem(`the cancel answered RequestIdentifier ${JSON.stringify(r.RequestIdentifier)}, want the cancelled ${JSON.stringify(state.rid)}`);
      if (r.Status !== "CANCELING") throw new Problem(`the cancel answered Status ${JSON.stringify(r.Status)}, want CANCELING`);
      if (arn && r.MigrationProjectArn !== arn) throw new Problem(`the cancel answered MigrationProjectArn ${JSON.stringify(r.MigrationProjectArn)}, want ${JSON.stringify(arn)}`);
      state.canceled = true;
    });
    await this.check(`${fam}: waiter ${f.cancelled[0]}`, async () => {
      if (!state.canceled) throw new Problem("blocked: the cancel did not succeed");
      await this.wait(fam, "cancelled", project, state.rid);
      const r = await this.describeOne(fam, project, state.rid);
      if (r.Status !== "CANCELED") throw new Problem(`after the waiter: Status ${JSON.stringify(r.Status)}, want CANCELED`);
    });
    await this.check(`${fam}: second cancel -> InvalidResourceStateFault`, async () => {
      if (!state.canceled) throw new Problem("blocked: the cancel did not succeed");
      await this.expectFault("second cancel", "InvalidResourceStateFault", () => this.client.send(new dms[`${f.Cancel}Command`](cancelInput(project, state.rid))));
    });
    await this.check(`${fam}: cancel of an unknown request -> ResourceNotFoundFault`, () =>
      this.expectFault("cancel of an unknown request", "ResourceNotFoundFault", () => this.client.send(new dms[`${f.Cancel}Command`](cancelInput(project, randomUUID())))));
    await this.check(`${fam}: cancel in an unknown project -> ResourceNotFoundFault`, () =>
      this.expectFault("cancel in an unknown project", "ResourceNotFoundFault", () => this.client.send(new dms[`${f.Cancel}Command`](cancelInput("dmsconform-no-such-project-" + randomUUID().slice(0, 6), randomUUID())))));
    await this.check(`${fam}: describe in an unknown project -> ResourceNotFoundFault`, () =>
      this.expectFault("describe in an unknown project", "ResourceNotFoundFault", () => this.client.send(new dms[`${f.Describe}Command`]({ MigrationProjectIdentifier: "dmsconform-no-such-project" }))));
    await this.check(`${fam}: waiter ${f.done[0]} reaches its failure state; the FAILED request's Error`, async () => {
      const rid = await this.start(fam, failing);
      let failed = false;
      try {
        await this.wait(fam, "done", failing, rid);
      } catch (e) {
        if (e instanceof Problem || !/"state":"FAILURE"/.test(String(e?.message))) throw e;
        failed = true; // the waiter's failure state (FAILED)
      }
      if (!failed) throw new Problem(`the waiter ${f.done[0]} succeeded for a request of ${failing}, which ends FAILED`);
      const r = await this.describeOne(fam, failing, rid);
      if (r.Status !== "FAILED") throw new Problem(`Status ${JSON.stringify(r.Status)}, want FAILED`);
      const err = normalise(r.Error);
      const want = { defaultErrorDetails: { Message: this.cfg.failMessage } };
      if (JSON.stringify(err) !== JSON.stringify(want)) throw new Problem(`Error of the FAILED request is ${JSON.stringify(err)}, want ${JSON.stringify(want)}`);
    });
    await this.check(`${fam}: waiter ${f.done[0]} on a request that succeeds`, async () => {
      const rid = await this.start(fam, project);
      await this.wait(fam, "done", project, rid);
      const r = await this.describeOne(fam, project, rid);
      // SUCCESS carries no Progress in the AWS CLI examples; FINISHED is documented.
      if (r.Status !== "SUCCESS" || (r.Progress && r.Progress.ProgressStep !== "FINISHED")) throw new Problem(`after the waiter: Status ${JSON.stringify(r.Status)}, Progress ${JSON.stringify(r.Progress)}; want SUCCESS (without Progress, or at FINISHED)`);
    });
  }

  async describeFilters() {
    const project = this.cfg.project;
    await this.check("conversion: describe with Filters status", async () => {
      const out = await this.call(this.client, "DescribeMetadataModelConversions", { MigrationProjectIdentifier: project, Filters: [{ Name: "status", Values: ["CANCELED"] }] });
      const reqs = out.Requests || [];
      if (!reqs.length) throw new Problem("Filters status=CANCELED returned no request, though one was cancelled");
      const bad = reqs.map((r) => r.Status).filter((s) => s !== "CANCELED");
      if (bad.length) throw new Problem(`Filters status=CANCELED returned requests with Status ${JSON.stringify(bad)}`);
    });
    await this.check("creation: the paginateDescribeMetadataModelCreations paginator", async () => {
      const started = new Set();
      for (let i = 0; i < 3; i++) started.add(await this.start("creation", project));
      let pages = 0;
      const seen = [];
      for await (const page of dms.paginateDescribeMetadataModelCreations({ client: this.client, pageSize: 2 }, { MigrationProjectIdentifier: project })) {
        pages++;
        this.outputs.push({ operation: "DescribeMetadataModelCreations", check: this.current, output: normalise(page) });
        if ((page.Requests || []).length > 2) throw new Problem(`page ${pages} holds ${page.Requests.length} requests with pageSize 2`);
        for (const r of page.Requests || []) seen.push(r.RequestIdentifier);
        if (pages > 100) throw new Problem("the paginator did not stop after 100 pages (the Marker never ends)");
      }
      if (new Set(seen).size !== seen.length) throw new Problem(`the paginator returned a request twice: ${JSON.stringify(seen)}`);
      const missing = [...started].filter((id) => !seen.includes(id));
      if (missing.length) throw new Problem(`the paginator missed started requests: ${JSON.stringify(missing)}`);
      if (pages < 2) throw new Problem(`${seen.length} requests came in ${pages} page(s) with pageSize 2`);
    });
  }

  async run() {
    await this.init();
    for (const fam of ["conversion", "creation"]) await this.family(fam);
    await this.describeFilters();
  }
}

async function main() {
  const doc = JSON.parse(readFileSync(0, "utf8"));
  const version = JSON.parse(readFileSync(new URL(`./node_modules/${PKG}/package.json`, import.meta.url), "utf8")).version;
  let ok = true;
  for (const cfg of Array.isArray(doc) ? doc : [doc]) {
    const c = new Checker(cfg);
    await c.run();
    process.stdout.write(JSON.stringify({ sdk: { name: "aws-sdk-js-v3", version }, node: process.version, checks: c.results, outputs: c.outputs }) + "\n");
    ok = ok && c.results.every((r) => r.ok);
  }
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  process.stderr.write(`client_check.mjs: ${e && e.stack ? e.stack : e}\n`);
  process.exit(3);
});
