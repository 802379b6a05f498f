import { makeIssue, quote, type Issue } from "../core/issue.js";
import type { Location } from "../core/location.js";
import type { JsonNode } from "../read/json-parser.js";

/** One value of a Voucherify record by its dotted path (`customer.source_id`), with where it stands. */
export interface FieldValue {
  value: string;
  line?: number;
  column?: number;
}

/** A Voucherify record as read from any format: its dotted fields and its place in the file. */
export interface VoucherifyFields {
  at: Location;
  fields: ReadonlyMap<string, FieldValue>;
  /** Read problems (a CSV quote, bad bytes, a JSON line that does not parse): the record is rejected with them. */
  problems: readonly Issue[];
}

/**
 * The dotted fields this import reads; a CSV export names its columns so, and they are the
 * columns of a rejected record in the rejects file.
 */
export const VOUCHERIFY_FIELDS = [
  "id",
  "object",
  "date",
  "result",
  "status",
  "customer_id",
  "customer.id",
  "customer.source_id",
  "related_object_type",
  "related_object_id",
  "promotion_tier.id",
  "promotion_tier.campaign.id",
  "channel.channel_id",
  "channel.channel_type",
  "redemption",
] as const;

/** A successful or failed promotion-tier redemption, as far as the import needs it. */
export interface VoucherifyRedemption {
  type: "redemption";
  id: string;
  at: Location;
  date: string;
  succeeded: boolean;
  /** Its own status says it was rolled back (`ROLLED_BACK`, or rollbacks listed beside it). */
  rolledBack: boolean;
  tierId: string;
  /** The customer's keys to look up, in order: `source_id`, then Voucherify's own `cust_…` id. */
  customerKeys: string[];
  channelId: string | undefined;
  channelType: string | undefined;
  raw: Record<string, string>;
}

/** A rollback of an earlier redemption (`object: "redemption_rollback"`). */
export interface VoucherifyRollback {
  type: "rollback";
  at: Location;
  redemptionId: string;
  succeeded: boolean;
}

/** A record that cannot be used, with why. */
export interface VoucherifyRejected {
  type: "rejected";
  at: Location;
  /** The redemption id when the record had one, so a duplicate is still seen. */
  id: string | undefined;
  issues: Issue[];
  raw: Record<string, string>;
}

export type VoucherifyRecord = VoucherifyRedemption | VoucherifyRollback | VoucherifyRejected;

/** Flattens a JSON record into dotted fields; `null` counts as absent, numbers keep their text. */
export function fieldsOfJson(node: JsonNode): Map<string, FieldValue> {
  const out = new Map<string, FieldValue>();
  const walk = (n: JsonNode, path: string) => {
    switch (n.type) {
      case "object":
        for (const e of n.entries) walk(e.value, path === "" ? e.key : `${path}.${e.key}`);
        return;
      case "array":
        // the count stands for the array itself, so `related_redemptions.rollbacks` reads as "any?"
        out.set(path, { value: String(n.items.length), line: n.line, column: n.column });
        n.items.forEach((item, i) => walk(item, `${path}.${i}`));
        return;
      case "string":
        out.set(path, { value: n.value, line: n.line, column: n.column });
        return;
      case "number":
        out.set(path, { value: n.raw, line: n.line, column: n.column });
        return;
      case "boolean":
        out.set(path, { value: String(n.value), line: n.line, column: n.column });
        return;
      case "null":
        return;
    }
  };
  walk(node, "");
  return out;
}

/** An ISO 8601 date-time with an offset, as Voucherify writes `date` (`2024-01-15T10:20:30.123Z`). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const RESULTS: Record<string, boolean> = { SUCCESS: true, FAILURE: false };
/** The newer `status` field: it also tells a rollback. */
const STATUSES: Record<string, { succeeded: boolean; rolledBack: boolean }> = {
  SUCCEEDED: { succeeded: true, rolledBack: false },
  FAILED: { succeeded: false, rolledBack: false },
  ROLLED_BACK: { succeeded: true, rolledBack: true },
};

/** Turns one record's fields into a redemption, a rollback, or a rejected record with its issues. */
export function interpretRecord(record: VoucherifyFields): VoucherifyRecord {
  const { at, fields } = record;
  const raw: Record<string, string> = {};
  for (const name of VOUCHERIFY_FIELDS) {
    const v = fields.get(name);
    if (v !== undefined) raw[name] = v.value;
  }
  const text = (name: string): string | undefined => {
    const v = fields.get(name)?.value;
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const where = (name: string): Location => {
    const v = fields.get(name);
    const loc: Location = { ...at, field: name };
    if (v?.line !== undefined) loc.line = v.line;
    if (v?.column !== undefined) loc.column = v.column;
    return loc;
  };
  const id = text("id");
  const reject = (issues: Issue[]): VoucherifyRejected => ({ type: "rejected", at, id, issues, raw });
  if (record.problems.length > 0) return reject([...record.problems]);

  const object = text("object");
  if (object === "redemption_rollback") {
    const redemptionId = text("redemption");
    if (redemptionId === undefined)
      return reject([
        makeIssue(
          "import.field_missing",
          "redemption: expected the id of the redemption this rollback undoes (r_…), got nothing",
          where("redemption"),
        ),
      ]);
    // a rollback that failed undid nothing
    const result = text("result") ?? text("status");
    const succeeded = result === undefined || result === "SUCCESS" || result === "SUCCEEDED";
    return { type: "rollback", at, redemptionId, succeeded };
  }
  if (object !== undefined && object !== "redemption")
    return reject([
      makeIssue(
        "import.not_a_redemption",
        `object: expected "redemption" or "redemption_rollback", got ${quote(object)}`,
        where("object"),
      ),
    ]);

  const issues: Issue[] = [];
  if (id === undefined)
    issues.push(
      makeIssue("import.field_missing", "id: expected the redemption's id (r_…), got nothing", where("id")),
    );
  const relatedType = text("related_object_type");
  if (relatedType !== undefined && relatedType !== "promotion_tier")
    return reject([
      makeIssue(
        "import.not_promotion_tier",
        `related_object_type: expected "promotion_tier", got ${quote(relatedType)}; only promotion-tier redemptions are imported`,
        where("related_object_type"),
      ),
    ]);

  let succeeded: boolean | undefined;
  let rolledBack = false;
  const result = text("result");
  const status = text("status");
  if (result !== undefined) {
    succeeded = RESULTS[result];
    if (succeeded === undefined)
      issues.push(
        makeIssue(
          "import.invalid_value",
          `result: expected SUCCESS or FAILURE, got ${quote(result)}`,
          where("result"),
        ),
      );
  }
  if (status !== undefined) {
    const s = STATUSES[status];
    if (s === undefined)
      issues.push(
        makeIssue(
          "import.invalid_value",
          `status: expected SUCCEEDED, FAILED or ROLLED_BACK, got ${quote(status)}`,
          where("status"),
        ),
      );
    else {
      succeeded ??= s.succeeded;
      rolledBack = s.rolledBack;
    }
  }
  if (result === undefined && status === undefined)
    issues.push(
      makeIssue("import.field_missing", "result: expected SUCCESS or FAILURE, got nothing", where("result")),
    );
  if (Number(text("related_redemptions.rollbacks") ?? "0") > 0) rolledBack = true;

  const tierFromObject = text("promotion_tier.id");
  const tierFromRelated = text("related_object_id");
  if (tierFromObject !== undefined && tierFromRelated !== undefined && tierFromObject !== tierFromRelated)
    issues.push(
      makeIssue(
        "import.invalid_value",
        `promotion_tier.id: expected the same tier as related_object_id (${quote(tierFromRelated)}), got ${quote(tierFromObject)}`,
        where("promotion_tier.id"),
      ),
    );
  // a failed redemption is skipped whatever else it lacks
  if (succeeded === false && issues.length === 0)
    return {
      type: "redemption",
      id: id!,
      at,
      date: text("date") ?? "",
      succeeded: false,
      rolledBack,
      tierId: tierFromObject ?? tierFromRelated ?? "",
      customerKeys: [],
      channelId: text("channel.channel_id"),
      channelType: text("channel.channel_type"),
      raw,
    };

  const date = text("date");
  if (date === undefined)
    issues.push(
      makeIssue("import.field_missing", "date: expected when it was redeemed, got nothing", where("date")),
    );
  else if (!ISO_DATE_TIME.test(date))
    issues.push(
      makeIssue(
        "import.invalid_value",
        `date: expected an ISO 8601 date-time with an offset like 2024-01-15T10:20:30.000Z, got ${quote(date)}`,
        where("date"),
      ),
    );
  const tierId = tierFromObject ?? tierFromRelated;
  if (tierId === undefined)
    issues.push(
      makeIssue(
        "import.field_missing",
        "related_object_id: expected the promotion tier redeemed (promo_…), got nothing",
        where("related_object_id"),
      ),
    );
  const customerKeys = [text("customer.source_id"), text("customer_id") ?? text("customer.id")].filter(
    (k): k is string => k !== undefined,
  );
  if (customerKeys.length === 0)
    issues.push(
      makeIssue(
        "import.field_missing",
        "customer.source_id: expected the customer who redeemed (customer.source_id or customer_id), got nothing",
        where("customer.source_id"),
      ),
    );
  if (issues.length > 0) return reject(issues);
  return {
    type: "redemption",
    id: id!,
    at,
    date: date!,
    succeeded: succeeded!,
    rolledBack,
    tierId: tierId!,
    customerKeys,
    channelId: text("channel.channel_id"),
    channelType: text("channel.channel_type"),
    raw,
  };
}
