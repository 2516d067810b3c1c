// Runs before `npm test` and the build: on a Node older than agentpipe needs, say so in one line
// (instead of a `Map.groupBy is not a function` deep in a test) and stop.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(
    `agentpipe needs Node.js >= 22.13 and this is ${process.version}: install Node 24 (nvm install 24, or https://nodejs.org), then run the command again.\n`,
  );
  process.exit(1);
}
