/** Issue codes of the api stage (rows of redemption and assignment files sent over Engage's REST API). */
export const API_CODES = {
  "api.row_invalid": {
    severity: "error",
    summary: "A row of an api input lacks a field or has a bad value (channel, GUID); it is not sent.",
  },
  "api.row_target_missing": {
    severity: "error",
    summary: "A redemption row names neither an assignment id nor externalPromotionId with contactId.",
  },
  "api.row_duplicate": {
    severity: "error",
    summary: "The same assignment twice in one input; only the first row is sent.",
  },
  "api.rejected": {
    severity: "error",
    summary:
      "Engage refused the row (400, 404 or 409 with its error code, e.g. PromotionNotFound); not retried.",
  },
  "api.assignment_not_found": {
    severity: "error",
    summary: "The contact has no active assignment of that externalPromotionId to redeem.",
  },
  "api.outcome_unknown": {
    severity: "error",
    summary:
      "A call's outcome could not be told (timeout, reset, 5xx) and could not be read back; re-run to resolve.",
  },
  "api.not_sent": {
    severity: "error",
    summary: "A row left unsent: the deadline passed or Engage stayed unavailable; a re-run sends it.",
  },
  "api.contact_refused": {
    severity: "error",
    summary:
      "api check: Engage answered a contact's read with an error (400 InvalidContactId, 404 ContactNotFound) or no list; that contact is not compared.",
  },
  "api.contact_not_read": {
    severity: "error",
    summary:
      "api check: a contact left unread (Engage unavailable after retries, or the deadline passed); not compared, a re-run reads it.",
  },
  "api.contact_not_sent": {
    severity: "warning",
    summary:
      "api check: a contact of --contacts-file with no expected assignment; whatever the API shows for it is unexpected.",
  },
  "api.check_empty": {
    severity: "warning",
    summary: "api check: no contact to check (no contactId in --expected, or an empty --contacts-file).",
  },
  "api.journal_line_invalid": {
    severity: "warning",
    summary: "A journal line that cannot be read (a torn last line after a crash); it is ignored.",
  },
} as const;
