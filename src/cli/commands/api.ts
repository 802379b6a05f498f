import { EngageError } from "../../core/errors.js";
import { defineCommand } from "../command.js";
import { API_OPTIONS } from "./api-options.js";

/** The `api` actions; each lives in its own module, loaded when named. */
const ACTIONS = {
  redeem: async () => (await import("./api-redeem.js")).runApiRedeem,
  assign: async () => (await import("./api-assign.js")).runApiAssign,
} as const;

export const apiCommand = defineCommand({
  command: "api <action> <input>",
  describe: "Engage's REST API: redeem assignments in bulk (journalled), assign promotions",
  positionals: {
    action: { type: "string", choices: Object.keys(ACTIONS), describe: "redeem | assign" },
    input: { type: "string", describe: "The rows to send (CSV, JSON or NDJSON)" },
  },
  options: {
    ...API_OPTIONS,
    journal: { type: "string", describe: "Journal file (default: <input>.journal.ndjson beside the input)" },
    format: { type: "string", choices: ["text", "json"], default: "text", describe: "How issues are shown" },
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
  ],
  issuesFormatOption: "format",
  async run(args, ctx) {
    const action = ACTIONS[String(args.action) as keyof typeof ACTIONS];
    if (action === undefined)
      throw new EngageError("usage", "cli.usage", `unknown api action ${String(args.action)}`);
    return (await action())(args as Record<string, unknown>, ctx);
  },
});
