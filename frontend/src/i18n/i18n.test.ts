import { describe, expect, it } from 'vitest';
import { en } from './en';
import { isMessageKey, translate } from './index';

describe('translate', () => {
  it('returns the English message for a key', () => {
    expect(translate(en, 'signIn.submit')).toBe('Sign in');
  });

  it('fills {placeholders} from the variables', () => {
    expect(translate(en, 'explorer.itemCount', { count: 12 })).toBe('12 items');
    expect(translate(en, 'history.by', { actor: 'engineer' })).toBe('by engineer');
  });

  it('leaves a placeholder without a variable as it is', () => {
    expect(translate(en, 'explorer.revision')).toBe('Revision {code}');
    expect(translate(en, 'explorer.revision', { other: 'x' })).toBe('Revision {code}');
  });

  it('falls back to English for a message a catalog lacks', () => {
    const partial = { ...en, 'signIn.submit': '로그인' } as Record<keyof typeof en, string>;
    delete (partial as Partial<typeof partial>)['nav.explorer'];
    expect(translate(partial, 'signIn.submit')).toBe('로그인');
    expect(translate(partial, 'nav.explorer')).toBe('Explorer');
  });

  it('knows which keys exist, for keys built from server enums', () => {
    expect(isMessageKey('history.APPROVED')).toBe(true);
    expect(isMessageKey('history.SOMETHING_NEW')).toBe(false);
    expect(isMessageKey('toString')).toBe(false);
  });

  it('has a label for every routing status and role', () => {
    for (const status of ['DRAFT', 'PENDING_APPROVAL', 'APPROVED', 'REJECTED']) {
      expect(isMessageKey(`status.${status}`)).toBe(true);
    }
    for (const role of ['ENGINEER', 'APPROVER', 'ADMIN', 'AUDITOR', 'AGENT']) {
      expect(isMessageKey(`role.${role}`)).toBe(true);
    }
  });
});

describe('the English catalog', () => {
  it('defines every key in exactly one area file', async () => {
    const { areas } = await import('./en');
    const owners = new Map<string, string[]>();
    for (const [area, messages] of Object.entries(areas)) {
      for (const key of Object.keys(messages)) owners.set(key, [...(owners.get(key) ?? []), area]);
    }
    const twice = [...owners].filter(([, names]) => names.length > 1);
    expect(twice).toEqual([]);
  });
});
