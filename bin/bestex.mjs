#!/usr/bin/env node
// The `bestex` CLI entry: registers tsx so the TypeScript sources run as they are (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../lib/cli/main.ts');
