/** One block by CID (dag.get): codec, size, links, the decoded value; file content through dag.cat. */
import { useEffect, useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { BlockInfo } from '../../app/contract'
import { JsonView } from '../components/json'
import { Button, Definition, ErrorNotice, Ident, PageTitle, useAction } from '../components/ui'
import { client, errorInfo, type ErrorInfo } from '../lib/client'
import { previewOf, saveBytes, type Preview } from '../lib/files'
import { formatBytes } from '../lib/format'
import { href } from '../lib/routes'

/** Files up to this size are shown right away; larger ones on request. */
const AUTO_PREVIEW = 256 * 1024

function looksLikeEvent(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    typeof v['type'] === 'string' &&
    typeof v['author'] === 'string' &&
    typeof v['seq'] === 'number' &&
    'sig' in v
  )
}

export function Block({ cid }: { cid: string }): ReactNode {
  const { t, i18n } = useTranslation()
  const [block, setBlock] = useState<BlockInfo | null>(null)
  const [error, setError] = useState<ErrorInfo | null>(null)
  useEffect(() => {
    let live = true
    setBlock(null)
    setError(null)
    client()
      .call('dag.get', { cid })
      .then((b) => live && setBlock(b))
      .catch((err: unknown) => live && setError(errorInfo(err)))
    return () => {
      live = false
    }
  }, [cid])
  return (
    <div>
      <PageTitle>{t('dag.blockTitle')}</PageTitle>
      <p>
        <a href={href('/dag')}>{t('dag.back')}</a>
      </p>
      <ErrorNotice error={error} />
      {block === null && error === null ? <p role="status">{t('common.loading')}</p> : null}
      {block !== null ? (
        <>
          <section className="card" aria-labelledby="block-facts">
            <h2 id="block-facts" className="visually-hidden">
              {t('dag.facts')}
            </h2>
            <dl className="defs">
              <Definition term={t('dag.cid')}>
                <Ident value={block.cid} />
              </Definition>
              <Definition term={t('dag.codec')}>{block.codec}</Definition>
              <Definition term={t('dag.size')}>{formatBytes(block.size, i18n.language)}</Definition>
              <Definition term={t('dag.links')}>{block.links.length}</Definition>
            </dl>
            {block.codec === 'dag-cbor' && looksLikeEvent(block.value) ? (
              <p>
                <a href={href(`/event/${block.cid}`)}>{t('dag.openAsEvent')}</a>
              </p>
            ) : null}
          </section>
          {block.isFile ? (
            <FileContent cid={block.cid} size={block.size} isRaw={block.codec === 'raw'} />
          ) : null}
          {block.value !== undefined ? (
            <section aria-labelledby="block-value">
              <h2 id="block-value">{t('dag.value')}</h2>
              <JsonView value={block.value} />
            </section>
          ) : null}
          {block.links.length > 0 ? (
            <section aria-labelledby="block-links">
              <h2 id="block-links">{t('dag.links')}</h2>
              <ul className="link-list">
                {block.links.map((link) => (
                  <li key={link}>
                    <a href={href(`/dag/${link}`)}>{link}</a>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      ) : null}
    </div>
  )
}

function FileContent({ cid, size, isRaw }: { cid: string; size: number; isRaw: boolean }): ReactNode {
  const { t, i18n } = useTranslation()
  const [content, setContent] = useState<{ bytes: Uint8Array; preview: Preview } | null>(null)
  const [imageUrl, setImageUrl] = useState<string | null>(null)
  const load = useAction(async () => {
    const { bytes } = await client().call('dag.cat', { cid })
    setContent({ bytes, preview: previewOf(bytes) })
  })
  // A raw block's size is the file size; a chunked file's root is small, so its size says nothing: ask first.
  const auto = isRaw && size <= AUTO_PREVIEW
  useEffect(() => {
    setContent(null)
    if (auto) void load.run()
    // `load` is a new function each render; the cid and size decide when to fetch.
  }, [cid, auto])
  useEffect(() => {
    if (content?.preview.kind !== 'image') return
    const url = URL.createObjectURL(
      new Blob([content.bytes as Uint8Array<ArrayBuffer>], { type: content.preview.type }),
    )
    setImageUrl(url)
    return () => URL.revokeObjectURL(url)
  }, [content])
  return (
    <section aria-labelledby="file-content">
      <h2 id="file-content">{t('dag.content')}</h2>
      <ErrorNotice error={load.error} />
      {content === null ? (
        <Button onClick={() => void load.run()} busy={load.busy}>
          {t('dag.showContent')}
        </Button>
      ) : (
        <>
          <p>
            {t('dag.contentSize', { size: formatBytes(content.bytes.length, i18n.language) })}{' '}
            <Button onClick={() => saveBytes(content.bytes, cid)}>{t('dag.download')}</Button>
          </p>
          {content.preview.kind === 'text' ? (
            <>
              {content.preview.truncated ? <p className="hint">{t('dag.truncated')}</p> : null}
              <pre className="file-text" tabIndex={0} aria-label={t('dag.content')}>
                {content.preview.text}
              </pre>
            </>
          ) : content.preview.kind === 'image' && imageUrl !== null ? (
            <img className="file-image" src={imageUrl} alt={t('dag.imageAlt', { cid })} />
          ) : content.preview.kind === 'binary' ? (
            <>
              <p className="hint">{t('dag.binary')}</p>
              <pre className="file-hex" tabIndex={0} aria-label={t('dag.hex')}>
                {content.preview.hex}
              </pre>
            </>
          ) : null}
        </>
      )}
    </section>
  )
}
