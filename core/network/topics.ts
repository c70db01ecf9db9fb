/** Stream protocols and the DHT protocol of ICN (DESIGN §9). */
export const BLOCKS_PROTOCOL = '/icn/blocks/1.0.0'
export const SYNC_PROTOCOL = '/icn/sync/1.0.0'
export const DHT_PROTOCOL = '/icn/kad/1.0.0'
/** DHT key namespace of signed DID → peer records: keys are `/icnpeer/<did>`. */
export const PEER_RECORD_NAMESPACE = 'icnpeer'

export type TopicKind = 'events' | 'mesh'

export function eventsTopic(scope: string): string {
  return `/icn/${scope}/events/1`
}

export function meshTopic(scope: string): string {
  return `/icn/${scope}/mesh/1`
}

/**
 * Every topic this protocol version can use. Gossipsub drops subscriptions and messages for anything else
 * before they reach its per-topic data structures.
 */
export const TOPIC_PATTERN = /^\/icn\/(global|did:icn:b[a-z2-7]{20,100})\/(events|mesh)\/1$/

export function parseTopic(topic: string): { scope: string; kind: TopicKind } | undefined {
  const match = TOPIC_PATTERN.exec(topic)
  if (match === null) return undefined
  return { scope: match[1] as string, kind: match[2] as TopicKind }
}
