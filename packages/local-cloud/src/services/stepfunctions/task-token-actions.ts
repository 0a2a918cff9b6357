import { z } from 'zod';
import { parse, type StatesAction } from './action-support.ts';
import { sendTaskFailure, sendTaskHeartbeat, sendTaskSuccess } from './task-tokens.ts';

/** Shapes of botocore stepfunctions SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat. */
const TaskToken = z.string().min(1).max(2048);
const SuccessInput = z.object({ taskToken: TaskToken, output: z.string().max(262_144) });
const FailureInput = z.object({
  taskToken: TaskToken,
  error: z.string().max(256).optional(),
  cause: z.string().max(32_768).optional(),
});

export const TASK_TOKEN_ACTIONS: Record<string, StatesAction> = {
  SendTaskSuccess: ({ cloud, input }) => {
    const body = parse(SuccessInput, input);
    sendTaskSuccess(cloud, body.taskToken, body.output);
    return {};
  },
  SendTaskFailure: ({ cloud, input }) => {
    const body = parse(FailureInput, input);
    sendTaskFailure(cloud, body.taskToken, body);
    return {};
  },
  SendTaskHeartbeat: ({ cloud, input }) => {
    sendTaskHeartbeat(cloud, parse(z.object({ taskToken: TaskToken }), input).taskToken);
    return {};
  },
};
