import { makeIssue, quote, type Issue } from "../core/issue.js";
import type { RawRow } from "../read/raw-row.js";
import { AssignmentInputSchema, type AssignmentInput } from "../schemas/assignment-input.js";
import type { Profile } from "../schemas/profile.js";
import type { Assignment, Promotion, RedemptionChannel } from "../schemas/promotion.js";
import { PromotionInputSchema, type PromotionInput } from "../schemas/promotion-input.js";
import { derivePromotionCodeId } from "./promotion-code.js";
import { assignmentInputOf, locateField, promotionInputOf, type ShapeContext } from "./row-input.js";
import { issuesFromZod } from "./zod-issues.js";

/** A row's own checks: the value built when it passed, and its issues (any error rejects it). */
export interface RowCheck<T> {
  value?: T;
  issues: readonly Issue[];
}

const NO_ISSUES: readonly Issue[] = Object.freeze([]);

const CHANNEL_ORDER = { POS: 0, ECOM: 1 } as const;

function toPromotion(input: PromotionInput): Promotion {
  const channels: RedemptionChannel[] = (input.redemptionChannels ?? []).map((c) => {
    const channel: RedemptionChannel = { type: c.type, valueType: c.valueType };
    if (c.value !== undefined) channel.value = c.value;
    if (c.instruction !== undefined) channel.instruction = c.instruction;
    return channel;
  });
  channels.sort((a, b) => CHANNEL_ORDER[a.type] - CHANNEL_ORDER[b.type]);
  const promotion: Promotion = {
    externalPromotionId: input.externalPromotionId,
    promotionName: input.promotionName,
    redemptionChannels: channels,
  };
  if (input.published !== undefined)
    promotion.published =
      typeof input.published === "boolean" ? input.published : input.published.toLowerCase() === "true";
  if (input.validFromDate !== undefined) promotion.validFromDate = input.validFromDate;
  if (input.validToDate !== undefined) promotion.validToDate = input.validToDate;
  if (input.presentation?.heading !== undefined) promotion.heading = input.presentation.heading;
  if (input.presentation?.description !== undefined) promotion.description = input.presentation.description;
  return promotion;
}

/** Checks a definitions row against the promotion input schema and the profile's value types. */
export function checkPromotionRow(row: RawRow, context: ShapeContext, profile: Profile): RowCheck<Promotion> {
  const input = promotionInputOf(row, context);
  const parsed = PromotionInputSchema.safeParse(input);
  const locate = (path: readonly PropertyKey[]) => locateField(row, "definitions", path, context);
  if (!parsed.success) return { issues: issuesFromZod(parsed.error.issues, input, locate) };
  const issues: Issue[] = [];
  (parsed.data.redemptionChannels ?? []).forEach((channel, index) => {
    if (!profile.valueTypes.includes(channel.valueType)) {
      const at = locate(["redemptionChannels", index, "valueType"]);
      issues.push(
        makeIssue(
          "validate.value_type_not_allowed",
          `${at.field ?? "valueType"}: expected one of ${profile.valueTypes.join(", ")} (allowed by the profile ${quote(profile.name)}), got ${quote(channel.valueType)}`,
          at,
        ),
      );
    }
  });
  if (issues.length > 0) return { issues };
  return { value: toPromotion(parsed.data), issues: NO_ISSUES };
}

function toAssignment(input: AssignmentInput): Assignment {
  const { externalPromotionId, contactId, externalContactId } = input;
  const given = input.promotionCodeId;
  const assignment: Assignment = {
    externalPromotionId,
    promotionCodeId: given ?? derivePromotionCodeId(externalPromotionId, contactId, externalContactId),
    promotionCodeDerived: given === undefined,
  };
  if (contactId !== undefined) assignment.contactId = contactId;
  if (externalContactId !== undefined) assignment.externalContactId = externalContactId;
  if (input.validFromDate !== undefined) assignment.validFromDate = input.validFromDate;
  return assignment;
}

/**
 * Checks an assignments row against the assignment input schema, then that it names a contact
 * (contactId, or the deprecated externalContactId); derives an empty promotionCodeId.
 */
export function checkAssignmentRow(row: RawRow, context: ShapeContext): RowCheck<Assignment> {
  const input = assignmentInputOf(row, context);
  const parsed = AssignmentInputSchema.safeParse(input);
  if (!parsed.success) {
    return {
      issues: issuesFromZod(parsed.error.issues, input, (path) =>
        locateField(row, "assignments", path, context),
      ),
    };
  }
  const data = parsed.data;
  if (data.contactId === undefined && data.externalContactId === undefined) {
    const at = locateField(row, "assignments", ["contactId"], context);
    return {
      issues: [
        makeIssue(
          "validate.required",
          `${at.field ?? "contactId"}: expected a contact GUID (or the deprecated externalContactId), got neither`,
          at,
        ),
      ],
    };
  }
  return { value: toAssignment(data), issues: NO_ISSUES };
}
