// English strings: files. Keys are '<area>.<name>'; see ../en.ts.
export const files = {
} as const;
