/**
 * The checks of a config that depend on the date (a cron whose last year has passed, the
 * daylight-saving gaps of the next two years) and the warnings (valid, but probably not what
 * was meant). `config validate` and packaging run them; the deployed functions do not (a
 * policy must not start failing at run time because a date passed).
 */

import { fireTimes, parseSchedulerCron, skippedTimes } from '@shipyard/aws-cron';
import { DateTime } from 'luxon';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { documentOf, locate, parseConfig } from './load.ts';
import type { ShipyardConfig } from './schema.ts';

/** How far ahead daylight-saving gaps are named. */
const DST_WARNING_YEARS = 2;

interface Finding {
  path: (string | number)[];
  message: string;
}

const pathText = (path: readonly (string | number)[]): string =>
  path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key),
    '',
  );

const scheduleFindings = (config: ShipyardConfig, now: number) => {
  const problems: Finding[] = [];
  const warnings: Finding[] = [];
  config.backupPolicies.forEach((policy, index) => {
    const parsed = parseSchedulerCron(policy.schedule.cron);
    if (!parsed.ok) return;
    const zone = policy.schedule.timeZone;
    const path = ['backupPolicies', index, 'schedule', 'cron'];
    if (fireTimes(parsed.cron, zone, now, { max: 1 }).length === 0) {
      problems.push({
        path,
        message: `cron: fires no more after ${DateTime.fromMillis(now, { zone }).toISODate()} in ${zone}: expected a schedule with runs to come (check the year field)`,
      });
      return;
    }
    const until = DateTime.fromMillis(now, { zone }).plus({ years: DST_WARNING_YEARS }).toMillis();
    const skipped = skippedTimes(parsed.cron, zone, now, until);
    if (skipped.length > 0) {
      const times = [...new Set(skipped.map((s) => s.time))].join(', ');
      warnings.push({
        path,
        message: `${times} does not exist in ${zone} on ${skipped.map((s) => s.date).join(', ')} (clocks spring forward): EventBridge Scheduler skips the run those nights; choose a time outside the daylight-saving change to back up every night`,
      });
    }
  });
  return { problems, warnings };
};

const publicWarnings = (config: ShipyardConfig): Finding[] =>
  config.backupPolicies.flatMap((policy, index) =>
    policy.share.public
      ? [
          {
            path: ['backupPolicies', index, 'share', 'public'],
            message:
              'makes every backup AMI of this policy public: any AWS account can launch it and read its disks (AMIs with encrypted snapshots cannot be made public and will fail to share)',
          },
        ]
      : [],
  );

/** Two sites on one bucket whose key prefixes overlap: a change under both is invalidated twice. */
const overlapWarnings = (config: ShipyardConfig): Finding[] => {
  const out: Finding[] = [];
  config.sites.forEach((site, j) => {
    config.sites.slice(0, j).forEach((other, i) => {
      const overlaps =
        site.keyPrefix.startsWith(other.keyPrefix) || other.keyPrefix.startsWith(site.keyPrefix);
      if (site.bucket !== other.bucket || !overlaps) return;
      out.push({
        path: ['sites', j, 'keyPrefix'],
        message: `claims the same objects as sites[${i}] (${other.name}): both use bucket ${site.bucket} and key prefix "${site.keyPrefix}" overlaps "${other.keyPrefix}", so a change there is invalidated by both sites`,
      });
    });
  });
  return out;
};

interface ConfigReview {
  problems: Finding[];
  warnings: Finding[];
}

/**
 * The date-dependent problems and the warnings of a parsed config.
 *
 * @example
 * reviewConfig(config, Date.parse('2026-12-01T00:00:00Z')).warnings[0]?.message;
 * // '02:30 does not exist in Europe/Berlin on 2027-03-28, 2028-03-26 (clocks spring forward): …'
 */
function reviewConfig(config: ShipyardConfig, now: number): ConfigReview {
  const schedules = scheduleFindings(config, now);
  return {
    problems: schedules.problems,
    warnings: [...schedules.warnings, ...publicWarnings(config), ...overlapWarnings(config)],
  };
}

/**
 * Everything `config validate` and packaging check: the schema, then the review. Throws
 * ConfigError with every problem (path and line); returns the config and its warnings.
 *
 * @example
 * const { config, warnings } = validateConfigText(text, 'config/shipyard.dev.yml', Date.now());
 */
export function validateConfigText(
  text: string,
  source: string,
  now: number,
): { config: ShipyardConfig; warnings: ConfigProblem[] } {
  const config = parseConfig(text, source);
  const review = reviewConfig(config, now);
  const { doc, lineCounter } = documentOf(text);
  const located = (finding: Finding): ConfigProblem => {
    const at = locate(doc, lineCounter, finding.path);
    return { path: pathText(finding.path), message: finding.message, line: at?.line, column: at?.col };
  };
  if (review.problems.length > 0) throw new ConfigError(source, review.problems.map(located));
  return { config, warnings: review.warnings.map(located) };
}
