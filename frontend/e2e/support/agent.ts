// The reference add-in agent (`mcms addin-agent`) as a child process, running a
// tiny generator in place of ESPRIT: it writes one NC program and exits 0.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MCMS, PYTHON } from './paths';
import { makeTempDir, removeTempDir, spawnTracked, stopChild } from './processes';

const GENERATOR = `"""Stands in for ESPRIT: JOB_FILE OUTPUT_DIR -> one NC program."""
import json, sys
from pathlib import Path

job_file, outputs = sys.argv[-2:]
job = json.loads(Path(job_file).read_text())
print("PROGRESS 50 toolpaths", flush=True)
Path(outputs, "O1234.nc").write_text("%\\nO1234 (E2E job " + str(job["jobId"]) + ")\\nG0 X0 Y0 Z50.\\nM30\\n%\\n")
print("Generated O1234.nc", flush=True)
`;

export class AgentProcess {
  readonly dir: string;
  readonly logFile: string;
  private process: ChildProcess | null = null;

  constructor(
    private readonly serverUrl: string,
    private readonly token: string,
    readonly agentId = 'e2e-agent-1',
  ) {
    this.dir = makeTempDir('agent');
    this.logFile = path.join(this.dir, 'agent.log');
  }

  start(): void {
    const generator = path.join(this.dir, 'generator.py');
    fs.writeFileSync(generator, GENERATOR);
    const command = `${PYTHON} ${generator}`;
    this.process = spawnTracked(
      MCMS,
      [
        'addin-agent',
        '--server', this.serverUrl,
        '--command', command,
        '--agent-id', this.agentId,
        '--work-dir', path.join(this.dir, 'work'),
        '--wait', '20',
        '--grace', '5',
      ],
      this.logFile,
      { env: { ...process.env, MCMS_CONFIG: '/nonexistent/mcms.toml', MCMS_AGENT_TOKEN: this.token } },
    );
  }

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  get running(): boolean {
    return this.process !== null && this.process.exitCode === null && this.process.signalCode === null;
  }

  async dispose(keepLogIn?: string): Promise<void> {
    if (this.process) await stopChild(this.process, 'SIGTERM', 8000);
    if (keepLogIn && fs.existsSync(this.logFile)) {
      fs.mkdirSync(keepLogIn, { recursive: true });
      fs.copyFileSync(this.logFile, path.join(keepLogIn, `${this.agentId}.log`));
    }
    removeTempDir(this.dir);
  }
}
