export * from './FourCc.js';
export * from './VideoTag.js';
export * from './AudioTag.js';
export { parseAvcDecoderConfig, parseAvcSps, type AvcDecoderConfig, type VideoDimensions } from './AvcDecoderConfig.js';
export { parseHevcDecoderConfig, parseHevcSps, type HevcDecoderConfig } from './HevcDecoderConfig.js';
export { parseAudioSpecificConfig, MPEG4_SAMPLE_RATES, type AudioSpecificConfig } from './AudioSpecificConfig.js';
export { AvMultitrackType, ModExType } from './TagCursor.js';
