import { type ConfigLeaf, configLeaves } from './schema/leaves.js';

const cell = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `\`${text}\``.replace(/\|/g, '\\|');
};

/**
 * Renders the configuration reference (`docs/CONFIGURATION.md`) from the
 * schemas: one table per section with every key's type and range, default,
 * environment variable, description and an example line.
 */
export function renderConfigurationReference(): string {
  const leaves = configLeaves();
  const sections = new Map<string, typeof leaves>();
  for (const leaf of leaves) {
    const section = leaf.path.split('.').slice(0, -1).join('.');
    sections.set(section, [...(sections.get(section) ?? []), leaf]);
  }
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from the schemas of @quant/config by `npm run docs:config -w @quant/config`; a test fails when it is out of date. -->',
    '',
    'A bot reads `config/services.yaml` (or the file given with `--config`), then `.env` in the working',
    'directory, then the environment: environment > file > defaults. `.env` never overrides a variable',
    'that is already set. Booleans accept `true/false/1/0/yes/no`; lists are comma-separated',
    '(`TRADING_TIMEFRAMES=5m,15m`); maps are `name=value` pairs (`LOGGING_SERVICE_LEVELS=DataFetchingService=debug`).',
    'Numbers must be finite (`.inf` and `1e400` are errors), and decimal in variables (`0x10` is an error).',
    'A `.env` line must be `NAME=value`',
    '(an error names it as `.env:LINE`). Only regular files of at most 1 MiB are read.',
    'Unknown keys, a section given as a list and a repeated timeframe are errors. Values of keys or variables',
    'whose names contain `password`, `passphrase`, `secret`, `token`, `api_key`, `private_key`, `credential` or',
    '`authorization` are never printed (the list of `@quant/core`, `SECRET_KEY_PATTERN`).',
    '',
  ];
  for (const [section, sectionLeaves] of sections) {
    lines.push(
      `## \`${section}\``,
      '',
      '| key | type and range | default | environment variable | example | description |',
    );
    lines.push('| --- | --- | --- | --- | --- | --- |');
    for (const leaf of sectionLeaves) {
      const env = [leaf.envVar, ...leaf.legacyEnvVars.map((name) => `${name} (legacy)`)]
        .map((name) => `\`${name}\``)
        .join(', ');
      lines.push(
        `| \`${leaf.path.split('.').pop()}\` | ${leaf.constraint.replace(/\|/g, '\\|')} | ${cell(leaf.defaultValue)} | ${env} | \`${leaf.envVar}=${exampleValue(leaf)}\` | ${leaf.description} |`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** An example value of a leaf's variable: its default, or a made-up one for an empty list or map. */
function exampleValue(leaf: ConfigLeaf): string {
  const value = leaf.defaultValue;
  if (Array.isArray(value)) return value.join(',') || (leaf.path === 'trading.symbols' ? 'BTCUSDT,ETHUSDT' : '');
  if (typeof value === 'object' && value !== null) {
    return (
      Object.entries(value)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',') || (leaf.numericValues ? 'BTCUSDT=0.5,ETHUSDT=10' : 'DataFetchingService=debug')
    );
  }
  return String(value);
}
