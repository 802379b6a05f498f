import { EngageError } from "../../core/errors.js";
import { DIFF_FORMATS } from "../../diff/format-report.js";
import { defineCommand } from "../command.js";
import { INPUT_OPTIONS } from "../input-options.js";
import { API_OPTIONS } from "./api-options.js";

/** The `api` actions; each lives in its own module, loaded when named. */
const ACTIONS = {
  redeem: async () => (await import("./api-redeem.js")).runApiRedeem,
  assign: async () => (await import("./api-assign.js")).runApiAssign,
  check: async () => (await import("./api-check.js")).runApiCheck,
} as const;

export const apiCommand = defineCommand({
  command: "api <action> [input]",
  describe:
    "Engage's REST API: redeem assignments in bulk (journalled), assign promotions, check contacts against what was sent",
  positionals: {
    action: { type: "string", choices: Object.keys(ACTIONS), describe: "redeem | assign | check" },
    input: { type: "string", describe: "redeem, assign: the rows to send (CSV, JSON or NDJSON)" },
  },
  options: {
    ...API_OPTIONS,
    journal: { type: "string", describe: "Journal file (default: <input>.journal.ndjson beside the input)" },
    format: {
      type: "string",
      choices: [...DIFF_FORMATS],
      describe:
        "redeem, assign: how issues are shown (text | json, default text); check: the report's format (default: from the --out extension, else text)",
    },
    expected: {
      type: "string",
      array: true,
      describe: "check: what was sent: render folders, manifest.json files or input files; older runs first",
    },
    contacts: {
      type: "string",
      describe: "check: how many contacts sent to draw at random and read (default 100)",
    },
    seed: {
      type: "string",
      describe: "check: the seed of the random sample (default 1: the same sample every run)",
    },
    "contacts-file": {
      type: "string",
      describe: "check: read these contacts instead: one contactId a line, or CSV with a contactId column",
    },
    timestamp: {
      type: "string",
      describe: "check: the check time (ISO 8601) that decides what has started or ended (default: now)",
    },
    out: { type: "string", describe: "check: write the report to this file (default: stdout)" },
    "fail-on-diff": {
      type: "boolean",
      describe: "check: exit 1 when anything is missing, mismatched or unexpected",
    },
    profile: INPUT_OPTIONS.profile,
    kind: INPUT_OPTIONS.kind,
    columns: INPUT_OPTIONS.columns,
    timezone: INPUT_OPTIONS.timezone,
    encoding: INPUT_OPTIONS.encoding,
    "max-field-bytes": INPUT_OPTIONS["max-field-bytes"],
  },
  examples: [
    [
      "engage-promo api redeem history.csv --api-url https://acme.voyado.com",
      "Redeem the assignments listed, journalled beside the file",
    ],
    [
      "engage-promo api assign urgent.csv --api-url https://acme.voyado.com",
      "Assign promotions to contacts now",
    ],
    [
      "engage-promo api check --expected out/2026-03-01 --contacts 50 --api-url https://acme.voyado.com",
      "Read 50 contacts sent and reconcile what Engage shows with the render",
    ],
  ],
  issuesFormatOption: "format",
  async run(args, ctx) {
    const name = String(args.action);
    const action = ACTIONS[name as keyof typeof ACTIONS];
    if (action === undefined) throw new EngageError("usage", "cli.usage", `unknown api action ${name}`);
    const input = typeof args.input === "string" && args.input !== "" ? args.input : undefined;
    if (name === "check" && input !== undefined)
      throw new EngageError(
        "usage",
        "cli.usage",
        `api check takes no input file (got ${JSON.stringify(input)}): give what was sent with --expected`,
      );
    if (name !== "check") {
      if (input === undefined)
        throw new EngageError(
          "usage",
          "cli.usage",
          `api ${name}: expected the input file (CSV, JSON or NDJSON)`,
        );
      if (args.format === "csv" || args.format === "html")
        throw new EngageError(
          "usage",
          "cli.invalid_value",
          `--format: api ${name} shows issues as text or json, got ${args.format}`,
        );
    }
    return (await action())(args as Record<string, unknown>, ctx);
  },
});
