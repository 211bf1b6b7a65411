// English strings: addin. Keys are '<area>.<name>'; see ../en.ts.
export const addin = {
} as const;
