/** `enforce`: calls signed with a role session's key are evaluated against the role's policies. */
export type IamMode = 'off' | 'enforce';
export const IAM_MODES: readonly IamMode[] = ['off', 'enforce'];
/** The environment variable `startLocalCloud` reads when no `iam` option is given. */
export const IAM_MODE_VARIABLE = 'SHIPYARD_LOCAL_IAM';
