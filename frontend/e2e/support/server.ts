// `mcms serve` as a child process: a free port, a fresh MCMS_DATA_DIR (SQLite),
// AV off, and the built SPA from backend/mcms/web/static. `kill()` and
// `start()` again keep the port and the data, like a crash and a restart.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { MCMS, STATIC_DIR } from './paths';
import { makeTempDir, removeTempDir, runOrThrow, spawnTracked, stopChild } from './processes';

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface E2eUser {
  username: string;
  password: string;
  role: 'ENGINEER' | 'APPROVER' | 'ADMIN' | 'AUDITOR' | 'AGENT';
  displayName: string;
}

/** The people every server of the run gets (passwords long enough for any policy). */
export const USERS = {
  engineer: { username: 'erin', password: 'erin-e2e-password', role: 'ENGINEER', displayName: 'Erin Engineer' },
  approver: { username: 'alex', password: 'alex-e2e-password', role: 'APPROVER', displayName: 'Alex Approver' },
  admin: { username: 'ada', password: 'ada-e2e-password', role: 'ADMIN', displayName: 'Ada Admin' },
} as const satisfies Record<string, E2eUser>;

export const AGENT_USERNAME = 'e2e-agent';

export class McmsServer {
  readonly dataDir: string;
  readonly logFile: string;
  private process: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly name: string,
    private readonly extraEnv: Record<string, string>,
  ) {
    this.dataDir = makeTempDir(name);
    this.logFile = path.join(this.dataDir, 'server.log');
  }

  /** A server with its own port and data directory, not started yet. */
  static async create(name: string, extraEnv: Record<string, string> = {}): Promise<McmsServer> {
    if (!fs.existsSync(path.join(STATIC_DIR, 'index.html'))) {
      throw new Error(`No built SPA in ${STATIC_DIR}: run \`npm run build\` first (\`make e2e\` does).`);
    }
    if (!fs.existsSync(MCMS)) throw new Error(`${MCMS} is missing: run \`make install\` first.`);
    return new McmsServer(await freePort(), name, extraEnv);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      MCMS_CONFIG: '/nonexistent/mcms.toml', // never a developer's ./mcms.toml
      MCMS_DATA_DIR: this.dataDir,
      MCMS_DATABASE_URL: '',
      MCMS_PORT: String(this.port),
      MCMS_HOST: '127.0.0.1',
      MCMS_AV: 'none',
      MCMS_LOG_JSON: 'false',
      MCMS_ENVIRONMENT: 'development',
      MCMS_DEMO: 'false',
      ...this.extraEnv,
    };
  }

  /** `mcms <args>` against this server's database (the CLI migrates it if needed). */
  cli(...args: string[]): string {
    return runOrThrow(MCMS, args, this.env);
  }

  createUser(user: E2eUser): void {
    this.cli('user', 'create', user.username, '--role', user.role, '--password', user.password, '--display-name', user.displayName);
  }

  /** A new API token for `username` (the CLI prints it last, once). */
  createToken(username: string, name: string): string {
    const out = this.cli('token', 'create', '--user', username, '--name', name).trim().split('\n');
    const token = out[out.length - 1]?.trim();
    if (!token?.startsWith('mcms_')) throw new Error(`unexpected token output: ${out.join('\n')}`);
    return token;
  }

  get running(): boolean {
    return this.process !== null && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Starts (or restarts, same port and data) and waits until /healthz answers. */
  async start(): Promise<void> {
    if (this.running) throw new Error('already running');
    const child = spawnTracked(MCMS, ['serve', '--port', String(this.port)], this.logFile, { env: this.env });
    this.process = child;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`mcms serve exited (${child.exitCode ?? child.signalCode}):\n${this.logTail()}`);
      try {
        const response = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`mcms serve did not come up in 30 s:\n${this.logTail()}`);
  }

  /** A crash: SIGKILL, no shutdown at all. */
  async kill(): Promise<void> {
    if (this.process) await stopChild(this.process, 'SIGKILL');
  }

  async stop(): Promise<void> {
    if (this.process) await stopChild(this.process, 'SIGTERM', 10_000);
  }

  logTail(chars = 4000): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').slice(-chars);
    } catch {
      return '';
    }
  }

  /** Stops it, keeps its log in `keepLogIn` (if given), removes its data. */
  async dispose(keepLogIn?: string): Promise<void> {
    await this.stop();
    if (keepLogIn && fs.existsSync(this.logFile)) {
      fs.mkdirSync(keepLogIn, { recursive: true });
      fs.copyFileSync(this.logFile, path.join(keepLogIn, `${this.name}-server.log`));
    }
    removeTempDir(this.dataDir);
  }
}
