const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The placeholder names a template uses, in order of appearance. */
export function placeholdersIn(template: string): string[] {
  return Array.from(template.matchAll(PLACEHOLDER), (match) => match[1] ?? '');
}

/**
 * Fills `{name}` placeholders; the loader refuses templates naming unknown
 * placeholders, so a missing value here is left as written.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

/** Params as placeholder values: lists joined with commas, absent flags as empty text. */
export function templateValues(params: Readonly<Record<string, unknown>>): Record<string, string | number> {
  const values: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'number' || typeof value === 'string') values[key] = value;
    else if (Array.isArray(value)) values[key] = value.join(', ');
    else values[key] = JSON.stringify(value);
  }
  return values;
}
