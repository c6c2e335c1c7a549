export * from './handshake/HandshakeDigest.js';
export * from './handshake/HandshakeStep.js';
export * from './handshake/ServerHandshake.js';
export * from './handshake/ClientHandshake.js';
