/** Human output by default, one JSON document with --json. */
export interface Output {
  json: boolean;
  /** The command's result: `data` as JSON, or `human()` as text. */
  result(data: unknown, human: () => string): void;
  /** Progress lines for humans (stderr, so stdout stays clean for --json). */
  progress(line: string): void;
}

export const createOutput = (json: boolean, stdout = process.stdout, stderr = process.stderr): Output => ({
  json,
  result(data, human) {
    stdout.write(`${json ? JSON.stringify(data, null, 2) : human()}\n`);
  },
  progress(line) {
    if (!json) stderr.write(`${line}\n`);
  },
});
