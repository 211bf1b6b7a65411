// English strings: approvals. Keys are '<area>.<name>'; see ../en.ts.
export const approvals = {
} as const;
