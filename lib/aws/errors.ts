/**
 * The usual failures of a CLI driving AWS, each turned into one line that says what went wrong and
 * what to do: no credentials, an expired session, the wrong region, a stack that is not there,
 * access denied on a bucket prefix, throttling. Anything else keeps the service's own message.
 */

/** Exit code of a command that stopped waiting while the work may still finish (in AWS). */
export const EXIT_STILL_RUNNING = 3;

/** An expected failure: the CLI prints its message (no stack trace) and exits with `exitCode`. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Where a failing call was aimed, so the message can name it. */
export interface AwsCallContext {
  /** e.g. "S3 ListObjectsV2", "CloudFormation DescribeStacks". */
  action: string;
  region?: string;
  stackName?: string;
  bucket?: string;
  /** A key or a prefix in `bucket`. */
  key?: string;
}

interface SdkErrorLike {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string> };
  hostname?: string;
}

const CREDENTIALS_HELP =
  'configure credentials: `aws configure` or `aws sso login --profile P` then AWS_PROFILE=P, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

function where(ctx: AwsCallContext): string {
  if (ctx.bucket) return `s3://${ctx.bucket}/${ctx.key ?? ''}`;
  if (ctx.stackName) return `stack ${ctx.stackName}`;
  return '';
}

/** The region S3 says a bucket lives in (PermanentRedirect / AuthorizationHeaderMalformed / 301). */
function bucketRegion(e: SdkErrorLike): string | undefined {
  const header = e.$response?.headers?.['x-amz-bucket-region'];
  if (header) return header;
  const m = /expecting '([a-z0-9-]+)'/.exec(e.message ?? '') ?? /([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com/.exec(e.message ?? '');
  return m?.[1];
}

/** Turns an SDK error into a CliError with a one-line message; unknown errors keep the service's message. */
export function explainAwsError(err: unknown, ctx: AwsCallContext): CliError {
  if (err instanceof CliError) return err;
  const e = (err ?? {}) as SdkErrorLike;
  const name = e.name ?? e.Code ?? e.code ?? 'Error';
  const msg = (e.message ?? String(err)).split('\n')[0] ?? '';
  const status = e.$metadata?.httpStatusCode;
  const at = where(ctx);
  const wrap = (m: string) => new CliError(m, 1, { cause: err });

  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(msg)) {
    return wrap(`no AWS credentials found for ${ctx.action}: ${CREDENTIALS_HELP}`);
  }
  if (/^Expired(Token)?(Exception)?$/.test(name) || /token.*expired|expired.*token/i.test(msg)) {
    return wrap(`your AWS session has expired (${ctx.action}): log in again (\`aws sso login\`) or refresh the credentials`);
  }
  if (
    [
      'UnrecognizedClientException',
      'InvalidClientTokenId',
      'InvalidAccessKeyId',
      'SignatureDoesNotMatch',
      'InvalidSignatureException',
    ].includes(name)
  ) {
    return wrap(`the AWS credentials were rejected (${name}) for ${ctx.action}: ${CREDENTIALS_HELP}`);
  }
  if (/region is missing/i.test(msg) || name === 'RegionMissing') {
    return wrap('no AWS region: pass --region, set AWS_REGION, or set "region" in config/bestex.json');
  }
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || (status === 301 && ctx.bucket)) {
    const right = bucketRegion(e);
    return wrap(
      `${at || 'the bucket'} is in another region${right ? ` (${right})` : ''} than ${ctx.region ?? 'the one configured'}: pass --region ${right ?? '<region>'} (or fix "region" in config/bestex.json)`,
    );
  }
  if (/ENOTFOUND|getaddrinfo/.test(msg) || name === 'ENOTFOUND') {
    return wrap(
      `cannot reach the AWS endpoint for ${ctx.action}${ctx.region ? ` in region "${ctx.region}"` : ''} (${msg}): check the region name and the network`,
    );
  }
  if (name === 'ValidationError' && /does not exist/.test(msg) && ctx.stackName) {
    return wrap(
      `stack "${ctx.stackName}" not found in region ${ctx.region ?? '?'}: deploy it (\`npx cdk deploy\`), or pass --stack NAME / --region REGION (the stack is where config/bestex.json says)`,
    );
  }
  if (name === 'NoSuchBucket') {
    return wrap(
      `bucket ${ctx.bucket ?? '?'} does not exist (${ctx.action}): the stack outputs may be stale; re-deploy or check --outputs / --stack`,
    );
  }
  if (
    name === 'AccessDenied' ||
    name === 'AccessDeniedException' ||
    name === 'Forbidden' ||
    status === 403 ||
    /\baccess denied\b/i.test(msg)
  ) {
    return wrap(
      `access denied: ${ctx.action}${at ? ` on ${at}` : ''}${msg && !/^(access denied|forbidden|unknownerror)?$/i.test(msg) ? ` (${msg})` : ''}: ask for a role with this permission (the stack's prefix-scoped grants are in lib/constructs/), or use another AWS_PROFILE`,
    );
  }
  if (['ThrottlingException', 'TooManyRequestsException', 'SlowDown', 'Throttling', 'ThrottledException'].includes(name)) {
    return wrap(`AWS throttled ${ctx.action}: wait a minute and try again`);
  }
  if (name === 'StateMachineDoesNotExist' || name === 'ExecutionDoesNotExist') {
    return wrap(`${ctx.action}: ${msg}: the stack outputs may be stale; re-deploy (\`npx cdk deploy\`) or check --stack / --region`);
  }
  return wrap(`${ctx.action}${at ? ` on ${at}` : ''} failed: ${name}: ${msg}`);
}

/** Runs one AWS call and turns any failure into a CliError naming the call. */
export async function awsCall<T>(ctx: AwsCallContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw explainAwsError(e, ctx);
  }
}
