// Kubernetes' protobuf encoding of the built-in types (application/vnd.kubernetes.protobuf):
// per-message JSON <-> protobuf conversion, the "k8s\0" envelope and watch frames.
export { decodeMessage, encodeMessage, ProtoEncodeError } from './codec.js';
export {
  decodeEnvelope,
  decodeObject,
  decodeWatchFrame,
  encodeEnvelope,
  encodeObject,
  encodeWatchFrame,
  messageNameFor,
  NotMarshalableError,
  PROTOBUF_PREFIX,
  recognizesProtobuf,
  splitAPIVersion,
  type UnknownEnvelope,
} from './envelope.js';
export { messageNameForKind } from './plans.js';
export { ProtoDecodeError } from './wire.js';
