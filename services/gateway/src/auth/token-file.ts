// --token-auth-file, as k8s.io/apiserver/pkg/authentication/token/tokenfile: a CSV file with
// token,user,uid[,"group1,group2"]; lines with fewer than three columns are an error, an empty
// first column is skipped, a repeated token keeps the last line (kube logs a warning).

import { readFile } from 'node:fs/promises';
import type { UserInfo } from '@kapi/apimachinery';
import type { TokenAuthenticator } from './token.js';

/** Splits one CSV record (RFC 4180 quoting, as Go's encoding/csv). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) throw new Error('extraneous or missing " in quoted-field');
  out.push(field);
  return out;
}

/** Parses the file's content; throws with the line number for a malformed record. */
export function parseTokenFile(content: string, path = 'token file'): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  const lines = content.split(/\r?\n/);
  lines.forEach((raw, index) => {
    if (raw.trim() === '') return;
    let record: string[];
    try {
      record = csvFields(raw);
    } catch (err) {
      throw new Error(`${path}: line ${index + 1}: ${(err as Error).message}`);
    }
    if (record.length < 3) throw new Error(`token file '${path}' must have at least 3 columns (token, user name, user uid), found ${record.length}`);
    const token = record[0]!.trim();
    if (token === '') return;
    const user: UserInfo = { username: record[1]!, uid: record[2]!, groups: [] };
    if (record.length >= 4 && record[3]!.length > 0) user.groups = record[3]!.split(',').map((g) => g.trim());
    tokens.set(token, user);
  });
  return tokens;
}

export async function tokenFileAuthenticator(path: string): Promise<TokenAuthenticator> {
  return staticTokenAuthenticator(parseTokenFile(await readFile(path, 'utf8'), path));
}

export function staticTokenAuthenticator(tokens: Map<string, UserInfo>): TokenAuthenticator {
  return {
    async authenticateToken(token) {
      const user = tokens.get(token);
      if (!user) return { kind: 'none' };
      return { kind: 'user', user: { ...user, groups: [...(user.groups ?? [])] }, audiences: [] };
    },
  };
}
