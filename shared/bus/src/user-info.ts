// authentication/v1 UserInfo <-> the kapi.v1.UserInfo bus message. An empty username on the bus
// means "no user" (requests made by kapi itself before authentication exists for them).

import type { UserInfo } from '@kapi/apimachinery';
import type { UserInfoMsg } from './messages.js';

export function userInfoToMsg(user: UserInfo | undefined): UserInfoMsg | undefined {
  if (!user) return undefined;
  const extra: UserInfoMsg['extra'] = {};
  for (const [key, values] of Object.entries(user.extra ?? {})) extra[key] = { values: [...values] };
  return { username: user.username, uid: user.uid ?? '', groups: [...(user.groups ?? [])], extra };
}

export function userInfoFromMsg(msg: UserInfoMsg | undefined): UserInfo | undefined {
  if (!msg || msg.username === '') return undefined;
  const user: UserInfo = { username: msg.username, groups: [...(msg.groups ?? [])] };
  if (msg.uid) user.uid = msg.uid;
  const extra = Object.entries(msg.extra ?? {});
  if (extra.length > 0) user.extra = Object.fromEntries(extra.map(([key, value]) => [key, [...(value?.values ?? [])]]));
  return user;
}
