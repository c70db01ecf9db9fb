export type PrimitiveName = 'Int' | 'Bool' | 'String' | 'Did' | 'Mana'

export type Type =
  | { kind: 'prim'; name: PrimitiveName }
  | { kind: 'unit' }
  | { kind: 'array'; element: Type }
  | { kind: 'struct'; name: string }
  /** The type of an expression that already produced an error; it matches everything, so errors do not cascade. */
  | { kind: 'error' }

export const INT: Type = { kind: 'prim', name: 'Int' }
export const BOOL: Type = { kind: 'prim', name: 'Bool' }
export const STRING: Type = { kind: 'prim', name: 'String' }
export const DID: Type = { kind: 'prim', name: 'Did' }
export const MANA: Type = { kind: 'prim', name: 'Mana' }
export const UNIT: Type = { kind: 'unit' }
export const ERROR: Type = { kind: 'error' }

export const PRIMITIVES: Record<PrimitiveName, Type> = {
  Int: INT,
  Bool: BOOL,
  String: STRING,
  Did: DID,
  Mana: MANA,
}

export function isPrim(type: Type, name: PrimitiveName): boolean {
  return type.kind === 'prim' && type.name === name
}

export function sameType(a: Type, b: Type): boolean {
  if (a.kind === 'error' || b.kind === 'error') return true
  if (a.kind === 'prim') return b.kind === 'prim' && a.name === b.name
  if (a.kind === 'unit') return b.kind === 'unit'
  if (a.kind === 'array') return b.kind === 'array' && sameType(a.element, b.element)
  return b.kind === 'struct' && a.name === b.name
}

export function typeName(type: Type): string {
  switch (type.kind) {
    case 'prim':
      return type.name
    case 'unit':
      return '()'
    case 'array':
      return `[${typeName(type.element)}]`
    case 'struct':
      return type.name
    case 'error':
      return '{unknown}'
  }
}

/** How a value of this type lives on the wasm stack. */
export function valType(type: Type): 'i32' | 'i64' {
  if (type.kind === 'prim') return type.name === 'Bool' ? 'i32' : 'i64'
  return 'i32'
}
