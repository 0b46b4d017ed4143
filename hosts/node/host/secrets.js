// anthropic:connector/secrets: the connection's secrets by the plugin's
// field name, from the same environment variables the Rust host reads. A
// missing or empty one is absent (the world's `option<string>`).

const VARIABLES = {
  'admin-api-key': 'ANTHROPIC_ADMIN_API_KEY',
  'compliance-access-key': 'ANTHROPIC_COMPLIANCE_ACCESS_KEY',
};

export function get(name) {
  const variable = VARIABLES[name];
  const value = variable ? process.env[variable]?.trim() : undefined;
  return value ? value : undefined;
}
