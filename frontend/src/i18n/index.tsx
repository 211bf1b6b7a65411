import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { en, type MessageKey, type Messages } from './en';

export type { MessageKey, Messages } from './en';

/** Available catalogs; add `ko` here once `ko.ts` exists. */
const catalogs = { en } satisfies Record<string, Messages>;
export type Locale = keyof typeof catalogs;

export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

/** Looks `key` up in `messages` and fills `{name}` placeholders from `vars`. */
export function translate(messages: Messages, key: MessageKey, vars?: Vars): string {
  const template = messages[key] ?? en[key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** Whether `key` names a message (for keys built from server enums). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

interface I18n {
  locale: Locale;
  t: Translate;
}

const I18nContext = createContext<I18n>({
  locale: 'en',
  t: (key, vars) => translate(en, key, vars),
});

export function I18nProvider({ locale = 'en', children }: { locale?: Locale; children: ReactNode }) {
  const value = useMemo<I18n>(() => {
    const messages: Messages = catalogs[locale];
    return { locale, t: (key, vars) => translate(messages, key, vars) };
  }, [locale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The current locale's `t()` and locale code (for Intl formatting). */
export function useI18n(): I18n {
  return useContext(I18nContext);
}
