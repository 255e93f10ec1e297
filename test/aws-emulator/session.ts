/**
 * One moto session per test file: moto_server started once, the synthesised state machines read
 * once, a temp folder; `fresh()` resets the account and provisions the stack again, and `bestex`
 * runs the real CLI against it. The fields are filled in beforeAll, so read them inside tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type CliResult, type Moto, runCli, startMoto } from './moto';
import { type Clients, clients, type Provisioned, provision, synthesisedMachines } from './stack';

export interface EmulatorSession {
  moto: Moto;
  c: Clients;
  dir: string;
  machines: ReturnType<typeof synthesisedMachines>;
  p: Provisioned;
  fresh(): Promise<void>;
  bestex(args: string[]): Promise<CliResult>;
}

export function useEmulatorSession(tmpPrefix: string): EmulatorSession {
  const s = {
    fresh: async () => {
      await s.moto.reset();
      s.p = await provision(s.c, s.dir, s.machines);
    },
    bestex: (args: string[]) => runCli(s.moto, join(s.dir, 'home'), s.p.outputsFile, args),
  } as EmulatorSession;
  beforeAll(async () => {
    s.dir = mkdtempSync(join(tmpdir(), tmpPrefix));
    s.machines = synthesisedMachines();
    s.moto = await startMoto();
    s.c = clients(s.moto);
    await s.fresh();
  });
  afterAll(async () => {
    await s.moto?.stop();
    rmSync(s.dir, { recursive: true, force: true });
  });
  return s;
}
