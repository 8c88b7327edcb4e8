// The kapi.v1.Reply envelope every RPC reply travels in: `payload` (the encoded reply message)
// or `error` (a kapi.v1.Status). Requests travel bare, as their own message.

import protobuf from 'protobufjs';
import type { MessageCodec } from './bus.js';
import { newInternalError } from '@kapi/apimachinery';
import { ProtoCodec, plainView, protoCodec } from './codec.js';
import type { StatusMsg } from './messages.js';
import { errorToStatusMessage, statusCodec, statusErrorFromMessage } from './status-codec.js';

interface ReplyMsg {
  payload?: Uint8Array;
  error?: StatusMsg;
}

const replyType = protoCodec<ReplyMsg>('kapi.v1.Reply').type;
const PAYLOAD_TAG = (1 << 3) | 2; // field 1, length-delimited
const ERROR_TAG = (2 << 3) | 2; // field 2, length-delimited

/** A reply envelope carrying `message`. ProtoCodec messages are encoded straight into the
 * envelope (one copy of their bytes fields, not two). Throws when the message cannot be
 * encoded. */
export function encodeReply<Res>(codec: MessageCodec<Res>, message: Res): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(PAYLOAD_TAG);
  if (codec instanceof ProtoCodec) {
    w.fork();
    codec.encodeTo(message, w);
    w.ldelim();
  } else {
    w.bytes(codec.encode(message));
  }
  return w.finish();
}

/** A reply envelope carrying the Status of `err` (InternalError unless it is a StatusError). */
export function encodeErrorReply(err: unknown): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(ERROR_TAG).fork();
  statusCodec.encodeTo(errorToStatusMessage(err), w);
  w.ldelim();
  return w.finish();
}

/** The reply message in an envelope. Throws the StatusError the envelope carries, or an
 * InternalError when the envelope or its payload cannot be decoded. */
export function decodeReply<Res>(codec: MessageCodec<Res>, data: Uint8Array): Res {
  let env: protobuf.Message & { result?: string; payload?: Uint8Array; error?: protobuf.Message };
  try {
    env = replyType.decode(plainView(data)) as typeof env;
  } catch (err) {
    throw newInternalError(`malformed reply envelope (${data.byteLength} bytes): ${(err as Error).message}`);
  }
  if (env.result === 'error' && env.error) throw statusErrorFromMessage(statusCodec.fromMessage(env.error));
  if (env.result !== 'payload' || !env.payload) throw newInternalError('reply envelope carries neither payload nor error');
  try {
    return codec.decode(env.payload);
  } catch (err) {
    throw newInternalError(`malformed reply: ${(err as Error).message}`);
  }
}
