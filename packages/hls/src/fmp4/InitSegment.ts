import { BoxWriter } from './BoxWriter.js';
import { AUDIO_TRACK_ID, VIDEO_TRACK_ID, type AudioTrack, type MediaTrack, type VideoTrack } from './Track.js';

const MOVIE_TIMESCALE = 1000;
/** Unity transformation matrix (ISO 14496-12 8.2.2). */
const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
/** ISO-639-2/T 'und', packed as three 5-bit letters. */
const LANGUAGE_UND = 0x55c4;

/**
 * The CMAF header (ftyp + moov) for the tracks present: one trak per track, empty sample tables
 * (every sample lives in fragments) and an mvex/trex per track. Video is track 1, audio track 2.
 */
export function buildInitSegment(video: VideoTrack | undefined, audio: AudioTrack | undefined): Buffer {
  const tracks: MediaTrack[] = [];
  if (video !== undefined) tracks.push(video);
  if (audio !== undefined) tracks.push(audio);
  if (tracks.length === 0) throw new RangeError('an init segment needs at least one track');
  const w = new BoxWriter(2048);
  w.box('ftyp').ascii('iso6').u32(0).ascii('iso6').ascii('cmfc').ascii('isom').ascii('mp41').close();
  w.box('moov');
  writeMvhd(w);
  for (const t of tracks) writeTrak(w, t);
  w.box('mvex');
  for (const t of tracks) {
    w.fullBox('trex', 0, 0).u32(trackId(t)).u32(1).u32(0).u32(0).u32(0).close();
  }
  w.close(); // mvex
  w.close(); // moov
  return w.finish();
}

export function trackId(t: MediaTrack): number {
  return t.kind === 'video' ? VIDEO_TRACK_ID : AUDIO_TRACK_ID;
}

function writeMatrix(w: BoxWriter): void {
  for (const v of UNITY_MATRIX) w.u32(v);
}

function writeMvhd(w: BoxWriter): void {
  w.fullBox('mvhd', 0, 0).u32(0).u32(0).u32(MOVIE_TIMESCALE).u32(0);
  w.u32(0x00010000).u16(0x0100).zeros(10);
  writeMatrix(w);
  w.zeros(24).u32(AUDIO_TRACK_ID + 1).close();
}

function writeTrak(w: BoxWriter, t: MediaTrack): void {
  const isVideo = t.kind === 'video';
  w.box('trak');
  // tkhd flags: enabled | in movie | in preview
  w.fullBox('tkhd', 0, 7).u32(0).u32(0).u32(trackId(t)).u32(0).u32(0).zeros(8);
  w.u16(0).u16(0).u16(isVideo ? 0 : 0x0100).u16(0);
  writeMatrix(w);
  w.u32(isVideo ? (t.width << 16) >>> 0 : 0).u32(isVideo ? (t.height << 16) >>> 0 : 0).close();
  w.box('mdia');
  w.fullBox('mdhd', 0, 0).u32(0).u32(0).u32(t.timescale).u32(0).u16(LANGUAGE_UND).u16(0).close();
  w.fullBox('hdlr', 0, 0).u32(0).ascii(isVideo ? 'vide' : 'soun').zeros(12).ascii(isVideo ? 'VideoHandler' : 'SoundHandler').u8(0).close();
  w.box('minf');
  if (isVideo) w.fullBox('vmhd', 0, 1).zeros(8).close();
  else w.fullBox('smhd', 0, 0).zeros(4).close();
  w.box('dinf').fullBox('dref', 0, 0).u32(1).fullBox('url ', 0, 1).close().close().close();
  w.box('stbl');
  w.fullBox('stsd', 0, 0).u32(1);
  if (t.kind === 'video') writeVisualSampleEntry(w, t);
  else writeAudioSampleEntry(w, t);
  w.close(); // stsd
  w.fullBox('stts', 0, 0).u32(0).close();
  w.fullBox('stsc', 0, 0).u32(0).close();
  w.fullBox('stsz', 0, 0).u32(0).u32(0).close();
  w.fullBox('stco', 0, 0).u32(0).close();
  w.close(); // stbl
  w.close(); // minf
  w.close(); // mdia
  w.close(); // trak
}

const VIDEO_ENTRY: Record<VideoTrack['codec'], { entry: string; config: string }> = {
  avc: { entry: 'avc1', config: 'avcC' },
  hevc: { entry: 'hvc1', config: 'hvcC' },
  av1: { entry: 'av01', config: 'av1C' },
};

function writeVisualSampleEntry(w: BoxWriter, t: VideoTrack): void {
  const names = VIDEO_ENTRY[t.codec];
  w.box(names.entry).zeros(6).u16(1); // SampleEntry: reserved, data_reference_index
  w.u16(0).u16(0).zeros(12).u16(t.width).u16(t.height);
  w.u32(0x00480000).u32(0x00480000).u32(0).u16(1);
  w.zeros(32); // compressorname: empty
  w.u16(0x0018).u16(0xffff);
  // The decoder configuration record goes in unchanged: it is exactly what the publisher's encoder produced.
  w.box(names.config).bytes(t.record).close();
  w.close();
}

function writeAudioSampleEntry(w: BoxWriter, t: AudioTrack): void {
  w.box(t.codec === 'aac' ? 'mp4a' : 'Opus').zeros(6).u16(1);
  w.zeros(8).u16(t.channels).u16(16).u16(0).u16(0);
  // samplerate is 16.16 fixed point and only 16 bits wide: rates above 65535 are written as 0 (the config is the truth)
  w.u32(t.sampleRate <= 0xffff ? (t.sampleRate << 16) >>> 0 : 0);
  if (t.codec === 'aac') writeEsds(w, t.config);
  else writeDOps(w, t.config);
  w.close();
}

/** ES_Descriptor with a DecoderConfigDescriptor (MPEG-4 audio) carrying the AudioSpecificConfig (ISO 14496-1 7.2.6). */
function writeEsds(w: BoxWriter, asc: Buffer): void {
  const decSpecific = 2 + asc.length;
  const decConfig = 2 + 13 + decSpecific;
  const slConfig = 3;
  const esDescriptor = 3 + decConfig + slConfig;
  if (esDescriptor + 2 > 127) throw new RangeError(`AudioSpecificConfig of ${asc.length} bytes is too long`);
  w.fullBox('esds', 0, 0);
  w.u8(0x03).u8(esDescriptor).u16(0).u8(0); // ES_ID, flags
  w.u8(0x04).u8(decConfig - 2).u8(0x40).u8(0x15).u24(0).u32(0).u32(0); // MPEG-4 audio, AudioStream
  w.u8(0x05).u8(asc.length).bytes(asc);
  w.u8(0x06).u8(1).u8(0x02);
  w.close();
}

/** OpusSpecificBox (Opus in ISOBMFF 4.3.2): the OpusHead fields, big-endian, without the magic and version. */
function writeDOps(w: BoxWriter, head: Buffer): void {
  const channels = head[9]!;
  const family = head[18]!;
  w.box('dOps').u8(0).u8(channels).u16(head.readUInt16LE(10)).u32(head.readUInt32LE(12)).u16(head.readInt16LE(16) & 0xffff).u8(family);
  if (family !== 0) w.bytes(head.subarray(19, 21 + channels));
  w.close();
}
