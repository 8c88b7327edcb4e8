// WithRequestDeadline: a non-long-running request must finish within --request-timeout, or within
// the shorter ?timeout= it asks for (a Go duration; a malformed one is a 400 with Go's parser
// text). The deadline counts from when the request was received.

import { newBadRequest } from '@kapi/apimachinery';
import type { NamedFilter } from '../chain.js';
import { GoParseError, parseGoDuration } from '../go-strconv.js';
import { writeStatus } from '../respond.js';
import { isLongRunning } from './long-running.js';

const INVALID_TIMEOUT_IN_URL = 'invalid timeout specified in the request URL';

export function deadlineFilter(requestTimeoutMs: number): NamedFilter {
  return {
    name: 'deadline',
    filter: async (ctx, next) => {
      if (isLongRunning(ctx.requestInfo)) {
        await next();
        return;
      }
      let timeout = requestTimeoutMs;
      const value = ctx.query.get('timeout') ?? '';
      if (value !== '') {
        let requested: number;
        try {
          requested = parseGoDuration(value);
        } catch (err) {
          if (!(err instanceof GoParseError)) throw err;
          writeStatus(ctx, newBadRequest(`${INVALID_TIMEOUT_IN_URL} - ${err.message}`).status);
          return;
        }
        if (requested > 0 && requested < requestTimeoutMs) timeout = requested;
      }
      ctx.deadline = ctx.receivedAt + timeout;
      await next();
    },
  };
}
