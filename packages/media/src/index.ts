export { StreamHub } from './StreamHub.js';
export type { Publication, Subscription } from './StreamHub.js';
export { HubError, isHubError } from './HubError.js';
export type { HubErrorCode } from './HubError.js';
export type * from './HubTypes.js';
export { TimestampRepairer } from './TimestampRepairer.js';
export { TimestampTrack } from './TimestampRepairer.js';
export type { TimestampRepairerOptions, TimestampTrackId } from './TimestampRepairer.js';
export { streamKey } from './streamKey.js';
