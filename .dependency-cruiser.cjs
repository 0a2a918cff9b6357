/**
 * The layer rules `npm test` enforces (README, "Layout"): the domain is pure, the services
 * reach AWS only through ports, the glue and the product never reach into the local cloud's
 * internals, and nothing imports in a cycle.
 */
const DOMAIN = '^shared/(invalidation|backup)/';
const SERVICES = '^shared/(invalidation-service|backup-service)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment:
        'An import cycle hides which module owns a concept: refused everywhere, the local cloud included, not even through types.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'The domain takes no SDK, no I/O, no logging, no adapter and no use case.',
      from: { path: DOMAIN },
      to: {
        path: [
          '^node_modules/@aws-sdk/',
          '^node_modules/@aws-lambda-powertools/',
          '^shared/(aws|logging|invalidation-service|backup-service)/',
          '^functions/',
          '^cli/',
          '^packages/local-cloud/',
        ],
      },
    },
    {
      name: 'domain-has-no-node-io',
      severity: 'error',
      from: { path: DOMAIN },
      to: {
        dependencyTypes: ['core'],
        path: '^(node:)?(fs|fs/promises|child_process|net|http|https|dns|os)$',
      },
    },
    {
      name: 'services-use-ports-not-sdk',
      severity: 'error',
      comment: 'Use cases declare ports; only shared/aws imports the AWS SDK.',
      from: { path: SERVICES },
      to: { path: ['^node_modules/@aws-sdk/', '^functions/', '^cli/', '^packages/local-cloud/'] },
    },
    {
      name: 'services-import-no-adapter',
      severity: 'error',
      comment:
        'The services declare their ports (e.g. shared/backup-service/ports/ec2.ts) and shared/aws implements them: not even a type points outward.',
      from: { path: SERVICES },
      to: { path: ['^shared/aws/', '^shared/lambda/'] },
    },
    {
      name: 'sdk-only-in-adapters',
      severity: 'error',
      comment: 'shared/aws is the only product folder that imports the AWS SDK.',
      from: { path: '^(shared|functions)/', pathNot: '^shared/aws/' },
      to: { path: '^node_modules/@aws-sdk/' },
    },
    {
      name: 'handlers-are-glue',
      severity: 'error',
      comment: 'Handlers never import the local cloud, the CLI or another handler.',
      from: { path: '^functions/([^/]+)/' },
      to: { path: ['^packages/local-cloud/', '^cli/', '^functions/(?!$1/)'] },
    },
    {
      name: 'product-stays-out-of-the-cloud',
      severity: 'error',
      comment: 'The product and its tests import only the local cloud’s public entries.',
      from: { pathNot: '^packages/local-cloud/' },
      to: { path: '^packages/local-cloud/', pathNot: '^packages/local-cloud/(src|testing)/index\\.ts$' },
    },
    {
      name: 'local-cloud-is-standalone',
      severity: 'error',
      comment: 'The local cloud models AWS; it knows nothing of the product.',
      from: { path: '^packages/local-cloud/' },
      to: { path: '^(shared|functions|cli|tests|serverless|scripts|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count as edges: the product's cycle rule sees them.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'node', 'default'] },
    exclude: { path: ['^node_modules/', '^\\.serverless/', '^\\.esbuild/', '^bench/out/'] },
  },
};
