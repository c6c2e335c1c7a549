export * from './SessionTypes.js';
export * from './StreamName.js';
export * from './NetStatus.js';
export * from './AckCounter.js';
export * from './ServerSession.js';
export * from './ClientSession.js';
export * from './DataMessage.js';
