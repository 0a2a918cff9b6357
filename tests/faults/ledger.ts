/**
 * The fault matrix's bookkeeping: one ledger per scenario counts its runs, the property
 * checks made and the violations found. The matrix file prints every ledger as one table
 * after all scenarios ran, and each scenario asserts its own violations are zero.
 */
export interface ScenarioSpec {
  id: number;
  name: string;
  /** The properties that must hold, in words (printed with the table on a violation). */
  properties: readonly string[];
}

export class Ledger {
  runs = 0;
  checks = 0;
  readonly violations: string[] = [];

  constructor(readonly spec: ScenarioSpec) {}

  /** One more run (execution, handler delivery) of this scenario. */
  ran(count = 1): void {
    this.runs += count;
  }

  /** Records one property check; a false `ok` is a violation described by `detail`. */
  check(property: string, ok: boolean, detail = ''): boolean {
    this.checks += 1;
    if (!ok) this.violations.push(`${property}${detail ? `: ${detail}` : ''}`);
    return ok;
  }
}

const ledgers: Ledger[] = [];

export const ledgerFor = (spec: ScenarioSpec): Ledger => {
  const ledger = new Ledger(spec);
  ledgers.push(ledger);
  return ledger;
};

export const matrixTable = (): string => {
  const rows = [...ledgers]
    .sort((a, b) => a.spec.id - b.spec.id)
    .map((l) => `| ${l.spec.id} | ${l.spec.name} | ${l.runs} | ${l.checks} | ${l.violations.length} |`);
  const total = ledgers.reduce(
    (t, l) => ({
      runs: t.runs + l.runs,
      checks: t.checks + l.checks,
      violations: t.violations + l.violations.length,
    }),
    { runs: 0, checks: 0, violations: 0 },
  );
  return [
    '| # | scenario | runs | properties checked | violations |',
    '|---|---|---|---|---|',
    ...rows,
    `| | **total** | ${total.runs} | ${total.checks} | ${total.violations} |`,
  ].join('\n');
};
