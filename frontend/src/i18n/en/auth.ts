// English strings: auth. Keys are '<area>.<name>'; see ../en.ts.
export const auth = {
  'signIn.title': 'Sign in to MCMS',
  'signIn.username': 'Username',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.submitting': 'Signing in…',
  'signIn.error.invalid': 'The username or password is incorrect.',
  'signIn.error.rateLimited': 'Too many attempts. Wait a moment and try again.',
  'signIn.error.missing': 'Enter your username and password.',
  'signIn.error.other': 'Sign-in failed: {message}',
} as const;
