/**
 * Network: this node as a libp2p peer (peer id, addresses, DHT, discovery), the peers it is connected to (member
 * DID when the peer proved one, direction, round trip, gossip score), connecting by multiaddr, and replication
 * runs with live progress from `network:sync-progress`.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { NetworkPeer } from '../../app/contract'
import { Button, Definition, ErrorNotice, Field, Ident, PageTitle, useAction } from '../components/ui'
import { formatDuration, formatNumber, formatTime, shorten } from '../lib/format'
import { useNetwork, type SyncProgress } from '../stores/network'

export function Network(): ReactNode {
  const { t } = useTranslation()
  const status = useNetwork((s) => s.status)
  const error = useNetwork((s) => s.error)
  const refresh = useNetwork((s) => s.refresh)
  useEffect(() => {
    void refresh()
    // Round trips and scores change without events; a slow poll keeps them current while the screen is open.
    const poll = setInterval(() => void refresh(), 5_000)
    return () => clearInterval(poll)
  }, [refresh])
  return (
    <div className="network" data-ready={status === null ? 'false' : 'true'}>
      <PageTitle>{t('network.title')}</PageTitle>
      <p className="hint">{t('network.lead')}</p>
      <ErrorNotice error={error} />
      {status === null ? (
        error === null ? (
          <p role="status">{t('common.loading')}</p>
        ) : null
      ) : !status.enabled ? (
        <p className="notice" role="status">
          {t('network.disabled')}
        </p>
      ) : (
        <>
          {status.error !== null ? (
            <ErrorNotice error={status.error} title={t('network.failed')} />
          ) : status.starting ? (
            <p role="status">{t('network.starting')}</p>
          ) : null}
          <div className="cards">
            <NodeCard />
            <ConnectCard />
          </div>
          <Peers />
          <Sync />
        </>
      )}
    </div>
  )
}

function NodeCard(): ReactNode {
  const { t, i18n } = useTranslation()
  const status = useNetwork((s) => s.status)
  if (status === null) return null
  const locale = i18n.language
  return (
    <section className="card card-wide" aria-labelledby="net-node">
      <h2 id="net-node">{t('network.thisNode')}</h2>
      <dl className="defs">
        <Definition term={t('network.peerId')}>
          {status.peerId === null ? t('network.none') : <Ident value={status.peerId} />}
        </Definition>
        <Definition term={t('network.listening')}>
          {status.listenAddrs.length === 0 ? (
            t('network.none')
          ) : (
            <ul className="plain-list" data-testid="net-listen">
              {status.listenAddrs.map((a) => (
                <li key={a}>
                  <code className="ident">{a}</code>
                </li>
              ))}
            </ul>
          )}
        </Definition>
        <Definition term={t('network.connections')}>
          {t('network.connectionsValue', {
            connections: formatNumber(status.connections, locale),
            max: formatNumber(status.limits.maxConnections, locale),
          })}
        </Definition>
        <Definition term={t('network.dht')}>
          {status.dht.mode === null
            ? t('network.none')
            : t('network.dhtValue', {
                mode: t(`network.dhtMode.${status.dht.mode}`),
                count: status.dht.routingTableSize,
              })}
        </Definition>
        <Definition term={t('network.discovery')}>
          {status.mdns ? t('network.mdnsOn') : t('network.mdnsOff')}
          {status.bootstrap.length > 0
            ? ' · ' + t('network.bootstrapCount', { count: status.bootstrap.length })
            : ''}
        </Definition>
        <Definition term={t('network.record')}>
          {status.record === null
            ? t('network.recordNone')
            : status.record.published
              ? t('network.recordPublished')
              : t('network.recordPending')}
        </Definition>
        <Definition term={t('network.topics')}>
          {status.topics.length === 0
            ? t('network.none')
            : status.topics.map((x) => `${x.topic} (${x.mesh}/${x.subscribers})`).join(', ')}
        </Definition>
      </dl>
    </section>
  )
}

function ConnectCard(): ReactNode {
  const { t } = useTranslation()
  const connect = useNetwork((s) => s.connect)
  const [addr, setAddr] = useState('')
  const [done, setDone] = useState<string | null>(null)
  const action = useAction(async () => {
    setDone(null)
    const result = await connect(addr.trim())
    setDone(t('network.connected', { peer: shorten(result.peerId) }))
    setAddr('')
  })
  const onSubmit = (e: FormEvent): void => {
    e.preventDefault()
    void action.run()
  }
  const trimmed = addr.trim()
  const looksWrong = trimmed !== '' && !trimmed.startsWith('/') ? t('network.addrInvalid') : undefined
  return (
    <section className="card card-wide" aria-labelledby="net-connect">
      <h2 id="net-connect">{t('network.connectTitle')}</h2>
      <form onSubmit={onSubmit} noValidate>
        <Field
          label={t('network.addr')}
          value={addr}
          onChange={setAddr}
          hint={t('network.addrHint')}
          error={looksWrong}
          spellCheck={false}
          required
        />
        <ErrorNotice error={action.error} />
        {done !== null ? (
          <p className="notice notice-success" role="status">
            {done}
          </p>
        ) : null}
        <Button
          type="submit"
          variant="primary"
          busy={action.busy}
          disabled={trimmed === '' || looksWrong !== undefined}
        >
          {t('network.connect')}
        </Button>
      </form>
    </section>
  )
}

function Peers(): ReactNode {
  const { t } = useTranslation()
  const peers = useNetwork((s) => s.peers)
  return (
    <section className="card card-wide" aria-labelledby="net-peers">
      <h2 id="net-peers">{t('network.peers', { count: peers.length })}</h2>
      {peers.length === 0 ? (
        <p>{t('network.noPeers')}</p>
      ) : (
        <div className="table-scroll">
          <table className="table" data-testid="net-peers">
            <caption className="visually-hidden">{t('network.peersCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('network.member')}</th>
                <th scope="col">{t('network.peer')}</th>
                <th scope="col">{t('network.direction')}</th>
                <th scope="col">{t('network.address')}</th>
                <th scope="col">{t('network.rtt')}</th>
                <th scope="col">{t('network.score')}</th>
                <th scope="col">{t('network.since')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('network.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {peers.map((p) => (
                <PeerRow key={p.peerId} peer={p} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

function PeerRow({ peer }: { peer: NetworkPeer }): ReactNode {
  const { t, i18n } = useTranslation()
  const disconnect = useNetwork((s) => s.disconnect)
  const action = useAction(() => disconnect(peer.peerId))
  const locale = i18n.language
  return (
    <tr>
      <td>
        {peer.did === null ? t('network.unknownMember') : <code title={peer.did}>{shorten(peer.did)}</code>}
      </td>
      <td>
        <code title={peer.peerId}>{shorten(peer.peerId, 10, 6)}</code>
      </td>
      <td>{t(`network.dir.${peer.direction}`)}</td>
      <td>
        {peer.addrs[0] === undefined ? (
          '—'
        ) : (
          <code title={peer.addrs[0]}>{transportPart(peer.addrs[0])}</code>
        )}
      </td>
      <td>
        {peer.rttMs === null ? '—' : t('network.ms', { ms: formatNumber(Math.round(peer.rttMs), locale) })}
      </td>
      <td className={peer.score < 0 ? 'text-danger' : undefined}>
        {formatNumber(Math.round(peer.score * 10) / 10, locale)}
      </td>
      <td title={formatTime(peer.connectedAt, locale)}>
        {formatDuration(Math.max(0, Date.now() - peer.connectedAt), locale)}
      </td>
      <td>
        <Button onClick={() => void action.run()} busy={action.busy} variant="link">
          {t('network.disconnect')}
          <span className="visually-hidden"> {shorten(peer.peerId, 10, 6)}</span>
        </Button>
        <ErrorNotice error={action.error} />
      </td>
    </tr>
  )
}

function Sync(): ReactNode {
  const { t, i18n } = useTranslation()
  const status = useNetwork((s) => s.status)
  const progress = useNetwork((s) => s.progress)
  const syncNow = useNetwork((s) => s.syncNow)
  const [result, setResult] = useState<string | null>(null)
  const action = useAction(async () => {
    setResult(null)
    const r = await syncNow()
    setResult(
      r.peers === 0
        ? t('network.syncNoPeers')
        : t('network.syncDone', { events: r.events, peers: r.peers, failed: r.failed }),
    )
  })
  const last = status?.sync.lastRun ?? null
  const locale = i18n.language
  return (
    <section className="card card-wide" aria-labelledby="net-sync">
      <h2 id="net-sync">{t('network.syncTitle')}</h2>
      <p className="hint">{t('network.syncLead')}</p>
      <dl className="defs">
        <Definition term={t('network.syncActive')}>
          {formatNumber(status?.sync.active ?? 0, locale)}
        </Definition>
        <Definition term={t('network.syncLast')}>
          {last === null ? (
            t('network.syncNever')
          ) : (
            <span data-testid="net-last-sync">
              {t('network.syncLastValue', {
                peer: shorten(last.peerId, 10, 6),
                events: last.events,
                authors: last.authors,
                when: formatTime(last.finishedAt, locale),
                duration: formatDuration(Math.max(0, last.finishedAt - last.startedAt), locale),
              })}
              {last.error !== undefined ? ` — ${last.error.code}: ${last.error.message}` : ''}
            </span>
          )}
        </Definition>
      </dl>
      {progress.length > 0 ? (
        <ul className="plain-list sync-runs" aria-label={t('network.syncNow')}>
          {progress.map((p) => (
            <ProgressRow key={p.peerId} p={p} />
          ))}
        </ul>
      ) : null}
      <ErrorNotice error={action.error} />
      {result !== null ? (
        <p className="notice notice-success" role="status">
          {result}
        </p>
      ) : null}
      <Button onClick={() => void action.run()} busy={action.busy}>
        {t('network.syncAction')}
      </Button>
    </section>
  )
}

function ProgressRow({ p }: { p: SyncProgress }): ReactNode {
  const { t } = useTranslation()
  const label = t('network.syncRow', { peer: shorten(p.peerId, 10, 6), phase: t(`network.phase.${p.phase}`) })
  return (
    <li>
      <span>{label}</span>{' '}
      {p.total > 0 ? (
        <progress max={p.total} value={Math.min(p.done, p.total)} aria-label={label}>
          {p.done}/{p.total}
        </progress>
      ) : null}{' '}
      {p.total > 0 ? t('network.syncCount', { done: p.done, total: p.total }) : ''}
    </li>
  )
}

/** The address without its `/p2p/<peer id>` tail (the peer column shows the id). */
function transportPart(addr: string): string {
  const i = addr.indexOf('/p2p/')
  return i > 0 ? addr.slice(0, i) : addr
}
