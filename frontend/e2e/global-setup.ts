// Starts the one shared `mcms serve` of the run (fresh data dir, SQLite, AV
// off, the built SPA) with its people and an AGENT token, hands the test files
// its address, and stops it at the end. Files that need a server of their own
// (the connection test kills and restarts one) start it themselves.
import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ARTIFACTS_DIR, FIGURES_FILE } from './support/paths';
import { AGENT_USERNAME, McmsServer, USERS } from './support/server';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    agentToken: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  fs.rmSync(FIGURES_FILE, { force: true });
  for (const file of fs.readdirSync(ARTIFACTS_DIR)) {
    if (file.endsWith('.png')) fs.rmSync(path.join(ARTIFACTS_DIR, file));
  }

  const server = await McmsServer.create('shared', {
    // Quick sweeps, so a lost lease comes back fast.
    MCMS_ADDIN_SWEEP_SECONDS: '1',
  });
  try {
    for (const user of Object.values(USERS)) server.createUser(user);
    server.createUser({ username: AGENT_USERNAME, password: 'agent-e2e-password', role: 'AGENT', displayName: 'E2E agent' });
    const agentToken = server.createToken(AGENT_USERNAME, 'e2e');
    await server.start();
    project.provide('baseUrl', server.url);
    project.provide('agentToken', agentToken);
  } catch (error) {
    await server.dispose(path.join(ARTIFACTS_DIR, 'logs'));
    throw error;
  }
  return async () => {
    await server.dispose(path.join(ARTIFACTS_DIR, 'logs'));
  };
}
