// The esbuild plugins of `custom.esbuild` (serverless-esbuild requires this file by path);
// why each exists, in its module.
const { firstPartySourceMaps } = require('./esbuild/first-party-source-maps.cjs');
const { treeShakeableSdkSchemas } = require('./esbuild/sdk-schemas.cjs');

module.exports = [treeShakeableSdkSchemas, firstPartySourceMaps];
