// A small host for the transpiled component (`npm run transpile -- FILE.wasm`
// first): it calls get-manifest, check-connection and list-streams, then
// reads pages of one stream against the connection's base URL, and prints
// one JSON document on stdout.
//
//   ANTHROPIC_BASE_URL=http://127.0.0.1:8787 ANTHROPIC_ADMIN_API_KEY=… \
//     node run.mjs admin_users '{"page_size":5}' 2

import { plugin } from './out/anthropic_connector.js';

const [stream = 'admin_users', settingsJson = '{}', pages = '1'] = process.argv.slice(2);
const connection = {
  baseUrl: process.env.ANTHROPIC_BASE_URL ?? 'https://api.anthropic.com',
  allowWrites: false,
};

// A plugin error arrives as a thrown ComponentError whose payload is the
// world's `plugin-error` variant: shown as is, and the process fails.
function call(name, thunk) {
  try {
    return thunk();
  } catch (error) {
    const payload = error?.payload ?? String(error);
    process.stderr.write(`${name} failed: ${JSON.stringify(payload)}\n`);
    process.exit(1);
  }
}

const manifest = call('get-manifest', () => plugin.getManifest());
const checks = call('check-connection', () => plugin.checkConnection(connection));
const streams = call('list-streams', () => plugin.listStreams(connection));
const read = [];
let cursor;
for (let page = 0; page < Number(pages); page += 1) {
  const result = call('read-page', () =>
    plugin.readPage(connection, {
      streamName: stream,
      strategy: 'full-refresh',
      settingsJson,
      stateJson: undefined,
      pageCursor: cursor,
      parents: [],
    }),
  );
  read.push(result);
  cursor = result.nextCursor;
  if (cursor === undefined) break;
}

process.stdout.write(
  JSON.stringify({ manifest, checks, streams: streams.map((s) => s.name), pages: read }),
);
process.stdout.write('\n');
