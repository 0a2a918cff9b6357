// Tests must run on the Lambda runtime's major (nodejs22.x). `npm run` puts the `node@22`
// dev dependency's binary first on PATH; this guard fails loudly if that did not happen.
const expected = 22;
const major = Number(process.versions.node.split('.')[0]);
if (major !== expected) {
  console.error(
    `Shipyard runs on Node ${expected} (Lambda nodejs${expected}.x), but this is Node ${process.versions.node}. ` +
      'Run through npm (npm test / npm start) so node_modules/.bin/node is used, after npm ci.',
  );
  process.exit(1);
}
console.log(`node ${process.versions.node} (Lambda runtime nodejs${expected}.x)`);
