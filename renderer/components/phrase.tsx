/** The recovery phrase: shown once as a numbered list, then a few words asked back to prove it was written down. */
import { useMemo, useState, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Button, Field } from './ui'

export function PhraseList({ words }: { words: string[] }): ReactNode {
  const { t } = useTranslation()
  return (
    <ol className="phrase" aria-label={t('phrase.listLabel')}>
      {words.map((word, i) => (
        <li key={i} className="phrase-word">
          <span className="phrase-index" aria-hidden="true">
            {i + 1}
          </span>
          <span className="phrase-text">{word}</span>
        </li>
      ))}
    </ol>
  )
}

/** Distinct positions (0-based, ascending) to ask back, chosen with the platform's CSPRNG. */
export function pickPositions(length: number, count: number, random = cryptoRandom): number[] {
  const picked = new Set<number>()
  while (picked.size < Math.min(count, length)) picked.add(Math.floor(random() * length))
  return [...picked].sort((a, b) => a - b)
}

function cryptoRandom(): number {
  const buffer = new Uint32Array(1)
  crypto.getRandomValues(buffer)
  return (buffer[0] as number) / 2 ** 32
}

export function PhraseConfirm(props: {
  words: string[]
  onConfirmed: () => void | Promise<void>
  onBack: () => void
  busy?: boolean
  positions?: number[]
}): ReactNode {
  const { t } = useTranslation()
  const positions = useMemo(
    () => props.positions ?? pickPositions(props.words.length, 3),
    [props.positions, props.words.length],
  )
  const [answers, setAnswers] = useState<string[]>(() => positions.map(() => ''))
  const [wrong, setWrong] = useState<number[]>([])
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    const mismatched = positions.filter((p, i) => answers[i]?.trim().toLowerCase() !== props.words[p])
    setWrong(mismatched)
    if (mismatched.length === 0) void props.onConfirmed()
  }
  return (
    <form onSubmit={submit} noValidate aria-describedby="confirm-intro">
      <p id="confirm-intro">{t('phrase.confirmIntro')}</p>
      {positions.map((position, i) => (
        <Field
          key={position}
          label={t('phrase.wordNumber', { n: position + 1 })}
          value={answers[i] ?? ''}
          onChange={(v) => setAnswers((a) => a.map((old, j) => (j === i ? v : old)))}
          error={wrong.includes(position) ? t('phrase.wrongWord', { n: position + 1 }) : undefined}
        />
      ))}
      <div className="actions">
        <Button onClick={props.onBack}>{t('phrase.showAgain')}</Button>
        <Button type="submit" variant="primary" busy={props.busy === true}>
          {t('phrase.confirm')}
        </Button>
      </div>
    </form>
  )
}
