/** Shared helpers for the session*.test.ts suites (not a test file itself). */
import {
  ServerSession,
  MessageType,
  commandMessage,
  decodeCommand,
  decodeData,
  parseProtocolControl,
  parseUserControl,
  type AmfObject,
  type AmfValue,
  type RtmpCommand,
  type RtmpMessage,
  type ServerSessionEventMap,
  type ServerSessionOptions,
} from '@rtmp-cluster/rtmp';

/** Short names of the control messages the suites assert on; kinds without one print as UserControl(kind). */
const CONTROL_LABELS: Record<string, string> = {
  setChunkSize: 'SetChunkSize',
  acknowledgement: 'Ack',
  windowAckSize: 'WinAck',
  setPeerBandwidth: 'SetPeerBW',
  abort: 'Abort',
  streamBegin: 'StreamBegin',
  streamEof: 'StreamEOF',
  pingRequest: 'PingRequest',
  pingResponse: 'PingResponse',
  setBufferLength: 'SetBufferLength',
};

/** `Label(field,...)`: the parsed fields come in wire order. */
function describeControl({ kind, ...fields }: { kind: string }): string {
  const label = CONTROL_LABELS[kind];
  return label === undefined ? `UserControl(${kind})` : `${label}(${Object.values(fields).join(',')})`;
}

/** A compact, readable description of an outgoing message, for order assertions. */
export function describeMessage(msg: RtmpMessage): string {
  switch (msg.type) {
    case MessageType.SetChunkSize:
    case MessageType.Acknowledgement:
    case MessageType.WindowAckSize:
    case MessageType.SetPeerBandwidth:
    case MessageType.Abort:
      return describeControl(parseProtocolControl(msg));
    case MessageType.UserControl:
      return describeControl(parseUserControl(msg));
    case MessageType.CommandAmf0:
    case MessageType.CommandAmf3: {
      const cmd = decodeCommand(msg);
      if (cmd.name === 'onStatus') return `onStatus(${statusCode(cmd)})@${msg.streamId}`;
      return `${cmd.name}(${cmd.transactionId})@${msg.streamId}`;
    }
    case MessageType.DataAmf0:
    case MessageType.DataAmf3:
      return `data(${String(decodeData(msg)[0])})@${msg.streamId}`;
  }
  return `type${msg.type}@${msg.streamId}`;
}

export function statusCode(cmd: RtmpCommand): string {
  const info = cmd.args[0] as AmfObject | undefined;
  return String(info?.['code']);
}

export function statusInfo(msg: RtmpMessage): AmfObject {
  return decodeCommand(msg).args[0] as AmfObject;
}

/** A command as a client would send it: csid 3 on msid 0, csid 8 on a stream. */
export function clientCommand(
  name: string,
  transactionId: number,
  commandObject: AmfValue,
  args: AmfValue[] = [],
  opts: { streamId?: number; encoding?: 0 | 3 } = {},
): RtmpMessage {
  const streamId = opts.streamId ?? 0;
  return commandMessage(
    { name, transactionId, commandObject, args },
    { csid: streamId === 0 ? 3 : 8, streamId, encoding: opts.encoding ?? 0 },
  );
}

export function media(type: number, streamId: number, timestamp: number, payload: Buffer, csid = 6): RtmpMessage {
  return { csid, type, streamId, timestamp, payload };
}

type EventName = keyof ServerSessionEventMap;
const ALL_EVENTS: EventName[] = [
  'connect',
  'publish',
  'play',
  'unpublish',
  'stopPlay',
  'media',
  'metadata',
  'outChunkSize',
  'streamCommand',
  'unknownCommand',
  'warning',
  'rtt',
  'bufferLength',
  'protocolError',
];

/** A ServerSession that records every sent message and every event, in one ordered log. */
export class ServerHarness {
  readonly session: ServerSession;
  readonly sent: RtmpMessage[] = [];
  /** 'send:<description>' and 'event:<name>' in the order they happened */
  readonly log: string[] = [];
  readonly events: Array<{ name: EventName; payload: unknown }> = [];

  constructor(options: Partial<ServerSessionOptions> = {}) {
    this.session = new ServerSession({
      ...options,
      send: (msg) => {
        this.sent.push(msg);
        this.log.push(`send:${describeMessage(msg)}`);
      },
    });
    for (const name of ALL_EVENTS) {
      this.session.on(name, ((payload: unknown) => {
        this.events.push({ name, payload });
        this.log.push(`event:${name}`);
      }) as never);
    }
  }

  /** Sent messages described, then forgotten. */
  take(): string[] {
    const out = this.sent.map(describeMessage);
    this.sent.length = 0;
    return out;
  }

  takeMessages(): RtmpMessage[] {
    return this.sent.splice(0, this.sent.length);
  }

  eventsNamed<K extends EventName>(name: K): Array<ServerSessionEventMap[K][0]> {
    return this.events.filter((e) => e.name === name).map((e) => e.payload as ServerSessionEventMap[K][0]);
  }

  feed(msg: RtmpMessage, now?: number): void {
    this.session.handleMessage(msg, now);
  }

  /** connect (accepted), then createStream; returns the new message stream id. */
  connectAndCreateStream(commandObject: AmfObject = { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' }): number {
    this.feed(clientCommand('connect', 1, commandObject));
    this.session.acceptConnect();
    this.feed(clientCommand('createStream', 2, null));
    const sent = this.takeMessages();
    const reply = decodeCommand(sent[sent.length - 1] as RtmpMessage);
    return reply.args[0] as number;
  }

  publishing(name = 'key'): number {
    const id = this.connectAndCreateStream();
    this.feed(clientCommand('publish', 3, null, [name, 'live'], { streamId: id }));
    this.session.acceptPublish(id);
    this.takeMessages();
    return id;
  }

  playing(name = 'key'): number {
    const id = this.connectAndCreateStream();
    this.feed(clientCommand('play', 3, null, [name, -2000], { streamId: id }));
    this.session.acceptPlay(id);
    this.takeMessages();
    return id;
  }
}
