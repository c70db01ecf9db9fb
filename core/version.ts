/** The app version (kept equal to package.json's by a test). */
export const ICN_VERSION = '0.1.0'
/**
 * The wire protocol version: event format, gossip topics and stream protocols. Nodes (and auto-updates)
 * refuse to mix incompatible protocol versions.
 */
export const PROTOCOL_VERSION = 1
