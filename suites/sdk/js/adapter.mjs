// adapter.mjs: replays dmsconform wire fixtures through aws-sdk-js-v3.
//
// Reads one JSON document from stdin:
//   {"jobs": [{"key", "endpoint", "region", "credentials": {"accessKeyId", "secretAccessKey"},
//              "operation", "input"}]}
// runs every job in order (one client per job, maxAttempts 1 so a job is exactly one
// HTTP exchange) and prints one JSON document to stdout:
//   {"sdk": {"name", "version"}, "node": "<process.version>",
//    "results": [{"key", "output": <decoded output>} | {"key", "error": {...}}]}
//
// The output is normalised into the SDK-neutral form the Go side compares
// (suites/sdk/canon.go): $metadata removed, non-finite doubles as the strings
// "NaN"/"Infinity"/"-Infinity", bigints as decimal strings, an unknown union member
// as {"$unknown": "<tag>"}. Nothing else is interpreted here: comparing is Go's job.
//
// Usage: node adapter.mjs < jobs.json        (node adapter.mjs --version prints the SDK)
import { readFileSync } from "node:fs";
import * as dms from "@aws-sdk/client-database-migration-service";

const SDK_NAME = "aws-sdk-js-v3";
const PKG = "@aws-sdk/client-database-migration-service";

function sdkVersion() {
  const url = new URL(`./node_modules/${PKG}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")).version;
}

// normalise turns a decoded value into plain JSON-able data.
function normalise(v) {
  if (v === null || v === undefined) return v;
  switch (typeof v) {
    case "number":
      if (Number.isNaN(v)) return "NaN";
      if (v === Infinity) return "Infinity";
      if (v === -Infinity) return "-Infinity";
      return v;
    case "bigint":
      return v.toString();
    case "string":
    case "boolean":
      return v;
    case "object":
      break;
    default:
      return String(v);
  }
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  if (Array.isArray(v)) return v.map(normalise);
  // NumericValue (bigDecimal/bigInteger from @smithy/core) carries its text in .string.
  if (v.constructor && v.constructor.name === "NumericValue" && typeof v.string === "string") return v.string;
  const out = {};
  for (const [k, val] of Object.entries(v)) {
    if (k === "$metadata") continue;
    if (val === undefined) continue;
    if (k === "$unknown") {
      // aws-sdk-js-v3 represents an unknown union member as {$unknown: [tag, value]}.
      out.$unknown = Array.isArray(val) ? val[0] : normalise(val);
      continue;
    }
    out[k] = normalise(val);
  }
  return out;
}

function describeError(e) {
  const base = dms.DatabaseMigrationServiceServiceException;
  const detail = `${e && e.constructor ? e.constructor.name : typeof e}: ${e && e.message}`;
  if (e instanceof base) {
    const cls = dms[e.name];
    const typed = typeof cls === "function" && cls !== base && e instanceof cls;
    return {
      kind: "api",
      code: e.name,
      typed,
      message: e.message,
      fault: e.$fault,
      httpStatus: e.$metadata && e.$metadata.httpStatusCode,
      detail,
    };
  }
  // A failure after a response arrived (the deserializer threw) carries the raw
  // response as a hidden $response field.
  if (e && e.$response !== undefined) {
    return { kind: "deserialization", message: String(e.message), detail };
  }
  if (e && (e.code === "ECONNREFUSED" || e.code === "ECONNRESET" || e.name === "TimeoutError" || e.$metadata === undefined && /socket|connect|ECONN/i.test(String(e.message)))) {
    return { kind: "transport", message: String(e.message), detail };
  }
  return { kind: "other", code: e && e.name, message: String(e && e.message), detail };
}

async function runJob(job) {
  const Command = dms[`${job.operation}Command`];
  if (typeof Command !== "function") {
    return { key: job.key, error: { kind: "harness", message: `${PKG} has no ${job.operation}Command: is the installed version too old? run make js-setup` } };
  }
  const client = new dms.DatabaseMigrationServiceClient({
    endpoint: job.endpoint,
    region: job.region,
    credentials: job.credentials,
    maxAttempts: 1,
  });
  try {
    const out = await client.send(new Command(job.input || {}));
    return { key: job.key, output: normalise(out) };
  } catch (e) {
    return { key: job.key, error: describeError(e) };
  } finally {
    client.destroy();
  }
}

async function main() {
  if (process.argv.includes("--version")) {
    process.stdout.write(JSON.stringify({ sdk: { name: SDK_NAME, package: PKG, version: sdkVersion() }, node: process.version }) + "\n");
    return;
  }
  const req = JSON.parse(readFileSync(0, "utf8"));
  const results = [];
  for (const job of req.jobs || []) {
    results.push(await runJob(job));
  }
  process.stdout.write(JSON.stringify({ sdk: { name: SDK_NAME, package: PKG, version: sdkVersion() }, node: process.version, results }) + "\n");
}

main().catch((e) => {
  process.stderr.write(`adapter.mjs: ${e && e.stack ? e.stack : e}\n`);
  process.exit(3);
});
