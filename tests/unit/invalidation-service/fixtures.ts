import { type Site, type SiteInput, SiteSchema } from '../../../shared/config/sites.ts';

export const site = (input: Partial<SiteInput> & { name: string }): Site =>
  SiteSchema.parse({ bucket: 'web-bucket', distributionIds: ['E2QWRUHAPOMQZL'], ...input });

export const SITES: Site[] = [
  site({
    name: 'web',
    bucket: 'web-bucket',
    keyPrefix: 'site/',
    broadPaths: ['/*'],
    repo: {
      fullName: 'acme/web',
      branch: 'main',
      pathPrefix: 'public',
      webhookSecret: { ssmParameter: '/shipyard/webhook' },
    },
  }),
  site({
    name: 'docs',
    bucket: 'docs-bucket',
    distributionIds: ['E1DOCS0000000A'],
    broadPaths: ['/docs/*', '/index.html'],
  }),
  site({ name: 'blog', bucket: 'web-bucket', keyPrefix: 'blog/', distributionIds: ['E1BLOG0000000A'] }),
];
