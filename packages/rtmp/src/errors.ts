import { CodedError } from '@rtmp-cluster/core';

/**
 * Every failure the protocol layer can report. The codes are stable: logs,
 * metrics and tests match on them, so never rename one.
 */
export type RtmpErrorCode =
  | 'HANDSHAKE_BAD_VERSION' // C0/S0 is not 3
  | 'HANDSHAKE_BAD_STATE' // handshake bytes after completion, or a call out of order
  | 'HANDSHAKE_DIGEST_INVALID' // (client, digest mode) S1 digest or S2 signature does not verify
  | 'CHUNK_BAD_CSID' // chunk stream id outside 2..65599
  | 'CHUNK_NO_PREVIOUS_HEADER' // type 1/2/3 header on a chunk stream that never had a type 0
  | 'CHUNK_TOO_MANY_STREAMS' // more concurrent chunk streams than allowed
  | 'CHUNK_SIZE_INVALID' // Set Chunk Size of 0, with the top bit set, or above the configured cap
  | 'MESSAGE_TOO_LARGE' // declared message length above the configured maximum
  | 'MESSAGE_LENGTH_CHANGED' // a continuation chunk that disagrees with the message in progress
  | 'PENDING_BYTES_EXCEEDED' // total bytes of partial messages above the configured bound
  | 'MESSAGE_MALFORMED' // a control/user-control/aggregate payload too short or inconsistent
  | 'AMF_TRUNCATED' // AMF data ended in the middle of a value
  | 'AMF_UNSUPPORTED_MARKER' // movieclip (0x04), unsupported (0x0D), recordset (0x0E) or unknown
  | 'AMF_DEPTH_EXCEEDED' // nesting deeper than the configured bound
  | 'AMF_COUNT_EXCEEDED' // more properties/elements than the configured bound
  | 'AMF_BAD_REFERENCE' // a reference index that points nowhere
  | 'AMF_ENCODE_UNSUPPORTED' // a JS value the encoder cannot represent
  | 'AMF_UNSUPPORTED_TYPE' // a well-formed AMF3 value we cannot decode (externalizable class of unknown layout)
  | 'COMMAND_MALFORMED' // a command message without a name or transaction id
  | 'TAG_MALFORMED' // an audio/video tag too short for its declared layout
  | 'SESSION_PROTOCOL_VIOLATION' // a message that is illegal in the session's current state
  | 'CHUNK_DECODER_FAILED'; // the decoder was interrupted (e.g. its message callback threw) and lost its place

export class RtmpError extends CodedError<RtmpErrorCode> {
  override readonly name = 'RtmpError';
  readonly domain = 'rtmp';
}

export function isRtmpError(err: unknown): err is RtmpError {
  return err instanceof RtmpError;
}
