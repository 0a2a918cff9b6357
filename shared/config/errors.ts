export interface ConfigProblem {
  /** Dotted path into the config, e.g. `sites[0].distributionIds[1]`. */
  path: string;
  /** 1-based line and column in the file, when known. */
  line?: number;
  column?: number;
  message: string;
}

/** One problem or warning as `file:line:col path: message`. */
export const formatProblem = (source: string, p: ConfigProblem): string =>
  `${source}${p.line ? `:${p.line}:${p.column ?? 1}` : ''} ${p.path || '(root)'}: ${p.message}`;

/** The config file is invalid; `problems` lists every one found, not just the first. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
    options?: { cause?: unknown },
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems
        .map((p) => `  ${formatProblem(source, p)}`)
        .join('\n')}`,
      options,
    );
    this.name = 'ConfigError';
  }
}
