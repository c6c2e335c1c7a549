export { CodedError, isCodedError, qualifiedCodeOf, type CodedErrorOptions, type ErrorDomain } from './CodedError.js';
export { type Logger, silentLogger } from './Logger.js';
export { TypedEmitter } from './TypedEmitter.js';
export { TlsCertificateReloader, loadTlsFiles, type TlsFiles, type TlsCertificateReloaderOptions } from './TlsCertificateReloader.js';
export { type Clock, systemClock, ManualClock } from './Clock.js';
export { SECRET_PARAMS, REDACTED, isSecretParam, redactText, redactSecrets } from './Secrets.js';
export {
  MAX_APP_LENGTH,
  MAX_NAME_LENGTH,
  MAX_STREAM_KEY_LENGTH,
  StreamKeyError,
  isStreamKeyError,
  splitQuery,
  parseStreamKey,
  rtmpStreamKey,
  pathStreamKey,
  formatStreamKey,
  isValidStreamKey,
  streamKeyOf,
  type StreamKey,
  type StreamKeyProblem,
  type RtmpStreamKey,
  type QueryParams,
} from './StreamKey.js';
export {
  AddressError,
  parseHostPort,
  tryParseHostPort,
  isHostPort,
  formatHostPort,
  bracketHost,
  normalizeIp,
  ipOfRemoteAddress,
  parseIp,
  parseCidr,
  cidrContains,
  CidrList,
  addressLimitKey,
  type HostPort,
  type Cidr,
} from './Address.js';
export { nodeFs, nodeHttp, nodeHttps, nodeTls } from './NodeBuiltins.js';
