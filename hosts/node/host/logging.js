// anthropic:connector/logging: the plugin's log lines, on stderr so stdout
// stays the host's own output. The plugin has redacted keys already.

export function log(level, message) {
  process.stderr.write(`[plugin ${level}] ${message}\n`);
}
