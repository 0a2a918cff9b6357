import * as z from 'zod';
import type { LocalCloud } from '../../cloud.ts';
import {
  jsonResponse,
  type RestJsonRoute,
  restJsonErrorResponse,
  routeRestJson,
} from '../../protocol/rest-json.ts';
import type { LocalRequest, LocalService } from '../../service.ts';
import { waitForAsyncInvocations } from './async-settle.ts';
import type { LambdaCall } from './call.ts';
import { FunctionCodeError, invalidParameter } from './errors.ts';
import { EVENT_INVOKE_CONFIG_ROUTES } from './event-invoke-config.ts';
import * as esm from './event-source-mappings.ts';
import { FUNCTION_URL_PREFIX } from './function-url.ts';
import * as ops from './operations.ts';
import { registerBundleFunction } from './register.ts';
import { lambdaStore } from './store.ts';

/** method, path pattern (the function name is the one capture), operation name, handler. */
const ROUTES: RestJsonRoute<LambdaCall>[] = [
  ['POST', /^\/2015-03-31\/functions\/?$/, 'CreateFunction', ops.createFunction],
  ['GET', /^\/2015-03-31\/functions\/?$/, 'ListFunctions', ops.listFunctions],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/?$/, 'GetFunction', ops.getFunction],
  ['DELETE', /^\/2015-03-31\/functions\/([^/]+)\/?$/, 'DeleteFunction', ops.deleteFunction],
  [
    'GET',
    /^\/2015-03-31\/functions\/([^/]+)\/configuration$/,
    'GetFunctionConfiguration',
    ops.getFunctionConfiguration,
  ],
  [
    'PUT',
    /^\/2015-03-31\/functions\/([^/]+)\/configuration$/,
    'UpdateFunctionConfiguration',
    ops.updateFunctionConfiguration,
  ],
  ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/code$/, 'UpdateFunctionCode', ops.updateFunctionCode],
  ['POST', /^\/2015-03-31\/functions\/([^/]+)\/invocations$/, 'Invoke', ops.invoke],
  ['POST', /^\/2021-10-31\/functions\/([^/]+)\/url$/, 'CreateFunctionUrlConfig', ops.createFunctionUrlConfig],
  ['GET', /^\/2021-10-31\/functions\/([^/]+)\/url$/, 'GetFunctionUrlConfig', ops.getFunctionUrlConfig],
  [
    'DELETE',
    /^\/2021-10-31\/functions\/([^/]+)\/url$/,
    'DeleteFunctionUrlConfig',
    ops.deleteFunctionUrlConfig,
  ],
  [
    'POST',
    /^\/2015-03-31\/event-source-mappings\/?$/,
    'CreateEventSourceMapping',
    esm.createEventSourceMapping,
  ],
  ['GET', /^\/2015-03-31\/event-source-mappings\/?$/, 'ListEventSourceMappings', esm.listEventSourceMappings],
  [
    'GET',
    /^\/2015-03-31\/event-source-mappings\/([^/]+)$/,
    'GetEventSourceMapping',
    esm.getEventSourceMapping,
  ],
  [
    'PUT',
    /^\/2015-03-31\/event-source-mappings\/([^/]+)$/,
    'UpdateEventSourceMapping',
    esm.updateEventSourceMapping,
  ],
  [
    'DELETE',
    /^\/2015-03-31\/event-source-mappings\/([^/]+)$/,
    'DeleteEventSourceMapping',
    esm.deleteEventSourceMapping,
  ],
  ...EVENT_INVOKE_CONFIG_ROUTES,
];

const RegisterBundle = z
  .object({
    name: z.string(),
    region: z.string().optional(),
    bundle: z.string().describe('path of the deployed .mjs/.js bundle on this machine'),
    handler: z.string().optional().describe('export name, handler by default'),
    taskRoot: z
      .string()
      .optional()
      .describe('the unpacked package root (LAMBDA_TASK_ROOT); the bundle folder by default'),
    environment: z.record(z.string(), z.string()).optional(),
    timeoutSeconds: z.number().int().optional(),
    memorySize: z.number().int().optional(),
    role: z.string().optional().describe('the execution role ARN (the function calls with its role session)'),
  })
  .strict();

const AsyncWait = z.object({ stallMs: z.number().int().min(0) }).strict();

export const lambdaService: LocalService = {
  name: 'lambda',
  route(req: LocalRequest, cloud: LocalCloud) {
    if (req.rawPath.startsWith(FUNCTION_URL_PREFIX))
      return { action: 'InvokeFunctionUrl', run: () => ops.invokeFunctionUrl({ cloud, req, name: '' }) };
    return routeRestJson(ROUTES, req, (name) => ({ cloud, req, name }));
  },
  renderError: (error, req) => restJsonErrorResponse(error, req.requestId),
  control(cloud, method, subpath, body) {
    if (method === 'POST' && subpath === '/lambda/async-invocations/wait') {
      const { stallMs } = AsyncWait.parse(body ?? {});
      return waitForAsyncInvocations(cloud, stallMs).then((settled) => jsonResponse(200, settled));
    }
    if (method === 'POST' && subpath === '/lambda/functions') {
      const input = RegisterBundle.parse(body);
      try {
        return jsonResponse(200, ops.configurationOf(registerBundleFunction(cloud, input)));
      } catch (error) {
        if (error instanceof FunctionCodeError) throw invalidParameter(error.message);
        throw error;
      }
    }
    return undefined;
  },
  dump(cloud) {
    const store = lambdaStore(cloud);
    return {
      functions: [...store.functions.values()].map((fn) => ({
        ...ops.configurationOf(fn),
        code: fn.code.kind === 'bundle' ? { bundleRoot: fn.code.root } : { inline: true },
        ...(fn.url ? { functionUrl: fn.url.url } : {}),
      })),
      asyncInvocations: store.asyncInvocations,
    };
  },
};
