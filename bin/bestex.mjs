#!/usr/bin/env node
// The `bestex` CLI entry: registers tsx so the TypeScript sources run as they are (no build step).
import { register } from 'tsx/esm/api';

// The SDK's advice to move to Node 22 is for maintainers, not for someone running a review.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The functions run in process locally: keep their INFO logs off stdout (it carries --json output).
if (!process.argv.includes('--verbose')) process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

register();
await import('../lib/cli/main.ts');
