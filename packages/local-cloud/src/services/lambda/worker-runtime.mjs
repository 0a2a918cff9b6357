// The Lambda runtime of the local cloud, one per worker thread: the execution environments of
// one function, each a module instance of its bundle.
// Plain JS so it loads without a TypeScript loader in the worker.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

// Functions see the local cloud's simulated time, so a retention rule evaluated "weeks
// later" in a rehearsal sees those weeks. Re-anchored on every invocation.
const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);
let anchor = { sim: realNow(), real: realNow(), speed: 1 };
const simNow = () => Math.floor(anchor.sim + (realNow() - anchor.real) * anchor.speed);
class SimulatedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(simNow());
    else super(...args);
  }
  static now() {
    return simNow();
  }
}
if (workerData.simulatedClock) globalThis.Date = SimulatedDate;

const EXTENSIONS = ['.js', '.mjs', '.cjs'];

/** "dir/file.export" → the module file and the export name, as the Node.js runtime resolves them. */
const resolveHandler = (root, handler) => {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0)
    return { error: ['Runtime.MalformedHandlerName', `Bad handler ${handler}: missing module part`] };
  const modulePath = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  for (const ext of EXTENSIONS) {
    const file = join(root, modulePath + ext);
    if (existsSync(file)) return { file, exportName };
  }
  return { error: ['Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`] };
};

// One module instance per environment this thread hosts: the same file under a distinct URL
// is a separate module record with its own module scope (what Lambda keeps per environment).
const instances = new Map();
const importHandler = async (environment) => {
  const resolved = resolveHandler(workerData.root, workerData.handler);
  if (resolved.error) return { error: resolved.error };
  try {
    const url = pathToFileURL(resolved.file);
    if (environment > 0) url.search = `environment=${environment}`;
    const mod = await import(url.href);
    const fn = mod[resolved.exportName] ?? mod.default?.[resolved.exportName];
    return typeof fn === 'function'
      ? { fn }
      : { error: ['Runtime.HandlerNotFound', `${workerData.handler} is undefined or not exported`] };
  } catch (error) {
    return { error: ['Runtime.ImportModuleError', `${error?.name ?? 'Error'}: ${error?.message ?? error}`] };
  }
};
const load = (environment) => {
  let loaded = instances.get(environment);
  if (!loaded) {
    loaded = importHandler(environment);
    instances.set(environment, loaded);
  }
  return loaded;
};

const describeError = (error) =>
  error instanceof Error
    ? {
        errorType: error.name || 'Error',
        errorMessage: error.message,
        trace: (error.stack ?? '').split('\n'),
      }
    : { errorType: typeof error, errorMessage: String(error), trace: [] };

const callHandler = (fn, event, context) =>
  new Promise((resolve, reject) => {
    // Callback-style handlers take three parameters; async ones return a promise.
    if (fn.length >= 3) {
      fn(event, context, (error, result) => (error ? reject(error) : resolve(result)));
      return;
    }
    Promise.resolve()
      .then(() => fn(event, context))
      .then(resolve, reject);
  });

process.on('unhandledRejection', (reason) => {
  const { errorMessage, trace } = describeError(reason);
  parentPort.postMessage({
    kind: 'crash',
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage,
    trace,
  });
});

parentPort.on('message', async (message) => {
  anchor = message.clock;
  const { error, fn } = await load(message.environment);
  if (error) {
    parentPort.postMessage({
      id: message.id,
      ok: false,
      fatal: true,
      errorType: error[0],
      errorMessage: error[1],
      trace: [],
    });
    return;
  }
  const deadline = message.deadline;
  const context = {
    ...message.context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - realNow()),
  };
  try {
    const result = await callHandler(fn, message.event, context);
    parentPort.postMessage({ id: message.id, ok: true, payload: JSON.stringify(result ?? null) });
  } catch (thrown) {
    parentPort.postMessage({ id: message.id, ok: false, ...describeError(thrown) });
  }
});
