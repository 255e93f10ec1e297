/** The options every command takes (before the command name), as main.ts resolves them. */
export interface GlobalOptions {
  home: string;
  json: boolean;
  config?: string;
  target: 'local' | 'aws';
  region?: string;
  stack?: string;
  outputs?: string;
  verbose: boolean;
}
