// "key=value" a line, as the forms take string maps (a message's
// metadata, a provider's settings). Blank lines are skipped; the first
// '=' splits.
export function parseKeyValueLines(text: string): { value: Record<string, string>; error?: string } {
  const value: Record<string, string> = {};
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const eq = line.indexOf('=');
    if (eq <= 0) return { value, error: `line ${i + 1}: write key=value` };
    value[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return { value };
}
