/**
 * The `icn` host ABI at CCL level: one method per host function of abi.ts, with CCL values (bigint for Int and
 * Mana, boolean, string for String and Did). The interpreter calls it directly; test-host.ts adapts it to the
 * lowered wasm imports. The type is derived from HOST_IMPORTS, so it cannot drift from the ABI.
 */
import type { CclType, HOST_IMPORTS } from '../runtime/abi'

type JsOf<T extends CclType | 'Unit'> = T extends 'Int' | 'Mana'
  ? bigint
  : T extends 'Bool'
    ? boolean
    : T extends 'String' | 'Did'
      ? string
      : void

type JsParams<P extends readonly CclType[]> = { [K in keyof P]: P[K] extends CclType ? JsOf<P[K]> : never }

type Imports = typeof HOST_IMPORTS

export type CclHost = {
  -readonly [K in keyof Imports]: (
    ...args: JsParams<Imports[K]['ccl']['params']>
  ) => JsOf<Imports[K]['ccl']['result']>
}

/** A struct value: the struct's name and its fields by name. */
export interface RecordValue {
  struct: string
  fields: Record<string, Value>
}

/** A CCL value in JavaScript: Int and Mana are bigint, String and Did are string. */
export type Value = bigint | boolean | string | readonly Value[] | RecordValue
