// Types for examples/browser/serve.mjs (imported by test/e2e).

/** `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'`: the shipped policy. */
export declare const STRICT_CSP: string;

/** `default-src 'self'; script-src 'self'`: the same without WebAssembly (the JS hasher runs). */
export declare const NO_WASM_CSP: string;

/** Maps a URL path to a file below one of the mounts, or null when it would leave them. */
export declare function resolveMounted(urlPath: string, mounts: Record<string, string>): string | null;

/** A running server. */
export interface RunningServer {
  /** Base URL, `http://localhost:<port>/`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the static server; `csp: null` sends no Content-Security-Policy. */
export declare function startServer(options: {
  root: string;
  mounts?: Record<string, string>;
  port?: number;
  host?: string;
  csp?: string | null;
  /** Adds `report-uri /csp-report` to the policy and receives each report's body. */
  onCspReport?: (body: string) => void;
}): Promise<RunningServer>;
