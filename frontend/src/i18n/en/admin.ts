// English strings: admin. Keys are '<area>.<name>'; see ../en.ts.
export const admin = {
} as const;
