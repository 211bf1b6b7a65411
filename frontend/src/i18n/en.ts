// Every string the UI shows, in one place: this catalog, assembled from one
// file per area in ./en/ (so features can add strings without touching each
// other's). A translation (e.g. ko.ts) is a `Messages` object with the same
// keys; `{name}` placeholders are filled by t().
import { addin } from './en/addin';
import { admin } from './en/admin';
import { alerts } from './en/alerts';
import { approvals } from './en/approvals';
import { auth } from './en/auth';
import { common } from './en/common';
import { explorer } from './en/explorer';
import { files } from './en/files';
import { live } from './en/live';
import { routings } from './en/routings';

/** The area files, by name: the test checks that no key is defined twice. */
export const areas = { common, auth, explorer, routings, files, approvals, addin, admin, alerts, live };

export const en = {
  ...common,
  ...auth,
  ...explorer,
  ...routings,
  ...files,
  ...approvals,
  ...addin,
  ...admin,
  ...alerts,
  ...live,
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
