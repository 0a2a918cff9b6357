/**
 * Git commit rules shared by every entry point that turns a commit range into a change set
 * (GitHub webhook, `shipyard notify-deploy`).
 */

/** Git's all-zero sha: GitHub's `before` of a push that created the branch, CI's "no previous deploy". */
const ZERO_SHA = /^0+$/;

/** true for the all-zero sha (`0000…`), which names no commit. */
export const isZeroSha = (sha: string): boolean => ZERO_SHA.test(sha);

/**
 * Why a range starting at `from` cannot be diffed, or undefined when it can: a first push (zero
 * `from`) has no previous commit, so what the site now serves compared with its last release is
 * unknown and the site's broad paths are invalidated instead.
 *
 * @example
 * firstPushReason('0000000000000000000000000000000000000000'); // 'branch created: no previous commit to compare with'
 */
export const firstPushReason = (from: string): string | undefined =>
  isZeroSha(from) ? 'branch created: no previous commit to compare with' : undefined;
